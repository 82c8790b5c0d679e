"""The Python API of training: ``train(...)`` and ``load_encoder(...)``; the CLI calls these.

Example::

    from dnaaug.train import TrainConfig, train, load_encoder
    from dnaaug.data import read_inputs

    run = train(read_inputs(["train.fa"]), "runs/rc", TrainConfig(augment="rc+translocation:shift=20"))
    model = load_encoder("runs/rc")          # trunk only: h, not z
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

import dnaaug
from dnaaug.data.records import Record
from dnaaug.errors import CheckpointError, ConfigError, InputError
from dnaaug.encoding import build_encoder, condition_fn
from dnaaug.models.encoder import CNNEncoder
from dnaaug.data.validation import check_kmer_lengths
from dnaaug.tokenize import KmerTokenizer, parse_tokenizer
from dnaaug.atomic import atomic_write_text
from dnaaug.train.checkpoint import load_checkpoint
from dnaaug.train.config import TrainConfig
from dnaaug.train.data import TrainData, default_length
from dnaaug.train.device import resolve_device
from dnaaug.train.run_dir import RunDir
from dnaaug.train.trainer import Trainer

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a finished run reports: its folder, final state and metrics lines."""

    run_dir: Path
    state: dict[str, Any]
    metrics: list[dict[str, Any]]


def _fingerprint(data: TrainData) -> str:
    h = hashlib.sha256()
    for packed in (data.train, data.val):
        h.update(packed.codes.tobytes())
        h.update(packed.lengths.tobytes())
    return h.hexdigest()[:16]


def train(records: Iterable[Record], out: str | Path, config: TrainConfig | None = None, *,
          device: str | torch.device = "auto", resume: bool = False, progress: bool = True,
          inputs: list[str] | None = None) -> RunResult:
    """Train an encoder on unlabelled records into the run folder ``out``.

    records: any iterable of Record (labels ignored); read once into a packed buffer
    config:  TrainConfig (None: defaults); for ``resume`` the folder's own config.json is used
    inputs:  the input paths, recorded in ``inputs.json`` for provenance
    """
    from dnaaug.train import distributed

    info = distributed.from_env()
    run = RunDir(out, create=info.is_main)
    if info.is_main:
        run.lock()
    try:
        if resume:
            config = read_run_config(run.path)
        config = config or TrainConfig()
        data = TrainData.from_records(records, val_size=config.val_size, seed=config.seed,
                                      source=", ".join(inputs) if inputs else None)
        if config.length is None:
            config = replace(config, length=default_length(data.train.lengths))
        tokenizer = parse_tokenizer(config.tokenizer, config.length)
        if isinstance(tokenizer, KmerTokenizer):
            check_kmer_lengths(data.train.lengths, data.train.ids, tokenizer.k,
                               source=", ".join(inputs) if inputs else None)
        fingerprint = _fingerprint(data)
        if resume:
            saved = json.loads((run.path / "inputs.json").read_text()) if (run.path / "inputs.json").exists() else {}
            if saved.get("fingerprint") not in (None, fingerprint):
                raise InputError(f"{run.path}: the input data differs from the data this run started with "
                                 "(resume needs the same inputs)")
            if not run.last.exists():  # killed before its first checkpoint: start it again
                log.warning("%s: no checkpoint yet; starting the run from the beginning", run.path)
                resume = False
        elif run.last.exists():
            raise InputError(f"{run.path}: already holds a run; use --resume {run.path} to continue it "
                             "or choose another --out")
        trainer = Trainer(config, data, run, device=resolve_device(device), progress=progress)
        distributed.barrier(info)  # every rank has checked the folder before rank 0 writes into it
        if not resume and info.is_main:
            atomic_write_text(run.config, json.dumps({"dnaaug_version": dnaaug.__version__, **config.to_dict()},
                                                     indent=2) + "\n")
            atomic_write_text(run.path / "inputs.json", json.dumps(
                {"inputs": inputs or [], "n_sequences": len(data.train) + len(data.val),
                 "fingerprint": fingerprint}, indent=2) + "\n")
        state = trainer.run(resume=resume)
        return RunResult(run.path, state, run.read_metrics())
    finally:
        run.unlock()
        distributed.teardown(info)


