"""Noise schedule: golden values from the formulas, add_noise, timestep subsets, config errors."""

from __future__ import annotations

import math

import pytest
import torch

from dnaaug.diffusion.schedule import NoiseSchedule, ScheduleConfig
from dnaaug.errors import ConfigError, InputError


def reference_abar(kind: str, T: int = 1000, b0: float = 1e-4, b1: float = 0.02) -> list[float]:
    """Slow reference: the formulas, one step at a time in Python floats."""
    if kind == "linear":
        betas = [b0 + (b1 - b0) * i / (T - 1) for i in range(T)]
    else:
        s = 0.008
        f = [math.cos(((i / T) + s) / (1 + s) * math.pi / 2) ** 2 for i in range(T + 1)]
        betas = [min(1 - f[i + 1] / f[i], 0.999) for i in range(T)]
    out, prod = [], 1.0
    for b in betas:
        prod *= 1 - b
        out.append(prod)
    return out


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_alphas_cumprod_golden(kind):
    sched = NoiseSchedule(ScheduleConfig(kind=kind))
    ref = reference_abar(kind)
    assert sched.alphas_cumprod.dtype == torch.float32 and sched.alphas_cumprod.shape == (1000,)
    for t in (0, 499, 999):
        assert sched.alphas_cumprod[t].item() == pytest.approx(ref[t], rel=1e-5, abs=1e-12)
    # monotone decreasing from ~1 to ~0
    assert torch.all(sched.alphas_cumprod[1:] < sched.alphas_cumprod[:-1])


def test_alphas_cumprod_pinned_numbers():
    linear = NoiseSchedule(ScheduleConfig(kind="linear"))
    cosine = NoiseSchedule(ScheduleConfig(kind="cosine"))
    assert linear.alphas_cumprod[0].item() == pytest.approx(0.9999, rel=1e-6)
    assert linear.alphas_cumprod[499].item() == pytest.approx(0.0785872, rel=1e-5)
    assert linear.alphas_cumprod[999].item() == pytest.approx(4.03583e-05, rel=1e-4)
    assert cosine.alphas_cumprod[499].item() == pytest.approx(0.4938436, rel=1e-5)
    assert cosine.alphas_cumprod[999].item() == pytest.approx(2.42877e-09, rel=1e-3)


def test_add_noise_matches_formula(gen):
    sched = NoiseSchedule(ScheduleConfig(kind="linear", num_train_steps=50))
    x0 = torch.randn(3, 4, 7, generator=gen)
    noise = torch.randn(3, 4, 7, generator=gen)
    t = torch.tensor([0, 17, 49])
    out = sched.add_noise(x0, noise, t)
    ref = reference_abar("linear", T=50)
    for i, ti in enumerate(t.tolist()):
        a = ref[ti]
        expected = math.sqrt(a) * x0[i] + math.sqrt(1 - a) * noise[i]
        torch.testing.assert_close(out[i], expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(InputError):
        sched.add_noise(x0, noise[:2], t)
    with pytest.raises(InputError):
        sched.add_noise(x0, noise, torch.tensor([0.5, 1.0, 2.0]))


def test_sample_timesteps_seeded():
    sched = NoiseSchedule()
    a = sched.sample_timesteps(500, torch.Generator().manual_seed(3))
    b = sched.sample_timesteps(500, torch.Generator().manual_seed(3))
    c = sched.sample_timesteps(500, torch.Generator().manual_seed(4))
    assert a.dtype == torch.long and torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= 0 and a.max() < 1000


def test_ddim_timesteps():
    sched = NoiseSchedule()
    assert sched.ddim_timesteps(10).tolist() == [999, 888, 777, 666, 555, 444, 333, 222, 111, 0]
    assert sched.ddim_timesteps(4, t_start=400).tolist() == [400, 267, 133, 0]
    assert sched.ddim_timesteps(1, t_start=7).tolist() == [7]
    assert sched.ddim_timesteps(50, t_start=3).tolist() == [3, 2, 1, 0]  # no repeated steps
    assert sched.start_timestep(0.4) == 400 and sched.start_timestep(1.0) == 999
    with pytest.raises(InputError):
        sched.ddim_timesteps(0)
    with pytest.raises(InputError):
        sched.start_timestep(0.0)


def test_config_errors():
    with pytest.raises(ConfigError, match="kind"):
        ScheduleConfig(kind="quadratic")
    with pytest.raises(ConfigError):
        ScheduleConfig(num_train_steps=1)
    with pytest.raises(ConfigError):
        ScheduleConfig(beta_start=0.1, beta_end=0.01)
    with pytest.raises(Exception):  # frozen
        ScheduleConfig().kind = "linear"


def test_ddim_step_eta0_recovers_x0_with_true_noise(gen):
    """Given the exact noise, a DDIM step lands on the forward-process point of t_prev."""
    sched = NoiseSchedule()
    x0 = torch.rand(2, 4, 5, generator=gen) * 2 - 1
    eps = torch.randn(2, 4, 5, generator=gen)
    t = torch.tensor([600, 600])
    tp = torch.tensor([300, 300])
    x_prev, x0_hat = sched.ddim_step(sched.add_noise(x0, eps, t), eps, t, tp)
    torch.testing.assert_close(x0_hat, x0, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(x_prev, sched.add_noise(x0, eps, tp), atol=1e-4, rtol=1e-4)
    # the last step (t_prev = -1) returns x0 itself
    x_end, _ = sched.ddim_step(sched.add_noise(x0, eps, tp), eps, tp, torch.tensor([-1, -1]))
    torch.testing.assert_close(x_end, x0, atol=1e-4, rtol=1e-4)


def test_ddpm_step_posterior_mean(gen):
    """One-step DDPM posterior mean against the textbook coefficients (Ho et al. eq. 7)."""
    sched = NoiseSchedule(ScheduleConfig(kind="linear"))
    x0 = torch.rand(1, 4, 3, generator=gen) * 2 - 1
    eps = torch.randn(1, 4, 3, generator=gen)
    t_i = 250
    t, tp = torch.tensor([t_i]), torch.tensor([t_i - 1])
    x_t = sched.add_noise(x0, eps, t)
    zero = torch.Generator().manual_seed(9)
    draw = torch.randn(1, 4, 3, generator=torch.Generator().manual_seed(9))
    x_prev, _ = sched.ddpm_step(x_t, eps, t, tp, generator=zero)
    a_t, a_p = sched.alphas_cumprod[t_i].double(), sched.alphas_cumprod[t_i - 1].double()
    beta = sched.betas[t_i].double()
    coef_x0 = a_p.sqrt() * beta / (1 - a_t)
    coef_xt = (1 - beta).sqrt() * (1 - a_p) / (1 - a_t)
    mean = coef_x0 * x0.double() + coef_xt * x_t.double()
    var = beta * (1 - a_p) / (1 - a_t)
    torch.testing.assert_close(x_prev.double(), mean + var.sqrt() * draw.double(), atol=1e-4, rtol=1e-4)
