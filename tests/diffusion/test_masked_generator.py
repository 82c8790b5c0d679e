"""The masked (absorbing-state) generator: span masks, the denoiser, the loss, refilling, condition use."""

from __future__ import annotations

import time

import pytest
import torch
import torch.nn.functional as F

from dnaaug.diffusion.ema import EMA
from dnaaug.diffusion.families import family_of, generator_from_config_dict
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.masked import MaskedGenerator, check_mask_range
from dnaaug.diffusion.masked_condition_use import format_masked_condition_gap, masked_condition_gap
from dnaaug.diffusion.masked_network import MaskedDenoiser, MaskedDenoiserConfig
from dnaaug.diffusion.sampling import sample_positives
from dnaaug.diffusion.settings import SamplingConfig
from dnaaug.augment.spans import span_mask
from dnaaug.errors import CheckpointError, ConfigError, InputError


def onehot(bases: torch.Tensor) -> torch.Tensor:
    return F.one_hot(bases, 4).permute(0, 2, 1).float()


def batch(n=6, length=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = onehot(torch.randint(0, 4, (n, length), generator=g))
    mask = torch.ones(n, length, dtype=torch.bool)
    mask[0, 30:] = False  # one padded row
    x[0, :, 30:] = 0
    return x, mask


def small(cond_dim=8, **kw) -> MaskedGenerator:
    torch.manual_seed(0)
    return MaskedGenerator.build(cond_dim, MaskedDenoiserConfig(channels=16, depth=2, kernel=5, **kw))


# ----------------------------------------------------------------------------- span masks

def test_span_mask_covers_the_share_in_contiguous_spans_inside_the_real_part():
    real = torch.ones(200, 100, dtype=torch.bool)
    real[:50, 70:] = False
    hide = span_mask(real, 0.3, 10, torch.Generator().manual_seed(0))
    assert not (hide & ~real).any()
    share = hide.sum(1).float() / real.sum(1).float()
    assert share.mean().item() == pytest.approx(0.3, abs=0.03)
    # spans: most masked positions have a masked neighbour, unlike scattered masks
    runs = (hide[:, 1:] & hide[:, :-1]).sum() / hide.sum()
    assert runs > 0.8
    again = span_mask(real, 0.3, 10, torch.Generator().manual_seed(0))
    assert torch.equal(hide, again)


def test_span_mask_edges():
    real = torch.ones(3, 20, dtype=torch.bool)
    g = torch.Generator().manual_seed(1)
    assert not span_mask(real, 0.0, 5, g).any()
    assert span_mask(real, 1.0, 5, g).all()
    assert span_mask(real, 0.01, 5, g).sum(1).min() >= 1  # at least one span where share > 0
    for bad in ((real, 1.5, 5), (real, 0.3, 0), (real.long(), 0.3, 5)):
        with pytest.raises(InputError):
            span_mask(*bad, g)


# ----------------------------------------------------------------------------- network and loss

def test_denoiser_shapes_and_padding_independence():
    net = small().denoiser
    x, mask = batch()
    x_in = torch.cat([x, torch.zeros(6, 1, 40)], dim=1)
    out = net(x_in, torch.randn(6, 8), mask=mask)
    assert out.shape == (6, 4, 40)
    assert torch.all(out[0, :, 30:] == 0)
    junk = x_in.clone()
    junk[0, :, 30:] = 1.0  # whatever lies in the padding does not reach the real positions
    assert torch.allclose(net(junk, torch.randn(6, 8, generator=torch.Generator().manual_seed(0)), mask=mask)[0, :, :30],
                          net(x_in, torch.randn(6, 8, generator=torch.Generator().manual_seed(0)), mask=mask)[0, :, :30],
                          atol=1e-5)
    with pytest.raises(InputError):
        net(x, torch.randn(6, 8))  # 4 channels: the mask-token channel is missing
    with pytest.raises(InputError):
        net(x_in, torch.randn(6, 7))


def test_unconditional_denoiser_ignores_a_condition_slot():
    net = MaskedDenoiser(0, MaskedDenoiserConfig(channels=8, depth=1, kernel=3))
    assert net(torch.zeros(2, 5, 10)).shape == (2, 4, 10)


def test_loss_is_masked_cross_entropy_and_trains():
    model = small()
    x, mask = batch()
    cond = torch.randn(6, 8)
    loss = model.loss(x, cond, generator=torch.Generator().manual_seed(0), mask=mask)
    assert loss.item() == pytest.approx(torch.log(torch.tensor(4.0)).item(), abs=0.3)
    loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    # the same draws give the same loss; the hidden share follows the mask range
    again = model.loss(x, cond, generator=torch.Generator().manual_seed(0), mask=mask)
    assert again.item() == pytest.approx(loss.item())
    hide = model.training_hide(x, mask, torch.Generator().manual_seed(0), rate=0.75)
    assert not (hide & ~mask).any()
    assert (hide.sum() / mask.sum()).item() == pytest.approx(0.75, abs=0.08)
    with pytest.raises(InputError):
        model.loss(x, cond, generator=None, mask=mask)


def test_masked_ce_matches_a_hand_computed_reference():
    model = small()
    x, mask = batch()
    cond = torch.randn(6, 8)
    hide = model.training_hide(x, mask, torch.Generator().manual_seed(3), rate=0.5)
    ce, count = model.masked_ce(x, hide, cond, mask)
    logp = F.log_softmax(model.logits(x, hide, cond, mask), dim=1)
    for i in range(6):
        pos = hide[i].nonzero().flatten()
        ref = -logp[i, x[i, :, pos].argmax(0), pos].mean()
        assert ce[i].item() == pytest.approx(ref.item(), rel=1e-5)
        assert count[i].item() == len(pos)


def test_iupac_and_n_columns():
    model = small()
    x, mask = batch()
    x[1, :, 5] = torch.tensor([0.5, 0.0, 0.5, 0.0])  # R
    x[1, :, 6] = 0.0  # N: never a target, always re-drawn
    hide = model.training_hide(x, mask, torch.Generator().manual_seed(0), rate=0.01)
    assert hide[1, 6]
    ce, _ = model.masked_ce(x, hide, torch.randn(6, 8), mask)
    assert torch.isfinite(ce).all()
    out = model.eval().refill(x, mask, torch.randn(6, 8), share=0.2, span=4, steps=3, guidance=1.0,
                              generator=torch.Generator().manual_seed(0))
    assert out[1, :, 6].sum() == 1.0


def test_fit_condition_standardises_and_ema_follows():
    model = small()
    cond = torch.randn(100, 8) * 3 + 5
    model.fit_condition(cond)
    z = model._standardised(cond, 100)
    assert torch.allclose(z.mean(0), torch.zeros(8), atol=1e-5)
    assert torch.allclose(z.std(0), torch.ones(8), atol=1e-4)
    ema = EMA(small(), decay=0.9)
    ema.sync_buffers(model, ("cond_mean", "cond_std"))
    assert torch.equal(ema.shadow["cond_mean"], model.cond_mean)
    with pytest.raises(InputError):
        model.fit_condition(torch.randn(1, 8))


# ----------------------------------------------------------------------------- refilling

def test_refill_copies_the_unmasked_anchor_and_keeps_padding():
    model = small().eval()
    x, mask = batch()
    cond = torch.randn(6, 8)
    for guidance in (0.0, 1.0, 2.0):
        out = model.refill(x, mask, cond, share=0.3, span=5, steps=4, guidance=guidance,
                           generator=torch.Generator().manual_seed(0))
        assert out.shape == x.shape and out.dtype == torch.float32
        assert torch.equal(out.sum(1), mask.float())  # one base per real position, padding all-zero
        same = (out.argmax(1) == x.argmax(1)) & mask
        assert 0.6 < same.sum().item() / mask.sum().item() < 0.95  # ~1 - 0.75 * 0.3 for an untrained model
    a = model.refill(x, mask, cond, share=0.3, span=5, steps=4, guidance=1.0, generator=torch.Generator().manual_seed(7))
    b = model.refill(x, mask, cond, share=0.3, span=5, steps=4, guidance=1.0, generator=torch.Generator().manual_seed(7))
    c = model.refill(x, mask, cond, share=0.3, span=5, steps=4, guidance=1.0, generator=torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c)
    full = model.refill(x, mask, cond, share=1.0, span=5, steps=1, guidance=1.0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(full.sum(1), mask.float())
    with pytest.raises(InputError):
        model.refill(x, mask, cond, share=0.3, span=5, steps=0, guidance=1.0, generator=torch.Generator())


def test_sample_positives_routes_the_masked_family():
    model = small().eval()
    x, mask = batch()
    settings = SamplingConfig(strength=0.25, steps=3, span=6, candidates=2)
    out = sample_positives(model, x, mask, condition=lambda v, m: v.sum(2).repeat(1, 2), settings=settings,
                           generator=torch.Generator().manual_seed(0), k=2)
    assert out.shape == (12, 4, 40)
    assert torch.equal(out.sum(1), mask.repeat_interleave(2, 0).float())


# ----------------------------------------------------------------------------- checkpoints and config

def test_config_round_trip_and_family_dispatch():
    model = small(cond_dim=8)
    data = model.config_dict()
    assert data["family"] == "masked"
    again = generator_from_config_dict(data)
    again.load_state_dict(model.state_dict())
    assert family_of(again) == "masked" and again.mask_range == model.mask_range
    gaussian = ConditionalGenerator.build(8)
    legacy = gaussian.config_dict()  # written before families existed: no "family" key
    assert "family" not in legacy
    assert family_of(generator_from_config_dict(legacy)) == "gaussian"
    with pytest.raises(CheckpointError):
        generator_from_config_dict({**legacy, "family": "flow"})
    with pytest.raises(CheckpointError):
        generator_from_config_dict({"family": "masked", "cond_dim": 8})


@pytest.mark.parametrize("kw", [{"channels": 0}, {"kernel": 4}, {"depth": True}, {"cond_dropout": 1.0}])
def test_bad_denoiser_settings(kw):
    with pytest.raises(ConfigError):
        MaskedDenoiserConfig(**kw)


@pytest.mark.parametrize("low,high", [(0.0, 1.0), (0.6, 0.5), (0.5, 1.1), (float("nan"), 1.0)])
def test_bad_mask_range(low, high):
    with pytest.raises(ConfigError):
        check_mask_range(low, high)


# ----------------------------------------------------------------------------- condition use

def test_condition_gap_schema():
    model = small().eval()
    x, mask = batch()
    gap = masked_condition_gap(model, x, torch.randn(6, 8), mask, generator=torch.Generator().manual_seed(0))
    assert gap["rates"] == [0.5, 0.75, 0.9] and gap["medium"]["rate"] == 0.75
    assert gap["family"] == "masked" and gap["n_sequences"] == 6
    assert all(0.5 < r < 2.0 for r in gap["ratio_shuffled"])
    assert "| 0.75 |" in format_masked_condition_gap(gap)
    with pytest.raises(InputError):
        masked_condition_gap(model, x[:1], torch.randn(1, 8), mask[:1], generator=torch.Generator())
    with pytest.raises(InputError):
        masked_condition_gap(model, x, torch.randn(6, 8), mask, rates=[0.0], generator=torch.Generator())


def test_a_trained_generator_uses_its_condition():
    """Two families of sequences told apart only by the condition: after training, the true condition
    predicts the hidden bases far better than a shuffled one, and full refills follow the condition."""
    start = time.perf_counter()
    g = torch.Generator().manual_seed(0)
    n, length = 64, 24
    family = torch.arange(n) % 2
    # family 0 draws from A/C, family 1 from G/T: the visible bases hint, the condition decides
    bases = torch.randint(0, 2, (n, length), generator=g) + 2 * family[:, None]
    x = onehot(bases)
    cond = F.one_hot(family, 2).float() + 0.05 * torch.randn(n, 2, generator=g)
    model = small(cond_dim=2)
    model.fit_condition(cond)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(150):
        loss = model.loss(x, cond, generator=g)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    gap = masked_condition_gap(model, x, cond, rates=[0.9, 1.0], generator=torch.Generator().manual_seed(1))
    assert gap["ratio_shuffled"][1] < 0.8
    out = model.refill(x, None, cond, share=1.0, span=4, steps=4, guidance=1.0, generator=torch.Generator().manual_seed(2))
    right_half = (out.argmax(1) // 2 == family[:, None]).float().mean()
    assert right_half > 0.9
    assert time.perf_counter() - start < 30
