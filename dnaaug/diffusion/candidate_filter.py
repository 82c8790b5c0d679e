"""The semantic estimator as a filter: draw M candidate views per anchor, keep the closest ones.

DiffAug's paper uses its encoder (the "semantic estimator") to judge generated samples; here it
acts as rejection sampling: of M candidates generated for an anchor, keep the ``keep`` whose encoder
embedding has the highest cosine with the anchor's. It costs M samples and M embeddings per kept
``keep`` views. :func:`select_closest` is the pure selection; :func:`filtered_view_maker` wraps any
view maker ``(x, mask, generator) -> views`` into a filtered one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dnaaug.errors import InputError

ViewMaker = Callable[[torch.Tensor, "torch.Tensor | None", torch.Generator], torch.Tensor]
EncoderFn = Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]


def _check_keep(keep, m: int) -> int:
    if isinstance(keep, bool) or not isinstance(keep, int) or not (1 <= keep <= m):
        raise InputError(f"keep must be an integer in [1, {m}] (the number of candidates), got {keep!r}")
    return keep


def closest_index(cand_emb: torch.Tensor, anchor_emb: torch.Tensor, keep: int) -> torch.Tensor:
    """Indices (B, keep) long of the ``keep`` candidates closest (cosine) to their anchor, best first.

    cand_emb: (B, M, D) candidate embeddings; anchor_emb: (B, D) anchor embeddings.
    """
    if not isinstance(cand_emb, torch.Tensor) or cand_emb.dim() != 3:
        shape = tuple(cand_emb.shape) if isinstance(cand_emb, torch.Tensor) else type(cand_emb).__name__
        raise InputError(f"cand_emb must have shape (B, M, D), got {shape}")
    b, m, d = cand_emb.shape
    if not isinstance(anchor_emb, torch.Tensor) or tuple(anchor_emb.shape) != (b, d):
        shape = tuple(anchor_emb.shape) if isinstance(anchor_emb, torch.Tensor) else type(anchor_emb).__name__
        raise InputError(f"anchor_emb must have shape ({b}, {d}), got {shape}")
    keep = _check_keep(keep, m)
    cos = candidate_cosines(cand_emb, anchor_emb)
    return cos.topk(keep, dim=1, largest=True, sorted=True).indices


def select_closest(candidates: torch.Tensor, cand_emb: torch.Tensor, anchor_emb: torch.Tensor,
                   keep: int) -> torch.Tensor:
    """The ``keep`` candidates per anchor with the highest cosine to the anchor's embedding.

    Args:
        candidates: (B, M, 4, L) candidate views (M per anchor).
        cand_emb: (B, M, D) their embeddings.
        anchor_emb: (B, D) the anchors' embeddings.
        keep: how many to keep per anchor, 1 <= keep <= M.
    Returns:
        (B, keep, 4, L), best first; same device and dtype as ``candidates``, which is left untouched.
    """
    if not isinstance(candidates, torch.Tensor) or candidates.dim() != 4 or candidates.shape[2] != 4:
        shape = tuple(candidates.shape) if isinstance(candidates, torch.Tensor) else type(candidates).__name__
        raise InputError(f"candidates must have shape (B, M, 4, L), got {shape}")
    if isinstance(cand_emb, torch.Tensor) and tuple(cand_emb.shape[:2]) != tuple(candidates.shape[:2]):
        raise InputError(f"cand_emb must have shape ({candidates.shape[0]}, {candidates.shape[1]}, D), "
                         f"got {tuple(cand_emb.shape)}")
    idx = closest_index(cand_emb, anchor_emb, keep).to(candidates.device)
    gather = idx[:, :, None, None].expand(-1, -1, candidates.shape[2], candidates.shape[3])
    return candidates.gather(1, gather)


def filtered_view_maker(view_maker: ViewMaker, encoder_fn: EncoderFn, *, candidates: int = 4,
                        keep: int = 1) -> ViewMaker:
    """A view maker that draws ``candidates`` views per anchor and keeps the ``keep`` closest.

    view_maker(x (B,4,L), mask (B,L)|None, generator) -> (B, 4, L) views of each row;
    encoder_fn(x, mask) -> (B, D) embeddings (the semantic estimator).
    The result maps x (B, 4, L) to (B * keep, 4, L), rows grouped by anchor, best first.
    """
    if not isinstance(candidates, int) or candidates < 1:
        raise InputError(f"candidates must be a positive integer, got {candidates!r}")
    _check_keep(keep, candidates)

    def make(x: torch.Tensor, mask: torch.Tensor | None, generator: torch.Generator) -> torch.Tensor:
        b, _, length = x.shape
        xs = x.repeat_interleave(candidates, dim=0)
        ms = None if mask is None else mask.repeat_interleave(candidates, dim=0)
        views = view_maker(xs, ms, generator)
        if not isinstance(views, torch.Tensor) or tuple(views.shape) != (b * candidates, 4, length):
            raise InputError(f"view_maker must return ({b * candidates}, 4, {length}) views")
        with torch.no_grad():
            cand_emb = encoder_fn(views, ms).reshape(b, candidates, -1)
            anchor_emb = encoder_fn(x, mask)
        kept = select_closest(views.reshape(b, candidates, 4, length), cand_emb, anchor_emb, keep)
        return kept.reshape(b * keep, 4, length)

    return make


@dataclass
class FilterStats:
    """Running cost and effect of the candidate filter (mutable; one per bank fill or call site).

    ``seconds``: time spent embedding the candidates and selecting (the extra sampling is in the
    caller's sampling time); ``kept`` / ``total``: how many candidates were kept / drawn;
    ``cos_kept`` / ``cos_all``: sums of their cosines with the anchor's condition.
    """

    seconds: float = 0.0
    kept: int = 0
    total: int = 0
    cos_kept: float = 0.0
    cos_all: float = 0.0

    def add(self, cos: torch.Tensor, idx: torch.Tensor, seconds: float) -> None:
        """Record one batch: cos (B, M) cosines of every candidate, idx (B, keep) the kept ones."""
        self.seconds += seconds
        self.total += cos.numel()
        self.kept += idx.numel()
        self.cos_all += float(cos.double().sum())
        self.cos_kept += float(cos.gather(1, idx).double().sum())

    def summary(self) -> dict:
        """Plain data: filter_seconds, filter_cos_kept and filter_cos_all (means), candidates drawn/kept."""
        def mean(total: float, count: int) -> float:
            return total / count if count else math.nan

        return {"filter_seconds": round(self.seconds, 3), "filter_cos_kept": mean(self.cos_kept, self.kept),
                "filter_cos_all": mean(self.cos_all, self.total), "filter_drawn": self.total,
                "filter_kept": self.kept}


def candidate_cosines(cand_emb: torch.Tensor, anchor_emb: torch.Tensor) -> torch.Tensor:
    """Cosines (B, M) float32 of candidate embeddings (B, M, D) with their anchors' (B, D)."""
    unit_anchor = F.normalize(anchor_emb.float(), dim=1)[:, None, :]
    return (F.normalize(cand_emb.float(), dim=2) * unit_anchor).sum(dim=2)
