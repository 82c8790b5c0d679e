"""The hand-designed augmenters (the paper's comparison rows), after EvoAug but vectorised.

Each samples its parameters for the whole batch from the generator, then applies one
vectorised edit from :mod:`dnaaug.augment.functional` (its unchecked internal form: the
parameters are valid by construction). Rows not selected by ``p`` get the
neutral parameter (shift 0, segment length 0, ...), so the random stream does not depend on
which rows were selected. Lengths below refer to each sequence's real length ``len_i``.

Differences from EvoAug 1.0.6, on purpose:
- insertion crops back to the real length keeping the left part (EvoAug pads every sequence to
  L + max_len with random DNA on both sides);
- deletion fills the freed tail of the real region with random DNA (EvoAug splits the random
  padding between both ends); the bases left of the deletion keep their positions;
- translocation draws the shift uniformly in [-shift, shift] (EvoAug draws |shift| and a sign,
  so 0 is twice as likely);
- inversion defaults to max_len=30 (EvoAug: 20) and places the segment uniformly among the
  positions where it fits;
- mutation picks each real column independently with probability ``rate`` (EvoAug: exactly
  round(rate / 0.75 * L) columns, some replaced by the same base) and changes it to one of the
  three *other* bases, so ``rate`` is the expected fraction of changed bases, as EvoAug's
  ``mutate_frac`` intends; an N or IUPAC column that is picked becomes a uniform random base.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from . import functional as F
from .base import (Augmenter, apply_to_subset, check_float, check_int, one_hot_bases, randint,
                   random_bases, real_mask)
from .spans import span_mask

__all__ = ["Identity", "ReverseComplement", "Translocation", "Insertion", "Deletion", "Inversion",
           "Mutation", "SpanMutation", "GaussianNoise", "Mixup", "Crop"]


def _real_lengths(x: Tensor, lengths: Tensor | None) -> Tensor:
    return lengths if lengths is not None else torch.full((x.shape[0],), x.shape[2], device=x.device,
                                                          dtype=torch.int64)


def _neutral(value: Tensor, apply: Tensor | None) -> Tensor:
    """Zero the parameter of rows that are not augmented."""
    return value if apply is None else torch.where(apply, value, torch.zeros_like(value))


class Identity(Augmenter):
    """Returns a copy of the batch (the "no augmentation" row). ``p`` is accepted and has no effect."""

    name = "none"
    stochastic = False

    def __init__(self, p: float = 1.0):
        super().__init__(p=p)

    def forward(self, x, *, lengths, generator, apply):
        return x.clone()


class ReverseComplement(Augmenter):
    """Reverse complement of the real region of each sequence, with probability p (default 0.5)."""

    name = "rc"
    default_p = 0.5

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)

    def forward(self, x, *, lengths, generator, apply):
        return apply_to_subset(x, lengths, apply, F.reverse_complement)


class Translocation(Augmenter):
    """Circular shift of each real region by an integer drawn uniformly in [-shift, shift]."""

    name = "translocation"

    def __init__(self, shift: int = 20, p: float = 1.0):
        self.shift = check_int(self.name, "shift", shift)
        super().__init__(p=p, params={"shift": self.shift})

    def forward(self, x, *, lengths, generator, apply):
        shifts = randint(-self.shift, self.shift, (x.shape[0],), generator, x.device)
        return F._translocate(x, _neutral(shifts, apply), _real_lengths(x, lengths), lengths is not None)


class Insertion(Augmenter):
    """Insert a random DNA segment of length uniform in [0, max_len] before a position uniform in
    [0, len_i - 1], then crop the real region back to len_i (the left part is kept)."""

    name = "insertion"

    def __init__(self, max_len: int = 20, p: float = 1.0):
        self.max_len = check_int(self.name, "max_len", max_len)
        super().__init__(p=p, params={"max_len": self.max_len})

    def forward(self, x, *, lengths, generator, apply):
        n, m = x.shape[0], self.max_len
        lr = _real_lengths(x, lengths)
        seg_lengths = randint(0, m, (n,), generator, x.device)
        positions = randint(0, (lr - 1).clamp(min=0), (n,), generator, x.device)
        segments = one_hot_bases(random_bases((n, m), generator, x.device), x.dtype)
        return F._insert(x, positions, segments, _neutral(seg_lengths, apply), lr, lengths is not None)


class Deletion(Augmenter):
    """Delete a segment of length uniform in [0, min(max_len, len_i)] at a uniform valid position;
    the rest moves left and the freed tail of the real region is filled with random DNA."""

    name = "deletion"

    def __init__(self, max_len: int = 20, p: float = 1.0):
        self.max_len = check_int(self.name, "max_len", max_len)
        super().__init__(p=p, params={"max_len": self.max_len})

    def forward(self, x, *, lengths, generator, apply):
        n, m = x.shape[0], self.max_len
        lr = _real_lengths(x, lengths)
        del_lengths = torch.minimum(randint(0, m, (n,), generator, x.device), lr)
        positions = randint(0, lr - del_lengths, (n,), generator, x.device)
        fill = one_hot_bases(random_bases((n, m), generator, x.device), x.dtype)
        return F._delete(x, positions, _neutral(del_lengths, apply), fill, lr, lengths is not None)


class Inversion(Augmenter):
    """Reverse-complement a segment of length uniform in [0, min(max_len, len_i)] at a uniform
    valid position."""

    name = "inversion"

    def __init__(self, max_len: int = 30, p: float = 1.0):
        self.max_len = check_int(self.name, "max_len", max_len)
        super().__init__(p=p, params={"max_len": self.max_len})

    def forward(self, x, *, lengths, generator, apply):
        n = x.shape[0]
        lr = _real_lengths(x, lengths)
        inv_lengths = torch.minimum(randint(0, self.max_len, (n,), generator, x.device), lr)
        positions = randint(0, lr - inv_lengths, (n,), generator, x.device)
        return F._invert(x, positions, _neutral(inv_lengths, apply))


class Crop(Augmenter):
    """Keep one contiguous part of each real region and turn the rest into N (all-zero columns).

    The kept length is uniform in [ceil(min * len_i), len_i] and its start uniform among the
    positions where it fits; kept bases stay where they were, so a centred feature stays centred.
    This is the random crop of image SSL for fixed-length windows: the two views of an anchor
    share only part of their bases, so matching them takes features of the shared part (motifs)
    rather than of the whole window. The output has N columns, so it is not one-hot.
    """

    name = "crop"
    preserves_one_hot = False

    def __init__(self, min: float = 0.5, p: float = 1.0):  # noqa: A002 - the spec key users write
        self.min = check_float(self.name, "min", min, low=0.0, high=1.0, low_open=True)
        super().__init__(p=p, params={"min": self.min})

    def forward(self, x, *, lengths, generator, apply):
        n, length = x.shape[0], x.shape[2]
        lr = _real_lengths(x, lengths)
        shortest = torch.ceil(lr.to(torch.float64) * self.min).to(torch.int64).clamp(min=min(1, length))
        keep = randint(torch.minimum(shortest, lr), lr, (n,), generator, x.device)
        start = randint(torch.zeros_like(lr), lr - keep, (n,), generator, x.device)
        if apply is not None:  # unselected rows keep everything
            keep, start = torch.where(apply, keep, lr), torch.where(apply, start, torch.zeros_like(start))
        cols = torch.arange(length, device=x.device)
        inside = (cols >= start[:, None]) & (cols < (start + keep)[:, None])
        return x * inside[:, None, :].to(x.dtype)


def bernoulli_columns(lengths: Tensor, rate: float, generator: torch.Generator,
                      device: torch.device) -> tuple[Tensor, Tensor]:
    """Columns picked independently with probability ``rate`` below each row's length.

    Draws geometric gaps between picks (about rate * L draws per row instead of L), in blocks
    until every row has passed its length. Returns cols (N, G) int64 increasing along each row
    and valid (N, G) bool (cols < lengths).
    """
    n = lengths.shape[0]
    longest = int(lengths.max()) if n else 0
    if rate <= 0.0 or longest == 0:
        empty = torch.zeros((n, 0), dtype=torch.int64, device=device)
        return empty, empty.bool()
    log_q = math.log1p(-rate) if rate < 1.0 else -math.inf
    expected = rate * longest
    per_block = int(expected + 6.0 * math.sqrt(expected) + 8)
    last = torch.full((n,), -1, dtype=torch.int64, device=device)
    blocks = []
    while True:
        u = torch.rand((n, per_block), generator=generator, device=generator.device).to(device)
        u = 1.0 - u  # (0, 1]: log(u) is finite
        gaps = (torch.log(u) / log_q).floor_().clamp_(max=longest + 1).to(torch.int64) + 1
        cols = last[:, None] + gaps.cumsum(dim=1)
        blocks.append(cols)
        last = cols[:, -1]
        if bool((last >= lengths - 1).all()):
            break
    cols = torch.cat(blocks, dim=1)
    return cols, cols < lengths[:, None]


class Mutation(Augmenter):
    """Change each real base with probability ``rate`` to one of the three other bases (uniformly)."""

    name = "mutation"

    def __init__(self, rate: float = 0.05, p: float = 1.0):
        self.rate = check_float(self.name, "rate", rate, low=0.0, high=1.0)
        super().__init__(p=p, params={"rate": self.rate})

    def forward(self, x, *, lengths, generator, apply):
        cols, valid = bernoulli_columns(_real_lengths(x, lengths), self.rate, generator, x.device)
        if apply is not None:
            valid &= apply[:, None]
        rows, slots = valid.nonzero(as_tuple=True)  # the K picked columns
        cols = cols[rows, slots]
        k = cols.shape[0]
        offset = randint(1, 3, (k,), generator, x.device)  # to one of the three other bases
        anyone = randint(0, 3, (k,), generator, x.device)  # for N / IUPAC columns
        old = x[rows, :, cols]  # (K, 4)
        top, current = old.max(dim=1)
        is_base = (top == 1) & (old.sum(dim=1) == 1)
        bases = torch.where(is_base, (current + offset) & 3, anyone)
        out = x.clone()
        out[rows, :, cols] = x.new_zeros((k, 4)).scatter_(1, bases[:, None], 1.0)
        return out


class SpanMutation(Augmenter):
    """Re-draw contiguous spans covering ``rate`` of the real positions with uniform random bases.

    The masked generator's edit without its model: spans of ``length`` bases (random phase, see
    :func:`dnaaug.augment.spans.span_mask`) refilled at random, the rest untouched, so identity with
    the anchor is about ``1 - 0.75 * rate``. The control for asking what the generator's learned refill
    adds over the span pattern alone.
    """

    name = "span"

    def __init__(self, rate: float = 0.2, length: int = 10, p: float = 1.0):
        self.rate = check_float(self.name, "rate", rate, low=0.0, high=1.0)
        self.length = check_int(self.name, "length", length, minimum=1)
        super().__init__(p=p, params={"rate": self.rate, "length": self.length})

    def forward(self, x, *, lengths, generator, apply):
        n, _, width = x.shape
        real = real_mask(_real_lengths(x, lengths), width)
        hide = span_mask(real, self.rate, self.length, generator)
        if apply is not None:
            hide &= apply[:, None]
        bases = random_bases((n, width), generator, x.device)
        fresh = one_hot_bases(bases, x.dtype)
        return torch.where(hide[:, None, :], fresh, x)


class GaussianNoise(Augmenter):
    """Add N(0, std^2) noise to every real column (the output is not one-hot)."""

    name = "noise"
    preserves_one_hot = False

    def __init__(self, std: float = 0.2, p: float = 1.0):
        self.std = check_float(self.name, "std", std, low=0.0)
        super().__init__(p=p, params={"std": self.std})

    def forward(self, x, *, lengths, generator, apply):
        draw_dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
        noise = torch.randn(tuple(x.shape), generator=generator, device=generator.device, dtype=draw_dtype)
        noise = noise.to(device=x.device, dtype=x.dtype) * self.std
        if apply is not None:
            noise *= apply[:, None, None]
        if lengths is not None:
            noise *= real_mask(lengths, x.shape[2])[:, None, :]
        return x + noise


class Mixup(Augmenter):
    """``lam * x_i + (1 - lam) * x_perm(i)`` with lam ~ Beta(alpha, alpha) per sequence and a random
    permutation of the batch as partners (the output is not one-hot). The output keeps row i's
    mask: partner columns past len_i are dropped, and row i's columns past the partner's length are
    mixed with zeros. Beta draws come from numpy seeded by one draw of the torch generator, because
    torch's Beta sampler takes no generator."""

    name = "mixup"
    preserves_one_hot = False

    def __init__(self, alpha: float = 1.0, p: float = 1.0):
        self.alpha = check_float(self.name, "alpha", alpha, low=0.0, low_open=True)
        super().__init__(p=p, params={"alpha": self.alpha})

    def forward(self, x, *, lengths, generator, apply):
        n = x.shape[0]
        perm = torch.randperm(n, generator=generator, device=generator.device).to(x.device)
        seed = int(torch.randint(0, 2**62, (1,), generator=generator, device=generator.device))
        lam = np.random.default_rng(seed).beta(self.alpha, self.alpha, size=n)
        lam = torch.as_tensor(lam, dtype=x.dtype, device=x.device)
        if apply is not None:
            lam = torch.where(apply, lam, torch.ones_like(lam))
        # partner + lam * (x - partner), in place on the fresh partner copy; exact x where lam = 1
        out = x[perm].lerp_(x, lam[:, None, None])
        if lengths is not None:
            out.masked_fill_(~real_mask(lengths, x.shape[2])[:, None, :], 0)
        return out
