"""DiffAug's B-step (generator training) and generate phase, run by the Trainer.

B-step: the encoder is frozen; the generator learns eps-prediction conditioned on the
encoder's normalised embedding of the clean anchor; an EMA copy tracks it.
Generate: for every training sequence, K positives from the EMA generator, conditioned on
the anchor's embedding, by DDIM (or DDPM) from pure noise or from the anchor noised to
``strength`` (SDEdit); argmax to valid DNA; stored as the uint8 bank; diagnostics logged and
plotted.
"""

from __future__ import annotations

import copy
import math
import time
from typing import TYPE_CHECKING

import numpy as np
import torch

from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.train import bank as bank_io
from dnaaug.train import distributed
from dnaaug.train.data import epoch_seed, onehot_batches, subset
from dnaaug.train.phases import Phase

if TYPE_CHECKING:
    from dnaaug.train.trainer import Trainer


def run_generator_epochs(tr: "Trainer", phase: Phase) -> None:
    """Train the conditional generator for ``phase.epochs`` epochs (resumable mid-epoch)."""
    d = tr.config.diffaug
    gen_model = tr.generator_model
    while tr.state["epoch"] < phase.epochs:
        epoch = tr.state["epoch"]
        batches = tr.data.epoch_batches(d.generator_batch_size,
                                        epoch_seed(tr.config.seed, tr.state["phase_index"], epoch))
        gen_model.train()
        losses, seen, started = [], 0, time.perf_counter()
        with tr._bar(len(batches), f"{phase.name} epoch {epoch + 1}/{phase.epochs}") as bar:
            bar.update(tr.state["step"])
            while tr.state["step"] < len(batches):
                tr._check_stop()
                idx = tr.local(batches[tr.state["step"]])
                codes, mask = tr.data.train.window(idx, tr.length, "random", generator=tr.data_gen)
                x, mask = codes_to_onehot(codes).to(tr.device), mask.to(tr.device)
                cond = tr.condition(x, mask)
                with tr.amp:
                    loss = tr.generator_loss(x, cond, mask, tr.aug_gen)
                value = float(loss.detach())
                if not math.isfinite(value):
                    raise tr._nonfinite(phase, value)
                tr.gen_optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(gen_model.parameters(), 1.0)
                tr.gen_optimizer.step()
                tr.ema.update(gen_model)
                losses.append(value)
                seen += len(idx)
                tr.after_step(bar, phase, epoch, value, seen / max(time.perf_counter() - started, 1e-9))
        seconds = time.perf_counter() - started
        tr.state.update(epoch=epoch + 1, step=0)
        tr.run_dir.log("epoch", phase=phase.name, round=phase.round, epoch=epoch + 1,
                       global_step=tr.state["global_step"], loss=float(np.mean(losses)) if losses else None,
                       seq_per_s=round(seen / max(seconds, 1e-9), 1), seconds=round(seconds, 3))
        tr.save()


def sampling_model(tr: "Trainer"):
    """A copy of the generator carrying the EMA weights, in eval mode."""
    model = copy.deepcopy(tr.generator_model)
    tr.ema.copy_to(model)
    return model.eval()


@torch.no_grad()
def generate_positives(tr: "Trainer", model, x: torch.Tensor, mask: torch.Tensor, k: int,
                       generator: torch.Generator) -> torch.Tensor:
    """K one-hot positives per anchor: x (B,4,L), mask (B,L) -> (B*K, 4, L), rows grouped by anchor."""
    from dnaaug.diffusion.samplers import to_onehot

    d = tr.config.diffaug
    cond = tr.condition(x, mask).repeat_interleave(k, dim=0)
    m = mask.repeat_interleave(k, dim=0)
    init = x.repeat_interleave(k, dim=0) if d.strength < 1.0 else None
    x0 = model.sample(cond, length=tr.length, generator=generator, sampler=d.sampler, steps=d.sampling_steps,
                      guidance=d.guidance, mask=m, init=init, strength=d.strength)
    return to_onehot(x0, m)


