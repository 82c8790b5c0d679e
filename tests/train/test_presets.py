"""Presets: each builds a valid TrainConfig with the recipe the README's Presets table states."""

from __future__ import annotations

import pytest

from dnaaug.errors import ConfigError
from dnaaug.train import TrainConfig
from dnaaug.train.presets import PRESETS, WEIGHT_DECAY, preset


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_builds_a_config_whose_epochs_match_the_diffaug_budget(name):
    config = TrainConfig().updated(preset(name))
    d = config.diffaug
    assert config.epochs == d.warmup_epochs + d.rounds * d.contrastive_epochs


@pytest.mark.parametrize("name", ["demo", "cpu-small", "paper"])
def test_user_presets_use_the_ablated_weight_decay(name):
    assert WEIGHT_DECAY == 0.05
    assert TrainConfig().updated(preset(name)).weight_decay == WEIGHT_DECAY


def test_smoke_keeps_the_config_default_weight_decay():
    # the behaviour pin (tests/train/test_behaviour_pin.py) trains at TrainConfig's default
    assert TrainConfig().updated(preset("smoke")).weight_decay == TrainConfig().weight_decay == 1e-4


def test_unknown_preset_names_the_choices():
    with pytest.raises(ConfigError, match="cpu-small"):
        preset("cpu-large")
