"""Linear probe: separable and random data, metrics against scikit-learn run directly."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, matthews_corrcoef, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dnaaug.errors import InputError
from dnaaug.evaluate.probe import DEFAULT_CS, linear_probe


def gaussian_classes(rng, n_per_class, means, dim=16, scale=1.0):
    X = np.concatenate([rng.normal(loc=m, scale=scale, size=(n_per_class, dim)) for m in means])
    y = np.repeat(np.arange(len(means)), n_per_class)
    return X, y


def reference(Xtr, ytr, Xte, C):
    """The same probe written with plain scikit-learn, at a given C."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000, tol=1e-8))
    model.fit(Xtr, ytr)
    return model.predict(Xte), model.predict_proba(Xte)


def test_separable_gaussians_score_high():
    rng = np.random.default_rng(0)
    Xtr, ytr = gaussian_classes(rng, 200, [-1.0, 1.0])
    Xte, yte = gaussian_classes(rng, 100, [-1.0, 1.0])
    r = linear_probe(Xtr, ytr, Xte, yte, seed=0)
    assert r.accuracy > 0.95 and r.mcc > 0.9 and r.macro_f1 > 0.95 and r.auroc > 0.99
    assert r.C in DEFAULT_CS and r.cv_folds == 5
    assert (r.n_train, r.n_test, r.n_classes) == (400, 200, 2)
    assert r.converged and r.fit_seconds > 0


def test_random_labels_score_chance():
    rng = np.random.default_rng(1)
    Xtr, Xte = rng.normal(size=(600, 32)), rng.normal(size=(1000, 32))
    ytr, yte = rng.integers(0, 2, 600), rng.integers(0, 2, 1000)
    r = linear_probe(Xtr, ytr, Xte, yte)
    assert 0.42 < r.accuracy < 0.58
    assert abs(r.mcc) < 0.1 and 0.42 < r.auroc < 0.58


def test_metrics_match_sklearn_directly():
    rng = np.random.default_rng(2)
    Xtr, ytr = gaussian_classes(rng, 150, [-0.3, 0.3], dim=8, scale=1.5)
    Xte, yte = gaussian_classes(rng, 150, [-0.3, 0.3], dim=8, scale=1.5)
    r = linear_probe(Xtr, ytr, Xte, yte, seed=3)
    pred, proba = reference(Xtr, ytr, Xte, r.C)
    assert 0.6 < r.accuracy < 0.95  # a problem with errors, so the metrics are informative
    assert r.accuracy == pytest.approx(np.mean(pred == yte), abs=1 / len(yte))
    assert r.mcc == pytest.approx(matthews_corrcoef(yte, pred), abs=0.02)
    assert r.macro_f1 == pytest.approx(f1_score(yte, pred, average="macro"), abs=0.02)
    assert r.auroc == pytest.approx(roc_auc_score(yte, proba[:, 1]), abs=1e-3)


def test_cv_scores_match_sklearn_cross_validation():
    rng = np.random.default_rng(4)
    Xtr, ytr = gaussian_classes(rng, 100, [-0.25, 0.25], dim=6, scale=1.0)
    Cs = (0.01, 0.1, 1.0)
    r = linear_probe(Xtr, ytr, Xtr[:10], ytr[:10], seed=7, Cs=Cs, cv=4)
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=7)
    for C in Cs:
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000, tol=1e-8))
        expected = cross_val_score(pipe, Xtr, ytr, cv=folds, scoring="accuracy").mean()
        assert r.cv_scores[C] == pytest.approx(expected, abs=0.011)
    best = max(Cs, key=lambda c: (r.cv_scores[c], -c))
    assert r.C == best and r.cv_score == r.cv_scores[best]


def test_multiclass_auroc_is_ovr_macro():
    rng = np.random.default_rng(5)
    means = [-0.4, 0.0, 0.4]
    Xtr, ytr = gaussian_classes(rng, 120, means, dim=8)
    Xte, yte = gaussian_classes(rng, 80, means, dim=8)
    r = linear_probe(Xtr, ytr, Xte, yte, cv=3)
    pred, proba = reference(Xtr, ytr, Xte, r.C)
    assert r.n_classes == 3
    assert r.auroc == pytest.approx(roc_auc_score(yte, proba, multi_class="ovr", average="macro"),
                                    abs=1e-3)
    assert r.mcc == pytest.approx(matthews_corrcoef(yte, pred), abs=0.03)
    assert 0.5 < r.auroc < 1.0