def run_generate(tr: "Trainer", phase: Phase) -> None:
    """Fill the bank (N, K, L) for all training sequences, save it, log and plot diagnostics."""
    d = tr.config.diffaug
    model = sampling_model(tr)
    gen = torch.Generator().manual_seed(epoch_seed(tr.config.seed, tr.state["phase_index"], 0))
    n, k = len(tr.data.train), d.positives
    # under torchrun each rank samples for sequences rank, rank + world, ... and the bank is gathered
    mine = subset(tr.data.train, np.arange(tr.dist.rank, n, tr.dist.world)) if tr.dist.enabled else tr.data.train
    if tr.dist.enabled:
        gen.manual_seed(epoch_seed(tr.config.seed, tr.state["phase_index"], 0) + 7919 * tr.dist.rank)
    rows = np.full((len(mine), k, tr.length), bank_io.NO_BASE, dtype=np.uint8)
    batch = max(1, d.generator_batch_size // k)
    started = time.perf_counter()
    with tr._bar(math.ceil(len(mine) / batch), f"{phase.name} sampling {k} per sequence") as bar:
        for idx, x, mask in onehot_batches(mine, tr.length, batch):
            tr._check_stop()
            pos = generate_positives(tr, model, x.to(tr.device), mask.to(tr.device), k, gen)
            rows[idx] = bank_io.from_onehot(pos).reshape(len(idx), k, tr.length)
            bar.update(1)
    bank = distributed.gather_rows(tr.dist, torch.from_numpy(rows), n).numpy()
    seconds = time.perf_counter() - started
    if tr.dist.is_main:
        bank_io.save(tr.run_dir.bank, bank)
    tr.bank = bank
    tr.state["bank_round"] = phase.round
    tr.run_dir.log("generate", phase=phase.name, round=phase.round, global_step=tr.state["global_step"],
                   sequences=n * k, seconds=round(seconds, 3), seq_per_s=round(n * k / max(seconds, 1e-9), 1))
    if not tr.dist.is_main:
        return
    diagnostics = round_diagnostics(tr, bank, phase.round)
    tr.run_dir.log("diagnostics", phase=phase.name, round=phase.round, global_step=tr.state["global_step"],
                   **{k: v for k, v in diagnostics.items() if k != "round"})
    _plot(tr)


def round_diagnostics(tr: "Trainer", bank: np.ndarray, round_index: int) -> dict:
    """Generator diagnostics on a sample of anchors: k-mer JS (k=1..6), GC, identity with the
    anchor, semantic consistency and own-vs-random cosine (see dnaaug.diffusion.diagnostics)."""
    from dnaaug.diffusion.diagnostics import round_diagnostics as diagnostics

    n = min(tr.config.diffaug.diagnostics_sample, len(tr.data.train))
    idx = np.linspace(0, len(tr.data.train) - 1, n).astype(np.int64)
    codes, mask = tr.data.train.window(idx, tr.length, "center")
    real = codes_to_onehot(codes)
    k = bank.shape[1]
    gen_x, gen_mask = bank_io.to_onehot(bank, np.repeat(idx, k), np.tile(np.arange(k), n),
                                        tr.data.train.lengths, tr.length)
    h_real = tr.embed(real.to(tr.device), mask.to(tr.device)).cpu()
    h_gen = tr.embed(gen_x.to(tr.device), gen_mask.to(tr.device)).cpu()
    return diagnostics(gen_x, real, torch.arange(n).repeat_interleave(k), gen_mask=gen_mask, real_mask=mask,
                       h_gen=h_gen, h_real=h_real, generator=torch.Generator().manual_seed(tr.config.seed),
                       round_index=round_index)


def _plot(tr: "Trainer") -> None:
    from dnaaug.diffusion.diagnostics import plot_diagnostics

    rounds = [m for m in tr.run_dir.read_metrics() if m.get("event") == "diagnostics"]
    if rounds:
        plot_diagnostics(rounds, tr.run_dir.path / "diagnostics.png")
