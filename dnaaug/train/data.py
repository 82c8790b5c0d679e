"""Training data: packed sequences, a label-free validation hold-out, and seeded epoch order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from dnaaug.data.records import Record
from dnaaug.errors import InputError
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences

MAX_DEFAULT_LENGTH = 1024


def default_length(lengths: np.ndarray) -> int:
    """The window for a run that did not set one: the median input length, capped at 1024 bp."""
    return int(min(MAX_DEFAULT_LENGTH, max(8, int(np.median(lengths)))))


def epoch_seed(seed: int, phase_index: int, epoch: int) -> int:
    """A seed per (run seed, phase, epoch), so an epoch's order can be rebuilt on resume."""
    return (seed * 1_000_003 + phase_index * 10_007 + epoch * 101 + 17) % (2**63 - 1)


@dataclass
class TrainData:
    """Training sequences and an optional label-free validation hold-out.

    train: PackedSequences used for training
    val:   PackedSequences held out for the ``best`` checkpoint criterion (may be empty)
    """

    train: PackedSequences
    val: PackedSequences

    @classmethod
    def from_records(cls, records: Iterable[Record], *, val_size: int, seed: int,
                     source: str | None = None) -> "TrainData":
        recs = list(records)
        if len(recs) < 2:
            raise InputError(f"{source or 'input'}: need at least 2 sequences to train, found {len(recs)}")
        packed_all = PackedSequences.from_strings((r.sequence for r in recs), [r.id for r in recs],
                                                  source=source)
        n_val = val_size if len(recs) >= 10 * val_size else 0
        order = np.random.default_rng(seed).permutation(len(recs))
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        return cls(train=subset(packed_all, train_idx), val=subset(packed_all, val_idx))

    def epoch_batches(self, batch_size: int, seed: int) -> list[np.ndarray]:
        """A seeded shuffle of the training set cut into batches (the last partial batch is dropped
        when it would hold fewer than 2 sequences, which contrastive losses cannot use)."""
        n = len(self.train)
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).numpy()
        batches = [perm[i:i + batch_size] for i in range(0, n, batch_size)]
        return [b for b in batches if len(b) >= 2]


def subset(packed: PackedSequences, index: np.ndarray) -> PackedSequences:
    """A new PackedSequences holding the sequences at ``index`` (in that order)."""
    index = np.asarray(index, dtype=np.int64)
    lengths = packed.lengths[index]
    offsets = np.zeros(len(index), dtype=np.int64)
    if len(index) > 1:
        np.cumsum(lengths[:-1], out=offsets[1:])
    pieces = [packed.codes[o:o + n] for o, n in zip(packed.offsets[index], lengths)]
    codes = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.uint8)
    return PackedSequences(codes=codes, offsets=offsets, lengths=lengths, ids=[packed.ids[i] for i in index])


def onehot_batches(packed: PackedSequences, length: int, batch_size: int, policy: str = "center"
                   ) -> Iterator[tuple[np.ndarray, torch.Tensor, torch.Tensor]]:
    """Deterministic batches over all sequences: (index (B,), one-hot (B,4,L), mask (B,L))."""
    for start in range(0, len(packed), batch_size):
        idx = np.arange(start, min(start + batch_size, len(packed)))
        codes, mask = packed.window(idx, length, policy)
        yield idx, codes_to_onehot(codes), mask
