"""Contiguous span masks: which positions of a sequence the masked generator (and ``span``) re-draws.

Masking spans rather than scattered letters keeps the rest of each motif intact: a span of ``span``
bases is re-drawn as a whole, the bases between spans are copied from the anchor untouched.
"""

from __future__ import annotations

import torch

from dnaaug.errors import InputError


def _rand(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Uniform [0, 1) float32 draws where the generator lives, moved to ``device``."""
    return torch.rand(shape, generator=generator, device=generator.device).to(device)


def span_mask(real: torch.Tensor, share: float, span: int, generator: torch.Generator) -> torch.Tensor:
    """Spans covering about ``share`` of each sequence's real positions, (N, L) bool (True = masked).

    Each sequence is cut into consecutive blocks of ``span`` positions with a random phase (so the
    block edges differ between sequences; the first and last blocks may be partial), and blocks are
    drawn in a random order until they cover ``share`` of the real positions, to the nearest block
    (so the masked share is ``share`` on average): at least one block where ``share`` > 0, every
    block where ``share`` = 1. Padding is never masked.

    Args:
        real: (N, L) bool, True = a real position (not padding).
        share: the share of real positions to mask, in [0, 1].
        span: block length in positions (>= 1).
        generator: draws the phases and the blocks.
    """
    if not isinstance(real, torch.Tensor) or real.dtype != torch.bool or real.dim() != 2:
        raise InputError("real must be a bool tensor of shape (N, L)")
    if not 0.0 <= share <= 1.0:
        raise InputError(f"share must be in [0, 1], got {share}")
    if isinstance(span, bool) or not isinstance(span, int) or span < 1:
        raise InputError(f"span must be an integer >= 1, got {span!r}")
    n, length = real.shape
    device = real.device
    if n == 0 or length == 0 or share == 0.0:
        return torch.zeros_like(real)
    blocks = (length + span - 1) // span + 1  # one extra: the random phase shifts positions into it
    phase = (_rand((n, 1), generator, device) * span).long()
    block_of = (torch.arange(length, device=device)[None, :] + phase) // span  # (N, L)
    size = torch.zeros(n, blocks, dtype=torch.long, device=device)
    size.scatter_add_(1, block_of, real.long())  # real positions per block
    # draw blocks in a random order; keep each whose middle falls below the target coverage (rounding
    # to the nearest block, so the masked share is unbiased), and always the first
    keys = _rand((n, blocks), generator, device).masked_fill(size == 0, 2.0)
    order = keys.argsort(dim=1)
    drawn = size.gather(1, order)
    middle = (drawn.cumsum(dim=1) - drawn).double() + drawn / 2
    target = share * real.sum(dim=1, keepdim=True).double()
    take = (middle < target) & (drawn > 0)
    take[:, 0] |= drawn[:, 0] > 0
    chosen = torch.zeros_like(take).scatter_(1, order, take)
    return chosen.gather(1, block_of) & real
