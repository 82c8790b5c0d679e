"""Generator loss against a hand-written reference, EMA, config round trip, and a tiny overfit run."""

from __future__ import annotations

import io
import time

import pytest
import torch
import torch.nn.functional as F

from dnaaug.diffusion.ema import EMA
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.samplers import ddim_sample, to_onehot
from dnaaug.diffusion.schedule import ScheduleConfig
from dnaaug.errors import CheckpointError, ConfigError, InputError
from dnaaug.diffusion.network import DenoiserConfig

SMALL = DenoiserConfig(channels=16, depth=2, kernel=3, time_dim=16, cond_dropout=0.3)


def onehot(indices: torch.Tensor) -> torch.Tensor:
    return F.one_hot(indices, 4).float().permute(0, 2, 1)


def test_loss_matches_reference(gen):
    model = ConditionalGenerator.build(5, SMALL, ScheduleConfig(kind="linear", num_train_steps=100))
    x = onehot(torch.randint(0, 4, (6, 11), generator=gen))
    cond = torch.randn(6, 5, generator=gen)
    mask = torch.ones(6, 11, dtype=torch.bool)
    mask[2, 6:] = False
    x[2, :, 6:] = 0
    loss = model.loss(x, cond, generator=torch.Generator().manual_seed(7), mask=mask)
    # reference: the same draws in the documented order, then a hand-written masked mean
    g = torch.Generator().manual_seed(7)
    t = torch.randint(0, 100, (6,), generator=g)
    noise = torch.randn(6, 4, 11, generator=g)
    drop = torch.rand(6, generator=g) < 0.3
    abar = model.schedule.alphas_cumprod[t].view(-1, 1, 1)
    x_t = abar.sqrt() * (2 * x - 1) + (1 - abar).sqrt() * noise
    eps_hat = model.denoiser(x_t, t, cond, mask=mask, drop_cond=drop)
    total, count = 0.0, 0
    for i in range(6):
        n_real = int(mask[i].sum())
        total += ((eps_hat[i, :, :n_real] - noise[i, :, :n_real]) ** 2).sum()
        count += 4 * n_real
    torch.testing.assert_close(loss, total / count)
    # seeded: same generator seed, same loss; gradients reach every parameter
    again = model.loss(x, cond, generator=torch.Generator().manual_seed(7), mask=mask)
    assert loss.item() == again.item()
    again.backward()
    assert all(p.grad is not None for p in model.parameters())


def test_loss_errors(gen):
    model = ConditionalGenerator.build(5, SMALL)
    with pytest.raises(InputError, match="cond"):
        model.loss(torch.zeros(2, 4, 8), torch.zeros(3, 5), generator=gen)
    with pytest.raises(InputError, match="Generator"):
        model.loss(torch.zeros(2, 4, 8), torch.zeros(2, 5), generator=None)


def test_config_round_trip():
    model = ConditionalGenerator.build(7, SMALL, ScheduleConfig(kind="linear"))
    data = model.config_dict()
    clone = ConditionalGenerator.from_config_dict(data)
    clone.load_state_dict(model.state_dict())
    assert clone.config_dict() == data
    assert set(model.state_dict()) == {f"denoiser.{k}" for k in model.denoiser.state_dict()}
    with pytest.raises(CheckpointError):
        ConditionalGenerator.from_config_dict({"cond_dim": 7, "denoiser": {"width": 3}, "schedule": {}})
    with pytest.raises(ConfigError):
        DenoiserConfig(cond_dropout=1.0)


def test_ema():
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.bias.fill_(0.0)
    ema = EMA(model, decay=0.9, warmup=False)
    with torch.no_grad():
        model.weight.fill_(2.0)
    ema.update(model)
    torch.testing.assert_close(ema.shadow["weight"], torch.full((2, 3), 1.1))
    ema.update(model)
    torch.testing.assert_close(ema.shadow["weight"], torch.full((2, 3), 1.19))
    target = torch.nn.Linear(3, 2)
    ema.copy_to(target)
    torch.testing.assert_close(target.weight, torch.full((2, 3), 1.19))
    # plain-data state, loadable with weights_only
    buffer = io.BytesIO()
    torch.save(ema.state_dict(), buffer)
    buffer.seek(0)
    fresh = EMA(model, decay=0.5)
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    assert fresh.decay == 0.9 and fresh.num_updates == 2
    torch.testing.assert_close(fresh.shadow["weight"], ema.shadow["weight"])
    # warm-up: the first update uses decay (1 + 0) / (10 + 0) = 0.1
    warm = EMA(model, decay=0.999)
    assert warm.current_decay() == pytest.approx(0.1)
    with pytest.raises(CheckpointError):
        fresh.load_state_dict({"decay": 0.9})
    with pytest.raises(ConfigError):
        EMA(model, decay=1.0)


def test_tiny_generator_overfits_two_sequences():
    """Two sequences, two conditions: the loss falls and pure-noise samples reproduce the right one."""
    start = time.perf_counter()
    g = torch.Generator().manual_seed(0)
    seqs = torch.randint(0, 4, (2, 16), generator=g)
    x = onehot(seqs)
    cond = torch.eye(2) * 3
    model = ConditionalGenerator.build(2, DenoiserConfig(channels=32, depth=2, kernel=5, time_dim=32))
    w = torch.Generator().manual_seed(1)
    with torch.no_grad():  # deterministic initialisation without the global random state
        for name, p in model.named_parameters():
            if p.dim() > 1 and "film" not in name:
                p.copy_(torch.randn(p.shape, generator=w) / p[0].numel() ** 0.5)
    ema = EMA(model, decay=0.99)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xb, cb = x.repeat(16, 1, 1), cond.repeat(16, 1)
    losses = []
    for _ in range(400):
        loss = model.loss(xb, cb, generator=g)
        opt.zero_grad()
        loss.backward()
        opt.step()
        ema.update(model)
        losses.append(loss.item())
    assert sum(losses[-20:]) / 20 < 0.3 * sum(losses[:20]) / 20
    sampler = ConditionalGenerator.build(2, DenoiserConfig(channels=32, depth=2, kernel=5, time_dim=32))
    ema.copy_to(sampler)
    out = to_onehot(ddim_sample(sampler.denoiser, sampler.schedule, cond.repeat(8, 1), length=16, steps=20,
                                generator=torch.Generator().manual_seed(5)))
    target = seqs.repeat(8, 1)
    identity_own = (out.argmax(1) == target).float().mean(1)
    identity_other = (out.argmax(1) == target.flip(0)).float().mean(1)
    assert torch.all(identity_own > identity_other)  # every sample is its own condition's sequence
    assert identity_own.mean() > 0.9
    assert (identity_own == 1).float().mean() >= 0.5
    assert time.perf_counter() - start < 30
