"""Diagnostics of a freshly sampled bank, logged and plotted every DiffAug round."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import torch

from dnaaug.diffusion.diagnostics import plot_diagnostics, round_diagnostics as diagnostics
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences
from dnaaug.train import bank as bank_io


def bank_diagnostics(embed: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], train: PackedSequences,
                     bank: np.ndarray, *, length: int, sample: int, seed: int, round_index: int,
                     device: torch.device) -> dict:
    """Generator diagnostics on a sample of anchors: k-mer JS (k=1..6), GC, identity with the
    anchor, semantic consistency and own-vs-random cosine (see dnaaug.diffusion.diagnostics).

    embed: (x (B,4,L), mask (B,L)) -> h (B,D), the encoder in eval mode; bank: (N, K, L) uint8.
    """
    n = min(sample, len(train))
    idx = np.linspace(0, len(train) - 1, n).astype(np.int64)
    codes, mask = train.window(idx, length, "center")
    real = codes_to_onehot(codes)
    k = bank.shape[1]
    gen_x, gen_mask = bank_io.to_onehot(bank, np.repeat(idx, k), np.tile(np.arange(k), n), train.lengths, length)
    h_real = embed(real.to(device), mask.to(device)).cpu()
    h_gen = embed(gen_x.to(device), gen_mask.to(device)).cpu()
    return diagnostics(gen_x, real, torch.arange(n).repeat_interleave(k), gen_mask=gen_mask, real_mask=mask,
                       h_gen=h_gen, h_real=h_real, generator=torch.Generator().manual_seed(seed),
                       round_index=round_index)


def plot_rounds(metrics: list[dict], path: Path) -> None:
    """Plot the "diagnostics" lines of a run's metrics into ``path`` (nothing when there are none)."""
    rounds = [m for m in metrics if m.get("event") == "diagnostics"]
    if rounds:
        plot_diagnostics(rounds, path)
