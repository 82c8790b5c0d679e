"""Benchmark results: one record per dataset x method x seed, their summary over seeds,
and the tables printed like the DiffAug paper's (methods as rows, datasets as columns,
plus AVE, the mean over datasets of the per-dataset means)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from dnaaug.errors import InputError
from dnaaug.atomic import atomic_path, atomic_write_text

SCORE_METRICS = ("accuracy", "mcc", "macro_f1", "auroc", "nmi", "ari", "cluster_acc")
TIME_METRICS = ("train_seconds", "embed_seconds", "wall_seconds")
METRICS = SCORE_METRICS + TIME_METRICS
"""Metrics :func:`summarise` reports; ``wall_seconds`` = train + embed seconds."""

# metric -> (heading, scale, best, decimals) used by render_report
METRIC_DISPLAY: dict[str, tuple[str, float, str, int]] = {
    "accuracy": ("Linear probe accuracy (%)", 100, "max", 1),
    "mcc": ("Linear probe MCC (x100)", 100, "max", 1),
    "macro_f1": ("Linear probe macro F1 (x100)", 100, "max", 1),
    "auroc": ("Linear probe AUROC (x100)", 100, "max", 1),
    "nmi": ("k-means NMI (x100)", 100, "max", 1),
    "ari": ("k-means ARI (x100)", 100, "max", 1),
    "cluster_acc": ("k-means Hungarian accuracy (%)", 100, "max", 1),
    "train_seconds": ("Training time (s per cell)", 1, "min", 0),
    "embed_seconds": ("Embedding time (s per cell)", 1, "min", 1),
    "wall_seconds": ("Wall time (s per cell: train + embed)", 1, "min", 0),
}

MISSING = "—"


def _to_float(value) -> float:
    if value is None or (isinstance(value, str) and value.strip() in ("", "nan", "NaN", "None")):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"not a number: {value!r}") from None


@dataclass
class CellResult:
    """Scores of one benchmark cell (dataset x method x seed). Unmeasured values are NaN:
    e.g. ``train_seconds`` of the label-free k-mer row, whose ``embed_seconds`` is the time
    to compute the spectra."""

    dataset: str
    method: str
    seed: int
    accuracy: float = float("nan")
    mcc: float = float("nan")
    macro_f1: float = float("nan")
    auroc: float = float("nan")
    nmi: float = float("nan")
    ari: float = float("nan")
    cluster_acc: float = float("nan")
    train_seconds: float = float("nan")
    embed_seconds: float = float("nan")
    n_train: int = 0
    n_test: int = 0
    notes: str = ""

    @property
    def key(self) -> tuple[str, str, int]:
        """(dataset, method, seed): what identifies a cell (and what resume skips on)."""
        return (self.dataset, self.method, self.seed)

    def to_dict(self) -> dict:
        """Plain data, JSON-safe: NaN becomes None."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = None if isinstance(v, float) and math.isnan(v) else v
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> CellResult:
        """Inverse of :meth:`to_dict`; also accepts a CSV row (strings, empty = NaN).
        Raises InputError on unknown or missing identifying keys, or bad values."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InputError(f"unknown result field(s): {', '.join(unknown)}")
        missing = [k for k in ("dataset", "method", "seed") if data.get(k) in (None, "")]
        if missing:
            raise InputError(f"result record lacks {', '.join(missing)}")
        kwargs = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            v = data[f.name]
            if f.name in ("dataset", "method"):
                kwargs[f.name] = str(v)
            elif f.name == "notes":
                kwargs[f.name] = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            elif f.name in ("seed", "n_train", "n_test"):
                num = _to_float(v)
                if math.isnan(num) and f.name != "seed":
                    num = 0
                if math.isnan(num) or num != int(num):
                    raise InputError(f"{f.name} must be an integer, got {v!r}")
                kwargs[f.name] = int(num)
            else:
                kwargs[f.name] = _to_float(v)
        return cls(**kwargs)

    @classmethod
    def from_scores(cls, dataset: str, method: str, seed: int, probe=None,
                    clusters: Mapping[str, float] | None = None, *,
                    train_seconds: float = float("nan"), embed_seconds: float = float("nan"),
                    notes: str = "") -> CellResult:
        """Build a cell from a :class:`~dnaaug.evaluate.probe.ProbeResult` and the dict of
        :func:`~dnaaug.evaluate.clustering.cluster_metrics` (either may be None)."""
        kw = {}
        if probe is not None:
            kw.update(accuracy=probe.accuracy, mcc=probe.mcc, macro_f1=probe.macro_f1,
                      auroc=probe.auroc, n_train=probe.n_train, n_test=probe.n_test)
        if clusters is not None:
            kw.update({k: float(clusters[k]) for k in ("nmi", "ari", "cluster_acc")})
        return cls(dataset=dataset, method=method, seed=int(seed), train_seconds=float(train_seconds),
                   embed_seconds=float(embed_seconds), notes=notes, **kw)


def cells_to_frame(cells: Iterable[CellResult]) -> pd.DataFrame:
    """One row per cell, columns in :class:`CellResult` field order (NaN kept)."""
    columns = [f.name for f in fields(CellResult)]
    return pd.DataFrame([[getattr(c, k) for k in columns] for c in cells], columns=columns)


def cells_from_frame(frame: pd.DataFrame) -> list[CellResult]:
    """Inverse of :func:`cells_to_frame` (e.g. after ``pd.read_csv``)."""
    return [CellResult.from_dict(row) for row in frame.to_dict(orient="records")]


def _check_unique(cells: Sequence[CellResult]) -> None:
    seen = set()
    for c in cells:
        if c.key in seen:
            raise InputError(f"duplicate result for dataset {c.dataset!r}, method {c.method!r}, "
                             f"seed {c.seed}")
        seen.add(c.key)


def summarise(cells: Sequence[CellResult], metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """Mean, sample std (ddof=1; NaN for one seed) and n (seeds with a value) of each metric
    per dataset x method. Long format: columns dataset, method, metric, mean, std, n; rows
    in order of first appearance of dataset, then method, then ``metrics`` order. NaN
    values are left out; a metric never measured has mean NaN and n 0."""
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise InputError(f"unknown metric(s): {', '.join(unknown)} (known: {', '.join(METRICS)})")
    cells = list(cells)
    _check_unique(cells)
    columns = ["dataset", "method", "metric", "mean", "std", "n"]
    if not cells:
        return pd.DataFrame(columns=columns)
    frame = cells_to_frame(cells)
    frame["wall_seconds"] = frame[["train_seconds", "embed_seconds"]].sum(axis=1, min_count=1)
    rows = []
    for (dataset, method), group in frame.groupby(["dataset", "method"], sort=False):
        for metric in metrics:
            values = group[metric].to_numpy(dtype=np.float64)
            values = values[~np.isnan(values)]
            n = int(values.size)
            mean = float(values.mean()) if n else float("nan")
            std = float(values.std(ddof=1)) if n > 1 else float("nan")
            rows.append((dataset, method, metric, mean, std, n))
    return pd.DataFrame(rows, columns=columns)


def _ordered(present: Sequence[str], order: Sequence[str] | None) -> list[str]:
    """``order`` first (those present), then the rest in order of appearance."""
    first = [x for x in (order or ()) if x in present]
    return first + [x for x in present if x not in first]


def _grid(summary: pd.DataFrame, metric: str, *, scale: float, best: str | None, decimals: int,
          method_order, dataset_order, dataset_labels, average: bool, pm: str):
    """Header (list[str]), body rows (list[list[str]]) and bold flags for one metric."""
    if best not in ("max", "min", None):
        raise InputError(f"best must be 'max', 'min' or None, got {best!r}")
    sub = summary[summary["metric"] == metric]
    if sub.empty or sub["n"].sum() == 0:
        raise InputError(f"no values for metric {metric!r} in the summary")
    datasets = _ordered(list(dict.fromkeys(sub["dataset"])), dataset_order)
    methods = _ordered(list(dict.fromkeys(sub["method"])), method_order)
    stats = {(r.dataset, r.method): (r.mean, r.std, r.n) for r in sub.itertuples(index=False)}
    labels = dataset_labels or {}
    header = ["method"] + [labels.get(d, d) for d in datasets] + (["AVE"] if average else [])

    values = np.full((len(methods), len(header) - 1), np.nan)  # displayed means, for bolding
    texts = [[MISSING] * (len(header) - 1) for _ in methods]
    for i, m in enumerate(methods):
        means = []
        for j, d in enumerate(datasets):
            mean, std, n = stats.get((d, m), (np.nan, np.nan, 0))
            if n == 0 or np.isnan(mean):
                means.append(np.nan)
                continue
            means.append(mean * scale)
            values[i, j] = round(mean * scale, decimals)
            text = f"{mean * scale:.{decimals}f}"
            if n > 1 and not np.isnan(std):
                text += f" {pm} {std * scale:.{decimals}f}"
            texts[i][j] = text
        if average and not np.isnan(means).any():
            ave = float(np.mean(means))
            values[i, -1] = round(ave, decimals)
            texts[i][-1] = f"{ave:.{decimals}f}"
    bold = np.zeros(values.shape, dtype=bool)
    if best is not None:
        for j in range(values.shape[1]):
            col = values[:, j]
            if np.count_nonzero(~np.isnan(col)) >= 2:
                target = np.nanmax(col) if best == "max" else np.nanmin(col)
                bold[:, j] = col == target
    rows = [[m] + t for m, t in zip(methods, texts)]
    return header, rows, bold


def render_table(summary: pd.DataFrame, metric: str = "accuracy", *, scale: float = 100,
                 best: str | None = "max", decimals: int = 1,
                 method_order: Sequence[str] | None = None,
                 dataset_order: Sequence[str] | None = None,
                 dataset_labels: Mapping[str, str] | None = None, average: bool = True) -> str:
    """Markdown table of one metric from :func:`summarise`'s frame: methods as rows
    (``method_order`` first, then the rest as they appear), datasets as columns, then AVE
    (the mean over datasets of the per-dataset means; shown only for a method measured on
    every dataset). A cell is ``mean ± std`` over seeds, just the mean for one seed, ``—``
    when missing. The best value per column (after rounding) is in bold, where a column
    has at least two values; ``best=None`` bolds nothing."""
    header, rows, bold = _grid(summary, metric, scale=scale, best=best, decimals=decimals,
                               method_order=method_order, dataset_order=dataset_order,
                               dataset_labels=dataset_labels, average=average, pm="±")
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for i, row in enumerate(rows):
        cells = [row[0]] + [f"**{t}**" if bold[i, j] else t for j, t in enumerate(row[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_text(summary: pd.DataFrame, metric: str = "accuracy", *, scale: float = 100,
                best: str | None = "max", decimals: int = 1,
                method_order: Sequence[str] | None = None,
                dataset_order: Sequence[str] | None = None,
                dataset_labels: Mapping[str, str] | None = None, average: bool = True,
                ascii_only: bool = False) -> str:
    """The table of :func:`render_table` as aligned plain text for a terminal; the best
    value per column carries a trailing ``*``. ``ascii_only`` writes ``+/-`` and ``-``
    instead of ``±`` and ``—`` (for consoles that cannot encode them)."""
    header, rows, bold = _grid(summary, metric, scale=scale, best=best, decimals=decimals,
                               method_order=method_order, dataset_order=dataset_order,
                               dataset_labels=dataset_labels, average=average,
                               pm="+/-" if ascii_only else "±")
    if ascii_only:
        rows = [[row[0]] + ["-" if t == MISSING else t for t in row[1:]] for row in rows]
    body = [[row[0]] + [t + ("*" if bold[i, j] else " ") for j, t in enumerate(row[1:])]
            for i, row in enumerate(rows)]
    head = [header[0]] + [h + " " for h in header[1:]]
    widths = [max(len(r[c]) for r in [head] + body) for c in range(len(header))]

    def fmt(r):
        return "  ".join([r[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(r[1:], widths[1:])]).rstrip()

    rule = "-" * len(fmt(["-" * w for w in widths]))
    return "\n".join([fmt(head), rule] + [fmt(r) for r in body]) + "\n"


NOTE_SEPARATOR = "; "
"""What joins the pieces of a cell's ``notes`` (the benchmark writes ``"; ".join(pieces)``)."""


