"""The training loop: runs the phases of a plan, checkpoints, resumes in any phase.

Every phase (warm-up and contrastive A-steps, the generator B-step, generating the bank) goes
through one epoch-loop helper, :meth:`Trainer._epoch_loop`, which owns the progress bar, stop
checks, step counting, logging and saving; a phase only says what one step does. The B-step and
the bank fill themselves are plain functions of :mod:`dnaaug.diffusion` with explicit arguments.

Determinism on CPU: every random draw comes from one of three sources whose state is saved in
each checkpoint: ``data_gen`` (random crops), ``aug_gen`` (augmenters, generator loss, bank
mixing) and the run's own state of torch's global generator (weight init and dropout inside the
networks), swapped in only while the run's code executes (:mod:`dnaaug.train.rng`), so the
caller's global random state is never changed. An epoch's batch order is rebuilt from (seed,
phase, epoch), so a run interrupted mid-epoch and resumed ends with the same weights as an
uninterrupted one.
"""

from __future__ import annotations

import copy
import logging
import math
import signal
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Any, Callable

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

import dnaaug
from dnaaug.augment.registry import parse as parse_augmenter
from dnaaug.diffusion.bank_fill import fill_bank
from dnaaug.diffusion.candidate_filter import FilterStats
from dnaaug.diffusion.ema import EMA
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.masked import MaskedGenerator
from dnaaug.diffusion.generator_step import GeneratorLoss, generator_step
from dnaaug.diffusion.schedule import ScheduleConfig
from dnaaug.encoding import build_encoder, condition_fn, encoder_input
from dnaaug.errors import CheckpointError, ConfigError, NumericalError
from dnaaug.losses import make_loss
from dnaaug.losses.kmer_target import KmerTargetHead
from dnaaug.models.heads import ContrastiveModel, ProjectionHead
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.train import bank as bank_io
from dnaaug.train import distributed
from dnaaug.train.bank_diagnostics import bank_diagnostics, condition_sample, loop_condition_gap, plot_rounds
from dnaaug.train.checkpoint import load_checkpoint, save_checkpoint
from dnaaug.train.config import TrainConfig
from dnaaug.train.data import TrainData, epoch_seed, onehot_batches, subset
from dnaaug.train.device import describe_compute
from dnaaug.train.lr_schedule import encoder_steps_done, lr_factor
from dnaaug.train.phases import Phase, plan_phases
from dnaaug.train.rng import ScopedTorchRNG
from dnaaug.train.run_dir import RunDir
from dnaaug.train.validation import view_retrieval

log = logging.getLogger(__name__)


class Interrupted(Exception):
    """Raised after Ctrl-C once the state has been checkpointed."""


class _TwoViews(nn.Module):
    """Both views in one forward, so DistributedDataParallel sees one forward per backward.

    With a k-mer target head, ``targets`` (N, F) are the anchors' standardised k-mer spectra, which
    the head predicts from h1 and from h2; its loss (mean over the two views) is the fifth output
    (None without a head), computed inside the forward so that DDP syncs the head too.
    """

    def __init__(self, model: ContrastiveModel, kmer_head: KmerTargetHead | None = None):
        super().__init__()
        self.model = model
        self.kmer_head = kmer_head

    def forward(self, x1, m1, x2, m2, targets=None):
        h1, z1 = self.model(x1, m1)
        h2, z2 = self.model(x2, m2)
        aux = None
        if self.kmer_head is not None and targets is not None:
            aux = 0.5 * (self.kmer_head(h1, targets) + self.kmer_head(h2, targets))
        return h1, z1, h2, z2, aux


