"""One-hot tokenizer: DNA strings -> (N, 4, L) float32 in A, C, G, T order plus a mask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from dnaaug.errors import InputError
from dnaaug.tokenize.alphabet import BASES, ONEHOT_TABLE
from dnaaug.tokenize.packed import PackedSequences

_ONEHOT = torch.from_numpy(ONEHOT_TABLE)  # (256, 4)


class Batch(NamedTuple):
    """A tokenised batch: ``tensor`` (N,4,L) float one-hot or (N,L') long k-mer ids; ``mask`` (N,L) bool."""

    tensor: torch.Tensor
    mask: torch.Tensor


def codes_to_onehot(codes: torch.Tensor) -> torch.Tensor:
    """ASCII codes (N, L) uint8 -> one-hot (N, 4, L) float32 by table lookup (N -> zero column)."""
    return _ONEHOT.to(codes.device)[codes.long()].permute(0, 2, 1).contiguous()


def onehot_to_strings(x: torch.Tensor, mask: torch.Tensor | None = None) -> list[str]:
    """(N, 4, L) one-hot (or any scores) -> strings by argmax; all-zero columns and padding -> N.

    Padding positions (mask False) are dropped, so decode(encode(s)) == s.upper() for ACGTN strings.
    """
    if x.ndim != 3 or x.shape[1] != 4:
        raise InputError(f"x: expected shape (N, 4, L), got {tuple(x.shape)}")
    x = x.detach().cpu()
    letters = np.frombuffer(b"ACGTN", dtype=np.uint8)
    idx = x.argmax(dim=1).numpy()
    idx[(x.abs().sum(dim=1) == 0).numpy()] = 4
    out = letters[idx]
    if mask is None:
        return [row.tobytes().decode("ascii") for row in out]
    m = mask.detach().cpu().numpy()
    return [row[mrow].tobytes().decode("ascii") for row, mrow in zip(out, m)]


class OneHotTokenizer:
    """Encode DNA strings as one-hot windows of a fixed length.

    length:  window length L; None pads every batch to its longest sequence.
    policy:  how longer sequences are cut: "center" (default, inference), "random" (training), "start".
    """

    channels = 4
    name = "onehot"

    def __init__(self, length: int | None = None, policy: str = "center"):
        if length is not None and length < 1:
            raise InputError(f"length must be >= 1, got {length}")
        self.length = length
        self.policy = policy

    def encode(self, sequences: Sequence[str], *, ids: Sequence[str] | None = None,
               generator: torch.Generator | None = None, source: str | None = None) -> Batch:
        """Strings -> Batch(tensor (N,4,L) float32, mask (N,L) bool). Invalid letters raise InvalidSequence."""
        packed = PackedSequences.from_strings(sequences, ids, source=source)
        length = self.length or int(packed.lengths.max(initial=1))
        codes, mask = packed.window(np.arange(len(packed)), length, self.policy, generator=generator)
        return Batch(codes_to_onehot(codes), mask)

    def decode(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> list[str]:
        """(N,4,L) -> strings (argmax; zero columns -> N; padding dropped)."""
        return onehot_to_strings(x, mask)

    def __repr__(self) -> str:
        return f"OneHotTokenizer(length={self.length}, policy={self.policy!r})"


__all__ = ["BASES", "Batch", "OneHotTokenizer", "codes_to_onehot", "onehot_to_strings"]
