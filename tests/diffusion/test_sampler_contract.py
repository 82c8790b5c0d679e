"""One contract over every way of sampling (as the augmenters have one): the same generator gives the
same samples, another differs; shapes; padding stays zero and real positions do not depend on it;
a valid one-hot after discretisation; the global random state untouched."""

from __future__ import annotations

import pytest
import torch

from contract import is_one_hot
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.network import DenoiserConfig
from dnaaug.diffusion.samplers import ddim_sample, ddpm_sample, to_onehot
from dnaaug.diffusion.sampling import sample_positives, sample_x0
from dnaaug.diffusion.schedule import ScheduleConfig
from dnaaug.diffusion.settings import SamplingConfig


def _model() -> ConditionalGenerator:
    model = ConditionalGenerator.build(4, DenoiserConfig(channels=8, depth=2, kernel=3, time_dim=8),
                                       ScheduleConfig(num_train_steps=100))
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    return model.eval()


def _anchors(n: int = 5, length: int = 20):
    g = torch.Generator().manual_seed(1)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (n, length), generator=g), 4).float().transpose(1, 2)
    mask = torch.ones(n, length, dtype=torch.bool)
    mask[1, 12:] = False
    mask[3, 5:] = False
    return x * mask[:, None, :], mask


def _condition(x, mask):
    return x.sum(dim=2) / x.shape[2]


SAMPLERS = {
    "ddim": lambda m, c, **kw: ddim_sample(m.denoiser, m.schedule, c, steps=6, **kw),
    "ddim_eta1_guided": lambda m, c, **kw: ddim_sample(m.denoiser, m.schedule, c, steps=6, eta=1.0, guidance=2.0,
                                                       **kw),
    "ddpm": lambda m, c, **kw: ddpm_sample(m.denoiser, m.schedule, c, steps=6, **kw),
    "ddim_sdedit": lambda m, c, *, init, **kw: ddim_sample(m.denoiser, m.schedule, c, steps=6, init=init,
                                                          strength=0.5, **kw),
    "ddpm_sdedit": lambda m, c, *, init, **kw: ddpm_sample(m.denoiser, m.schedule, c, steps=6, init=init,
                                                          strength=0.5, **kw),
}
SETTINGS = [SamplingConfig(steps=6), SamplingConfig(sampler="ddpm", steps=5, strength=1.0),
            SamplingConfig(steps=4, strength=0.7, guidance=1.5, eta=0.5)]


def _call(name, model, cond, generator, mask, x):
    kw = dict(length=x.shape[2], generator=generator, mask=mask)
    if name.endswith("sdedit"):
        kw["init"] = x
    return SAMPLERS[name](model, cond, **kw)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_sampler_contract(name):
    model = _model()
    x, mask = _anchors()
    cond = _condition(x, mask)
    state = torch.random.get_rng_state()
    out = _call(name, model, cond, torch.Generator().manual_seed(0), mask, x)
    assert out.shape == x.shape and out.dtype == torch.float32 and torch.isfinite(out).all()
    assert torch.equal(out, _call(name, model, cond, torch.Generator().manual_seed(0), mask, x))
    assert not torch.equal(out, _call(name, model, cond, torch.Generator().manual_seed(1), mask, x))
    assert bool((out.masked_select(~mask[:, None, :].expand_as(out)) == 0).all()), "padding not zero"
    # real positions do not depend on the padding content of the anchor
    if name.endswith("sdedit"):
        noisy = x + (~mask[:, None, :]).float()
        torch.testing.assert_close(out, _call(name, model, cond, torch.Generator().manual_seed(0), mask, noisy))
    onehot = to_onehot(out, mask)
    assert is_one_hot(onehot) and bool((onehot.sum(1)[mask] == 1).all()) and bool((onehot.sum(1)[~mask] == 0).all())
    assert torch.equal(torch.random.get_rng_state(), state), "touched the global torch RNG"


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_entry_point_contract(settings):
    model = _model()
    x, mask = _anchors()
    state = torch.random.get_rng_state()

    def draw(seed, k=3, m=mask):
        return sample_positives(model, x, m, condition=_condition, settings=settings,
                                generator=torch.Generator().manual_seed(seed), k=k)

    out = draw(0)
    assert out.shape == (x.shape[0] * 3, 4, x.shape[2])
    assert torch.equal(out, draw(0)) and not torch.equal(out, draw(1))
    rep = mask.repeat_interleave(3, dim=0)
    assert is_one_hot(out) and bool((out.sum(1)[rep] == 1).all()) and bool((out.sum(1)[~rep] == 0).all())
    assert draw(0, m=None).shape == out.shape
    # the entry point is the dispatch over the primitives: same draws as sample_x0 on repeated anchors
    cond = _condition(x, mask).repeat_interleave(3, dim=0)
    x0 = sample_x0(model.denoiser, model.schedule, cond, length=x.shape[2], settings=settings,
                   generator=torch.Generator().manual_seed(0), mask=rep, init=x.repeat_interleave(3, dim=0))
    assert torch.equal(out, to_onehot(x0, rep))
    assert torch.equal(torch.random.get_rng_state(), state)
