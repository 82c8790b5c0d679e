"""k-mer composition as an auxiliary, label-free target: ``h`` of every view regresses the anchor's spectrum.

Each view's embedding ``h`` predicts, through a linear head, the standardised canonical k-mer
spectrum (k = 1 .. ``max_k``) of the anchor window the two views were made from; the loss is the
mean squared error over the batch and the spectrum's features. This is hand-made-feature
prediction in the manner of MaskFeat (HOG targets, Wei et al. 2022) or bags of visual words
(Gidaris et al. 2020), chosen so that it agrees with what the contrastive loss asks for:

- the target is the *anchor's*, so both views share it: it is invariant to mutation and noise
  (the views are predicted back to the clean window, as in denoising), and to shifts (a circular
  shift changes only the k - 1 k-mers across its junction);
- it is *canonical* (each k-mer's frequency averaged with its reverse complement's), so it is
  invariant to the reverse-complement view too;
- features are standardised with the training set's mean and standard deviation, so a rare
  6-mer counts as much as GC content, as it does for a linear probe on standardised k-mer counts;
  a linear head trained by squared error recovers the spectrum's principal subspace, which is
  what such a probe mostly reads.

The head exists only for the loss (like the projection head); the exported embedding is ``h``.

Shapes: views and anchors x (N, 4, L) one-hot (soft columns, e.g. after mixup, count as their
argmax; all-zero columns are N and break the k-mers over them), mask (N, L) bool, h (N, D),
targets (N, F) with F = sum_k 4^k (5,460 for max_k = 6).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn

from dnaaug.errors import ConfigError, InputError
from dnaaug.tokenize.kmer import PAD_ID, UNK_ID, onehot_to_kmer_ids

__all__ = ["KmerTargetHead", "canonical_spectrum", "kmer_frequencies", "MAX_K"]

MAX_K = 8
"""Largest k the head allows: 4^8 = 65,536 outputs, already a wide head for a small trunk."""


def kmer_frequencies(x: Tensor, mask: Tensor | None, k: int) -> Tensor:
    """(N, 4, L) one-hot windows and (N, L) mask -> (N, 4^k) k-mer frequencies, float32.

    Overlapping k-mers over real ACGT positions only (a k-mer touching padding or an N is
    skipped); each row sums to 1, or is all zero when the window holds no valid k-mer.
    k-mers are in lexicographic ACGT order (the order of ``kmer_spectrum``'s k block).
    """
    if x.shape[-1] < k:
        return torch.zeros(x.shape[0], 4 ** k, device=x.device)
    ids, valid = onehot_to_kmer_ids(x, mask, k)
    valid = valid & (ids != UNK_ID) & (ids != PAD_ID)
    counts = torch.zeros(x.shape[0], 4 ** k, device=x.device)
    counts.scatter_add_(1, (ids - 2).clamp_min(0), valid.to(counts.dtype))
    return counts / counts.sum(1, keepdim=True).clamp_min(1.0)


def _reverse_complement_index(k: int, device: torch.device) -> Tensor:
    """(4^k,) the lexicographic id of each k-mer's reverse complement (A<->T, C<->G is 3 - b)."""
    ids = torch.arange(4 ** k, device=device)
    rc = torch.zeros_like(ids)
    for position in range(k):  # digit `position` (from the right) moves to k - 1 - position, complemented
        digit = (ids // 4 ** position) % 4
        rc += (3 - digit) * 4 ** (k - 1 - position)
    return rc


def canonical_spectrum(x: Tensor, mask: Tensor | None, max_k: int) -> Tensor:
    """(N, 4, L), (N, L) -> (N, F) k-mer frequencies for k = 1 .. max_k, each averaged with its
    reverse complement's, so a window and its reverse complement get the same row."""
    blocks = []
    for k in range(1, max_k + 1):
        f = kmer_frequencies(x, mask, k)
        blocks.append(0.5 * (f + f[:, _reverse_complement_index(k, f.device)]))
    return torch.cat(blocks, dim=1)


class KmerTargetHead(nn.Module):
    """A linear head h (N, D) -> standardised canonical k-mer spectrum (N, F), and its loss.

    ``fit(batches)`` sets the per-feature mean and standard deviation (buffers, so they are saved
    and resumed with the head) from an iterable of (x (B, 4, L), mask (B, L)) anchor windows, in one
    streaming pass. ``targets(x, mask)`` (N, F) are the standardised spectra of anchors;
    ``forward(h, targets)`` is the mean squared error of the head's prediction (scalar).
    A feature constant over the training set (std 0) has target 0 everywhere.
    """

    def __init__(self, in_dim: int, max_k: int = 6):
        super().__init__()
        if not isinstance(max_k, int) or isinstance(max_k, bool) or not 1 <= max_k <= MAX_K:
            raise ConfigError(f"KmerTargetHead: max_k={max_k!r} must be an int in 1..{MAX_K}")
        if not isinstance(in_dim, int) or isinstance(in_dim, bool) or in_dim < 1:
            raise ConfigError(f"KmerTargetHead: in_dim={in_dim!r} must be a positive int")
        self.in_dim, self.max_k = in_dim, max_k
        width = sum(4 ** k for k in range(1, max_k + 1))
        self.linear = nn.Linear(in_dim, width)
        self.register_buffer("mean", torch.zeros(width))
        self.register_buffer("scale", torch.ones(width))

    @torch.no_grad()
    def fit(self, batches: Iterable[tuple[Tensor, Tensor]]) -> None:
        """Per-feature mean and 1 / std of the canonical spectra of the given anchor windows."""
        total = torch.zeros_like(self.mean, dtype=torch.float64)
        square = torch.zeros_like(total)
        n = 0
        for x, mask in batches:
            s = canonical_spectrum(x.to(self.mean.device), mask.to(self.mean.device), self.max_k).double()
            total += s.sum(0)
            square += s.pow(2).sum(0)
            n += s.shape[0]
        if n == 0:
            raise InputError("KmerTargetHead.fit: no windows to take statistics from")
        mean = total / n
        std = (square / n - mean.pow(2)).clamp_min(0).sqrt()
        self.mean.copy_(mean.float())
        self.scale.copy_(torch.where(std > 1e-8, 1.0 / std.clamp_min(1e-8), torch.zeros_like(std)).float())

    @torch.no_grad()
    def targets(self, x: Tensor, mask: Tensor | None) -> Tensor:
        """Standardised canonical spectra (N, F) of anchor windows x (N, 4, L)."""
        if not isinstance(x, Tensor) or x.dim() != 3 or x.shape[1] != 4:
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise InputError(f"KmerTargetHead: expected one-hot anchors of shape (N, 4, L), got {shape}")
        return (canonical_spectrum(x, mask, self.max_k) - self.mean) * self.scale

    def forward(self, h: Tensor, targets: Tensor) -> Tensor:
        """h (N, D), targets (N, F) -> mean squared error (scalar)."""
        if not isinstance(h, Tensor) or h.dim() != 2 or h.shape[1] != self.in_dim:
            shape = tuple(h.shape) if isinstance(h, Tensor) else type(h).__name__
            raise InputError(f"KmerTargetHead: expected h of shape (N, {self.in_dim}), got {shape}")
        if targets.shape != (h.shape[0], self.linear.out_features):
            raise InputError(f"KmerTargetHead: expected targets of shape (N={h.shape[0]}, "
                             f"{self.linear.out_features}), got {tuple(targets.shape)}")
        return (self.linear(h.float()) - targets).pow(2).mean()

    def extra_repr(self) -> str:
        return f"in_dim={self.in_dim}, max_k={self.max_k}"
