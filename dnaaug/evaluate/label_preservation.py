"""Label preservation of positive views: does a view keep its anchor's meaning, as a label judge sees it?

Identity with the anchor says how much of the anchor a view copies; it does not say whether the
view still means the same thing. A supervised classifier trained on the task (the *judge*, used only
for evaluation: labels never train the augmenter or the generator) gives a direct reading: the share
of views whose predicted label is the one the judge gives their anchor. ``mutation`` trades identity
against preservation along one curve; a generator whose positives keep the label more often than
``mutation`` at the same identity is adding meaning, and one conditioned on a shuffled embedding
should lose that advantage.

:func:`label_preservation` gives one row per view maker on the same anchors (the protocol of
:func:`~dnaaug.evaluate.frontier.identity_semantics_frontier`: each maker gets a fork of the same
generator, views are (N*K, 4, L) grouped by anchor):

- ``identity``: mean share of the anchors' called bases the views reproduce;
- ``label_preservation``: share of views whose judge label equals the judge's label of their anchor;
- ``label_preservation_true``: share of views whose judge label equals their anchor's true label
  (None without labels);

:func:`preservation_at_identity` reads a family's curve at another identity,
:func:`matched_identity` compares every other row with reference curves (generator minus mutation,
in points), :func:`preservation_table` / :func:`matched_identity_table` format them as Markdown and
:func:`plot_label_preservation` draws identity against preservation, one curve per family.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import torch

from dnaaug.errors import InputError
from dnaaug.evaluate.frontier import (ViewMaker, check_view_inputs, family_of, interpolate_at_identity,
                                      make_views, plot_identity_curves)

JudgeFn = Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]  # (x, mask) -> (N,) long labels
KEY = "label_preservation"
TRUE_KEY = "label_preservation_true"

__all__ = ["JudgeFn", "judge_labels", "label_preservation", "matched_identity", "matched_identity_table",
           "plot_label_preservation", "preservation_at_identity", "preservation_table"]


def judge_labels(judge_fn: JudgeFn, x: torch.Tensor, mask: torch.Tensor | None, *,
                 what: str = "x") -> torch.Tensor:
    """The judge's labels of ``x`` (N, 4, L) as a (N,) long CPU tensor; InputError for any other output."""
    out = judge_fn(x, mask)
    n = x.shape[0]
    if (not isinstance(out, torch.Tensor) or out.shape != (n,) or out.dtype.is_floating_point
            or out.dtype.is_complex or out.dtype == torch.bool):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        dtype = f" {out.dtype}" if isinstance(out, torch.Tensor) else ""
        raise InputError(f"judge_fn must return ({n},) integer class labels for {what}, got {shape}{dtype}")
    return out.detach().to("cpu", torch.long)


@torch.no_grad()
def label_preservation(judge_fn: JudgeFn, anchors: torch.Tensor, mask: torch.Tensor | None,
                       view_makers: Mapping[str, ViewMaker], generator: torch.Generator, *,
                       labels: torch.Tensor | None = None,
                       families: Mapping[str, str] | None = None) -> list[dict]:
    """One row per view maker: identity with the anchor against the share of views that keep its label.

    Args:
        judge_fn: (x (N,4,L) one-hot, mask (N,L)|None) -> predicted class (N,) long: a classifier
            trained on the task, used only to judge.
        anchors: (N, 4, L) one-hot anchors (N >= 1); mask: (N, L) bool, True = real base, or None.
        view_makers: name -> ``maker(x, mask, generator)`` returning views (N*K, 4, L) of the
            anchors, K >= 1 per anchor, rows grouped by anchor.
        generator: each maker gets a fork of it in the same state (common random numbers); the
            passed generator is not advanced.
        labels: (N,) true class indices of the anchors, or None (``label_preservation_true`` None).
        families: name -> family (a curve of :func:`plot_label_preservation`, a reference of
            :func:`matched_identity`); default: the name up to its first ":".
    Returns:
        rows (in the order of ``view_makers``): {name, family, identity, label_preservation,
        label_preservation_true, views_per_anchor, n_views, seconds}; ``seconds`` is the maker's
        wall time (the judge's is not counted).
    """
    n = check_view_inputs(anchors, mask, view_makers, generator, caller="label_preservation",
                          what="label preservation")
    if labels is not None:
        labels = torch.as_tensor(labels)
        if labels.shape != (n,) or labels.dtype.is_floating_point or labels.dtype == torch.bool:
            raise InputError(f"labels must be ({n},) integer class indices, "
                             f"got {tuple(labels.shape)} {labels.dtype}")
        labels = labels.to("cpu", torch.long)
    anchor_label = judge_labels(judge_fn, anchors, mask, what="the anchors")
    rows = []
    for name, maker in view_makers.items():
        made = make_views(name, maker, anchors, mask, generator)
        predicted = judge_labels(judge_fn, made.views, made.mask, what=f"the views of {name!r}")
        kept = (predicted == anchor_label[made.index]).float().mean()
        true = None if labels is None else float((predicted == labels[made.index]).float().mean())
        rows.append({
            "name": name, "family": family_of(name, families), "identity": made.identity,
            KEY: float(kept), TRUE_KEY: true,
            "views_per_anchor": made.k, "n_views": int(made.views.shape[0]),
            "seconds": round(made.seconds, 4),
        })
    return rows


