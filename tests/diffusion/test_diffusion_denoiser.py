"""Conditional denoiser: shapes, padding invariance, null condition, timestep embedding, errors."""

from __future__ import annotations

import math

import pytest
import torch

from dnaaug.errors import ConfigError, InputError
from dnaaug.diffusion.network import ConditionalDenoiser, DenoiserConfig, timestep_embedding


def make_net(cond_dim: int = 6, seed: int = 0, **kw) -> ConditionalDenoiser:
    net = ConditionalDenoiser(cond_dim, **{"channels": 16, "depth": 3, "kernel": 5, "time_dim": 16, **kw})
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # FiLM starts at zero: redraw every weight so the condition matters
        for name, p in net.named_parameters():
            if "norm" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    return net


def test_default_is_small():
    net = ConditionalDenoiser(128)
    assert net.config == DenoiserConfig(channels=64, depth=4, kernel=5, time_dim=64, cond_dropout=0.1)
    assert sum(p.numel() for p in net.parameters()) < 600_000


def test_shapes_and_devices(gen, device):
    net = make_net().to(device)
    x = torch.randn(3, 4, 21, generator=gen).to(device)
    cond = torch.randn(3, 6, generator=gen).to(device)
    out = net(x, torch.tensor([0, 10, 999], device=device), cond)
    assert out.shape == (3, 4, 21) and out.dtype == torch.float32 and out.device.type == device.type
    # a 0-dim t broadcasts
    torch.testing.assert_close(net(x, torch.tensor(5, device=device), cond),
                               net(x, torch.full((3,), 5, device=device), cond))


def test_padding_does_not_leak(gen):
    """Output at real bases equals the output on the unpadded sequence; padding output is zero."""
    net = make_net()
    x = torch.randn(2, 4, 30, generator=gen)
    cond = torch.randn(2, 6, generator=gen)
    t = torch.tensor([100, 700])
    mask = torch.zeros(2, 30, dtype=torch.bool)
    mask[0, :30] = True
    mask[1, :18] = True
    garbage = x.clone()
    garbage[1, :, 18:] = 50.0  # whatever lies in the padding must not matter
    out = net(garbage, t, cond, mask=mask)
    assert torch.all(out[1, :, 18:] == 0)
    short = net(x[1:, :, :18], t[1:], cond[1:])
    torch.testing.assert_close(out[1:, :, :18], short, atol=1e-5, rtol=1e-5)


def test_null_condition(gen):
    net = make_net()
    x = torch.randn(4, 4, 12, generator=gen)
    t = torch.full((4,), 300)
    c1, c2 = torch.randn(4, 6, generator=gen), torch.randn(4, 6, generator=gen)
    assert not torch.allclose(net(x, t, c1), net(x, t, c2))
    drop = torch.tensor([True, False, True, False])
    a, b = net(x, t, c1, drop_cond=drop), net(x, t, c2, drop_cond=drop)
    torch.testing.assert_close(a[drop], b[drop])  # dropped rows ignore the condition
    torch.testing.assert_close(a[drop], net(x, t, None)[drop])  # ... and equal the unconditional pass
    assert not torch.allclose(a[~drop], b[~drop])
    # the null embedding is learned
    assert net.null_cond.requires_grad


def test_timestep_embedding_golden():
    emb = timestep_embedding(torch.tensor([0, 3]), 8)
    freqs = [math.exp(-math.log(10000) * i / 4) for i in range(4)]
    expected = [[math.sin(3 * f) for f in freqs] + [math.cos(3 * f) for f in freqs]]
    torch.testing.assert_close(emb[1:], torch.tensor(expected), atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(emb[0], torch.tensor([0.0] * 4 + [1.0] * 4))


def test_input_errors():
    net = make_net()
    x = torch.zeros(2, 4, 8)
    with pytest.raises(InputError, match=r"\(N, 4, L\)"):
        net(torch.zeros(2, 5, 8), torch.zeros(2, dtype=torch.long), None)
    with pytest.raises(InputError, match="cond"):
        net(x, torch.zeros(2, dtype=torch.long), torch.zeros(2, 5))
    with pytest.raises(InputError, match="mask"):
        net(x, torch.zeros(2, dtype=torch.long), None, mask=torch.ones(2, 7, dtype=torch.bool))
    with pytest.raises(InputError, match="t must"):
        net(x, torch.zeros(3, dtype=torch.long), None)
    with pytest.raises(InputError, match="drop_cond"):
        net(x, torch.zeros(2, dtype=torch.long), None, drop_cond=torch.zeros(2))
    with pytest.raises(ConfigError, match="kernel"):
        ConditionalDenoiser(4, kernel=4)
