"""The DiffAug positive bank: K generated positives per training sequence, stored compactly.

On disk and in memory: ``(N, K, L)`` uint8 base indices, 0..3 = A, C, G, T and 4 = no base
(padding, or an all-zero column). 1 byte per base: 5,000 x 2 x 300 bp is 3 MB.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from dnaaug.errors import CheckpointError
from dnaaug.atomic import atomic_write_bytes
from dnaaug.tokenize.onehot import base_index, onehot_from_values

NO_BASE = 4
_CHANNELS = np.arange(4, dtype=np.uint8)  # index k -> channel k; NO_BASE matches none (zero column)


def from_onehot(x: torch.Tensor) -> np.ndarray:
    """(N, 4, L) one-hot -> (N, L) uint8 indices (argmax; all-zero columns -> 4)."""
    return base_index(x).to(torch.uint8).cpu().numpy()


def to_onehot(bank: np.ndarray, index: np.ndarray, pick: np.ndarray, lengths: np.ndarray,
              length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Positives ``bank[index[i], pick[i]]`` as one-hot (B, 4, L) and their mask (B, L).

    The mask is the centre window's real length, min(len, L), like the anchor it was made from.
    """
    codes = bank[index, pick]                                                # (B, L) uint8, a copy
    real = np.minimum(lengths[index], length)
    mask = np.arange(length) < real[:, None]
    codes[~mask] = NO_BASE                                                   # padding -> zero columns
    return torch.from_numpy(onehot_from_values(codes, _CHANNELS)), torch.from_numpy(mask)


def save(path: str | os.PathLike, bank: np.ndarray) -> None:
    """Write the bank atomically as .npy."""
    atomic_write_bytes(path, lambda fh: np.save(fh, bank, allow_pickle=False))


def load(path: str | os.PathLike, expected: tuple[int, int, int]) -> np.ndarray:
    """Read a bank and check its shape (N, K, L); CheckpointError when missing or mismatched."""
    path = Path(path)
    try:
        bank = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{path}: cannot read the positive bank ({err})") from None
    if bank.shape != tuple(expected) or bank.dtype != np.uint8:
        raise CheckpointError(f"{path}: positive bank has shape {bank.shape} {bank.dtype}, "
                              f"expected {tuple(expected)} uint8")
    return bank
