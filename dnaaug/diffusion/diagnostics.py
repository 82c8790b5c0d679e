"""Generator diagnostics: are the generated positives DNA-like, and do they keep their anchor's meaning?

- k-mer spectrum divergence (Jensen-Shannon, in bits, so in [0, 1]) between generated and real sets;
- GC content per sequence; identity of each generated sample with its anchor;
- semantic consistency: the share of generated samples whose nearest real embedding (cosine) is
  their own anchor's, and the mean cosine with the own anchor against a random other sequence.
:func:`round_diagnostics` gathers them into one JSON-ready dict per round; :func:`plot_diagnostics`
draws a list of those dicts.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Iterable, Sequence


import numpy as np

from dnaaug.atomic import atomic_write_bytes
import torch

from dnaaug.errors import InputError
from dnaaug.tokenize.alphabet import INDEX_TABLE, as_bytes

from .checks import check_batch, check_mask

GC_BINS = 20  # histogram bins of GC content over [0, 1]
SIMILARITY_CHUNK = 1 << 22  # elements of one (chunk x N) similarity block: bounded memory


# --- sequences to base indices ----------------------------------------------------------------------

def base_indices(seqs, mask: torch.Tensor | np.ndarray | None = None) -> np.ndarray:
    """Sequences as a uint8 array (N, L) of base indices 0..3 (A, C, G, T), 4 = not a base.

    Accepts a list of strings (right-padded with 4), a one-hot (N, 4, L) tensor or array (columns
    that are not exactly one base, and padding columns, become 4), or an index array (N, L).
    """
    if isinstance(seqs, (list, tuple)) and (len(seqs) == 0 or isinstance(seqs[0], str)):
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        out = np.full((len(seqs), int(lengths.max(initial=0))), 4, dtype=np.uint8)
        flat = np.minimum(INDEX_TABLE[as_bytes("".join(seqs))], 4)
        rows = np.repeat(np.arange(len(seqs)), lengths)
        cols = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[rows, cols] = flat
        return out
    if isinstance(seqs, torch.Tensor):
        seqs = seqs.detach().cpu().numpy()
    arr = np.asarray(seqs)
    if arr.ndim == 3 and arr.shape[1] == 4:
        best = arr.argmax(axis=1)
        exact = (arr.max(axis=1) == 1) & (arr.sum(axis=1) == 1)
        out = np.where(exact, best, 4).astype(np.uint8)
    elif arr.ndim == 2:
        out = np.minimum(arr, 4).astype(np.uint8)
    else:
        raise InputError("sequences must be strings, one-hot (N, 4, L) or indices (N, L), "
                         f"got shape {arr.shape}")
    if mask is not None:
        m = mask.detach().cpu().numpy() if isinstance(mask, torch.Tensor) else np.asarray(mask)
        if m.shape != out.shape:
            raise InputError(f"mask must have shape {out.shape}, got {m.shape}")
        out = np.where(m, out, 4).astype(np.uint8)
    return out


def kmer_counts(indices: np.ndarray, k: int) -> np.ndarray:
    """Counts (4**k,) of overlapping k-mers in a uint8 index array (N, L); k-mers touching 4 are skipped."""
    n, length = indices.shape
    if k < 1:
        raise InputError(f"k must be >= 1, got {k}")
    if length < k:
        return np.zeros(4 ** k, dtype=np.int64)
    idx = indices.astype(np.int64)
    codes = np.zeros((n, length - k + 1), dtype=np.int64)
    valid = np.ones((n, length - k + 1), dtype=bool)
    for j in range(k):  # loop over k-mer offsets (k <= ~8), vectorised over sequences and positions
        window = idx[:, j:length - k + 1 + j]
        valid &= window < 4
        codes = codes * 4 + np.minimum(window, 3)
    return np.bincount(codes[valid], minlength=4 ** k)


def js_divergence(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits between two count vectors; NaN if either is empty."""
    p_total, q_total = p_counts.sum(), q_counts.sum()
    if p_total == 0 or q_total == 0:
        return float("nan")
    p = p_counts / p_total
    q = q_counts / q_total
    m = 0.5 * (p + q)

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return max(0.0, 0.5 * kl(p) + 0.5 * kl(q))