class Trainer:
    """Runs a :class:`TrainConfig` on :class:`TrainData` into a :class:`RunDir`.

    Use :meth:`run` for a fresh run and :meth:`resume` to continue from ``last.pt``.
    """

    def __init__(self, config: TrainConfig, data: TrainData, run: RunDir, *, device: torch.device,
                 progress: bool = True):
        self.dist = distributed.from_env()
        device = distributed.setup(self.dist, device)
        self.config, self.data, self.run_dir, self.device = config, data, run, device
        self.progress = progress and self.dist.is_main
        run.writer = self.dist.is_main
        self.length = int(config.length)
        self.phases = plan_phases(config)
        # weight init and dropout: the run's own global-generator state, checkpointed
        self.rng = ScopedTorchRNG(config.seed, device)
        with self.rng.active():
            self._build(config, device)
        self._stop = False
        self.amp = (torch.autocast("cuda", dtype=torch.bfloat16)
                    if device.type == "cuda" and torch.cuda.is_bf16_supported() else nullcontext())

    # ------------------------------------------------------------------ set-up
    def _build(self, config: TrainConfig, device: torch.device) -> None:
        """Networks, optimisers, augmenter and generators, in a fixed order (it fixes the weights)."""
        self.encoder, self.tokenizer = build_encoder(config, self.length)
        head = ProjectionHead(self.encoder.embedding_dim, hidden=2 * config.projection_dim,
                              out=config.projection_dim)
        self.model = ContrastiveModel(self.encoder, head).to(device)
        # the run's encoder (exported, validated, the generator's condition): the live trunk, or with
        # ``encoder_ema`` an average of its weights, which the optimiser never touches
        self.encoder_ema = EMA(self.encoder, decay=config.encoder_ema) if config.encoder_ema > 0 else None
        self.run_encoder = copy.deepcopy(self.encoder) if self.encoder_ema is not None else self.encoder
        self.condition = condition_fn(self.run_encoder, self.tokenizer)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.loss_fn = make_loss(config.loss.name, **self._loss_params())
        spec = config.diffaug.base_augment if config.uses_diffaug else config.augment
        self.augment = parse_augmenter(spec)
        self.augment_gen = None  # applied to generated positives; None = use them raw
        if config.uses_diffaug and config.diffaug.generated_augment:
            try:
                self.augment_gen = parse_augmenter(config.diffaug.generated_augment)
            except ConfigError as err:
                raise ConfigError(f"diffaug.generated_augment: {err}") from None
        elif config.uses_diffaug and config.diffaug.augment_generated:
            self.augment_gen = self.augment
        self.data_gen = torch.Generator().manual_seed(config.seed + 1 + 7919 * self.dist.rank)
        self.aug_gen = torch.Generator().manual_seed(config.seed + 2 + 7919 * self.dist.rank)
        self.state: dict[str, Any] = {"phase_index": 0, "epoch": 0, "step": 0, "global_step": 0,
                                      "best_score": None, "bank_round": 0}
        self.generator_model = self.ema = self.gen_optimizer = None
        self.bank: np.ndarray | None = None
        if config.uses_diffaug:
            self._build_generator()
            self.generator_loss = self._wrap(self._compiled(GeneratorLoss(self.generator_model)))
        # built last, so that turning it on leaves every other network's initial weights unchanged
        self.kmer_head: KmerTargetHead | None = None
        self.kmer_loss_value = float("nan")
        if config.kmer_loss > 0:
            self.kmer_head = KmerTargetHead(self.encoder.embedding_dim, config.kmer_loss_k).to(device)
            # the targets' standardisation: one pass over the training windows (saved with the head)
            self.kmer_head.fit((x, m) for _, x, m in onehot_batches(self.data.train, self.length, 512))
            self.optimizer.add_param_group({"params": list(self.kmer_head.parameters())})
        self.two_views = self._wrap(self._compiled(_TwoViews(self.model, self.kmer_head)))

    def _wrap(self, module: nn.Module) -> nn.Module:
        """DistributedDataParallel around ``module`` when running under torchrun."""
        if not self.dist.enabled:
            return module
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def _compiled(self, module: nn.Module) -> nn.Module:
        """``torch.compile(module)`` when the config asks for it (weights stay shared)."""
        return torch.compile(module) if self.config.compile else module

    def local(self, idx: np.ndarray) -> np.ndarray:
        """This rank's slice of a global batch (the whole batch in a single process)."""
        return idx[self.dist.rank::self.dist.world] if self.dist.enabled else idx

    def _loss_params(self) -> dict[str, float]:
        c = self.config.loss
        if c.name == "infonce":
            return {"temperature": c.temperature}
        return {"nu_p": c.nu_p, "nu_q": c.nu_q, "p_bandwidth": c.p_bandwidth}

    def _build_generator(self) -> None:
        d = self.config.diffaug
        self.cond_view = None  # masked family: the B-step's condition comes from another view of the anchor
        if d.generator == "masked":
            self.generator_model = MaskedGenerator.build(self.encoder.embedding_dim, d.masked_denoiser(),
                                                         (d.mask_low, d.mask_high)).to(self.device)
            self.cond_view = parse_augmenter(d.cond_view)
        else:
            self.generator_model = ConditionalGenerator.build(
                self.encoder.embedding_dim,
                d.denoiser(),
                ScheduleConfig(kind=d.schedule, num_train_steps=d.diffusion_steps)).to(self.device)
        self.ema = EMA(self.generator_model, decay=d.ema_decay)
        self.gen_optimizer = torch.optim.AdamW(self.generator_model.parameters(), lr=d.generator_lr,
                                               weight_decay=0.0)

    def embed(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """h (N, D) of one-hot windows in eval mode (no gradient), by the run's encoder."""
        self.run_encoder.eval()
        with torch.no_grad(), self.amp:
            return self.run_encoder(*encoder_input(self.tokenizer, x, mask)).float()

    def _sync_run_encoder(self) -> None:
        """Load the weight average into the run's encoder (a no-op without ``encoder_ema``)."""
        if self.encoder_ema is not None:
            self.encoder_ema.copy_to(self.run_encoder)

    # ------------------------------------------------------------------ checkpoints
    def checkpoint_payload(self) -> dict[str, Any]:
        g = self.generator_model
        self._sync_run_encoder()
        return {
            "config": self.config.to_dict(),
            "length": self.length,
            "phases": [p.name for p in self.phases],
            "state": dict(self.state),
            "encoder": self.run_encoder.state_dict(),  # what load_encoder and embed read
            "encoder_config": self.encoder.config.to_dict(),
            "model": self.model.state_dict(),  # the live trunk and head, for resuming
            "encoder_ema": None if self.encoder_ema is None else self.encoder_ema.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "kmer_head": None if self.kmer_head is None else self.kmer_head.state_dict(),
            "generator": None if g is None else g.state_dict(),
            "generator_config": None if g is None else g.config_dict(),
            "ema": None if self.ema is None else self.ema.state_dict(),
            "gen_optimizer": None if g is None else self.gen_optimizer.state_dict(),
            "rng": {"torch": self.rng.get_state(), "data": self.data_gen.get_state(),
                    "aug": self.aug_gen.get_state()},
        }

    def save(self, *, best: bool = False, epoch_tag: str | None = None) -> None:
        if not self.dist.is_main:
            return
        payload = self.checkpoint_payload()
        save_checkpoint(self.run_dir.last, payload)
        if best:
            save_checkpoint(self.run_dir.best, payload)
        if epoch_tag is not None:
            save_checkpoint(self.run_dir.path / "checkpoints" / epoch_tag, payload)

    def load_state(self, ckpt: dict[str, Any]) -> None:
        """Restore weights, optimisers, RNG states and the position in the plan from a checkpoint."""
        try:
            self.model.load_state_dict(ckpt["model"])
            self.optimizer.load_state_dict(ckpt["optimizer"])
            if self.kmer_head is not None:
                self.kmer_head.load_state_dict(ckpt["kmer_head"])
            if self.encoder_ema is not None:
                self.encoder_ema.load_state_dict(ckpt["encoder_ema"])
                self._sync_run_encoder()
            if self.generator_model is not None and ckpt.get("generator") is not None:
                self.generator_model.load_state_dict(ckpt["generator"])
                self.ema.load_state_dict(ckpt["ema"])
                self.gen_optimizer.load_state_dict(ckpt["gen_optimizer"])
            self.rng.set_state(ckpt["rng"]["torch"])
            self.data_gen.set_state(ckpt["rng"]["data"])
            self.aug_gen.set_state(ckpt["rng"]["aug"])
            self.state = dict(ckpt["state"])
            if self.dist.rank > 0:  # other ranks draw their own crops and views
                step = self.state["global_step"]
                self.data_gen.manual_seed(self.config.seed + 1 + 7919 * self.dist.rank + step)
                self.aug_gen.manual_seed(self.config.seed + 2 + 7919 * self.dist.rank + step)
        except (KeyError, RuntimeError, ValueError) as err:
            raise CheckpointError(f"checkpoint does not match this run's config ({str(err)[:200]})") from None
        if self.state.get("bank_round"):
            self.bank = bank_io.load(self.run_dir.bank, expected=(len(self.data.train),
                                                                  self.config.diffaug.positives, self.length))

    # ------------------------------------------------------------------ run
    def run(self, *, resume: bool = False) -> dict[str, Any]:
        """Run (or continue) the plan; returns the final state. Ctrl-C checkpoints and raises Interrupted.

        The caller's global torch random state is the same afterwards as before.
        """
        with self.rng.active():
            return self._run(resume=resume)

    def _run(self, *, resume: bool) -> dict[str, Any]:
        if resume:
            self.load_state(load_checkpoint(self.run_dir.last))
            self.run_dir.truncate_metrics_after(self.state["global_step"])
            self.run_dir.log("resume", global_step=self.state["global_step"], phase=self._phase().name
                             if self.state["phase_index"] < len(self.phases) else "done")
        else:
            self.save()  # a loadable checkpoint exists from the first moment (crash safety)
            self.run_dir.log("run", version=dnaaug.__version__, compute=describe_compute(self.device),
                             n_train=len(self.data.train),
                             n_val=len(self.data.val), length=self.length, phases=[p.name for p in self.phases],
                             parameters=sum(p.numel() for p in self.model.parameters()))
        with self._sigint_checkpoints():
            while self.state["phase_index"] < len(self.phases):
                phase = self._phase()
                started = time.perf_counter()
                if phase.kind == "contrastive":
                    self._run_contrastive(phase)
                elif phase.kind == "generator":
                    self._run_generator(phase)
                else:
                    self._run_generate(phase)
                self.run_dir.log("phase", phase=phase.name, seconds=round(time.perf_counter() - started, 3),
                                 global_step=self.state["global_step"])
                self.state.update(phase_index=self.state["phase_index"] + 1, epoch=0, step=0)
                self.save()
        if self.state["best_score"] is None:  # no contrastive epoch ran (e.g. 0 epochs): last is best
            self.save(best=True)
        return dict(self.state)

    def _phase(self) -> Phase:
        return self.phases[self.state["phase_index"]]

    @contextmanager
    def _sigint_checkpoints(self):
        """Ctrl-C sets a flag; the loop checkpoints at the next step boundary and stops."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum, frame):
            if self._stop:  # second Ctrl-C: stop now
                raise KeyboardInterrupt
            self._stop = True
            log.warning("interrupt received: saving a checkpoint at the next step")

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _check_stop(self) -> None:
        if self._stop:
            self.save()
            self.run_dir.log("interrupted", global_step=self.state["global_step"], phase=self._phase().name)
            raise Interrupted(f"interrupted in phase {self._phase().name}; checkpoint saved to "
                              f"{self.run_dir.last}; continue with --resume {self.run_dir.path}")

    def _bar(self, total: int, desc: str):
        return tqdm(total=total, desc=desc, unit="batch", leave=False, disable=not self.progress,
                    dynamic_ncols=True)

    def _nonfinite(self, phase: Phase, value: float) -> NumericalError:
        return NumericalError(
            f"non-finite loss ({value}) in phase {phase.name}, epoch {self.state['epoch'] + 1}, step "
            f"{self.state['step'] + 1}; the last good checkpoint is kept at {self.run_dir.last}. "
            "Try a lower --lr, or fp32 on GPU (--device cpu to compare)")

    # ------------------------------------------------------------------ the epoch loop
    def _views(self, idx: np.ndarray, phase: Phase) -> tuple[torch.Tensor, ...]:
        """(view 1, its mask, view 2, its mask, the anchor windows, their mask) for a batch."""
        codes, mask = self.data.train.window(idx, self.length, "random", generator=self.data_gen)
        if self.device.type == "cuda":  # pinned host memory makes the copies asynchronous
            codes, mask = codes.pin_memory(), mask.pin_memory()
        x = codes_to_onehot(codes.to(self.device, non_blocking=True))
        mask = mask.to(self.device, non_blocking=True)
        v1 = self.augment(x, generator=self.aug_gen, mask=mask)
        v2 = self.augment(x, generator=self.aug_gen, mask=mask)
        m2 = mask
        if phase.use_bank and self.bank is not None:
            k = self.config.diffaug.positives
            use = torch.rand(len(idx), generator=self.aug_gen) < self.config.diffaug.p_gen
            pick = torch.randint(0, k, (len(idx),), generator=self.aug_gen)
            if use.any():
                gen_x, gen_mask = bank_io.to_onehot(self.bank, idx, pick.numpy(), self.data.train.lengths,
                                                    self.length)
                gen_x, gen_mask = gen_x.to(self.device), gen_mask.to(self.device)
                if self.augment_gen is not None:  # diffaug.augment_generated / generated_augment
                    gen_x = self.augment_gen(gen_x, generator=self.aug_gen, mask=gen_mask)
                use_d = use.to(self.device)
                v2 = torch.where(use_d[:, None, None], gen_x, v2)
                m2 = torch.where(use_d[:, None], gen_mask, mask)
        return v1, mask, v2, m2, x, mask

    def _epoch_loop(self, phase: Phase, step: Callable[[Any], int], *, batch_size: int = 0,
                    modules: tuple[nn.Module, ...] = (), extra: Callable[[], dict] | None = None,
                    end_epoch: Callable[[int], tuple[dict, bool, str | None]] | None = None,
                    passes: Callable[[], tuple[int, Any]] | None = None, desc: str = "") -> None:
        """The one loop every phase goes through: progress bar, stop checks, step counting, logging, saving.

        Training phases (``passes`` None) run the remaining epochs of ``phase``: each epoch's
        seeded batches of ``batch_size`` (resumed at the saved step), ``modules`` in train mode,
        ``step(idx)`` per batch returning the loss (non-finite: NumericalError, nothing saved),
        then ``end_epoch(epoch)`` -> (extra epoch-log fields, best, epoch checkpoint name), the
        "epoch" log line and a checkpoint.
        One-pass phases (``passes`` -> (number of items, iterator)) call ``step(item)`` per item
        with stop checks and progress only: no step counting (the phase restarts on resume).
        """
        if passes is not None:
            total, items = passes()
            with self._bar(total, desc) as bar:
                for _ in range(total):
                    self._check_stop()
                    step(next(items))
                    bar.update(1)
            return
        cfg = self.config
        while self.state["epoch"] < phase.epochs:
            epoch = self.state["epoch"]
            batches = self.data.epoch_batches(batch_size, epoch_seed(cfg.seed, self.state["phase_index"], epoch))
            for module in modules:
                module.train()
            losses: list[float] = []
            seen, started = 0, time.perf_counter()
            with self._bar(len(batches), f"{phase.name} epoch {epoch + 1}/{phase.epochs}") as bar:
                bar.update(self.state["step"])
                while self.state["step"] < len(batches):
                    self._check_stop()
                    idx = self.local(batches[self.state["step"]])
                    value = step(idx)
                    if not math.isfinite(value):
                        raise self._nonfinite(phase, value)
                    losses.append(value)
                    seen += len(idx)
                    self.after_step(bar, phase, epoch, value, seen / max(time.perf_counter() - started, 1e-9),
                                    **(extra() if extra is not None else {}))
            seconds = time.perf_counter() - started
            fields, best, tag = end_epoch(epoch) if end_epoch is not None else ({}, False, None)
            self.state.update(epoch=epoch + 1, step=0)
            self.run_dir.log("epoch", phase=phase.name, round=phase.round, epoch=epoch + 1,
                             global_step=self.state["global_step"],
                             loss=float(np.mean(losses)) if losses else None,
                             seq_per_s=round(seen / max(seconds, 1e-9), 1), seconds=round(seconds, 3), **fields)
            self.save(best=best, epoch_tag=tag)

    # ------------------------------------------------------------------ phases
    def _run_contrastive(self, phase: Phase) -> None:
        batches_per_epoch = len(self.data.epoch_batches(self.config.batch_size, 0))

        def step(idx: np.ndarray) -> float:
            v1, m1, v2, m2, anchors, mask = self._views(idx, phase)
            targets = self.kmer_head.targets(anchors, mask) if self.kmer_head is not None else None
            with self.amp:
                h1, z1, h2, z2, aux = self.two_views(*encoder_input(self.tokenizer, v1, m1),
                                                     *encoder_input(self.tokenizer, v2, m2), targets)
                loss = self._contrastive_loss(h1, z1, h2, z2)
                if aux is not None:
                    self.kmer_loss_value = float(aux.detach())
                    loss = loss + self.config.kmer_loss * aux
            value = float(loss.detach())
            if math.isfinite(value):
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self._set_lr(batches_per_epoch)
                self.optimizer.step()
                if self.encoder_ema is not None:
                    self.encoder_ema.update(self.encoder)
            return value

        self._epoch_loop(phase, step, batch_size=self.config.batch_size, modules=(self.model,),
                         extra=self._step_fields,
                         end_epoch=lambda epoch: self._end_contrastive_epoch(phase, epoch))

    def _step_fields(self) -> dict[str, float]:
        """Extra fields of an A-step's "step" log line: the learning rate, and the k-mer target loss when on."""
        fields = {"lr": self.optimizer.param_groups[0]["lr"]}
        if self.kmer_head is not None:
            fields["kmer_loss"] = round(self.kmer_loss_value, 5)
        return fields

    def _set_lr(self, batches_per_epoch: int) -> None:
        """Set the encoder's learning rate for the coming step from the schedule (stateless)."""
        cfg = self.config
        epochs = [p.epochs if p.kind == "contrastive" else 0 for p in self.phases]
        done = encoder_steps_done(epochs, self.state["phase_index"], self.state["epoch"], self.state["step"],
                                  batches_per_epoch)
        factor = lr_factor(done, sum(epochs) * batches_per_epoch, kind=cfg.lr_schedule, warmup=cfg.lr_warmup)
        for group in self.optimizer.param_groups:
            group["lr"] = cfg.lr * factor

    def after_step(self, bar, phase: Phase, epoch: int, loss: float, rate: float, **extra) -> None:
        """Count a finished step, update the progress bar, log every ``log_every`` steps."""
        self.state["step"] += 1
        self.state["global_step"] += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.4f}", seq_s=f"{rate:.0f}")
        if self.state["global_step"] % self.config.log_every == 0:
            self.run_dir.log("step", phase=phase.name, round=phase.round, epoch=epoch + 1,
                             global_step=self.state["global_step"], loss=loss, seq_per_s=round(rate, 1), **extra)

    def _contrastive_loss(self, h1, z1, h2, z2) -> torch.Tensor:
        return self.loss_fn(z1.float(), z2.float(), h1=h1.float(), h2=h2.float())

    def _end_contrastive_epoch(self, phase: Phase, epoch: int) -> tuple[dict, bool, str | None]:
        """Validation score, best checkpoint and epoch-checkpoint name at the end of an A-step epoch."""
        self._sync_run_encoder()
        held = self.data.val if len(self.data.val) else _first(self.data.train, 256)
        scores = view_retrieval(self.embed, held, self.length, self.device) if self.dist.is_main else {}
        score = scores.get("val_retrieval")
        best = score is not None and (self.state["best_score"] is None or score > self.state["best_score"])
        if best:
            self.state["best_score"] = score
        tag = f"epoch-{phase.name}-{epoch + 1:03d}.pt" if self.config.save_every_epoch else None
        return {"lr": self.optimizer.param_groups[0]["lr"], "best": best, **scores}, best, tag

    # ------------------------------------------------------------------ B-step and generation
    def _run_generator(self, phase: Phase) -> None:
        """B-step: the encoder frozen, the generator trained on its embeddings (resumable mid-epoch)."""
        condition = self.condition
        if self.cond_view is not None:
            self._fit_condition()

            def condition(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
                return self.condition(self.cond_view(x, generator=self.aug_gen, mask=mask), mask)

        def step(idx: np.ndarray) -> float:
            codes, mask = self.data.train.window(idx, self.length, "random", generator=self.data_gen)
            x, mask = codes_to_onehot(codes).to(self.device), mask.to(self.device)
            return generator_step(self.generator_model, self.ema, self.gen_optimizer, x, mask,
                                  condition=condition, generator=self.aug_gen, loss_fn=self.generator_loss,
                                  amp=self.amp)

        self._epoch_loop(phase, step, batch_size=self.config.diffaug.generator_batch_size,
                         modules=(self.generator_model,))
        self._log_condition_gap(phase)

    def _fit_condition(self) -> None:
        """The masked generator's condition standardisation, from the frozen encoder's h of a fixed
        subset of training windows (deterministic, so a resumed B-step sets the same values)."""
        self.generator_model.fit_condition(condition_sample(self.condition, self.data.train, length=self.length,
                                                            device=self.device))
        self.ema.sync_buffers(self.generator_model, ("cond_mean", "cond_std"))

    def _log_condition_gap(self, phase: Phase) -> None:
        """The condition-use diagnostic of the EMA generator after a B-step, as a "condition_gap" line.

        Its own seeded generator: the training random streams are not touched.
        """
        d = self.config.diffaug
        if not self.dist.is_main or d.condition_gap_sample < 2 or len(self.data.train) < 2:
            return
        gap = loop_condition_gap(self.generator_model, self.ema, self.condition, self.data.train,
                                 length=self.length, sample=d.condition_gap_sample, seed=self.config.seed,
                                 device=self.device)
        self.run_dir.log("condition_gap", phase=phase.name, round=phase.round,
                         global_step=self.state["global_step"], **gap)

    def _run_generate(self, phase: Phase) -> None:
        """Fill the bank (N, K, L) for all training sequences, save it, log and plot diagnostics."""
        d = self.config.diffaug
        seed = epoch_seed(self.config.seed, self.state["phase_index"], 0)
        gen = torch.Generator().manual_seed(seed + (7919 * self.dist.rank if self.dist.enabled else 0))
        n, k = len(self.data.train), d.positives
        # under torchrun each rank samples for sequences rank, rank + world, ... and the bank is gathered
        mine = (subset(self.data.train, np.arange(self.dist.rank, n, self.dist.world)) if self.dist.enabled
                else self.data.train)
        rows = np.full((len(mine), k, self.length), bank_io.NO_BASE, dtype=np.uint8)
        batch = max(1, d.generator_batch_size // k)
        stats = FilterStats()
        positives = fill_bank(self.generator_model, self.ema, onehot_batches(mine, self.length, batch), k=k,
                              condition=self.condition, settings=d.sampling(), generator=gen, device=self.device,
                              stats=stats)

        def store(item: tuple[np.ndarray, torch.Tensor]) -> None:
            idx, pos = item
            rows[idx] = bank_io.from_onehot(pos).reshape(len(idx), k, self.length)

        started = time.perf_counter()
        self._epoch_loop(phase, store, passes=lambda: (math.ceil(len(mine) / batch), positives),
                         desc=f"{phase.name} sampling {k} per sequence")
        bank = distributed.gather_rows(self.dist, torch.from_numpy(rows), n).numpy()
        seconds = time.perf_counter() - started
        if self.dist.is_main:
            bank_io.save(self.run_dir.bank, bank)
        self.bank = bank
        self.state["bank_round"] = phase.round
        self.run_dir.log("generate", phase=phase.name, round=phase.round, global_step=self.state["global_step"],
                         sequences=n * k, seconds=round(seconds, 3), seq_per_s=round(n * k / max(seconds, 1e-9), 1),
                         candidates=d.candidates, **(stats.summary() if d.candidates > 1 else {}))
        if not self.dist.is_main or d.diagnostics_sample == 0:  # 0: diagnostics off
            return
        diagnostics = bank_diagnostics(self.embed, self.data.train, bank, length=self.length,
                                       sample=d.diagnostics_sample, seed=self.config.seed, round_index=phase.round,
                                       device=self.device)
        self.run_dir.log("diagnostics", phase=phase.name, round=phase.round, global_step=self.state["global_step"],
                         **{k: v for k, v in diagnostics.items() if k != "round"})
        plot_rounds(self.run_dir.read_metrics(), self.run_dir.path / "diagnostics.png")


def _first(packed, n: int):
    """The first n sequences (the label-free criterion's fallback when there is no hold-out)."""
    return subset(packed, np.arange(min(n, len(packed))))
