"""Benchmark figures, drawn off-screen (Agg canvas, no pyplot global state) and written
atomically as PNG.

Every figure that draws one mark per method takes its colour from :func:`method_colour`, so a
method keeps one colour in ``accuracy.png``, ``training_curves.png`` and any other plot.
"""

from __future__ import annotations

import colorsys
import os
import zlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from dnaaug.errors import InputError
from dnaaug.atomic import atomic_path
from dnaaug.evaluate.results import METRIC_DISPLAY, _ordered

_DPI = 120


def _save(fig: Figure, path: str | os.PathLike) -> Path:
    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=_DPI, bbox_inches="tight")
    return Path(path)


def plot_bars(summary: pd.DataFrame, metric: str, path: str | os.PathLike, *,
              scale: float | None = None, method_order: Sequence[str] | None = None,
              dataset_order: Sequence[str] | None = None,
              dataset_labels: Mapping[str, str] | None = None, title: str | None = None) -> Path:
    """Grouped bars of one metric from :func:`~dnaaug.evaluate.results.summarise`'s frame:
    one group per dataset, one bar per method, error bars = std over seeds (none for one
    seed). ``scale`` defaults to the metric's display scale (100 for scores)."""
    sub = summary[summary["metric"] == metric]
    if sub.empty or sub["n"].sum() == 0:
        raise InputError(f"no values for metric {metric!r} to plot")
    heading, default_scale, _, _ = METRIC_DISPLAY.get(metric, (metric, 1, None, 1))
    scale = default_scale if scale is None else scale
    datasets = _ordered(list(dict.fromkeys(sub["dataset"])), dataset_order)
    methods = _ordered(list(dict.fromkeys(sub["method"])), method_order)
    stats = {(r.dataset, r.method): (r.mean, r.std) for r in sub.itertuples(index=False)}

    width = 0.8 / len(methods)
    fig = Figure(figsize=(max(4.0, 1.2 + len(datasets) * (0.5 + 0.35 * len(methods))), 4.0))
    ax = fig.add_subplot()
    x = np.arange(len(datasets))
    for i, m in enumerate(methods):
        mean = np.array([stats.get((d, m), (np.nan, np.nan))[0] for d in datasets]) * scale
        std = np.array([stats.get((d, m), (np.nan, np.nan))[1] for d in datasets]) * scale
        ax.bar(x - 0.4 + (i + 0.5) * width, np.nan_to_num(mean), width,
               yerr=np.where(np.isnan(std), 0.0, std), capsize=2, label=m, color=method_colour(m))
    labels = dataset_labels or {}
    ax.set_xticks(x, [labels.get(d, d) for d in datasets], rotation=20 if len(datasets) > 3 else 0)
    ax.set_ylabel(heading)
    finite = sub["mean"].to_numpy(dtype=float) * scale
    finite = finite[np.isfinite(finite)]
    if scale == 100 and finite.size and finite.min() > 0:
        ax.set_ylim(max(0.0, finite.min() - 10), min(100.0, finite.max() + 5))  # zoom on the spread
    ax.set_title(title or heading)
    ax.legend(fontsize="small", ncols=min(len(methods), 4), loc="lower center",
              bbox_to_anchor=(0.5, 1.08 if title or heading else 1.0), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def _colours(n: int) -> list:
    """``n`` distinct colours for classes (not methods: see :func:`method_colour`)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


# method -> index into matplotlib's tab20 (even: the tab10 shades; odd: their light partners).
# The rows of the default benchmark take the strong shades; a light shade goes to a method that
# seldom shares a plot with its strong partner. Aliases of the augmenter registry share a colour.
METHOD_COLOURS: dict[str, int] = {
    "diffaug": 6,         # red
    "base": 7,            # light red: DiffAug's base augmenter (DiffAugConfig.base_augment)
    "rc": 2,              # orange
    "translocation": 4,   # green
    "insertion": 8,       # purple
    "mixup": 10,          # brown
    "masked-lm": 12,      # pink
    "none": 14,           # grey
    "random-init": 15,    # light grey
    "kmer-spectrum": 16,  # olive
    "supervised": 0,      # blue
    "mutation": 18,       # cyan
    "noise": 19,          # light cyan
    "deletion": 9,        # light purple
    "inversion": 5,       # light green
    "crop": 3,            # light orange
}
METHOD_ALIASES = {"reverse_complement": "rc", "identity": "none", "shift": "translocation",
                  "gaussian_noise": "noise"}


@lru_cache(maxsize=1)
def _base_augment() -> str:
    from dataclasses import fields

    from dnaaug.train.config import DiffAugConfig

    return next(f.default for f in fields(DiffAugConfig) if f.name == "base_augment")


def method_colour(method: str) -> tuple[float, float, float, float]:
    """The RGBA colour of a method in every dnaaug plot.

    Fixed for the known methods (:data:`METHOD_COLOURS`: the baseline augmenters, ``diffaug``,
    its base augmenter spec, ``masked-lm`` and the reference rows ``random-init``,
    ``kmer-spectrum``, ``supervised``); any other spec (``translocation:shift=20``) gets a colour
    derived from a checksum of its text: the same in every plot and every run, though two such
    specs may look alike.
    """
    from matplotlib import colormaps

    name = method.strip()
    name = METHOD_ALIASES.get(name, name)
    if name not in METHOD_COLOURS and name.replace(" ", "") == _base_augment():
        name = "base"
    if name in METHOD_COLOURS:
        return tuple(float(v) for v in colormaps["tab20"](METHOD_COLOURS[name]))
    hue = (zlib.crc32(name.encode("utf-8")) % 3600) / 3600
    return (*(float(v) for v in colorsys.hsv_to_rgb(hue, 0.6, 0.75)), 1.0)


def plot_embedding_map(X, y, path: str | os.PathLike, *, title: str = "", seed: int = 0,
                       max_points: int = 3000) -> Path:
    """2-D PCA of embeddings X (N, D) (standardised first), points coloured by label y (N,).
    At most ``max_points`` points, drawn by a seeded uniform subsample."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[0] < 2 or y.shape != (X.shape[0],):
        raise InputError(f"need X (N >= 2, D) and y (N,), got {X.shape} and {y.shape}")
    if not np.isfinite(X).all():
        raise InputError("X holds NaN or infinite values")
    rng = np.random.default_rng(seed)
    if X.shape[0] > max_points:
        keep = np.sort(rng.choice(X.shape[0], size=max_points, replace=False))
        X, y = X[keep], y[keep]
    Z = StandardScaler().fit_transform(X.astype(np.float64))
    if Z.shape[1] >= 2:
        pca = PCA(n_components=2, random_state=seed).fit(Z)
        xy, ratio = pca.transform(Z), pca.explained_variance_ratio_
    else:
        xy, ratio = np.column_stack([Z[:, 0], np.zeros(len(Z))]), np.array([1.0, 0.0])
    fig = Figure(figsize=(5.0, 4.5))
    ax = fig.add_subplot()
    classes = np.unique(y)
    colours = np.array(_colours(len(classes)))
    # one scatter in a random order so that no class is drawn entirely on top of another
    order = rng.permutation(len(y))
    ax.scatter(xy[order, 0], xy[order, 1], s=5, alpha=0.6, linewidths=0,
               c=colours[np.searchsorted(classes, y[order])])
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[k], label=str(c))
               for k, c in enumerate(classes)]
    ax.legend(handles=handles, fontsize="small", title="label")
    ax.set_xlabel(f"PC1 ({100 * ratio[0]:.1f}%)")
    ax.set_ylabel(f"PC2 ({100 * ratio[1]:.1f}%)")
    ax.set_title(title)
    return _save(fig, path)


