"""Stronger conditioning paths of the denoiser (cond_mode, cond_norm): off in a bare DenoiserConfig (old
checkpoints), on in the DiffAug training default; shapes, padding
invariance, the condition matters, dropped rows equal the unconditional pass, checkpoint round trip."""

from __future__ import annotations

import pytest
import torch

from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.network import ConditionalDenoiser, DenoiserConfig, cond_paths
from dnaaug.errors import ConfigError
from dnaaug.train import DiffAugConfig, TrainConfig

VARIANTS = [("film+input", "none"), ("film+block", "none"), ("film+input+block", "layer"), ("film", "layer")]


def make_net(cond_mode: str, cond_norm: str, cond_dim: int = 6, seed: int = 0) -> ConditionalDenoiser:
    net = ConditionalDenoiser(cond_dim, channels=16, depth=2, kernel=5, time_dim=16, cond_mode=cond_mode,
                              cond_norm=cond_norm, cond_channels=3)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # zero-initialised projections: redraw so that every path matters
        for name, p in net.named_parameters():
            if "norm" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    return net


def test_bare_denoiser_is_film_only_and_training_default_is_strongest():
    cfg = DenoiserConfig()
    assert (cfg.cond_mode, cfg.cond_norm) == ("film", "none")
    net = ConditionalDenoiser(8, channels=16, depth=2, time_dim=16)
    assert net.cond_in is None and net.cond_norm is None and not net.uses_block_cond
    assert net.stem.in_channels == 4
    assert not any(k.startswith(("cond_in", "cond_norm")) or ".cond_film" in k for k in net.state_dict())
    assert DiffAugConfig().denoiser() == DenoiserConfig(channels=64, depth=4, cond_dropout=0.1,
                                                        cond_mode="film+input+block", cond_norm="layer")


def test_modes_and_validation():
    assert cond_paths("film") == frozenset()
    assert cond_paths("film+block+input") == {"input", "block"}
    for bad in ("input", "film+film", "film+input+input", "film+x", "", 3):
        with pytest.raises(ConfigError, match="cond_mode"):
            DenoiserConfig(cond_mode=bad)
    with pytest.raises(ConfigError, match="cond_norm"):
        DenoiserConfig(cond_norm="batch")
    with pytest.raises(ConfigError, match="cond_channels"):
        DenoiserConfig(cond_channels=0)
    with pytest.raises(ConfigError, match="diffaug: denoiser cond_mode"):
        TrainConfig().updated({"diffaug": {"cond_mode": "film+inputs"}})
    cfg = TrainConfig().updated({"diffaug": {"cond_mode": "film+input", "cond_norm": "layer", "cond_channels": 2}})
    assert cfg.diffaug.denoiser().cond_mode == "film+input" and cfg.diffaug.denoiser().cond_channels == 2


@pytest.mark.parametrize("mode,norm", VARIANTS)
def test_shapes_padding_and_condition(gen, mode, norm):
    net = make_net(mode, norm)
    x = torch.randn(2, 4, 30, generator=gen)
    c1, c2 = torch.randn(2, 6, generator=gen), torch.randn(2, 6, generator=gen)
    t = torch.tensor([100, 700])
    out = net(x, t, c1)
    assert out.shape == (2, 4, 30) and out.dtype == torch.float32
    assert not torch.allclose(out, net(x, t, c2))  # the condition changes the output
    # padding invariance: the real part equals the unpadded sequence's output, padding output is 0
    mask = torch.zeros(2, 30, dtype=torch.bool)
    mask[0] = True
    mask[1, :18] = True
    garbage = x.clone()
    garbage[1, :, 18:] = 50.0
    padded = net(garbage, t, c1, mask=mask)
    assert torch.all(padded[1, :, 18:] == 0)
    torch.testing.assert_close(padded[1:, :, :18], net(x[1:, :, :18], t[1:], c1[1:]), atol=1e-5, rtol=1e-5)
    # dropped rows ignore the condition and equal the unconditional pass
    drop = torch.tensor([True, False])
    a, b = net(x, t, c1, drop_cond=drop), net(x, t, c2, drop_cond=drop)
    torch.testing.assert_close(a[0], b[0])
    torch.testing.assert_close(a[0], net(x, t, None)[0])
    assert not torch.allclose(a[1], b[1])


def test_block_path_reaches_the_condition_directly(gen):
    """With "+block" the per-block projections alone already make the output depend on the condition."""
    net = make_net("film+block", "none")
    with torch.no_grad():
        for layer in net.cond_mlp:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.zero_()  # the shared path no longer sees the condition
    x, t = torch.randn(2, 4, 12, generator=gen), torch.tensor([300, 300])
    assert not torch.allclose(net(x, t, torch.randn(2, 6, generator=gen)), net(x, t, torch.randn(2, 6, generator=gen)))


@pytest.mark.parametrize("mode,norm", VARIANTS)
def test_generator_checkpoint_round_trip(gen, mode, norm):
    model = ConditionalGenerator.build(6, DenoiserConfig(channels=8, depth=2, time_dim=8, cond_mode=mode,
                                                         cond_norm=norm, cond_channels=2))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.1)
    data = model.config_dict()
    assert data["denoiser"]["cond_mode"] == mode and data["denoiser"]["cond_norm"] == norm
    again = ConditionalGenerator.from_config_dict(data)
    again.load_state_dict(model.state_dict())
    x, t, c = torch.randn(3, 4, 10, generator=gen), torch.tensor([1, 50, 900]), torch.randn(3, 6, generator=gen)
    torch.testing.assert_close(again(x, t, c), model(x, t, c))


def test_old_generator_config_loads_with_defaults():
    data = ConditionalGenerator.build(4, DenoiserConfig(channels=8, depth=1, time_dim=8)).config_dict()
    for key in ("cond_mode", "cond_norm", "cond_channels"):
        del data["denoiser"][key]  # a checkpoint written before these settings existed
    assert ConditionalGenerator.from_config_dict(data).denoiser.config.cond_mode == "film"
