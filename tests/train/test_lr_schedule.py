"""The encoder's learning-rate schedule: warm-up then cosine, stateless, over all A-step phases."""

import math

import pytest

from dnaaug.errors import ConfigError
from dnaaug.train.config import TrainConfig
from dnaaug.train.lr_schedule import encoder_steps_done, lr_factor


def test_constant_is_one_everywhere():
    assert {lr_factor(s, 100, kind="constant") for s in range(100)} == {1.0}


def test_cosine_warms_up_then_decays_to_final():
    total = 200
    f = [lr_factor(s, total, warmup=0.1, final=0.01) for s in range(total)]
    assert f[0] == pytest.approx(1 / 20) and f[19] == pytest.approx(1.0)
    assert all(a <= b for a, b in zip(f[:20], f[1:20]))          # rising during warm-up
    assert all(a >= b for a, b in zip(f[20:], f[21:]))            # falling after it
    assert f[-1] == pytest.approx(0.01, abs=1e-3)
    mid = 20 + 90
    assert f[mid] == pytest.approx(0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * 90 / 180)))


def test_zero_warmup_starts_at_full_rate():
    assert lr_factor(0, 50, warmup=0.0) == pytest.approx(1.0)


def test_unknown_kind_is_a_config_error():
    with pytest.raises(ConfigError, match="lr_schedule"):
        lr_factor(0, 10, kind="step")


def test_steps_done_counts_only_contrastive_phases():
    # warmup (2 epochs), generator (0: not contrastive), generate (0), contrastive-r1 (3 epochs)
    epochs = [2, 0, 0, 3]
    assert encoder_steps_done(epochs, 0, 0, 0, 10) == 0
    assert encoder_steps_done(epochs, 0, 1, 4, 10) == 14
    assert encoder_steps_done(epochs, 3, 0, 0, 10) == 20
    assert encoder_steps_done(epochs, 3, 2, 9, 10) == 49


def test_config_checks_the_schedule_settings():
    with pytest.raises(ConfigError, match="lr_schedule"):
        TrainConfig(lr_schedule="linear")
    with pytest.raises(ConfigError, match="lr_warmup"):
        TrainConfig(lr_warmup=1.5)
