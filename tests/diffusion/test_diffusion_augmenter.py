"""The diffusion augmenter under the Augmenter protocol."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from contract import check_augmenter_contract
from dnaaug.augment import available, parse
from dnaaug.diffusion.augmenter import DiffusionAugmenter, diffaug_factory
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.errors import ConfigError, InputError
from dnaaug.diffusion.network import DenoiserConfig


def make_model() -> ConditionalGenerator:
    model = ConditionalGenerator.build(4, DenoiserConfig(channels=8, depth=2, kernel=3, time_dim=8))
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    return model


def condition(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """A stand-in encoder: base composition of the real positions (N, 4)."""
    if mask is not None:
        x = x * mask[:, None, :]
    return x.sum(dim=2) / x.shape[2]


def batch(gen: torch.Generator, n: int = 6, length: int = 24) -> tuple[torch.Tensor, torch.Tensor]:
    x = F.one_hot(torch.randint(0, 4, (n, length), generator=gen), 4).float().permute(0, 2, 1).contiguous()
    mask = torch.ones(n, length, dtype=torch.bool)
    mask[1, 15:] = False
    mask[4, 9:] = False
    x = x * mask[:, None, :]
    return x, mask


@pytest.mark.parametrize("kw", [{}, {"strength": 1.0, "steps": 6}, {"sampler": "ddpm", "steps": 8},
                                {"guidance": 2.0, "eta": 0.5}])
def test_contract(gen, device, kw):
    x, mask = batch(gen)
    aug = DiffusionAugmenter(make_model().to(device), condition, **kw)
    check_augmenter_contract(aug, x.to(device), mask.to(device))
    check_augmenter_contract(aug, x.to(device))


@pytest.mark.parametrize("kw", [{}, {"strength": 1.0, "steps": 6}, {"sampler": "ddpm", "steps": 8},
                                {"guidance": 2.0, "eta": 0.5}])
def test_protocol(gen, device, kw):
    x, mask = batch(gen)
    x, mask = x.to(device), mask.to(device)
    aug = DiffusionAugmenter(make_model().to(device), condition, **kw)
    before = x.clone()
    a = aug(x, generator=torch.Generator().manual_seed(1), mask=mask)
    assert torch.equal(x, before)  # input untouched
    assert a.shape == x.shape and a.dtype == x.dtype and a.device == x.device
    torch.testing.assert_close(a, aug(x, generator=torch.Generator().manual_seed(1), mask=mask))
    assert not torch.equal(a, aug(x, generator=torch.Generator().manual_seed(2), mask=mask))
    assert torch.all(a.sum(1)[mask] == 1) and torch.all(a.sum(1)[~mask] == 0)  # one-hot, padding zero
    assert set(a.unique().tolist()) <= {0.0, 1.0}
    assert aug.name == "diffaug" and aug.preserves_one_hot
    torch.testing.assert_close(aug(x, mask=mask), aug(x, mask=mask))  # no generator: seeded default


def test_strength_controls_faithfulness(gen):
    x, mask = batch(gen, n=16, length=40)
    model = make_model()
    ident = {}
    for strength in (0.05, 0.95):
        aug = DiffusionAugmenter(model, condition, strength=strength)
        out = aug(x, generator=torch.Generator().manual_seed(0), mask=mask)
        ident[strength] = ((out * x).sum() / x.sum()).item()
    assert ident[0.05] > 0.95 and ident[0.95] < 0.6


def test_p_leaves_rows_unchanged(gen):
    x, mask = batch(gen, n=32)
    aug = DiffusionAugmenter(make_model(), condition, strength=0.9, p=0.5)
    out = aug(x, generator=torch.Generator().manual_seed(3), mask=mask)
    same = (out == x).flatten(1).all(1)
    assert 4 < int(same.sum()) < 28


def test_float64_and_no_mask(gen):
    x, _ = batch(gen)
    out = DiffusionAugmenter(make_model(), condition)(x.double(), generator=gen)
    assert out.dtype == torch.float64 and torch.all(out.sum(1) == 1)


def test_spec_factory_and_errors():
    model = make_model()
    assert "diffaug" in available()
    context = {"model": model, "condition_fn": condition, "encoder": object()}  # extra keys are ignored
    aug = parse("diffaug:steps=10,strength=0.4,guidance=1.5", context=context)
    assert isinstance(aug, DiffusionAugmenter)
    assert parse(str(aug), context=context) == aug  # the spec round-trips
    assert diffaug_factory(model=model, condition_fn=condition, steps=10, strength=0.4, guidance=1.5) == aug
    with pytest.raises(ConfigError, match="context"):
        parse("diffaug:steps=10")
    with pytest.raises(ConfigError, match="parameter"):
        parse("diffaug:stepz=10", context=context)
    composed = parse("rc+diffaug:strength=0.3", context=context)
    check_augmenter_contract(composed, batch(torch.Generator().manual_seed(0))[0])
    assert str(aug) == "diffaug:steps=10,strength=0.4,guidance=1.5,sampler=ddim,eta=0.0"
    assert aug == DiffusionAugmenter(model, condition, steps=10, strength=0.4, guidance=1.5)
    assert aug != DiffusionAugmenter(make_model(), condition, steps=10, strength=0.4, guidance=1.5)
    with pytest.raises(ConfigError, match="trained generator"):
        diffaug_factory(model=None, condition_fn=None, steps=10)
    for bad in ({"strength": 0.0}, {"strength": 1.5}, {"steps": 0}, {"sampler": "euler"}, {"guidance": -1}):
        with pytest.raises(ConfigError):
            DiffusionAugmenter(model, condition, **bad)
    with pytest.raises(InputError, match="condition_fn"):
        DiffusionAugmenter(model, lambda x, m: torch.zeros(1, 4))(torch.zeros(3, 4, 8))
    with pytest.raises(InputError):
        DiffusionAugmenter(model, condition)(torch.zeros(3, 5, 8))
