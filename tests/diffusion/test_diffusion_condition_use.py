"""The conditional-vs-shuffled loss gap on hand-made denoisers with a known use of the condition."""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dnaaug.diffusion.condition_use import condition_gap, derangement, format_condition_gap, level_timesteps
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.network import DenoiserConfig
from dnaaug.diffusion.schedule import NoiseSchedule, ScheduleConfig
from dnaaug.errors import InputError

L = 12


def random_onehot(n: int, length: int, gen: torch.Generator) -> torch.Tensor:
    idx = torch.randint(0, 4, (n, length), generator=gen)
    return F.one_hot(idx, 4).float().permute(0, 2, 1).contiguous()


class Oracle(nn.Module):
    """Reads x0 off its condition (the flattened one-hot), so the true condition gives the exact eps.

    With the null condition it guesses x0 = 0; with another sequence's condition, the wrong x0.
    """

    def __init__(self, steps: int = 100):
        super().__init__()
        self.schedule = NoiseSchedule(ScheduleConfig(num_train_steps=steps))
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x_t, t, cond, mask=None, drop_cond=None):
        abar = self.schedule.abar(t)
        guess = 2.0 * cond.view(-1, 4, x_t.shape[2]) - 1.0
        if drop_cond is not None:
            guess = torch.where(drop_cond[:, None, None], torch.zeros_like(guess), guess)
        return (x_t - abar.sqrt() * guess) / (1 - abar).sqrt()


def blind_generator(cond_dim: int = 6) -> ConditionalGenerator:
    """A real denoiser whose condition path is zeroed and whose null is zero: it ignores the condition."""
    torch.manual_seed(0)  # weights only; the diagnostic itself draws from its own generator
    model = ConditionalGenerator.build(cond_dim, DenoiserConfig(channels=8, depth=2, time_dim=8),
                                       ScheduleConfig(num_train_steps=100))
    with torch.no_grad():
        for block in model.denoiser.blocks:  # non-trivial FiLM from the time embedding
            block.film.weight.normal_(0, 0.3)
        last = model.denoiser.cond_mlp[-1]
        last.weight.zero_()
        last.bias.zero_()
        model.denoiser.null_cond.zero_()
    return model


def test_level_timesteps_and_derangement(gen):
    assert level_timesteps(1000, 10) == [50, 150, 250, 350, 450, 550, 650, 750, 850, 950]
    assert level_timesteps(7, 7) == list(range(7))
    with pytest.raises(InputError):
        level_timesteps(10, 0)
    for n in (2, 3, 17):
        perm = derangement(n, gen)
        assert sorted(perm.tolist()) == list(range(n))
        assert bool((perm != torch.arange(n)).all())
    with pytest.raises(InputError):
        derangement(1, gen)


def test_shapes_json_and_determinism(gen):
    model = blind_generator()
    x = random_onehot(9, L, gen)
    cond = torch.randn(9, 6, generator=gen)
    mask = torch.ones(9, L, dtype=torch.bool)
    mask[0, 8:] = False
    x[0, :, 8:] = 0.0
    a = condition_gap(model, x, cond, mask, levels=5, generator=torch.Generator().manual_seed(3), repeats=2,
                      batch_size=4)
    b = condition_gap(model, x, cond, mask, levels=5, generator=torch.Generator().manual_seed(3), repeats=2,
                      batch_size=4)
    c = condition_gap(model, x, cond, mask, levels=5, generator=torch.Generator().manual_seed(4), repeats=2)
    assert a == b and a != c
    for key in ("levels", "abar", "loss_true", "loss_shuffled", "loss_null", "ratio_shuffled", "ratio_null",
                "gap_shuffled_se"):
        assert len(a[key]) == 5, key
    assert a["levels"] == [10, 30, 50, 70, 90]
    assert all(x1 > x2 for x1, x2 in zip(a["abar"], a["abar"][1:]))  # noise grows with t
    assert a["n_sequences"] == 9 and a["repeats"] == 2
    assert a["medium"]["levels"] and all(0.2 <= a["abar"][a["levels"].index(t)] <= 0.8
                                         for t in a["medium"]["levels"])
    json.dumps(a)  # plain data
    table = format_condition_gap(a)
    assert table.count("\n|") == 6 and "Medium noise" in table
    # explicit timesteps and batch size do not change the figures
    d = condition_gap(model, x, cond, mask, levels=[10, 30, 50, 70, 90], repeats=2, batch_size=256,
                      generator=torch.Generator().manual_seed(3))
    assert d["loss_true"] == pytest.approx(a["loss_true"], rel=1e-5)


def test_blind_denoiser_ratio_is_one(gen):
    model = blind_generator()
    x = random_onehot(16, L, gen)
    cond = torch.randn(16, 6, generator=gen)
    out = condition_gap(model, x, cond, levels=4, generator=gen)
    assert all(v > 0 for v in out["loss_true"])
    assert out["ratio_shuffled"] == pytest.approx([1.0] * 4, abs=1e-6)
    assert out["ratio_null"] == pytest.approx([1.0] * 4, abs=1e-6)
    assert out["medium"]["ratio_shuffled"] == pytest.approx(1.0, abs=1e-6)


def test_condition_reading_denoiser_ratio_below_one(gen):
    model = Oracle()
    x = random_onehot(32, L, gen)
    cond = x.flatten(1)
    out = condition_gap(model, x, cond, levels=10, generator=gen)
    assert max(out["loss_true"]) < 1e-6  # the true condition gives the exact noise
    assert all(r is not None and r < 0.01 for r in out["ratio_shuffled"])
    assert all(r is not None and r < 0.01 for r in out["ratio_null"])
    assert out["medium"]["ratio_shuffled"] < 0.01
    # the shuffled gap grows with abar / (1 - abar): larger at low noise for this oracle
    assert out["loss_shuffled"][0] > out["loss_shuffled"][-1]


def test_bad_inputs(gen):
    model = blind_generator()
    x = random_onehot(4, L, gen)
    cond = torch.randn(4, 6, generator=gen)
    with pytest.raises(InputError):
        condition_gap(model, x[:1], cond[:1], levels=2, generator=gen)
    with pytest.raises(InputError):
        condition_gap(model, x, cond[:3], levels=2, generator=gen)
    with pytest.raises(InputError):
        condition_gap(model, x, cond, levels=[100], generator=gen)
    with pytest.raises(InputError):
        condition_gap(model, x, cond, levels=2, generator=None)
    with pytest.raises(InputError):
        condition_gap(model, x, cond, levels=2, generator=gen, repeats=0)
    none_in_band = condition_gap(model, x, cond, levels=[0, 1], generator=gen)
    assert none_in_band["medium"]["ratio_shuffled"] is None
    assert math.isfinite(none_in_band["gap_shuffled_se"][0])