def _join_names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _cell_note_lines(cells: Sequence[CellResult], method_order, dataset_order,
                     labels: Mapping[str, str]) -> list[str]:
    """The cells' notes, each text once per dataset: the pieces every method of a dataset carries
    (its source, manifest check ...) on one ``- DATASET: ...`` line, then the rest once per group
    of methods that carry the same pieces (``- rc and none on DATASET: ...``). A dataset run with one
    method keeps the ``- METHOD on DATASET: ...`` form. Pieces keep their first-seen order."""
    pieces: dict[str, dict[str, list[str]]] = {}  # dataset -> method -> pieces (over seeds, once each)
    for c in cells:
        mine = pieces.setdefault(c.dataset, {}).setdefault(c.method, [])
        for piece in (p.strip() for p in c.notes.split(NOTE_SEPARATOR)):
            if piece and piece not in mine:
                mine.append(piece)
    lines = []
    for d in _ordered(list(pieces), dataset_order):
        by_method = pieces[d]
        methods = _ordered(list(by_method), method_order)
        label = labels.get(d, d)
        first_seen = list(dict.fromkeys(p for m in methods for p in by_method[m]))
        common = [p for p in first_seen if len(methods) > 1 and all(p in by_method[m] for m in methods)]
        if common:
            lines.append(f"- {label}: {NOTE_SEPARATOR.join(common)}")
        groups: dict[tuple[str, ...], list[str]] = {}
        for m in methods:
            rest = tuple(p for p in by_method[m] if p not in common)
            if rest:
                groups.setdefault(rest, []).append(m)
        lines.extend(f"- {_join_names(ms)} on {label}: {NOTE_SEPARATOR.join(rest)}"
                     for rest, ms in groups.items())
    return lines


