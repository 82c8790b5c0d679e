"""Sequences stored compactly as one flat uint8 buffer, cut into fixed windows on demand.

A training set of N sequences of any lengths becomes ``codes`` (sum of lengths,) uint8 ASCII
plus ``offsets``/``lengths`` (N,) int64. Windows for a batch are gathered in one vectorised
indexing step, so random cropping costs no Python loop per sequence.

Window policies (the model has a fixed window length L):
  - ``random``: a uniformly random window inside each longer sequence (training);
  - ``center``: the centre window (inference default);
  - ``start``:  the first L bases.
Shorter sequences are padded on the right with N (all-zero) columns and masked out.

Packing joins the strings and checks every letter with one ``bytes.translate`` call; a window is a
row of a strided view over the buffer, so cutting B windows copies B rows and builds no index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dnaaug.errors import InputError
from dnaaug.tokenize.alphabet import VALID_BYTES, as_bytes

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
        """Validate and pack strings; InvalidSequence names ``source``, the record id and the 1-based
        position of the first bad letter (ids default to ``"0"``, ``"1"``, ...)."""
        seqs = list(sequences)
        ids = [str(i) for i in range(len(seqs))] if ids is None else [str(i) for i in ids]
        if len(ids) != len(seqs):
            raise InputError(f"{len(seqs)} sequences but {len(ids)} ids")
        codes = _joined_codes(seqs, ids, source)
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        offsets = np.zeros(len(seqs), dtype=np.int64)
        if len(seqs) > 1:
            np.cumsum(lengths[:-1], out=offsets[1:])
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
        spare = (lengths - length).clamp(min=0)
        if policy == "random":
            u = torch.rand(idx.shape[0], generator=generator, dtype=torch.float64)
            start = torch.floor(u * (spare + 1).double()).long().clamp(max=spare)
        elif policy == "center":
            start = spare // 2
        else:
            start = torch.zeros_like(spare)
        first = self.offsets[idx.numpy()] + start.numpy()
        real = np.minimum(lengths.numpy(), length)
        codes = _rows(self.codes, first, length)
        if real.size and real.min() == length:  # no padding: skip the (B, L) comparison
            mask = np.ones((real.size, length), dtype=bool)
        else:
            mask = np.arange(length) < real[:, None]                      # (B, L)
            codes[~mask] = PAD_CODE
        return torch.from_numpy(codes), torch.from_numpy(mask)

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
        codes = torch.from_numpy(_rows(self.codes, int(self.offsets[i]) + np.array(starts), length))
        return codes, torch.ones_like(codes, dtype=torch.bool)


def _joined_codes(seqs: list[str], ids: list[str], source: str | None) -> np.ndarray:
    """All sequences as one writable (sum of lengths,) uint8 buffer, checked in one pass.

    Only when that pass finds a bad letter does a per-sequence check run, to raise the same
    InvalidSequence (record and position of the first bad letter) as checking one by one.
    """
    joined = "".join(seqs)
    data = joined.encode("ascii") if joined.isascii() else b""
    if len(data) != len(joined) or data.translate(None, VALID_BYTES):
        for seq, rid in zip(seqs, ids):  # raises at the first bad sequence: the same table decides
            as_bytes(seq, source=source, record=rid)
    return np.frombuffer(data, dtype=np.uint8).copy()  # writable; numpy allocates faster than bytearray


def _rows(codes: np.ndarray, first: np.ndarray, length: int) -> np.ndarray:
    """Rows ``codes[first[b] : first[b] + length]`` as a new (B, length) uint8 array.

    Positions past the end of the buffer (windows of short sequences at its end) read as PAD_CODE;
    the caller masks every position past a sequence's own end anyway.
    """
    first = np.asarray(first, dtype=np.int64)
    if codes.size >= length:
        # each row of this strided view is a window: gathering rows copies length bytes per window
        view = np.lib.stride_tricks.sliding_window_view(codes, length)
        inside = first <= codes.size - length
        if inside.all():
            return view[first]
        out = np.full((first.size, length), PAD_CODE, dtype=np.uint8)
        out[inside] = view[first[inside]]
    else:
        out = np.full((first.size, length), PAD_CODE, dtype=np.uint8)
        inside = np.zeros(first.size, dtype=bool)
    for b in np.flatnonzero(~inside):  # at most the sequences within one window of the buffer's end
        tail = codes[first[b]:first[b] + length]
        out[b, :tail.size] = tail
    return out
