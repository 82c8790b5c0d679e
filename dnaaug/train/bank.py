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

NO_BASE = 4
_TABLE = torch.cat([torch.eye(4), torch.zeros(1, 4)])  # (5, 4): index -> one-hot column


def from_onehot(x: torch.Tensor) -> np.ndarray:
    """(N, 4, L) one-hot -> (N, L) uint8 indices (all-zero columns -> 4)."""
    idx = x.argmax(dim=1)
    idx = torch.where(x.abs().sum(dim=1) == 0, torch.full_like(idx, NO_BASE), idx)
    return idx.to(torch.uint8).cpu().numpy()


def to_onehot(bank: np.ndarray, index: np.ndarray, pick: np.ndarray, lengths: np.ndarray,
              length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Positives ``bank[index[i], pick[i]]`` as one-hot (B, 4, L) and their mask (B, L).

    The mask is the centre window's real length, min(len, L), like the anchor it was made from.
    """
    codes = torch.from_numpy(bank[index, pick].astype(np.int64))             # (B, L)
    x = _TABLE[codes].permute(0, 2, 1).contiguous()
    real = torch.from_numpy(np.minimum(lengths[index], length))
    mask = torch.arange(length).unsqueeze(0) < real.unsqueeze(1)
    return x * mask[:, None, :], mask


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
