"""CNN encoder trunk and heads: shapes, padding invariance, gradients, determinism, errors."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from dnaaug.errors import ConfigError, InputError
from dnaaug.losses import make_loss
from dnaaug.models import (
    ClassifierHead, CNNEncoder, ContrastiveModel, EncoderConfig, ProjectionHead, count_parameters,
)

SMALL = dict(width=16, depth=3, kernel=5, stem_kernel=7)


def onehot(ids: torch.Tensor) -> torch.Tensor:
    """(N, L) base indices -> (N, 4, L) float one-hot."""
    return F.one_hot(ids, 4).float().transpose(1, 2).contiguous()


def random_onehot(n: int, length: int, gen: torch.Generator) -> torch.Tensor:
    return onehot(torch.randint(0, 4, (n, length), generator=gen))


def make(seed: int = 0, **kw) -> CNNEncoder:
    torch.manual_seed(seed)  # tests may seed torch for initialisation; the library never does
    return CNNEncoder(EncoderConfig(**{**SMALL, **kw}))


# ------------------------------------------------------------------------------------- shapes


def test_default_config_shape_and_parameter_count(gen):
    config = EncoderConfig()
    assert (config.input, config.width, config.depth, config.kernel) == ("onehot", 128, 4, 9)
    assert config.dilations == (1, 2, 4, 8)
    assert (config.norm, config.pool, config.downsample, config.dropout) == ("layer", "meanmax", 2, 0.1)
    assert config.receptive_field == 14 + 2 * (1 + 8 * 15)
    encoder = CNNEncoder()
    assert encoder.embedding_dim == 256
    # golden: stem 4*128*15+128, 4 x (128*128*9+128 + 128*128+128 + 2*128), 3 x 2*128 for norms
    assert count_parameters(encoder) == 7808 + 4 * (147584 + 16512 + 256) + 2 * 256
    h = encoder.eval()(random_onehot(3, 101, gen))
    assert h.shape == (3, 256) and h.dtype == torch.float32 and torch.isfinite(h).all()


@pytest.mark.parametrize("kw,dim", [({}, 32), ({"pool": "mean"}, 16), ({"pool": "max"}, 16),
                                    ({"embedding_dim": 24}, 24), ({"downsample": 3}, 32),
                                    ({"expand": 40}, 80), ({"expand": 40, "pool": "max"}, 40),
                                    ({"multiscale": True}, 32 + 16 * 4 * 2),
                                    ({"multiscale": True, "expand": 40, "embedding_dim": 24}, 24),
                                    ({"stem_width": 48}, 48 * 2 + 32), ({"stem_width": 48, "pool": "max"}, 48 + 16),
                                    ({"stem_width": 48, "multiscale": True}, 96 + 32 + 16 * 4 * 2)])
def test_onehot_shapes(gen, kw, dim):
    encoder = make(**kw)
    assert encoder.embedding_dim == dim
    assert encoder.config.pooled_dim == (dim if "embedding_dim" not in kw else encoder.project.in_features)
    for length in (1, 7, 50):
        assert encoder(random_onehot(5, length, gen)).shape == (5, dim)


def test_kmer_shapes_and_default_mask(gen):
    encoder = make(input="kmer", vocab_size=66, kmer_dim=8).eval()
    ids = torch.randint(1, 66, (4, 30), generator=gen)
    ids[0, 20:] = 0
    mask = ids != 0
    h = encoder(ids)
    assert h.shape == (4, encoder.embedding_dim)
    assert torch.equal(h, encoder(ids, mask))  # mask None means ids != 0
    assert torch.allclose(encoder(ids[:1, :20]), h[:1], atol=1e-5)
    assert encoder.embed_tokens.padding_idx == 0


# ---------------------------------------------------------------------------- padding invariance


@pytest.mark.parametrize("norm", ["layer", "group", "batch"])
@pytest.mark.parametrize("downsample", [1, 2, 3])
@pytest.mark.parametrize("wide", [{}, {"expand": 24, "multiscale": True}, {"stem_width": 40}])
def test_appending_padding_does_not_change_h(gen, norm, downsample, wide):
    encoder = make(norm=norm, groups=4, downsample=downsample, **wide)
    encoder.train()
    for _ in range(3):  # give masked batch norm non-trivial running statistics
        encoder(random_onehot(8, 33, gen), torch.rand(8, 33, generator=gen) < 0.9)
    encoder.eval()
    lengths = torch.tensor([33, 20, 7, 1])
    x = random_onehot(4, 40, gen)
    mask = torch.arange(40)[None, :] < lengths[:, None]
    x = x * mask[:, None, :]
    batched = encoder(x, mask)
    for i, n in enumerate(lengths.tolist()):
        alone = encoder(x[i:i + 1, :, :n])
        assert torch.allclose(batched[i:i + 1], alone, atol=1e-5), (i, n)
    # whatever sits in padded columns is ignored
    garbage = x + (~mask)[:, None, :] * torch.rand(4, 4, 40, generator=gen)
    assert torch.allclose(encoder(garbage, mask), batched, atol=1e-6)
    # a longer padding tail changes nothing either
    longer = F.pad(x, (0, 25))
    assert torch.allclose(encoder(longer, F.pad(mask, (0, 25))), batched, atol=1e-5)


def test_empty_sequence_is_finite(gen):
    encoder = make().eval()
    mask = torch.zeros(2, 10, dtype=torch.bool)
    mask[1] = True
    h = encoder(random_onehot(2, 10, gen), mask)
    assert torch.isfinite(h).all()


def test_training_mode_padding_invariant_for_layer_norm_with_fixed_dropout(gen):
    encoder = make(dropout=0.3).train()
    x = random_onehot(2, 12, gen)
    padded, mask = F.pad(x, (0, 6)), F.pad(torch.ones(2, 12, dtype=torch.bool), (0, 6))
    a = encoder(x, generator=torch.Generator().manual_seed(5))
    b = encoder(padded, mask, generator=torch.Generator().manual_seed(5))
    assert torch.allclose(a, b, atol=1e-5)


# ------------------------------------------------------------------- gradients and determinism


@pytest.mark.parametrize("kw", [{}, {"input": "kmer", "vocab_size": 20, "kmer_dim": 6}, {"norm": "batch"},
                                {"expand": 24, "multiscale": True},
                                {"norm": "group", "groups": 4, "embedding_dim": 8}, {"stem_rc": True},
                                {"stem_width": 40}, {"stem_width": 40, "stem_rc": True, "multiscale": True}])
def test_gradient_reaches_every_parameter(gen, kw):
    encoder = make(**kw).train()
    if kw.get("input") == "kmer":
        x = torch.randint(1, 20, (6, 25), generator=gen)
    else:
        x = random_onehot(6, 25, gen)
    encoder(x, generator=gen).pow(2).mean().backward()
    for name, param in encoder.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), name
        if name != "embed_tokens.weight":
            assert param.grad.abs().sum() > 0, name


def test_same_seed_same_weights_and_outputs(gen):
    a, b = make(seed=3), make(seed=3)
    for pa, pb in zip(a.state_dict().values(), b.state_dict().values()):
        assert torch.equal(pa, pb)
    assert not torch.equal(make(seed=4).stem.weight, a.stem.weight)
    x = random_onehot(4, 30, gen)
    assert torch.equal(a.eval()(x), b.eval()(x))


def test_dropout_uses_the_given_generator_not_global_state(gen):
    encoder = make(dropout=0.5).train()
    x = random_onehot(4, 30, gen)
    state = torch.random.get_rng_state()
    one = encoder(x, generator=torch.Generator().manual_seed(1))
    two = encoder(x, generator=torch.Generator().manual_seed(1))
    other = encoder(x, generator=torch.Generator().manual_seed(2))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(one, two) and not torch.equal(one, other)
    encoder.eval()
    assert torch.equal(encoder(x), encoder(x))
    assert torch.equal(torch.random.get_rng_state(), state)


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("x,mask,match", [
    (torch.zeros(2, 5, 10), None, r"\(N, 4, L\)"),
    (torch.zeros(4, 10), None, r"\(N, 4, L\)"),
    (torch.zeros(2, 4, 10, dtype=torch.long), None, "float"),
    (torch.zeros(2, 4, 0), None, "at least one"),
    (torch.zeros(2, 4, 10), torch.ones(2, 9, dtype=torch.bool), "mask"),
    (torch.zeros(2, 4, 10), torch.ones(2, 10), "torch.bool"),
    ([[0.0]], None, "torch.Tensor"),
])
def test_bad_onehot_input(x, mask, match):
    with pytest.raises(InputError, match=match):
        make()(x, mask)


@pytest.mark.parametrize("x,match", [
    (torch.zeros(2, 4, 10), r"\(N, L'\)"),
    (torch.zeros(2, 10), "integer"),
    (torch.full((2, 10), 20), r"\[0, 20\)"),
    (torch.full((2, 10), -1), r"\[0, 20\)"),
])
def test_bad_kmer_input(x, match):
    with pytest.raises(InputError, match=match):
        make(input="kmer", vocab_size=20)(x)


@pytest.mark.parametrize("kw,name", [
    ({"input": "protein"}, "input"), ({"input": "kmer"}, "vocab_size"), ({"kernel": 8}, "kernel"),
    ({"stem_kernel": 4}, "stem_kernel"), ({"width": 0}, "width"), ({"depth": -1}, "depth"),
    ({"norm": "instance"}, "norm"), ({"norm": "group", "width": 12, "groups": 8}, "groups"),
    ({"pool": "sum"}, "pool"), ({"dropout": 1.0}, "dropout"), ({"embedding_dim": 0}, "embedding_dim"),
    ({"downsample": 0}, "downsample"), ({"expand": 0}, "expand"), ({"expand": 2.5}, "expand"),
    ({"multiscale": "yes"}, "multiscale"), ({"stem_rc": 1}, "stem_rc"), ({"stem_rc": True, "width": 15}, "stem_rc"),
    ({"stem_rc": True, "input": "kmer", "vocab_size": 20}, "stem_rc"),
    ({"stem_width": 0}, "stem_width"), ({"stem_width": 8.5}, "stem_width"),
    ({"stem_rc": True, "stem_width": 15}, "stem_rc"),
])
def test_bad_config(kw, name):
    with pytest.raises(ConfigError, match=name):
        EncoderConfig(**kw)


def test_rc_paired_stem_reads_the_other_strand_with_half_the_parameters(gen):
    paired, free = make(stem_rc=True), make()
    assert 2 * count_parameters(paired.stem) == count_parameters(free.stem)
    x = random_onehot(5, 30, gen)
    out, out_rc = paired.stem(x), paired.stem(x.flip((1, 2)))  # flip both axes = reverse complement
    half = SMALL["width"] // 2
    # the second half's filters are the first half's, reverse-complemented, and vice versa
    torch.testing.assert_close(out_rc[:, half:], out[:, :half].flip(2))
    torch.testing.assert_close(out_rc[:, :half], out[:, half:].flip(2))
    assert paired(x).shape == free(x).shape


def test_wide_stem_detectors_come_first_in_h_and_feed_the_blocks_through_a_1x1(gen):
    encoder = make(stem_width=40).eval()
    assert encoder.stem.out_channels == 40 and encoder.stem_mix.in_channels == 40
    assert encoder.stem_mix.out_channels == SMALL["width"]
    x = random_onehot(3, 30, gen)
    motifs = F.gelu(encoder.stem_norm(encoder.stem(x), torch.ones(3, 30, dtype=torch.bool)))
    h = encoder(x)
    torch.testing.assert_close(h[:, :40], motifs.mean(2))
    torch.testing.assert_close(h[:, 40:80], motifs.amax(2))


def test_config_round_trip_and_unknown_keys():
    config = EncoderConfig(width=32, norm="group")
    assert EncoderConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="widht"):
        EncoderConfig.from_dict({"widht": 3})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.width = 3
    with pytest.raises(ConfigError):
        CNNEncoder({"width": 3})


# ------------------------------------------------------------------------------------ heads


def test_heads_and_contrastive_model(gen):
    encoder = make()
    model = ContrastiveModel(encoder, ProjectionHead(encoder.embedding_dim, hidden=20, out=12))
    x = random_onehot(5, 30, gen)
    h, z = model(x, generator=gen)
    assert h.shape == (5, 32) and z.shape == (5, 12)
    model.eval()
    h_eval, _ = model(x)
    assert torch.equal(model.embed(x), h_eval)
    assert ClassifierHead(32, 3)(h).shape == (5, 3)
    assert ProjectionHead(32, norm="layer").train()(h[:1]).shape == (1, 128)
    assert isinstance(ContrastiveModel(encoder).head, ProjectionHead)


def test_head_errors():
    with pytest.raises(ConfigError, match="in_dim"):
        ContrastiveModel(make(), ProjectionHead(7))
    with pytest.raises(InputError, match=r"\(N, 32\)"):
        ProjectionHead(32)(torch.randn(4, 31))
    with pytest.raises(InputError, match="at least 2"):
        ProjectionHead(32).train()(torch.randn(1, 32))
    with pytest.raises(ConfigError, match="n_classes"):
        ClassifierHead(32, 0)
    with pytest.raises(ConfigError, match="norm"):
        ProjectionHead(32, norm="group")


# ------------------------------------------------------------------------ training sanity


@pytest.mark.parametrize("loss_name", ["soft", "infonce"])
def test_a_few_steps_on_two_clusters_lower_the_loss(loss_name):
    gen = torch.Generator().manual_seed(0)
    protos = torch.randint(0, 4, (2, 40), generator=gen)

    def views(n):
        """Members of two clusters (prototype + 10% mutations), two extra-mutated views each."""
        base = protos[torch.randint(0, 2, (n,), generator=gen)]

        def mutate(s, rate):
            hit = torch.rand(s.shape, generator=gen) < rate
            return torch.where(hit, torch.randint(0, 4, s.shape, generator=gen), s)

        base = mutate(base, 0.1)
        return onehot(mutate(base, 0.1)), onehot(mutate(base, 0.1))

    torch.manual_seed(0)
    model = ContrastiveModel(make(), ProjectionHead(32, hidden=32, out=16))
    loss_fn = make_loss(loss_name)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    fixed = views(32)

    def evaluate():
        model.eval()
        with torch.no_grad():
            h1, z1 = model(fixed[0])
            _, z2 = model(fixed[1])
            value = loss_fn(z1, z2, h1=h1).item()
        model.train()
        return value

    before = evaluate()
    for _ in range(25):
        x1, x2 = views(32)
        h1, z1 = model(x1, generator=gen)
        _, z2 = model(x2, generator=gen)
        loss = loss_fn(z1, z2, h1=h1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = evaluate()
    print(loss_name, before, after)
    assert after < 0.9 * before


@pytest.mark.parametrize("downsample", [1, 2, 3])
@pytest.mark.parametrize("kw", [{}, {"stem_width": 40}, {"stem_width": 40, "pool": "max"},
                                {"stem_width": 40, "pool": "mean", "multiscale": True}])
@pytest.mark.parametrize("pad", [0, 7])
def test_position_major_stem_is_the_channel_major_stem(gen, downsample, kw, pad):
    """The fast (N, L, C) stem computes the same h and the same gradients as the (N, C, L) one,
    with and without padding, for odd lengths and every pooling; real-valued input has no ties."""
    fast = make(downsample=downsample, **kw)
    slow = make(downsample=downsample, **kw)
    slow._position_major_stem = False
    assert fast._position_major_stem
    x = torch.randn(4, 4, 31, generator=gen)
    mask = torch.ones(4, 31, dtype=torch.bool)
    if pad:
        mask[1, -pad:] = False
        mask[3, :] = False  # a row with no real position at all
    for encoder in (fast, slow):
        encoder.train()
    h_fast = fast(x, mask, generator=torch.Generator().manual_seed(1))
    h_slow = slow(x, mask, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(h_fast, h_slow, rtol=1e-5, atol=1e-5)
    (h_fast * torch.arange(h_fast.shape[1])).sum().backward()
    (h_slow * torch.arange(h_slow.shape[1])).sum().backward()
    for (name, p_fast), p_slow in zip(fast.named_parameters(), slow.parameters()):
        scale = float(p_slow.grad.abs().max())  # float rounding differs: compare at the gradient's scale
        torch.testing.assert_close(p_fast.grad, p_slow.grad, rtol=1e-4, atol=1e-5 * scale, msg=name)


def test_stems_that_are_not_position_major(gen):
    """k-mer input, strand-paired filters and batch or group norm keep the channel-major stem."""
    for kw in ({"input": "kmer", "vocab_size": 20, "kmer_dim": 6}, {"stem_rc": True}, {"norm": "batch"},
               {"norm": "group"}):
        assert not make(**kw)._position_major_stem
