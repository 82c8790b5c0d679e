"""Label-free check of embedding structure: k-means with k = number of classes.

Scores: NMI, ARI, and accuracy after the best one-to-one matching of clusters to classes
(Hungarian algorithm on the contingency table).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.preprocessing import StandardScaler

from dnaaug.errors import InputError


def hungarian_accuracy(y_true, y_pred) -> float:
    """Fraction of points correct after mapping each predicted cluster to at most one true
    class so as to maximise agreement. y_true (N,), y_pred (N,): labels of any type."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise InputError(f"label arrays must be 1-D and equal in length, got {y_true.shape} and "
                         f"{y_pred.shape}")
    if y_true.size == 0:
        raise InputError("no labels to score")
    table = contingency_matrix(y_true, y_pred)  # (classes, clusters)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(table[rows, cols].sum() / y_true.size)


def cluster_metrics(X, y, *, seed: int = 0, n_init: int = 10) -> dict[str, float]:
    """k-means (k = number of distinct labels in y, ``n_init`` restarts, seeded) on
    standardised X (N, D); returns ``{"nmi", "ari", "cluster_acc"}`` against y (N,).

    Raises InputError on malformed or non-finite input or fewer than two classes.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InputError(f"X must be a non-empty 2-D array (N, D), got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number):
        raise InputError(f"X must be numeric, got dtype {X.dtype}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise InputError(f"y must be 1-D with {X.shape[0]} labels, got shape {y.shape}")
    if not np.isfinite(X).all():
        raise InputError("X holds NaN or infinite values")
    k = len(np.unique(y))
    if k < 2:
        raise InputError("y holds a single class: clustering scores are undefined")
    if X.shape[0] < k:
        raise InputError(f"{X.shape[0]} points cannot form {k} clusters")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    Z = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        # fewer distinct points than k only degrades the score; it is not an error
        warnings.simplefilter("ignore", ConvergenceWarning)
        pred = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(Z)
    return {
        "nmi": float(normalized_mutual_info_score(y, pred)),
        "ari": float(adjusted_rand_score(y, pred)),
        "cluster_acc": hungarian_accuracy(y, pred),
    }
