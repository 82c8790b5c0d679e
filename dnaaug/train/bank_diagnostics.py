"""Diagnostics of the DiffAug loop, logged and plotted every round: the freshly sampled bank
(:func:`bank_diagnostics`) and how much the generator uses its condition (:func:`loop_condition_gap`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from dnaaug.diffusion.bank_fill import sampling_copy
from dnaaug.diffusion.condition_use import condition_gap
from dnaaug.diffusion.families import GeneratorModel, family_of
from dnaaug.diffusion.masked_condition_use import masked_condition_gap
from dnaaug.diffusion.diagnostics import plot_diagnostics
from dnaaug.diffusion.diagnostics import round_diagnostics as diagnostics
from dnaaug.diffusion.ema import EMA
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


CONDITION_FIT_SAMPLE = 2048  # training windows whose h standardises the masked generator's condition


@torch.no_grad()
def condition_sample(condition: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], train: PackedSequences, *,
                     length: int, device: torch.device, sample: int = CONDITION_FIT_SAMPLE,
                     batch: int = 512) -> torch.Tensor:
    """Conditions (n, C) of ``min(sample, N)`` evenly spaced training windows (centre crops), for
    :meth:`~dnaaug.diffusion.masked.MaskedGenerator.fit_condition`. Deterministic: no random draw, so a
    resumed B-step sets the same statistics."""
    n = min(sample, len(train))
    idx = np.linspace(0, len(train) - 1, n).astype(np.int64)
    conds = []
    for start in range(0, n, batch):
        codes, mask = train.window(idx[start:start + batch], length, "center")
        conds.append(condition(codes_to_onehot(codes).to(device), mask.to(device)))
    return torch.cat(conds)


CONDITION_GAP_LEVELS = 10
CONDITION_GAP_SEED = 104729  # the subset and the noise: the same in every round and every run of a seed


def loop_condition_gap(model: GeneratorModel, ema: EMA | None,
                       condition: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], train: PackedSequences, *,
                       length: int, sample: int, seed: int, device: torch.device,
                       levels: int = CONDITION_GAP_LEVELS) -> dict:
    """Condition-use diagnostic after a B-step: :func:`~dnaaug.diffusion.condition_use.condition_gap` of
    the EMA generator on a fixed seeded subset of ``min(sample, N)`` training sequences (centre windows);
    for the masked family :func:`~dnaaug.diffusion.masked_condition_use.masked_condition_gap` (per mask rate).

    condition: (x (B,4,L), mask (B,L)) -> (B, C), the frozen encoder's normalised h. Its own
    ``torch.Generator`` (from ``seed``) picks the subset and draws the noise, so the training streams
    are untouched and every round is measured on the same sequences and noise. Returns the gap's
    plain data plus ``seconds``.
    """
    started = time.perf_counter()
    gen = torch.Generator().manual_seed(seed + CONDITION_GAP_SEED)
    n = min(sample, len(train))
    idx = np.sort(torch.randperm(len(train), generator=gen)[:n].numpy())
    codes, mask = train.window(idx, length, "center")
    x, mask = codes_to_onehot(codes).to(device), mask.to(device)
    net = sampling_copy(model, ema) if ema is not None else model.eval()
    cond = condition(x, mask)
    if family_of(model) == "masked":  # cross-entropy per mask rate instead of noise level
        gap = masked_condition_gap(net, x, cond, mask, generator=gen)
    else:
        gap = condition_gap(net, x, cond, mask, levels=min(levels, model.schedule.num_train_steps), generator=gen)
    gap["seconds"] = round(time.perf_counter() - started, 3)
    return gap


def plot_rounds(metrics: list[dict], path: Path) -> None:
    """Plot the "diagnostics" (and "condition_gap") lines of a run's metrics into ``path`` (nothing when
    there are no "diagnostics" lines)."""
    rounds = [m for m in metrics if m.get("event") == "diagnostics"]
    gaps = [m for m in metrics if m.get("event") == "condition_gap"]
    if rounds:
        plot_diagnostics(rounds, path, condition_gaps=gaps or None)
