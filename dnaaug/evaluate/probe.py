"""Linear probing of frozen embeddings: the paper's main measurement.

Standardise with statistics of the training split, fit an L2 logistic regression whose
inverse strength ``C`` is picked by stratified k-fold cross-validation on the training
split only, then report test accuracy, MCC, macro F1 and AUROC.

The cross-validation is written out (StratifiedKFold + a warm-started C path) rather than
delegated to ``LogisticRegressionCV``, whose parameters and attributes are changing across
scikit-learn releases; this keeps the results identical across the versions we support.

The fits run with BLAS held to one thread. Each lbfgs step on a probe-sized problem is a
few small matrix products, and waking BLAS worker threads costs more than the products. On
2 cores (benchmarks/bench_probe.py) one thread was 12-27x faster on encoder embeddings of
2,000 sequences and 2x faster on k-mer spectra and on a 16k x 1,024 problem, with the same C
and the same scores.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, matthews_corrcoef, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from dnaaug.errors import InputError

log = logging.getLogger(__name__)

DEFAULT_CS: tuple[float, ...] = tuple(float(c) for c in np.logspace(-4, 2, 7))
"""1e-4 .. 1e2, one per decade: cheap enough for 5-fold CV. The low end matters for wide
inputs: k-mer spectra (5,460 features) pick C ~ 1e-4 .. 1e-3 on GUE tasks."""


@dataclass(frozen=True)
class ProbeResult:
    """Test-split scores of one linear probe.

    ``auroc`` is the positive-class AUROC for two classes and the one-vs-rest macro AUROC
    otherwise (NaN where the test split has a single class). ``cv_folds`` is 0 when a
    class was too small to cross-validate and ``C`` fell back to 1.0.
    """

    accuracy: float
    mcc: float
    macro_f1: float
    auroc: float
    C: float
    cv_score: float
    cv_folds: int
    fit_seconds: float
    n_train: int
    n_test: int
    n_classes: int
    converged: bool = True
    cv_scores: dict[float, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-data copy (JSON-serialisable; ``cv_scores`` keys become strings)."""
        out = asdict(self)
        out["cv_scores"] = {repr(c): s for c, s in self.cv_scores.items()}
        return out


