"""Tiny seeded data and configs for fast training tests."""

from __future__ import annotations

import numpy as np

from dnaaug.data.records import Record
from dnaaug.train.config import TrainConfig


def random_records(n: int = 48, length: int = 40, seed: int = 0, vary: bool = False) -> list[Record]:
    """n random DNA records (lengths vary around ``length`` when ``vary``)."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    out = []
    for i in range(n):
        size = int(rng.integers(length // 2, length * 2)) if vary else length
        out.append(Record(f"r{i}", letters[rng.integers(0, 4, size)].tobytes().decode(), str(i % 2)))
    return out


def tiny_config(**overrides) -> TrainConfig:
    """A config that trains in about a second: 2 epochs, width-16 encoder, window 32."""
    base = {
        "length": 32, "epochs": 2, "batch_size": 16, "val_size": 0, "log_every": 1, "projection_dim": 8,
        "augment": "rc+translocation:shift=3",
        "encoder": {"width": 16, "depth": 1, "kernel": 3, "stem_kernel": 5},
        "diffaug": {"warmup_epochs": 1, "rounds": 1, "generator_epochs": 1, "contrastive_epochs": 1,
                    "positives": 2, "sampling_steps": 3, "denoiser_channels": 8, "denoiser_depth": 1,
                    "generator_batch_size": 16, "diagnostics_sample": 16, "diffusion_steps": 50},
    }
    return TrainConfig().updated(base).updated(overrides)