def preservation_at_identity(rows: Sequence[dict], family: str, identity: float, *,
                             key: str = KEY) -> float | None:
    """``key`` (default the judge-label preservation) of ``family``'s curve at ``identity``, linear
    between its rows; None outside their identity range (or when the family has no rows)."""
    return interpolate_at_identity(rows, family, identity, key=key)


def _range(rows: Sequence[dict], family: str) -> tuple[float, float] | None:
    ids = [r["identity"] for r in rows if r.get("family") == family and math.isfinite(r["identity"])]
    return (min(ids), max(ids)) if ids else None


def matched_identity(rows: Sequence[dict], *, references: Sequence[str] = ("mutation",),
                     families: Sequence[str] | None = None, key: str = KEY) -> list[dict]:
    """Each compared row against each reference curve at the row's own identity.

    ``families``: the families compared (default: every family not in ``references``). Per row:
    {name, family, identity, <key>, and per reference ``ref``: ``ref`` (the curve's value at the
    identity or None), ``ref + "_advantage"`` (row minus curve, in points, or None) and
    ``ref + "_range"`` ((min, max) identity of the curve, None without rows)}. A None value means
    the curve's identity range does not cover the row's identity: no matched comparison.
    """
    refs = list(references)
    out = []
    for r in rows:
        fam = r.get("family")
        if fam in refs or (families is not None and fam not in families):
            continue
        item = {"name": r["name"], "family": fam, "identity": r["identity"], key: r.get(key)}
        for ref in refs:
            at = preservation_at_identity(rows, ref, r["identity"], key=key)
            value = r.get(key)
            item[ref] = at
            item[f"{ref}_advantage"] = (None if at is None or value is None or not math.isfinite(value)
                                        else 100.0 * (value - at))
            item[f"{ref}_range"] = _range(rows, ref)
        out.append(item)
    return out


def _fmt(v, spec: str = ".3f") -> str:
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def preservation_table(rows: Sequence[dict]) -> str:
    """Markdown table, one row per view maker: identity, judge label kept, true label kept, views, seconds."""
    has_true = any(r.get(TRUE_KEY) is not None for r in rows)
    head = ["views", "family", "identity", "judge label kept"] + (["true label kept"] if has_true else []) \
        + ["views made", "seconds"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for r in rows:
        cells = [f"`{r['name']}`", r.get("family", ""), _fmt(r["identity"]), _fmt(r.get(KEY))]
        if has_true:
            cells.append(_fmt(r.get(TRUE_KEY)))
        cells += [str(r.get("n_views", "")), _fmt(r.get("seconds"), ".2f")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def matched_identity_table(rows: Sequence[dict], *, references: Sequence[str] = ("mutation",),
                           families: Sequence[str] | None = None, key: str = KEY) -> str:
    """Markdown table of :func:`matched_identity`: per compared row, each reference curve's
    preservation at the row's identity and the advantage (row minus curve, points). Where a curve
    does not cover the identity the cells read "not covered (min-max)"."""
    refs = [ref for ref in references if any(r.get("family") == ref for r in rows)]
    items = matched_identity(rows, references=refs, families=families, key=key)
    head = ["views", "identity", "label kept"]
    for ref in refs:
        head += [f"{ref} at same identity", f"advantage over {ref} (points)"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for it in items:
        cells = [f"`{it['name']}`", _fmt(it["identity"]), _fmt(it.get(key))]
        for ref in refs:
            if it[ref] is None:
                span = it[f"{ref}_range"]
                note = "not covered" + ("" if span is None else f" ({span[0]:.3f}-{span[1]:.3f})")
                cells += [note, "-"]
            else:
                cells += [_fmt(it[ref]), _fmt(it[f"{ref}_advantage"], "+.1f")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_label_preservation(rows: Sequence[dict], path: str | os.PathLike, *,
                            title: str | None = None) -> Path:
    """Identity (x) against judge-label preservation (y), one curve per family; a second panel with
    true-label preservation when the rows have it. Written atomically as a PNG to ``path``."""
    if not rows:
        raise InputError("plot_label_preservation needs at least one row")
    panels = [(KEY, "label preservation (judge label of the anchor kept)")]
    if any(r.get(TRUE_KEY) is not None for r in rows):
        panels.append((TRUE_KEY, "true label kept (judge label of the view = anchor's label)"))
    values = [r[k] for r in rows for k, _ in panels if r.get(k) is not None and math.isfinite(r[k])]
    low = min(values, default=0.0)
    ylim = (max(0.0, math.floor(low * 10) / 10 - 0.05), 1.02)
    return plot_identity_curves(rows, path, panels, title=title, ylim=ylim)