def test_multiclass_auroc_with_a_class_missing_from_test():
    rng = np.random.default_rng(6)
    Xtr, ytr = gaussian_classes(rng, 60, [-2.0, 0.0, 2.0], dim=4)
    Xte, yte = gaussian_classes(rng, 30, [-2.0, 0.0], dim=4)  # class 2 absent
    r = linear_probe(Xtr, ytr, Xte, yte, cv=3)
    _, proba = reference(Xtr, ytr, Xte, r.C)
    expected = np.mean([roc_auc_score(yte == k, proba[:, k]) for k in (0, 1)])
    assert r.auroc == pytest.approx(expected, abs=1e-3)


def test_deterministic_string_labels_and_float32():
    rng = np.random.default_rng(8)
    X, y = gaussian_classes(rng, 80, [-0.3, 0.3], dim=5, scale=1.0)
    names = np.where(y == 1, "positive", "negative")
    a = linear_probe(X, names, X[::3], names[::3], seed=1)
    b = linear_probe(X.astype(np.float32), names, X[::3].astype(np.float32), names[::3], seed=1)
    c = linear_probe(X, y, X[::3], y[::3], seed=1)
    for r in (b, c):
        assert (r.accuracy, r.C, r.cv_scores) == (a.accuracy, a.C, a.cv_scores)
        assert r.mcc == pytest.approx(a.mcc) and r.auroc == pytest.approx(a.auroc, abs=1e-4)
    d = a.to_dict()
    assert d["cv_scores"] and all(isinstance(k, str) for k in d["cv_scores"])


def test_constant_features_are_harmless():
    rng = np.random.default_rng(9)
    X, y = gaussian_classes(rng, 60, [-1.0, 1.0], dim=4)
    X = np.hstack([X, np.full((len(X), 3), 7.0)])
    r = linear_probe(X, y, X, y)
    assert np.isfinite([r.accuracy, r.mcc, r.auroc]).all() and r.accuracy > 0.8


def test_tiny_class_falls_back_to_default_C():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(21, 3))
    y = np.array([0] * 20 + [1])
    r = linear_probe(X, y, X, y)
    assert r.cv_folds == 0 and r.C == 1.0


@pytest.mark.parametrize("case", ["single_class", "nan", "width", "labels_len", "unseen", "1d", "cs"])
def test_bad_input_raises_input_error(case):
    rng = np.random.default_rng(11)
    X, y = rng.normal(size=(20, 3)), np.repeat([0, 1], 10)
    args = dict(train_X=X, train_y=y, test_X=X, test_y=y)
    kwargs = {}
    if case == "single_class":
        args["train_y"] = np.zeros(20, dtype=int)
    elif case == "nan":
        bad = X.copy()
        bad[3, 1] = np.nan
        args["train_X"] = bad
    elif case == "width":
        args["test_X"] = X[:, :2]
    elif case == "labels_len":
        args["train_y"] = y[:-1]
    elif case == "unseen":
        args["test_y"] = np.repeat([0, 2], 10)
    elif case == "1d":
        args["train_X"] = X[:, 0]
    elif case == "cs":
        kwargs["Cs"] = (0.0, 1.0)
    with pytest.raises(InputError):
        linear_probe(args["train_X"], args["train_y"], args["test_X"], args["test_y"], **kwargs)


def test_fits_run_with_one_blas_thread_by_default(monkeypatch):
    """Tiny lbfgs steps are dominated by BLAS thread wake-ups; the probe caps BLAS at one
    thread while it fits and leaves the caller's setting as it was afterwards."""
    from threadpoolctl import threadpool_info

    seen = []
    real_fit = LogisticRegression.fit

    def spy(self, X, y, *a, **k):
        seen.append({p["user_api"]: p["num_threads"] for p in threadpool_info()}.get("blas"))
        return real_fit(self, X, y, *a, **k)

    monkeypatch.setattr(LogisticRegression, "fit", spy)
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    if not before:
        pytest.skip("no BLAS library visible to threadpoolctl")
    rng = np.random.default_rng(0)
    X, y = gaussian_classes(rng, 40, [0.0, 1.0])
    linear_probe(X, y, X, y, cv=3)
    assert seen and all(n == 1 for n in seen)
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before


def test_blas_thread_cap_does_not_change_results():
    rng = np.random.default_rng(4)
    Xtr, ytr = gaussian_classes(rng, 60, [0.0, 0.4, 0.8], dim=24)
    Xte, yte = gaussian_classes(rng, 20, [0.0, 0.4, 0.8], dim=24)
    a = linear_probe(Xtr, ytr, Xte, yte, seed=2, cv=3, blas_threads=1)
    b = linear_probe(Xtr, ytr, Xte, yte, seed=2, cv=3, blas_threads=None)
    assert a.C == b.C and a.cv_scores == b.cv_scores
    assert a.accuracy == b.accuracy and a.mcc == pytest.approx(b.mcc, abs=1e-12)
    assert a.auroc == pytest.approx(b.auroc, abs=1e-9)