def read_run_config(run_dir: str | Path) -> TrainConfig:
    """The resolved TrainConfig of a run folder (every key must be present)."""
    path = Path(run_dir) / "config.json"
    if not path.exists():
        raise InputError(f"{run_dir}: not a dnaaug run folder (no config.json)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}: line {err.lineno}: invalid JSON ({err.msg})") from None
    data.pop("dnaaug_version", None)
    return TrainConfig.from_dict(data, require_all=True)


@dataclass
class TrainedEncoder:
    """A trained trunk ready to embed: ``encoder`` (eval mode), ``tokenizer``, window ``length``."""

    encoder: CNNEncoder
    tokenizer: Any
    length: int
    config: TrainConfig
    source: Path

    @property
    def embedding_dim(self) -> int:
        return self.encoder.embedding_dim


def resolve_checkpoint(path: str | Path, which: str = "last") -> Path:
    """A run folder (-> checkpoints/<which>.pt) or a checkpoint file."""
    path = Path(path)
    if path.is_dir():
        ckpt = path / "checkpoints" / f"{which}.pt"
        if not ckpt.exists():
            raise CheckpointError(f"{path}: no {which} checkpoint in this run folder")
        return ckpt
    return path


def load_encoder(path: str | Path, *, which: str = "last", device: str | torch.device = "cpu") -> TrainedEncoder:
    """Load the encoder trunk of a run folder or checkpoint file (weights_only loading)."""
    ckpt_path = resolve_checkpoint(path, which)
    ckpt = load_checkpoint(ckpt_path, map_location="cpu")
    try:
        config = TrainConfig.from_dict(ckpt["config"])
        length = int(ckpt["length"])
        encoder, tokenizer = build_encoder(replace(config, length=length), length)
        encoder.load_state_dict(ckpt["encoder"])
    except (KeyError, RuntimeError, ConfigError) as err:
        raise CheckpointError(f"{ckpt_path}: checkpoint is incomplete or does not match its config "
                              f"({str(err)[:200]})") from None
    dev = resolve_device(device)
    return TrainedEncoder(encoder.to(dev).eval(), tokenizer, length, config, ckpt_path)


__all__ = ["RunResult", "TrainedEncoder", "load_diffusion_augmenter", "load_encoder", "read_run_config",
           "resolve_checkpoint", "train"]


def load_diffusion_augmenter(path: str | Path, *, which: str = "last", device: str | torch.device = "cpu"):
    """The DiffAug augmenter of a run: its EMA generator conditioned on its encoder's embeddings.

    Settings (steps, strength, guidance, sampler) come from the run's config
    (``DiffAugConfig.sampling()``), so its views are drawn exactly as the run's bank was.
    """
    from dnaaug.diffusion.augmenter import DiffusionAugmenter
    from dnaaug.diffusion.families import generator_from_config_dict

    ckpt_path = resolve_checkpoint(path, which)
    ckpt = load_checkpoint(ckpt_path, map_location="cpu")
    if not ckpt.get("generator_config") or not ckpt.get("ema"):
        raise CheckpointError(f"{ckpt_path}: this run has no diffusion generator (train with --augment diffaug)")
    trained = load_encoder(path, which=which, device=device)
    dev = next(trained.encoder.parameters()).device
    model = generator_from_config_dict(ckpt["generator_config"])
    try:
        model.load_state_dict(ckpt["ema"]["shadow"])
    except (KeyError, RuntimeError) as err:
        raise CheckpointError(f"{ckpt_path}: generator weights do not match ({str(err)[:200]})") from None
    model = model.to(dev).eval()

    condition = condition_fn(trained.encoder, trained.tokenizer)
    return DiffusionAugmenter(model, condition, settings=trained.config.diffaug.sampling()), trained
