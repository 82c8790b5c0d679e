"""k-mer tokenizer: overlapping k-mers (configurable stride) -> integer ids.

Vocabulary: 0 = PAD, 1 = UNK (a k-mer touching N or an IUPAC code), 2 .. 4**k + 1 = the k-mers
in lexicographic order of A < C < G < T (id = 2 + base-4 number of the k-mer). A window of L
bases gives L' = (L - k) // stride + 1 tokens; a k-mer overlapping padding is PAD.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from dnaaug.errors import ConfigError, InputError
from dnaaug.tokenize.alphabet import INDEX_TABLE
from dnaaug.tokenize.onehot import Batch
from dnaaug.tokenize.packed import PackedSequences

PAD_ID = 0
UNK_ID = 1
_INDEX = torch.from_numpy(INDEX_TABLE.astype(np.int64))  # ASCII -> 0..3 base, 4 other valid, 255 invalid


def _ids_from_base_index(base: torch.Tensor, mask: torch.Tensor, k: int, stride: int) -> tuple[torch.Tensor,
                                                                                               torch.Tensor]:
    """base (N, L) long in 0..4 (4 = not ACGT), mask (N, L) -> ids (N, L') long, token mask (N, L') bool."""
    n, length = base.shape
    if length < k:
        raise InputError(f"window length {length} is shorter than k = {k}")
    windows = base.unfold(1, k, stride)                    # (N, L', k)
    valid = mask.unfold(1, k, stride).all(dim=2)           # (N, L')
    unknown = (windows >= 4).any(dim=2)
    weights = 4 ** torch.arange(k - 1, -1, -1, device=base.device)
    ids = (windows.clamp(max=3) * weights).sum(dim=2) + 2
    ids = torch.where(unknown, torch.full_like(ids, UNK_ID), ids)
    ids = torch.where(valid, ids, torch.full_like(ids, PAD_ID))
    return ids, valid


def onehot_to_kmer_ids(x: torch.Tensor, mask: torch.Tensor | None, k: int, stride: int = 1
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """(N,4,L) one-hot (or soft, e.g. after mixup: argmax is taken) -> ids (N,L') and token mask.

    All-zero columns (N) count as unknown bases, so k-mers over them are UNK.
    """
    base = x.argmax(dim=1)
    base = torch.where(x.abs().sum(dim=1) == 0, torch.full_like(base, 4), base)
    if mask is None:
        mask = torch.ones_like(base, dtype=torch.bool)
    return _ids_from_base_index(base, mask, k, stride)


class KmerTokenizer:
    """Encode DNA strings as overlapping k-mer ids of a fixed window length.

    k:       1..8
    stride:  step between k-mers (1 = fully overlapping)
    length:  window length in bases (None = longest in the batch)
    """

    name = "kmer"

    def __init__(self, k: int = 3, stride: int = 1, length: int | None = None, policy: str = "center"):
        if not 1 <= k <= 8:
            raise ConfigError(f"k-mer size k must be in 1..8, got {k}")
        if stride < 1:
            raise ConfigError(f"k-mer stride must be >= 1, got {stride}")
        self.k, self.stride, self.length, self.policy = k, stride, length, policy

    @property
    def vocab_size(self) -> int:
        """4**k k-mers + PAD + UNK."""
        return 4 ** self.k + 2

    @property
    def channels(self) -> int:
        return self.vocab_size

    def encode(self, sequences: Sequence[str], *, ids: Sequence[str] | None = None,
               generator: torch.Generator | None = None, source: str | None = None) -> Batch:
        """Strings -> Batch(ids (N, L') long, mask (N, L') bool)."""
        packed = PackedSequences.from_strings(sequences, ids, source=source)
        length = self.length or int(packed.lengths.max(initial=1))
        codes, mask = packed.window(np.arange(len(packed)), length, self.policy, generator=generator)
        return Batch(*self.from_codes(codes, mask))

    def from_codes(self, codes: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """ASCII codes (N, L) uint8 + mask -> ids (N, L'), token mask (N, L')."""
        return _ids_from_base_index(_INDEX.to(codes.device)[codes.long()], mask, self.k, self.stride)

    def decode(self, ids: torch.Tensor, mask: torch.Tensor | None = None) -> list[str]:
        """ids (N, L') -> strings rebuilt from the k-mers (exact for stride <= k; UNK k-mers -> N)."""
        letters = np.frombuffer(b"ACGT", dtype=np.uint8)
        ids = ids.detach().cpu().numpy()
        m = np.ones_like(ids, dtype=bool) if mask is None else mask.detach().cpu().numpy()
        out = []
        for row, mrow in zip(ids, m):
            toks = row[mrow]
            chars: list[str] = []
            for j, tok in enumerate(toks):
                if tok == UNK_ID:
                    kmer = "N" * self.k
                else:
                    v = int(tok) - 2
                    kmer = "".join(chr(letters[(v // 4 ** (self.k - 1 - p)) % 4]) for p in range(self.k))
                chars.append(kmer if j == 0 else kmer[self.k - self.stride:] if self.stride <= self.k else kmer)
            out.append("".join(chars))
        return out

    def __repr__(self) -> str:
        return f"KmerTokenizer(k={self.k}, stride={self.stride}, length={self.length})"
