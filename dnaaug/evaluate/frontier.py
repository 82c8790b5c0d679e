"""The identity / semantics frontier of positive views: how faithful are views at a given identity?

A positive view can be close to its anchor in two ways: by copying its bases (identity with the
anchor) or by keeping its meaning (semantic consistency: the encoder still recognises the anchor in
it). A mutation augmenter trades the two along one curve; generated views are worth their cost
only where they sit above that curve, more faithful at the same identity. For each view maker,
on the same anchors, :func:`identity_semantics_frontier` gives one row:

- ``identity``: mean share of the anchor's called bases the view reproduces;
- ``semantic_consistency``: share of views whose nearest real embedding (cosine, among the
  anchors) is their own anchor's (as in the round diagnostics);
- ``rank_consistency``: the softer variant, share of views whose own anchor is among the top
  ``top_frac`` (default 1 %) nearest anchors (:func:`rank_consistency`); a view carrying no
  information scores about ``top_frac``;
- ``cosine_own``: mean cosine of each view's embedding with its own anchor's.

:func:`plot_frontier` draws the rows, :func:`frontier_table` formats them as Markdown, and
:func:`interpolate_at_identity` reads a family's curve (e.g. mutation) at another row's identity.

The protocol is shared with other per-view-maker measures (``label_preservation``):
:func:`check_view_inputs` validates the arguments, :func:`make_views` runs one maker on a fork of
the generator and measures identity, :func:`plot_identity_curves` draws identity against any key.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


import numpy as np

from dnaaug.atomic import atomic_write_bytes
import torch

from dnaaug.diffusion.checks import check_batch, check_mask
from dnaaug.diffusion.diagnostics import (SIMILARITY_CHUNK, _check_anchor_index, _unit, identity_with_anchor,
                                          semantic_consistency)
from dnaaug.errors import InputError

ViewMaker = Callable[[torch.Tensor, "torch.Tensor | None", torch.Generator], torch.Tensor]
EncoderFn = Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]
TOP_FRAC = 0.01


def top_count(n_real: int, top_frac: float) -> int:
    """How many nearest real embeddings count as "top ``top_frac``": max(1, ceil(top_frac * n_real))."""
    if not (0.0 < top_frac <= 1.0):
        raise InputError(f"top_frac must be in (0, 1], got {top_frac}")
    return max(1, math.ceil(top_frac * n_real - 1e-9))


def rank_consistency(h_gen, h_real, anchor_index, top_frac: float = TOP_FRAC, *,
                     chunk_elements: int = SIMILARITY_CHUNK) -> float:
    """Share of generated views whose own anchor is within their top ``top_frac`` nearest real embeddings.

    h_gen: (M, D) embeddings of the views; h_real: (N, D) of the real sequences (the candidates);
    anchor_index: (M,) row of h_real each view was made from. A view scores when fewer than
    :func:`top_count` real embeddings have a strictly higher cosine with it than its own anchor
    (ties go the view's way). With ``top_count`` = 1 this is the nearest-neighbour
    :func:`semantic_consistency` up to ties. NaN for no views.
    """
    gen, real = _unit(h_gen).cpu(), _unit(h_real).cpu()
    if gen.shape[1] != real.shape[1]:
        raise InputError(f"h_gen width {gen.shape[1]} differs from h_real width {real.shape[1]}")
    idx = _check_anchor_index(anchor_index, gen.shape[0], real.shape[0])
    k = top_count(real.shape[0], top_frac)
    if gen.shape[0] == 0:
        return float("nan")
    rows = max(1, chunk_elements // max(1, real.shape[0]))
    hits = 0
    for start in range(0, gen.shape[0], rows):
        sims = gen[start:start + rows] @ real.T                      # (chunk, N)
        own = sims.gather(1, idx[start:start + rows, None])           # (chunk, 1)
        better = (sims > own).sum(dim=1)
        hits += int((better < k).sum())
    return hits / gen.shape[0]


def _fork(generator: torch.Generator) -> torch.Generator:
    """A new generator in the same state: every view maker sees the same random numbers."""
    g = torch.Generator(device=generator.device)
    g.set_state(generator.get_state())
    return g


def _family(name: str) -> str:
    return name.split(":", 1)[0]


def family_of(name: str, families: Mapping[str, str] | None = None) -> str:
    """The family of a view maker: ``families[name]`` when given, else its name up to the first ":"."""
    return (families or {}).get(name, _family(name))


def check_view_inputs(anchors: torch.Tensor, mask: torch.Tensor | None, view_makers: Mapping[str, ViewMaker],
                      generator: torch.Generator | None, *, caller: str, what: str,
                      min_anchors: int = 1) -> int:
    """Validate the common arguments of a per-view-maker measure; returns N (the number of anchors).

    anchors: (N, 4, L) one-hot with N >= ``min_anchors``; mask: (N, L) bool or None; an explicit
    generator; at least one view maker. ``caller`` and ``what`` name the measure in the errors.
    """
    check_batch(anchors, "anchors")
    n, _, length = anchors.shape
    if n < min_anchors:
        raise InputError(f"{what} needs at least {min_anchors} anchors, got {n}")
    check_mask(mask, n, length)
    if generator is None:
        raise InputError(f"{caller} needs an explicit torch.Generator")
    if not view_makers:
        raise InputError(f"{caller} needs at least one view maker")
    return n


@dataclass(frozen=True)
class Views:
    """The views of one maker on the anchors, as :func:`make_views` returns them.

    views: (N*K, 4, L), rows grouped by anchor; k: views per anchor; index: (N*K,) long, the anchor
    of each view; mask: (N*K, L) bool or None (the anchors' mask repeated); identity: mean share
    of the anchors' called bases the views reproduce (NaN when no view has one); seconds: the
    maker's wall time.
    """

    views: torch.Tensor
    k: int
    index: torch.Tensor
    mask: torch.Tensor | None
    identity: float
    seconds: float


def make_views(name: str, maker: ViewMaker, anchors: torch.Tensor, mask: torch.Tensor | None,
               generator: torch.Generator) -> Views:
    """Run ``maker`` on a fork of ``generator`` (not advanced), check its output and measure identity.

    The maker must return (N*K, 4, L) views of the N anchors, K >= 1, grouped by anchor; anything
    else is an InputError naming the maker.
    """
    n, _, length = anchors.shape
    started = time.perf_counter()
    views = maker(anchors, mask, _fork(generator))
    seconds = time.perf_counter() - started
    if (not isinstance(views, torch.Tensor) or views.dim() != 3 or views.shape[1:] != (4, length)
            or views.shape[0] == 0 or views.shape[0] % n):
        shape = tuple(views.shape) if isinstance(views, torch.Tensor) else type(views).__name__
        raise InputError(f"view maker {name!r} must return (N*K, 4, {length}) views of the {n} anchors, "
                         f"got {shape}")
    k = views.shape[0] // n
    index = torch.arange(n).repeat_interleave(k)
    v_mask = None if mask is None else mask.repeat_interleave(k, dim=0)
    rep = anchors.repeat_interleave(k, dim=0)
    ident = identity_with_anchor(views.to(rep.device, rep.dtype), rep, v_mask).cpu().numpy()
    finite = ident[np.isfinite(ident)]
    return Views(views, k, index, v_mask, float(finite.mean()) if finite.size else float("nan"), seconds)


@torch.no_grad()
def identity_semantics_frontier(encoder_fn: EncoderFn, anchors: torch.Tensor, mask: torch.Tensor | None,
                                view_makers: Mapping[str, ViewMaker], generator: torch.Generator, *,
                                top_frac: float = TOP_FRAC, families: Mapping[str, str] | None = None
                                ) -> list[dict]:
    """One row per view maker: identity with the anchor against semantic consistency, same anchors.

    Args:
        encoder_fn: (x (N,4,L), mask (N,L)|None) -> embeddings (N, D) (the frozen encoder's h).
        anchors: (N, 4, L) one-hot anchors (N >= 2); they are also the candidates of the
            consistency measures. mask: (N, L) bool, True = real base, or None.
        view_makers: name -> ``maker(x, mask, generator)`` returning views (N*K, 4, L) of the
            anchors, K >= 1 per anchor, rows grouped by anchor (K = 1: one view each).
        generator: each maker gets a fork of it in the same state (common random numbers, so the
            rows differ by their maker only); the passed generator is not advanced.
        top_frac: the share of nearest anchors of :func:`rank_consistency`.
        families: name -> family (rows of one family form a curve in :func:`plot_frontier`);
            default: the name up to its first ":" (``mutation:rate=0.1`` -> ``mutation``).
    Returns:
        rows (in the order of ``view_makers``): {name, family, identity, semantic_consistency,
        rank_consistency, cosine_own, views_per_anchor, n_views, seconds}; ``seconds`` is the
        maker's wall time (sampling and, for filtered makers, their embedding).
    """
    n = check_view_inputs(anchors, mask, view_makers, generator, caller="identity_semantics_frontier",
                          what="the frontier", min_anchors=2)
    h_real = encoder_fn(anchors, mask).float().cpu()
    if h_real.dim() != 2 or h_real.shape[0] != n:
        raise InputError(f"encoder_fn must return ({n}, D) embeddings, got {tuple(h_real.shape)}")
    rows = []
    for name, maker in view_makers.items():
        made = make_views(name, maker, anchors, mask, generator)
        index = made.index
        h_gen = encoder_fn(made.views, made.mask).float().cpu()
        cos_own = (_unit(h_gen) * _unit(h_real)[index]).sum(dim=1)
        rows.append({
            "name": name, "family": family_of(name, families),
            "identity": made.identity,
            "semantic_consistency": semantic_consistency(h_gen, h_real, index),
            "rank_consistency": rank_consistency(h_gen, h_real, index, top_frac),
            "cosine_own": float(cos_own.mean()),
            "views_per_anchor": made.k, "n_views": int(made.views.shape[0]),
            "seconds": round(made.seconds, 4),
        })
    return rows


def interpolate_at_identity(rows: Sequence[dict], family: str, identity: float,
                            key: str = "semantic_consistency") -> float | None:
    """``key`` of ``family``'s curve at ``identity``, linear between its rows; None outside their range."""
    points = sorted((r["identity"], r[key]) for r in rows
                    if r.get("family") == family and math.isfinite(r["identity"]) and r.get(key) is not None
                    and math.isfinite(r[key]))
    if not points or not math.isfinite(identity) or not (points[0][0] <= identity <= points[-1][0]):
        return None
    xs, ys = zip(*points)
    return float(np.interp(identity, xs, ys))


def frontier_table(rows: Sequence[dict], *, reference: str | None = "mutation",
                   top_frac: float = TOP_FRAC) -> str:
    """Markdown table of frontier rows. With ``reference`` (a family), each other row also shows that
    family's semantic consistency at the row's identity (interpolated; "-" outside its range)."""
    ref = reference if reference and any(r.get("family") == reference for r in rows) else None
    head = ["views", "identity", "semantic consistency (NN)", f"rank consistency (top {top_frac:.0%})",
            "cosine own", "seconds"]
    if ref:
        head.insert(3, f"{ref} NN at same identity")
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]

    def fmt(v, spec=".3f"):
        return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)

    for r in rows:
        cells = [f"`{r['name']}`", fmt(r["identity"]), fmt(r["semantic_consistency"]),
                 fmt(r["rank_consistency"]), fmt(r.get("cosine_own")), fmt(r.get("seconds"), ".2f")]
        if ref:
            at = None if r.get("family") == ref else interpolate_at_identity(rows, ref, r["identity"])
            cells.insert(3, fmt(at))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_frontier(rows: Sequence[dict], path: str | os.PathLike, *, title: str | None = None,
                  top_frac: float = TOP_FRAC) -> Path:
    """Two panels: identity (x) against nearest-neighbour and against rank consistency (y).

    Rows of one family are joined in order of identity; every point is labelled with the part of
    its name after the family. Written atomically as a PNG to ``path``.
    """
    if not rows:
        raise InputError("plot_frontier needs at least one row")
    panels = (("semantic_consistency", "semantic consistency (own anchor nearest)"),
              ("rank_consistency", f"rank consistency (own anchor in top {top_frac:.0%})"))
    return plot_identity_curves(rows, path, panels, title=title)


def plot_identity_curves(rows: Sequence[dict], path: str | os.PathLike,
                         panels: Sequence[tuple[str, str]], *, title: str | None = None,
                         ylim: tuple[float, float] = (0, 1.02),
                         panel_size: tuple[float, float] = (6, 5)) -> Path:
    """One panel per ``(key, y label)``: identity with the anchor (x) against ``row[key]`` (y).

    Rows of one family (``row["family"]``, else its name) form one curve, joined in order of
    identity, in the family's colour (:func:`dnaaug.evaluate.plots.method_colour`, as in every plot);
    every point is labelled with the part of its name after ``family:``. Rows whose ``key`` is None
    are left out of that panel.
    Written atomically as a PNG to ``path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # no pyplot: no global figure or backend state

    from dnaaug.evaluate.plots import method_colour

    if not rows:
        raise InputError("plot_identity_curves needs at least one row")
    if not panels:
        raise InputError("plot_identity_curves needs at least one panel")
    path = Path(path)
    fig = Figure(figsize=(panel_size[0] * len(panels), panel_size[1]), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    order: list[str] = []
    for r in rows:
        if r.get("family", r["name"]) not in order:
            order.append(r.get("family", r["name"]))
    for ax, (key, label) in zip(axes, panels):
        for fam in order:
            pts = sorted((r["identity"], r[key], r["name"]) for r in rows
                         if r.get("family", r["name"]) == fam and r.get(key) is not None)
            if not pts:
                continue
            colour = method_colour(fam)  # one colour per method in every dnaaug plot
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-" if len(pts) > 1 else "o", color=colour,
                    label=fam)
            for x, y, name in pts:
                short = name[len(fam) + 1:] if name.startswith(fam + ":") else ""
                if short:
                    ax.annotate(short, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7,
                                color=colour)
        ax.set(xlabel="identity with the anchor (share of bases)", ylabel=label, xlim=(0, 1.02), ylim=ylim)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    if title:
        fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, lambda handle: fig.savefig(handle, format="png", dpi=100))
