"""Soft contrastive loss against a slow reference, symmetry, limiting cases, stability."""

from __future__ import annotations

import math

import pytest
import torch

from dnaaug.errors import ConfigError, InputError
from dnaaug.losses import SoftContrastiveLoss
from dnaaug.losses.soft_contrastive import two_way_divergence


def _rows(t: torch.Tensor) -> list[list[float]]:
    return [list(map(float, row)) for row in t.double()]


def _sqdist(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b))


def _kernel(d: float, nu: float) -> float:
    return (1.0 + d / nu) ** (-(nu + 1.0))


def reference_soft(z1, z2, h1, *, nu_p, nu_q, p_bandwidth, q_scale, normalize, eps) -> float:
    """The DIFFAUG.md formula with double loops over (i, j) in plain Python floats."""
    h, a, b = _rows(h1), _rows(z1), _rows(z2)
    n = len(h)
    if normalize:
        a = [[x / math.sqrt(sum(v * v for v in r)) for x in r] for r in a]
        b = [[x / math.sqrt(sum(v * v for v in r)) for x in r] for r in b]
    off = sorted(_sqdist(h[i], h[j]) for i in range(n) for j in range(n) if i != j)
    median = off[(len(off) - 1) // 2]  # torch.median: lower middle value
    total = 0.0
    for i in range(n):
        for j in range(n):
            p = 1.0 if i == j else _kernel(p_bandwidth * _sqdist(h[i], h[j]) / median, nu_p)
            q = _kernel(q_scale * _sqdist(a[i], b[j]), nu_q)
            total += -(p * math.log(max(q, eps)) + (1.0 - p) * math.log(max(1.0 - q, eps)))
    return total / (n * n)


PARAMS = [
    dict(nu_p=100.0, nu_q=0.01, p_bandwidth=8.0, q_scale=1.0, normalize=True, eps=1e-7),
    dict(nu_p=10.0, nu_q=1.0, p_bandwidth=2.0, q_scale=3.0, normalize=True, eps=1e-6),
    dict(nu_p=100.0, nu_q=0.5, p_bandwidth=5.0, q_scale=0.2, normalize=False, eps=1e-7),
]


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("n,e,d", [(2, 3, 4), (5, 4, 6), (8, 3, 5)])
def test_matches_slow_reference(gen, params, n, e, d):
    z1, z2 = torch.randn(n, e, generator=gen), torch.randn(n, e, generator=gen)
    h1 = torch.randn(n, d, generator=gen)
    got = SoftContrastiveLoss(**params)(z1, z2, h1=h1).item()
    assert got == pytest.approx(reference_soft(z1, z2, h1, **params), rel=1e-4, abs=1e-6)


def test_defaults_documented():
    loss = SoftContrastiveLoss()
    assert (loss.nu_p, loss.nu_q, loss.p_bandwidth) == (100.0, 0.1, 8.0)
    assert (loss.q_scale, loss.normalize) == (1.0, True)
    assert loss.needs_embeddings


def test_targets_properties(gen):
    h = torch.randn(6, 5, generator=gen, requires_grad=True)
    loss = SoftContrastiveLoss()
    p = loss.targets(h)
    assert not p.requires_grad  # targets are detached
    assert torch.equal(p.diagonal(), torch.ones(6))
    assert torch.allclose(p, p.T)
    assert ((p > 0) & (p <= 1)).all()
    # invariant to translation and scale of h (median rescaling)
    assert torch.allclose(loss.targets(3.0 * h + 1.5), p, atol=1e-5)
    # typical pair ~ exp(-p_bandwidth): the median target is k_100(8)
    off = p[~torch.eye(6, dtype=torch.bool)]
    assert off.median().item() == pytest.approx((1 + 8 / 100) ** -101, rel=1e-4)


def test_positives_are_the_diagonal_of_q(gen):
    z = torch.randn(5, 4, generator=gen)
    q = SoftContrastiveLoss().similarities(z, z)
    assert torch.allclose(q.diagonal(), torch.ones(5))
    assert (q[~torch.eye(5, dtype=torch.bool)] < 1).all()


def test_swapping_projections_keeps_the_loss_and_h2_makes_it_symmetric(gen):
    z1, z2 = torch.randn(6, 4, generator=gen), torch.randn(6, 4, generator=gen)
    h1, h2 = torch.randn(6, 7, generator=gen), torch.randn(6, 7, generator=gen)
    loss = SoftContrastiveLoss()
    # P is symmetric and Q(z2, z1) = Q(z1, z2)^T: the sum over pairs is unchanged
    assert loss(z1, z2, h1=h1).item() == pytest.approx(loss(z2, z1, h1=h1).item(), rel=1e-6)
    # P comes from view 1 only: a different h gives a different loss ...
    assert loss(z1, z2, h1=h1).item() != pytest.approx(loss(z1, z2, h1=h2).item(), rel=1e-3)
    # ... and with both embeddings the loss is symmetric in the views
    both = loss(z1, z2, h1=h1, h2=h2).item()
    assert both == pytest.approx(loss(z2, z1, h1=h2, h2=h1).item(), rel=1e-6)
    assert both == pytest.approx(0.5 * (loss(z1, z2, h1=h1) + loss(z2, z1, h1=h2)).item(), rel=1e-6)


def test_h1_defaults_to_detached_z1(gen):
    z1, z2 = torch.randn(5, 4, generator=gen), torch.randn(5, 4, generator=gen)
    loss = SoftContrastiveLoss()
    assert loss(z1, z2).item() == pytest.approx(loss(z1, z2, h1=z1).item(), rel=1e-7)


def test_two_way_divergence_is_minimal_at_q_equal_p(gen):
    n = 6
    p = torch.rand(n, n, generator=gen) * 0.9 + 0.05
    p = 0.5 * (p + p.T)
    best = two_way_divergence(p, p.log()).item()
    for _ in range(50):
        q = (p + 0.2 * torch.randn(n, n, generator=gen)).clamp(1e-3, 1 - 1e-3)
        assert two_way_divergence(p, q.log()).item() > best
    for q in (p.sqrt(), p.pow(2), torch.full_like(p, 0.5)):
        assert two_way_divergence(p, q.log()).item() > best
    # stationary point: the gradient with respect to log Q vanishes at Q = P
    log_q = p.log().clone().requires_grad_(True)
    two_way_divergence(p, log_q).backward()
    assert log_q.grad.abs().max().item() < 1e-6


def test_end_to_end_minimum_when_q_reproduces_p(gen):
    # z1 = z2 = h1 on the unit sphere with nu_q = nu_p and q_scale = p_bandwidth / median gives Q == P
    h = torch.nn.functional.normalize(torch.randn(8, 5, generator=gen), dim=1)
    d = torch.cdist(h, h).pow(2)
    median = d[~torch.eye(8, dtype=torch.bool)].median().item()
    loss = SoftContrastiveLoss(nu_p=2.0, nu_q=2.0, p_bandwidth=3.0, q_scale=3.0 / median)
    assert torch.allclose(loss.similarities(h, h), loss.targets(h), atol=1e-5)
    best = loss(h, h, h1=h).item()
    for _ in range(20):
        z2 = h + 0.1 * torch.randn(8, 5, generator=gen)
        assert loss(h, z2, h1=h).item() > best


def test_aligned_separated_beats_random_and_swapped(gen):
    n = 6
    basis = torch.eye(n)
    loss = SoftContrastiveLoss()
    aligned = loss(basis, basis, h1=basis).item()
    random = loss(torch.randn(n, n, generator=gen), torch.randn(n, n, generator=gen), h1=basis).item()
    swapped = loss(basis, basis.roll(1, dims=0), h1=basis).item()
    # analytic: positives cost 0; orthogonal negatives have d = 2 in h (the median) and in z
    p, q = (1 + 8.0 / 100.0) ** -101.0, (1 + 2.0 / 0.1) ** -1.1
    expected = (n - 1) / n * -(p * math.log(q) + (1 - p) * math.log(1 - q))
    assert aligned == pytest.approx(expected, rel=1e-4)
    assert aligned < random < swapped


@pytest.mark.parametrize("case", ["identical_views", "collapsed_h", "huge", "tiny"])
def test_gradients_finite(gen, case):
    z1 = torch.randn(6, 4, generator=gen)
    z2 = torch.randn(6, 4, generator=gen)
    h1 = torch.randn(6, 5, generator=gen)
    if case == "identical_views":
        z2 = z1.clone()
    elif case == "collapsed_h":
        h1 = torch.ones(6, 5)
    elif case == "huge":
        z1, z2, h1 = z1 * 1e6, z2 * 1e6, h1 * 1e6
    else:
        z1, z2, h1 = z1 * 1e-6, z2 * 1e-6, h1 * 1e-6
    for normalize in (True, False):
        a, b = z1.clone().requires_grad_(True), z2.clone().requires_grad_(True)
        value = SoftContrastiveLoss(normalize=normalize)(a, b, h1=h1)
        value.backward()
        assert torch.isfinite(value)
        assert torch.isfinite(a.grad).all() and torch.isfinite(b.grad).all()


def test_gradient_pulls_positives_together(gen):
    z1 = torch.randn(6, 4, generator=gen)
    z2 = (z1 + 0.5 * torch.randn(6, 4, generator=gen)).requires_grad_(True)
    loss = SoftContrastiveLoss()
    before = torch.nn.functional.cosine_similarity(z1, z2).mean()
    loss(z1, z2, h1=torch.randn(6, 8, generator=gen)).backward()
    with torch.no_grad():
        stepped = z2 - 0.5 * z2.grad / z2.grad.norm()
    assert torch.nn.functional.cosine_similarity(z1, stepped).mean() > before


@pytest.mark.parametrize("name,value", [("nu_p", 0), ("nu_q", -0.1), ("p_bandwidth", float("inf")),
                                        ("q_scale", "1"), ("eps", 0.6), ("normalize", 1)])
def test_bad_parameters(name, value):
    with pytest.raises(ConfigError, match=name):
        SoftContrastiveLoss(**{name: value})


def test_bad_inputs():
    loss = SoftContrastiveLoss()
    with pytest.raises(InputError, match="same shape"):
        loss(torch.randn(4, 3), torch.randn(4, 2), h1=torch.randn(4, 5))
    with pytest.raises(InputError, match="h1"):
        loss(torch.randn(4, 3), torch.randn(4, 3), h1=torch.randn(3, 5))
    with pytest.raises(InputError, match="h2"):
        loss(torch.randn(4, 3), torch.randn(4, 3), h1=torch.randn(4, 5), h2=torch.randn(4))
    with pytest.raises(InputError, match="at least 2"):
        loss(torch.randn(1, 3), torch.randn(1, 3))
    with pytest.raises(TypeError):  # h1 is keyword-only: loss(h1, z1, z2) cannot be mistaken
        loss(torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3))