def kmer_spectrum_divergence(gen_seqs_or_onehot, real, ks: Iterable[int] = range(1, 7), *,
                             gen_mask=None, real_mask=None) -> dict[int, float]:
    """JS divergence (bits) of the k-mer spectra of generated vs real sequences, for each k in ``ks``.

    Both sets may be strings, one-hot (N, 4, L) or index arrays (N, L), with optional masks.
    """
    gen_idx = base_indices(gen_seqs_or_onehot, gen_mask)
    real_idx = base_indices(real, real_mask)
    return {int(k): js_divergence(kmer_counts(gen_idx, k), kmer_counts(real_idx, k)) for k in ks}


# --- per-sequence measures --------------------------------------------------------------------------

def gc_content(onehot: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """GC fraction (N,) over the called bases of real positions (N columns excluded; NaN if none)."""
    check_batch(onehot, "onehot")
    check_mask(mask, onehot.shape[0], onehot.shape[2])
    x = onehot.float()
    if mask is not None:
        x = x * mask[:, None, :].to(x.device, x.dtype)
    gc = (x[:, 1] + x[:, 2]).sum(dim=1)
    total = x.sum(dim=(1, 2))
    return torch.where(total > 0, gc / total.clamp(min=1e-12), torch.full_like(total, float("nan")))


def identity_with_anchor(gen: torch.Tensor, anchor: torch.Tensor, mask: torch.Tensor | None = None
                         ) -> torch.Tensor:
    """Share (N,) of the anchor's called bases that the generated sample reproduces.

    gen, anchor: (N, 4, L) (repeat anchors K times for K samples each); mask: (N, L).
    Positions where the anchor is N (all-zero) or padding are left out; NaN if none remain.
    """
    check_batch(gen, "gen")
    check_batch(anchor, "anchor")
    if gen.shape != anchor.shape:
        raise InputError(f"gen {tuple(gen.shape)} and anchor {tuple(anchor.shape)} shapes differ")
    check_mask(mask, gen.shape[0], gen.shape[2])
    called = anchor.float().sum(dim=1) > 0
    if mask is not None:
        called = called & mask.to(called.device)
    same = (gen.float() * anchor.float()).sum(dim=1) * called
    total = called.sum(dim=1).float()
    return torch.where(total > 0, same.sum(dim=1) / total.clamp(min=1), torch.full_like(total, float("nan")))


def _unit(h) -> torch.Tensor:
    h = torch.as_tensor(h).float()
    if h.dim() != 2:
        raise InputError(f"embeddings must have shape (N, D), got {tuple(h.shape)}")
    return torch.nn.functional.normalize(h, dim=1)


def _check_anchor_index(anchor_index, n_gen: int, n_real: int) -> torch.Tensor:
    idx = torch.as_tensor(anchor_index).long().cpu()
    if tuple(idx.shape) != (n_gen,):
        raise InputError(f"anchor_index must have shape ({n_gen},), got {tuple(idx.shape)}")
    if n_gen and (idx.min() < 0 or idx.max() >= n_real):
        raise InputError(f"anchor_index values must lie in [0, {n_real})")
    return idx


def semantic_consistency(h_gen, h_real, anchor_index, *, chunk_elements: int = SIMILARITY_CHUNK) -> float:
    """Share of generated samples whose nearest real embedding (cosine) is their own anchor.

    h_gen: (N*K, D) embeddings of generated samples; h_real: (N, D) of the real sequences;
    anchor_index: (N*K,) row of h_real each sample was generated from. Similarities are computed
    in chunks of at most ``chunk_elements`` entries. NaN for no samples.
    """
    gen, real = _unit(h_gen).cpu(), _unit(h_real).cpu()
    if gen.shape[1] != real.shape[1]:
        raise InputError(f"h_gen width {gen.shape[1]} differs from h_real width {real.shape[1]}")
    idx = _check_anchor_index(anchor_index, gen.shape[0], real.shape[0])
    if gen.shape[0] == 0:
        return float("nan")
    rows = max(1, chunk_elements // max(1, real.shape[0]))
    hits = 0
    for start in range(0, gen.shape[0], rows):
        nearest = (gen[start:start + rows] @ real.T).argmax(dim=1)
        hits += int((nearest == idx[start:start + rows]).sum())
    return hits / gen.shape[0]


def cosine_own_vs_random(h_gen, h_real, anchor_index, *, generator: torch.Generator) -> dict[str, float]:
    """Mean cosine of each generated embedding with its own anchor and with a random other sequence.

    Returns {"own": float, "random": float}; the random partner is never the own anchor (needs N >= 2).
    """
    gen, real = _unit(h_gen).cpu(), _unit(h_real).cpu()
    idx = _check_anchor_index(anchor_index, gen.shape[0], real.shape[0])
    if real.shape[0] < 2 or gen.shape[0] == 0:
        raise InputError("cosine_own_vs_random needs at least 2 real and 1 generated embeddings")
    other = torch.randint(0, real.shape[0] - 1, (gen.shape[0],), generator=generator,
                          device=generator.device).cpu()
    other = other + (other >= idx).long()  # skip the own anchor
    own = (gen * real[idx]).sum(dim=1).mean().item()
    rand = (gen * real[other]).sum(dim=1).mean().item()
    return {"own": own, "random": rand}


# --- one round, and the plot -----------------------------------------------------------------------

def round_diagnostics(gen_onehot: torch.Tensor, real_onehot: torch.Tensor, anchor_index, *,
                      gen_mask: torch.Tensor | None = None, real_mask: torch.Tensor | None = None,
                      h_gen=None, h_real=None, generator: torch.Generator | None = None,
                      ks: Sequence[int] = range(1, 7), round_index: int | None = None) -> dict:
    """All diagnostics of one round as a JSON-ready dict (the input :func:`plot_diagnostics` expects).

    gen_onehot (N*K, 4, L) samples of anchors ``real_onehot[anchor_index]`` (N, 4, L); h_gen, h_real
    their embeddings (optional: the semantic entries are left out without them). Keys: round,
    kmer_js {str(k): JS}, gc_bins (GC_BINS+1 edges), gc_hist_real, gc_hist_gen (counts), gc_mean_real,
    gc_mean_gen, identity_mean, identity_hist (counts over the same edges), and with embeddings
    semantic_consistency, cosine_own, cosine_random.
    """
    idx = _check_anchor_index(anchor_index, gen_onehot.shape[0], real_onehot.shape[0])
    js = kmer_spectrum_divergence(gen_onehot, real_onehot, ks, gen_mask=gen_mask, real_mask=real_mask)
    gc_real = gc_content(real_onehot, real_mask).cpu().numpy()
    gc_gen = gc_content(gen_onehot, gen_mask).cpu().numpy()
    anchors = real_onehot[idx.to(real_onehot.device)]
    ident = identity_with_anchor(gen_onehot, anchors, gen_mask).cpu().numpy()
    edges = np.linspace(0.0, 1.0, GC_BINS + 1)

    def hist(values: np.ndarray) -> list[int]:
        return np.histogram(values[np.isfinite(values)], bins=edges)[0].astype(int).tolist()

    def mean(values: np.ndarray) -> float:
        finite = values[np.isfinite(values)]
        return float(finite.mean()) if finite.size else float("nan")

    out = {"round": round_index, "kmer_js": {str(k): v for k, v in js.items()},
           "gc_bins": edges.tolist(), "gc_hist_real": hist(gc_real), "gc_hist_gen": hist(gc_gen),
           "gc_mean_real": mean(gc_real), "gc_mean_gen": mean(gc_gen),
           "identity_mean": mean(ident), "identity_hist": hist(ident)}
    if h_gen is not None and h_real is not None:
        out["semantic_consistency"] = semantic_consistency(h_gen, h_real, idx)
        if generator is None:
            raise InputError("round_diagnostics needs a generator for the random cosine baseline")
        cos = cosine_own_vs_random(h_gen, h_real, idx, generator=generator)
        out["cosine_own"], out["cosine_random"] = cos["own"], cos["random"]
    return out


def plot_diagnostics(rounds: list[dict], path: str | os.PathLike,
                     condition_gaps: list[dict] | None = None) -> Path:
    """A 2x2 PNG: k-mer JS by k per round; GC histograms (real vs each round); identity with the anchor
    per round; semantic consistency and own/random cosine per round. With ``condition_gaps`` (results
    of :func:`~dnaaug.diffusion.condition_use.condition_gap`, one per round) a third row shows the loss
    ratios true / shuffled and true / null condition per noise level. Written atomically to ``path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # no pyplot: no global figure or backend state

    if not rounds:
        raise InputError("plot_diagnostics needs at least one round")
    path = Path(path)
    rows = 3 if condition_gaps else 2
    fig = Figure(figsize=(11, 4 * rows), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 2).ravel()
    ax_js, ax_gc, ax_id, ax_sem = axes[:4]
    if condition_gaps:
        from .condition_plot import draw_condition_gap

        draw_condition_gap(axes[4], axes[5], condition_gaps)
    labels = [f"round {r.get('round') if r.get('round') is not None else i}" for i, r in enumerate(rounds)]
    xs = np.arange(len(rounds))

    for label, r in zip(labels, rounds):
        js = sorted((int(k), v) for k, v in r.get("kmer_js", {}).items())
        if js:
            ax_js.plot([k for k, _ in js], [v for _, v in js], marker="o", label=label)
    ax_js.set(title="k-mer spectrum JS divergence (generated vs real)", xlabel="k", ylabel="JS (bits)")
    ax_js.legend(fontsize=8)

    edges = np.asarray(rounds[-1].get("gc_bins", np.linspace(0, 1, GC_BINS + 1)))
    centres = 0.5 * (edges[1:] + edges[:-1])

    def density(counts) -> np.ndarray:
        counts = np.asarray(counts, dtype=float)
        return counts / counts.sum() if counts.sum() else counts

    if "gc_hist_real" in rounds[-1]:
        ax_gc.bar(centres, density(rounds[-1]["gc_hist_real"]), width=edges[1] - edges[0], color="0.8",
                  label="real")
    for label, r in zip(labels, rounds):
        if "gc_hist_gen" in r:
            ax_gc.step(centres, density(r["gc_hist_gen"]), where="mid", label=f"generated, {label}")
    ax_gc.set(title="GC content", xlabel="GC fraction", ylabel="share of sequences")
    ax_gc.legend(fontsize=8)

    ident = [r.get("identity_mean", math.nan) for r in rounds]
    ax_id.bar(xs, ident, color="tab:blue")
    ax_id.set(title="identity with the anchor (mean)", ylim=(0, 1), ylabel="share of bases")
    ax_id.set_xticks(xs, labels)

    for key, style in (("semantic_consistency", "o-"), ("cosine_own", "s--"), ("cosine_random", "^:")):
        ax_sem.plot(xs, [r.get(key, math.nan) for r in rounds], style, label=key.replace("_", " "))
    ax_sem.set(title="semantic consistency (own anchor nearest) and cosine", ylabel="value")
    ax_sem.set_xticks(xs, labels)
    ax_sem.legend(fontsize=8)

    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, lambda handle: fig.savefig(handle, format="png", dpi=100))