LINE_STYLES = ("-", "--", ":", "-.")


def plot_training_curves(curves: Mapping[str, Sequence[tuple[float, float]]],
                         path: str | os.PathLike, *, title: str = "Training loss",
                         ylabel: str = "loss", logy: bool = False) -> Path:
    """One line per method from ``{method: [(step, loss), ...]}``; empty curves skipped.

    A key ``"DATASET/METHOD"`` is drawn in the method's colour (:func:`method_colour`) with one
    line style per dataset."""
    drawn = {}
    for m, c in curves.items():
        try:
            arr = np.asarray(c, dtype=float)
        except (TypeError, ValueError):
            arr = None
        if arr is not None and arr.size == 0:
            continue
        if arr is None or arr.ndim != 2 or arr.shape[1] != 2:
            raise InputError(f"curve of {m!r} must be a list of (step, loss) pairs")
        drawn[m] = arr
    if not drawn:
        raise InputError("no training curves to plot")
    fig = Figure(figsize=(6.0, 4.0))
    ax = fig.add_subplot()
    datasets = list(dict.fromkeys(k.rpartition("/")[0] for k in drawn))
    for m, c in drawn.items():
        dataset, _, method = m.rpartition("/")
        ax.plot(c[:, 0], c[:, 1], label=m, color=method_colour(method),
                linestyle=LINE_STYLES[datasets.index(dataset) % len(LINE_STYLES)], linewidth=1.2)
    if logy and all((c[:, 1] > 0).all() for c in drawn.values()):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return _save(fig, path)