def _check_matrix(name: str, X) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2:
        raise InputError(f"{name} must be a 2-D array (N, D), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise InputError(f"{name} is empty (shape {X.shape})")
    if not np.issubdtype(X.dtype, np.number):
        raise InputError(f"{name} must be numeric, got dtype {X.dtype}")
    # float32 stays float32 (scikit-learn's lbfgs path supports it; halves the memory of
    # wide inputs such as k-mer spectra); anything else becomes float64
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if not np.isfinite(X).all():
        bad = int(np.argwhere(~np.isfinite(X))[0, 0])
        raise InputError(f"{name} holds NaN or infinite values (first in row {bad})")
    return X


def _check_labels(name: str, y, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise InputError(f"{name} must be 1-D with {n} labels (one per row), got shape {y.shape}")
    return y


def _auroc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    """Binary: AUROC of the positive-class probability. Multiclass: one-vs-rest macro over
    the classes present in ``y`` (equal to sklearn's ``multi_class="ovr"`` when all are)."""
    present = np.isin(classes, y)
    if present.sum() < 2:
        return float("nan")
    if len(classes) == 2:
        return float(roc_auc_score(y == classes[1], proba[:, 1]))
    aucs = [roc_auc_score(y == c, proba[:, k]) for k, c in enumerate(classes) if present[k]]
    return float(np.mean(aucs))


def _fit_path(Xtr: np.ndarray, ytr: np.ndarray, Cs: tuple[float, ...], max_iter: int,
              tol: float) -> tuple[list[LogisticRegression], bool]:
    """Fit one model per C, smallest C first, each warm-started from the previous
    coefficients (same optimum, far fewer lbfgs iterations)."""
    models, converged = [], True
    coef = intercept = None
    for C in Cs:
        model = LogisticRegression(C=C, solver="lbfgs", max_iter=max_iter, tol=tol, warm_start=True)
        if coef is not None:
            model.coef_, model.intercept_ = coef.copy(), intercept.copy()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(Xtr, ytr)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            converged = False
        coef, intercept = model.coef_, model.intercept_
        models.append(model)
    return models, converged


def _choose_C(Xtr: np.ndarray, ytr: np.ndarray, smallest_class: int, Cs: tuple[float, ...], cv: int,
              seed: int, max_iter: int, tol: float) -> tuple[float, float, int, dict[float, float], bool]:
    """C with the best mean stratified k-fold accuracy on train (scaler refitted per fold).

    Returns (C, its CV accuracy, folds used, {C: mean CV accuracy}, converged); folds is 0
    (no CV) for a one-value grid or a class too small to split, and C then falls back.
    """
    folds = min(cv, smallest_class)
    if len(Cs) == 1:
        return Cs[0], float("nan"), 0, {}, True
    if folds < 2:
        log.warning("smallest class has %d training example(s): no cross-validation, C=1.0", smallest_class)
        return 1.0, float("nan"), 0, {}, True
    converged = True
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = np.zeros((folds, len(Cs)))
    for f, (fit_idx, val_idx) in enumerate(splitter.split(Xtr, ytr)):
        scaler = StandardScaler().fit(Xtr[fit_idx])
        Xf, Xv = scaler.transform(Xtr[fit_idx]), scaler.transform(Xtr[val_idx])
        models, ok = _fit_path(Xf, ytr[fit_idx], Cs, max_iter, tol)
        converged &= ok
        scores[f] = [np.mean(m.predict(Xv) == ytr[val_idx]) for m in models]
    mean = scores.mean(axis=0)
    best = int(np.argmax(mean))  # first maximum = smallest C among ties
    if best in (0, len(Cs) - 1):
        log.info("chosen C=%g is at the edge of the grid %s", Cs[best], Cs)
    return Cs[best], float(mean[best]), folds, {c: float(s) for c, s in zip(Cs, mean)}, converged


def linear_probe(train_X, train_y, test_X, test_y, *, seed: int = 0, cv: int = 5,
                 Cs: tuple[float, ...] = DEFAULT_CS, max_iter: int = 2000,
                 tol: float = 1e-4, blas_threads: int | None = 1) -> ProbeResult:
    """Fit a standardised logistic-regression probe on train, score it on test.

    train_X (N, D), train_y (N,), test_X (M, D), test_y (M,): numeric features, labels of
    any sortable type. ``C`` is the grid value with the best mean stratified ``cv``-fold
    accuracy on train (scaler refitted inside each fold; ties go to the smaller C, the
    stronger regularisation); the final model is refitted on all of train with it.
    ``seed`` fixes the fold split; everything else is deterministic. ``blas_threads``
    caps BLAS threads during the fits (None leaves the library default; see the module
    docstring for why one is the default).

    Raises InputError for malformed arrays, non-finite values, a single class in train,
    or test labels that train never saw.
    """
    t0 = time.perf_counter()
    Xtr = _check_matrix("train_X", train_X)
    Xte = _check_matrix("test_X", test_X)
    if Xtr.shape[1] != Xte.shape[1]:
        raise InputError(f"train_X has {Xtr.shape[1]} features but test_X has {Xte.shape[1]}")
    ytr = _check_labels("train_y", train_y, Xtr.shape[0])
    yte = _check_labels("test_y", test_y, Xte.shape[0])
    classes, counts = np.unique(ytr, return_counts=True)
    if len(classes) < 2:
        raise InputError(f"train_y holds a single class ({classes[0]!r}): nothing to probe")
    unseen = np.setdiff1d(np.unique(yte), classes)
    if unseen.size:
        raise InputError(f"test_y holds classes absent from train_y: {unseen.tolist()[:5]}")
    Cs = tuple(sorted(float(c) for c in Cs))
    if not Cs or Cs[0] <= 0:
        raise InputError(f"Cs must be positive values, got {Cs}")
    if cv < 2:
        raise InputError(f"cv must be at least 2 folds, got {cv}")

    with threadpool_limits(limits=blas_threads, user_api="blas"):
        best_C, best_score, folds, cv_scores, converged = _choose_C(Xtr, ytr, int(counts.min()), Cs, cv,
                                                                    seed, max_iter, tol)
        scaler = StandardScaler().fit(Xtr)
        (model,), ok = _fit_path(scaler.transform(Xtr), ytr, (best_C,), max_iter, tol)
    converged &= ok
    if not converged:
        log.warning("logistic regression did not fully converge in %d iterations", max_iter)
    Xte_s = scaler.transform(Xte)
    proba = model.predict_proba(Xte_s)
    pred = model.classes_[np.argmax(proba, axis=1)]
    with warnings.catch_warnings():
        # a one-class test split is legal (MCC is then 0); sklearn warns about it
        warnings.simplefilter("ignore", UserWarning)
        mcc = float(matthews_corrcoef(yte, pred))
    return ProbeResult(
        accuracy=float(np.mean(pred == yte)),
        mcc=mcc,
        macro_f1=float(f1_score(yte, pred, average="macro", zero_division=0)),
        auroc=_auroc(yte, proba, model.classes_),
        C=float(best_C), cv_score=best_score, cv_folds=folds,
        fit_seconds=time.perf_counter() - t0,
        n_train=int(Xtr.shape[0]), n_test=int(Xte.shape[0]), n_classes=int(len(classes)),
        converged=bool(converged), cv_scores=cv_scores,
    )
