"""k-means clustering scores and the Hungarian-matched accuracy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from dnaaug.errors import InputError
from dnaaug.evaluate.clustering import cluster_metrics, hungarian_accuracy


def brute_force_accuracy(y_true, y_pred):
    """Best accuracy over every one-to-one map from clusters to classes (reference)."""
    classes, clusters = np.unique(y_true), np.unique(y_pred)
    best = 0.0
    for perm in itertools.permutations(classes, len(clusters)):
        mapping = dict(zip(clusters, perm))
        best = max(best, np.mean([mapping[p] == t for p, t in zip(y_pred, y_true)]))
    return best


def test_permuted_labelling_scores_one():
    y = np.array([0, 0, 1, 1, 2, 2, 2])
    assert hungarian_accuracy(y, np.array([2, 2, 0, 0, 1, 1, 1])) == 1.0
    assert hungarian_accuracy(np.array(["a", "a", "b"]), np.array([5, 5, 9])) == 1.0


def test_golden_partial_match():
    assert hungarian_accuracy([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]) == pytest.approx(5 / 6)
    # two clusters cannot both map to class 0
    assert hungarian_accuracy([0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1]) == pytest.approx(4 / 6)


def test_matches_brute_force_on_random_labellings():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y, p = rng.integers(0, 3, 15), rng.integers(0, 3, 15)
        assert hungarian_accuracy(y, p) == pytest.approx(brute_force_accuracy(y, p))


def test_separated_blobs_are_recovered():
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0]], dtype=float)
    y = np.repeat([0, 1, 2], 50)
    X = centres[y] + rng.normal(scale=0.5, size=(150, 3))
    m = cluster_metrics(X, y, seed=0)
    assert m == {"nmi": pytest.approx(1.0), "ari": pytest.approx(1.0), "cluster_acc": 1.0}


def test_overlapping_data_scores_low_and_deterministic():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(200, 5)), rng.integers(0, 2, 200)
    a, b = cluster_metrics(X, y, seed=3), cluster_metrics(X, y, seed=3)
    assert a == b
    assert a["nmi"] < 0.1 and abs(a["ari"]) < 0.1 and 0.5 <= a["cluster_acc"] < 0.65


def test_scores_agree_with_sklearn_on_the_assignment():
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(4)
    y = np.repeat([0, 1], 60)
    X = rng.normal(size=(120, 4)) + y[:, None] * np.array([1.5, 0, 0, 0])
    pred = KMeans(n_clusters=2, n_init=10, random_state=5).fit_predict(StandardScaler().fit_transform(X))
    m = cluster_metrics(X, y, seed=5)
    assert m["nmi"] == pytest.approx(normalized_mutual_info_score(y, pred))
    assert m["ari"] == pytest.approx(adjusted_rand_score(y, pred))
    assert m["cluster_acc"] == pytest.approx(brute_force_accuracy(y, pred))


@pytest.mark.parametrize("case", ["one_class", "nan", "shape", "too_few"])
def test_bad_input(case):
    X, y = np.zeros((6, 2)), np.array([0, 0, 0, 1, 1, 1])
    if case == "one_class":
        y = np.zeros(6, dtype=int)
    elif case == "nan":
        X[0, 0] = np.inf
    elif case == "shape":
        y = y[:5]
    elif case == "too_few":
        X, y = X[:1], y[:1]
    with pytest.raises(InputError):
        cluster_metrics(X, y)
