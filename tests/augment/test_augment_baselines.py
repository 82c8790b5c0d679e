"""The augmenters: parameters they draw, the edit they apply with them, p, and their statistics."""

from __future__ import annotations

import pytest
import torch

from dnaaug.augment import (Crop, Deletion, GaussianNoise, Identity, Insertion, Inversion, Mixup, Mutation,
                            ReverseComplement, Translocation, functional)
from dnaaug.augment.baselines import bernoulli_columns
from dnaaug.errors import ConfigError, InputError

from test_augment_functional import (columns, decode, encode, random_batch, ref_delete, ref_insert,
                                     ref_invert, ref_roll)


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def capture(monkeypatch, name: str) -> list[tuple]:
    """Record the arguments each call of functional._<name> receives (and still run it)."""
    calls: list[tuple] = []
    real = getattr(functional, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(functional, name, spy)
    return calls


@pytest.mark.parametrize("masked", [False, True])
def test_translocation_draws_and_applies(monkeypatch, masked):
    x, lengths, _ = random_batch(400, 128, 11, masked)
    mask = torch.arange(128) < lengths[:, None] if masked else None
    calls = capture(monkeypatch, "_translocate")
    out = Translocation(shift=5)(x, generator=gen(), mask=mask)
    shifts = calls[0][1]
    assert int(shifts.min()) == -5 and int(shifts.max()) == 5  # the whole range, both ends
    for i in range(0, 400, 7):
        lr = max(int(lengths[i]), 1)
        assert columns(out[i]) == ref_roll(columns(x[i]), int(shifts[i]), lr)[:128]


@pytest.mark.parametrize("masked", [False, True])
def test_insertion_draws_and_applies(monkeypatch, masked):
    x, lengths, _ = random_batch(300, 128, 12, masked)
    mask = torch.arange(128) < lengths[:, None] if masked else None
    calls = capture(monkeypatch, "_insert")
    out = Insertion(max_len=6)(x, generator=gen(1), mask=mask)
    _, pos, segments, k, _, _ = calls[0][:6]
    assert int(k.min()) == 0 and int(k.max()) == 6
    assert bool((pos >= 0).all()) and bool((pos <= (lengths - 1).clamp(min=0)).all())
    assert bool((segments.sum(1) == 1).all())  # random DNA, never N
    for i in range(0, 300, 5):
        ref = ref_insert(columns(x[i]), int(pos[i]), columns(segments[i]), int(k[i]), int(lengths[i]))
        assert columns(out[i]) == ref


@pytest.mark.parametrize("masked", [False, True])
def test_deletion_draws_and_applies(monkeypatch, masked):
    x, lengths, _ = random_batch(300, 128, 13, masked)
    mask = torch.arange(128) < lengths[:, None] if masked else None
    calls = capture(monkeypatch, "_delete")
    out = Deletion(max_len=6)(x, generator=gen(2), mask=mask)
    _, pos, d, fill = calls[0][:4]
    assert int(d.max()) == 6 and bool((d <= lengths).all())
    assert bool((pos >= 0).all()) and bool((pos + d <= lengths).all())
    for i in range(0, 300, 5):
        ref = ref_delete(columns(x[i]), int(pos[i]), int(d[i]), columns(fill[i]), int(lengths[i]))
        assert columns(out[i]) == ref


@pytest.mark.parametrize("masked", [False, True])
def test_inversion_draws_and_applies(monkeypatch, masked):
    x, lengths, _ = random_batch(300, 101, 14, masked)
    mask = torch.arange(101) < lengths[:, None] if masked else None
    calls = capture(monkeypatch, "_invert")
    out = Inversion(max_len=8)(x, generator=gen(3), mask=mask)
    _, pos, v = calls[0][:3]
    assert int(v.max()) == 8 and bool((pos + v <= lengths).all())
    for i in range(0, 300, 5):
        assert columns(out[i]) == ref_invert(columns(x[i]), int(pos[i]), int(v[i]), int(lengths[i]))


def test_reverse_complement_p():
    x, _ = encode(["AACGT"] * 64)
    out = ReverseComplement()(x, generator=gen())
    strings = decode(out)
    assert set(strings) == {"AACGT", "ACGTT"}
    assert 16 < strings.count("ACGTT") < 48  # p = 0.5
    assert decode(ReverseComplement(p=1.0)(x[:1])) == ["ACGTT"]


@pytest.mark.parametrize("aug", [Translocation(p=0.3), Insertion(p=0.3), Deletion(p=0.3), Inversion(p=0.3),
                                 Mutation(rate=0.3, p=0.3), GaussianNoise(p=0.3), Mixup(p=0.3),
                                 ReverseComplement(p=0.3), Crop(p=0.3)])
def test_probability_p(aug):
    x, _, _ = random_batch(400, 64, 15, False)
    out = aug(x, generator=gen(4))
    unchanged = (out == x).flatten(1).all(1).float().mean().item()
    assert 0.6 < unchanged < 0.8, unchanged  # about 1 - p (a few edits are no-ops)
    zero = type(aug)(**{**aug.params, "p": 0.0})
    assert torch.equal(zero(x, generator=gen(4)), x)


@pytest.mark.parametrize("masked", [False, True])
def test_crop_keeps_one_part_in_place_and_ns_the_rest(masked):
    x, lengths, _ = random_batch(400, 101, 21, masked)
    x = torch.nn.functional.one_hot(x.argmax(1), 4).float().transpose(1, 2)  # plain ACGT
    mask = torch.arange(101) < lengths[:, None] if masked else None
    x = x * mask[:, None, :] if masked else x
    out = Crop(min=0.6)(x, generator=gen(9), mask=mask)
    kept = out.sum(1) == 1                                       # (N, L) columns that still hold a base
    for i in range(400):
        n = int(lengths[i])
        cols = kept[i].nonzero().squeeze(1)
        assert len(cols) >= -(-6 * n // 10) and len(cols) <= n   # at least ceil(0.6 * len_i) bases kept
        if len(cols):
            assert int(cols[-1] - cols[0]) + 1 == len(cols)        # one contiguous part ...
            assert torch.equal(out[i][:, cols], x[i][:, cols])     # ... in its place
    assert bool((out.transpose(1, 2)[~kept] == 0).all())            # everything else is N (or padding)
    starts = torch.stack([r.nonzero()[0, 0] if r.any() else torch.tensor(0) for r in kept[lengths == 101]])
    assert int(starts.max()) > 30                                 # the kept part is not always the left end
    assert torch.equal(Crop(min=1.0)(x, generator=gen(9), mask=mask), x)


def test_crop_min_is_checked():
    with pytest.raises(ConfigError, match="min"):
        Crop(min=0.0)
    with pytest.raises(ConfigError, match="min"):
        Crop(min=1.5)


def test_mutation_rate_and_bases():
    x, _, _ = random_batch(64, 1000, 16, False)
    x = torch.nn.functional.one_hot(x.argmax(1), 4).float().transpose(1, 2)  # plain ACGT
    out = Mutation(rate=0.1)(x, generator=gen(5))
    changed = (out != x).any(1)
    assert abs(changed.float().mean().item() - 0.1) < 0.01  # rate = fraction of changed bases
    assert bool((out.sum(1) == 1).all())
    per_column = changed.float().mean(0)  # uniform over positions: ends are hit too
    assert per_column[:100].mean() > 0.07 and per_column[-100:].mean() > 0.07


def test_mutation_of_n_columns_and_masks():
    x = torch.zeros(8, 4, 50)  # all N
    mask = torch.arange(50) < torch.tensor([50, 40, 30, 20, 10, 5, 1, 0])[:, None]
    out = Mutation(rate=1.0)(x, generator=gen(6), mask=mask)
    assert torch.equal(out.sum(1), mask.float())  # every real N became a base, padding untouched


@pytest.mark.parametrize("rate", [0.0, 0.02, 0.5, 1.0])
def test_bernoulli_columns(rate):
    lengths = torch.tensor([1000, 500, 0, 1])
    cols, valid = bernoulli_columns(lengths, rate, gen(7), torch.device("cpu"))
    for i, lr in enumerate(lengths.tolist()):
        picked = cols[i][valid[i]]
        assert bool((picked < lr).all()) and bool((picked.diff() > 0).all())
        if rate == 1.0:
            assert picked.tolist() == list(range(lr))
        if lr == 1000 and 0 < rate < 1:
            assert abs(len(picked) / lr - rate) < 5 * (rate * (1 - rate) / lr) ** 0.5


def test_noise_statistics():
    x, _, _ = random_batch(64, 500, 17, False)
    noise = GaussianNoise(std=0.5)(x, generator=gen(8)) - x
    assert abs(noise.std().item() - 0.5) < 0.01 and abs(noise.mean().item()) < 0.01


def test_mixup_is_a_convex_combination():
    x = torch.zeros(256, 4, 10)
    x[torch.arange(256), torch.arange(256) % 4] = 1.0  # row i: all base i % 4
    out = Mixup(alpha=0.5)(x, generator=gen(9))
    assert torch.allclose(out.sum(1), torch.ones(256, 10))
    assert bool((out >= 0).all()) and bool((out <= 1).all())
    # one lam per sequence: the column is the same along the row
    assert torch.equal(out, out[:, :, :1].expand_as(out))
    lam_self = out[torch.arange(256), torch.arange(256) % 4, 0]
    assert 0.3 < lam_self.mean().item() < 0.8  # lam ~ Beta(0.5, 0.5) (plus partners of the same base)
    heavy = Mixup(alpha=200.0)(x, generator=gen(9))  # lam close to 1/2
    assert bool(((heavy == 0) | (heavy == 1) | ((heavy > 0.35) & (heavy < 0.65))).all())
    assert bool(((heavy > 0.35) & (heavy < 0.65)).any())


def test_identity_and_spec_strings():
    x, _, _ = random_batch(4, 20, 18, False)
    out = Identity()(x)
    assert torch.equal(out, x) and out.data_ptr() != x.data_ptr()
    assert str(Translocation()) == "translocation:shift=20"
    assert str(ReverseComplement()) == "rc" and str(ReverseComplement(p=1.0)) == "rc:p=1.0"
    assert str(Mutation(rate=0.1, p=0.5)) == "mutation:rate=0.1,p=0.5"
    assert repr(Insertion(5)) == "Insertion(max_len=5, p=1.0)"
    assert Translocation(shift=3) == Translocation(shift=3.0) != Translocation(shift=4)
    assert Translocation(shift=3).params == {"shift": 3, "p": 1.0}


@pytest.mark.parametrize("make", [lambda: Translocation(shift=-1), lambda: Translocation(shift=2.5),
                                  lambda: Insertion(max_len="5"), lambda: Mutation(rate=1.5),
                                  lambda: Mixup(alpha=0), lambda: GaussianNoise(std=float("nan")),
                                  lambda: ReverseComplement(p=2), lambda: Deletion(max_len=True)])
def test_bad_parameters(make):
    with pytest.raises(ConfigError):
        make()


@pytest.mark.parametrize("bad,match", [
    (torch.zeros(4, 20), "shape"), (torch.zeros(2, 5, 20), "shape"), ([[0.0]], "torch.Tensor"),
    (torch.zeros(2, 4, 20, dtype=torch.long), "floating"),
])
def test_input_validation(bad, match):
    with pytest.raises(InputError, match=match):
        Translocation()(bad)


def test_mask_validation():
    x = torch.zeros(2, 4, 6)
    with pytest.raises(InputError, match="bool"):
        Translocation()(x, mask=torch.ones(2, 6))
    with pytest.raises(InputError, match=r"\(N, L\)"):
        Translocation()(x, mask=torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(InputError, match="prefix"):
        Translocation()(x, mask=torch.tensor([[True, False, True, False, False, False]] * 2))
    with pytest.raises(InputError, match="generator"):
        Translocation()(x, generator=0)


def test_span_redraws_contiguous_spans_and_leaves_padding():
    from dnaaug.augment.registry import parse

    g = torch.Generator().manual_seed(0)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (64, 120), generator=g), 4).permute(0, 2, 1).float()
    x[0, :, 80:] = 0  # padding of a short row
    mask = x.sum(1) > 0
    out = parse("span:rate=0.3,length=10")(x, generator=torch.Generator().manual_seed(1), mask=mask)
    assert torch.equal(out.sum(1), mask.float())
    changed = (out.argmax(1) != x.argmax(1)) & mask
    assert changed.sum().item() / mask.sum().item() == pytest.approx(0.75 * 0.3, abs=0.03)
    assert torch.equal(out[0, :, 80:], x[0, :, 80:])
    untouched = parse("span:rate=0.3,length=10,p=0")(x, generator=torch.Generator().manual_seed(1), mask=mask)
    assert torch.equal(untouched, x)
