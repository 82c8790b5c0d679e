"""Sequences stored compactly as one flat uint8 buffer, cut into fixed windows on demand.

A training set of N sequences of any lengths becomes ``codes`` (sum of lengths,) uint8 ASCII
plus ``offsets``/``lengths`` (N,) int64. Windows for a batch are gathered in one vectorised
indexing step, so random cropping costs no Python loop per sequence.

Window policies (the model has a fixed window length L):
  - ``random``: a uniformly random window inside each longer sequence (training);
  - ``center``: the centre window (inference default);
  - ``start``:  the first L bases.
Shorter sequences are padded on the right with N (all-zero) columns and masked out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dnaaug.errors import InputError
from dnaaug.tokenize.alphabet import as_bytes

PAD_CODE = ord("N")
POLICIES = ("random", "center", "start")


@dataclass
class PackedSequences:
    """Validated sequences in one flat buffer.

    codes:   (sum(lengths),) uint8 ASCII letters
    offsets: (N,) int64 start of each sequence in ``codes``
    lengths: (N,) int64
    ids:     N record ids
    """

    codes: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    ids: list[str]

    @classmethod
    def from_strings(cls, sequences: Iterable[str], ids: Sequence[str] | None = None, *,
                     source: str | None = None) -> "PackedSequences":
        seqs = list(sequences)
        ids = [str(i) for i in range(len(seqs))] if ids is None else [str(i) for i in ids]
        if len(ids) != len(seqs):
            raise InputError(f"{len(seqs)} sequences but {len(ids)} ids")
        arrays = [as_bytes(s, source=source, record=i) for s, i in zip(seqs, ids)]
        lengths = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = np.zeros(len(arrays), dtype=np.int64)
        if len(arrays) > 1:
            np.cumsum(lengths[:-1], out=offsets[1:])
        codes = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint8)
        return cls(codes=codes, offsets=offsets, lengths=lengths, ids=ids)

    def __len__(self) -> int:
        return len(self.ids)

    def sequence(self, i: int) -> str:
        """The i-th sequence as a string."""
        o, n = int(self.offsets[i]), int(self.lengths[i])
        return self.codes[o:o + n].tobytes().decode("ascii")

    def window(self, index: np.ndarray | torch.Tensor, length: int, policy: str = "center", *,
               generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Cut one window per selected sequence.

        index:  (B,) sequence indices
        returns codes (B, length) uint8 tensor, mask (B, length) bool (True = real base)
        """
        if policy not in POLICIES:
            raise InputError(f"unknown window policy {policy!r}; choose one of {', '.join(POLICIES)}")
        idx = torch.as_tensor(np.asarray(index), dtype=torch.long)
        lengths = torch.from_numpy(self.lengths)[idx]
        offsets = torch.from_numpy(self.offsets)[idx]
        spare = (lengths - length).clamp(min=0)
        if policy == "random":
            u = torch.rand(idx.shape[0], generator=generator, dtype=torch.float64)
            start = torch.floor(u * (spare + 1).double()).long().clamp(max=spare)
        elif policy == "center":
            start = spare // 2
        else:
            start = torch.zeros_like(spare)
        pos = torch.arange(length).unsqueeze(0)                       # (1, L)
        mask = pos < lengths.clamp(max=length).unsqueeze(1)            # (B, L)
        flat = (offsets + start).unsqueeze(1) + pos                    # (B, L)
        flat = torch.where(mask, flat, torch.zeros_like(flat))
        codes = torch.from_numpy(self.codes)[flat] if self.codes.size else torch.zeros_like(flat, dtype=torch.uint8)
        codes = torch.where(mask, codes, torch.full_like(codes, PAD_CODE))
        return codes, mask

    def tiles(self, i: int, length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
        """All windows of one sequence at the given stride (the last one flush with the end).

        returns codes (T, length) uint8, mask (T, length) bool; a short sequence gives one padded tile.
        """
        n = int(self.lengths[i])
        if n <= length:
            return self.window(np.array([i]), length, "start")
        starts = list(range(0, n - length + 1, stride))
        if starts[-1] != n - length:
            starts.append(n - length)
        o = int(self.offsets[i])
        flat = o + torch.tensor(starts).unsqueeze(1) + torch.arange(length).unsqueeze(0)
        codes = torch.from_numpy(self.codes)[flat]
        return codes, torch.ones_like(codes, dtype=torch.bool)
