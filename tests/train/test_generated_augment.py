"""``diffaug.generated_augment``: an augmenter for the generated positive, and its exclusivity
with ``diffaug.augment_generated`` (which reuses the base augmenter)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from dnaaug.errors import ConfigError
from dnaaug.train import TrainConfig, load_encoder, train
from dnaaug.train.config import DiffAugConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
from tiny import random_records  # noqa: E402

BASE = "rc+translocation:shift=4+mutation:rate=0.05"
TINY = {"batch_size": 32, "val_size": 0, "length": 32, "augment": "diffaug", "seed": 3,
        "encoder": {"width": 16, "depth": 2}, "projection_dim": 16,
        "diffaug": {"base_augment": BASE, "warmup_epochs": 1, "rounds": 1, "generator_epochs": 1,
                    "contrastive_epochs": 2, "positives": 1, "p_gen": 1.0, "sampling_steps": 2,
                    "denoiser_channels": 8, "denoiser_depth": 1, "diagnostics_sample": 0,
                    "condition_gap_sample": 0}}


def _embed(tmp_path: Path, name: str, diffaug: dict) -> np.ndarray:
    from dnaaug.embed import embed_array

    records = random_records(n=48, length=40, seed=2, vary=True)
    config = TrainConfig().updated(TINY).updated({"diffaug": diffaug})
    train(records, tmp_path / name, config, device="cpu", progress=False)
    return embed_array(load_encoder(tmp_path / name), [r.sequence for r in records], strands="forward",
                       regions=0)


def test_both_switches_at_once_are_refused():
    with pytest.raises(ConfigError, match="exclusive"):
        DiffAugConfig(augment_generated=True, generated_augment="rc")


def test_generated_augment_is_applied_and_matches_the_base_route(tmp_path):
    raw = _embed(tmp_path, "raw", {})
    events = [json.loads(line)["event"] for line in (tmp_path / "raw" / "metrics.jsonl").read_text().splitlines()]
    assert "generate" in events and "diagnostics" not in events  # diagnostics_sample 0: off
    via_base = _embed(tmp_path, "base", {"augment_generated": True})
    via_spec = _embed(tmp_path, "spec", {"generated_augment": BASE})
    shift_only = _embed(tmp_path, "shift", {"generated_augment": "translocation:shift=4"})
    # the spec route with the base spec is the base route, draw for draw
    np.testing.assert_array_equal(via_base, via_spec)
    # augmenting the generated positive changes training; a different augmenter changes it again
    assert not np.allclose(raw, via_spec)
    assert not np.allclose(via_spec, shift_only)


def test_a_bad_generated_augment_spec_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"^diffaug.generated_augment: unknown augmenter 'warp'"):
        _embed(tmp_path, "bad", {"generated_augment": "warp:speed=9"})