def render_report(cells: Sequence[CellResult], metrics: Sequence[str] = ("accuracy", "mcc"), *,
                  title: str = "dnaaug benchmark", method_order: Sequence[str] | None = None,
                  dataset_order: Sequence[str] | None = None,
                  dataset_labels: Mapping[str, str] | None = None,
                  notes: Sequence[str] = ()) -> str:
    """The full ``results.md``: one table per metric, a wall-time table (train + embed
    seconds per cell, lowest in bold) and notes (seeds per cell, the cells' notes with each text
    once per dataset, then ``notes``)."""
    cells = list(cells)
    if not cells:
        raise InputError("no results to report")
    summary = summarise(cells)
    opts = dict(method_order=method_order, dataset_order=dataset_order, dataset_labels=dataset_labels)
    seeds = sorted({c.seed for c in cells})
    parts = [f"# {title}\n",
             "Linear probe (standardised logistic regression, C chosen by stratified CV on train) "
             "and k-means on frozen test embeddings. Cells: mean ± std over seeds (just the mean "
             "for one seed); **bold**: best per column; AVE: mean over datasets of the per-dataset "
             "means (only for a method run on every dataset).\n"]
    for metric in metrics:
        if metric not in METRIC_DISPLAY:
            raise InputError(f"unknown metric {metric!r} (known: {', '.join(METRIC_DISPLAY)})")
        heading, scale, best, decimals = METRIC_DISPLAY[metric]
        if summary.loc[summary["metric"] == metric, "n"].sum() == 0:
            continue
        parts.append(f"## {heading}\n")
        parts.append(render_table(summary, metric, scale=scale, best=best, decimals=decimals, **opts))
    if summary.loc[summary["metric"] == "wall_seconds", "n"].sum() > 0:
        heading, scale, best, decimals = METRIC_DISPLAY["wall_seconds"]
        parts.append(f"## {heading}\n")
        parts.append(render_table(summary, "wall_seconds", scale=scale, best=best, decimals=decimals,
                                  average=False, **opts))

    lines = [f"- Seeds: {', '.join(map(str, seeds))}."]
    counts = summary[summary["metric"] == metrics[0]] if metrics else summary.iloc[0:0]
    per_cell = {(r.dataset, r.method): int(r.n) for r in counts.itertuples(index=False)}
    if len(set(per_cell.values())) > 1:
        uneven = ", ".join(f"{m} on {(dataset_labels or {}).get(d, d)}: {n}"
                           for (d, m), n in per_cell.items() if n != max(per_cell.values()))
        lines.append(f"- Fewer seeds than the others: {uneven}.")
    lines.extend(_cell_note_lines(cells, method_order, dataset_order, dataset_labels or {}))
    lines.extend(f"- {n}" for n in notes)
    parts.append("## Notes\n")
    parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def write_results(cells: Sequence[CellResult], out_dir: str | os.PathLike, *,
                  metrics: Sequence[str] = ("accuracy", "mcc"), **report_options) -> dict[str, Path]:
    """Write ``results.csv``, ``results.json`` and ``results.md`` into ``out_dir``, each
    atomically. ``report_options`` go to :func:`render_report`. Returns the paths."""
    cells = list(cells)
    _check_unique(cells)
    out = Path(out_dir)
    paths = {"csv": out / "results.csv", "json": out / "results.json", "md": out / "results.md"}
    with atomic_path(paths["csv"]) as tmp:
        cells_to_frame(cells).to_csv(tmp, index=False)
    atomic_write_text(paths["json"], json.dumps([c.to_dict() for c in cells], indent=1) + "\n")
    atomic_write_text(paths["md"], render_report(cells, metrics, **report_options))
    return paths


def read_results(path: str | os.PathLike) -> list[CellResult]:
    """Cells from a ``results.json`` or ``results.csv`` written by :func:`write_results`.
    Raises InputError when the file is unreadable or malformed."""
    path = Path(path)
    try:
        if path.suffix == ".json":
            records = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise InputError(f"{path}: expected a JSON list of result records")
            return [CellResult.from_dict(r) for r in records]
        frame = pd.read_csv(path, dtype={"dataset": str, "method": str, "notes": str},
                            keep_default_na=False, na_values=[""])
        return cells_from_frame(frame)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError(f"cannot read results from {path}: {err}") from None
