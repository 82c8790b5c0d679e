"""InfoNCE (NT-Xent) against a slow reference, symmetry and limiting cases."""

from __future__ import annotations

import math

import pytest
import torch

from dnaaug.errors import ConfigError, InputError
from dnaaug.losses import InfoNCELoss


def reference_nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float) -> float:
    """Double loop over the 2N views, plain Python floats."""
    views = [list(map(float, row)) for row in torch.cat([z1, z2]).double()]
    n2 = len(views)
    n = n2 // 2

    def cos(a, b):
        dot = sum(x * y for x, y in zip(a, b))
        return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))

    total = 0.0
    for a in range(n2):
        pos = (a + n) % n2
        denom = sum(math.exp(cos(views[a], views[b]) / temperature) for b in range(n2) if b != a)
        total += -cos(views[a], views[pos]) / temperature + math.log(denom)
    return total / n2


@pytest.mark.parametrize("temperature", [0.05, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("n,e", [(2, 3), (5, 4), (7, 8)])
def test_matches_slow_reference(gen, n, e, temperature):
    z1 = torch.randn(n, e, generator=gen)
    z2 = torch.randn(n, e, generator=gen)
    got = InfoNCELoss(temperature)(z1, z2).item()
    assert got == pytest.approx(reference_nt_xent(z1, z2, temperature), rel=1e-5, abs=1e-5)


def test_symmetric_in_views_and_batch_order(gen):
    z1, z2 = torch.randn(6, 5, generator=gen), torch.randn(6, 5, generator=gen)
    loss = InfoNCELoss(0.2)
    assert loss(z1, z2).item() == pytest.approx(loss(z2, z1).item(), rel=1e-6)
    perm = torch.randperm(6, generator=gen)
    assert loss(z1[perm], z2[perm]).item() == pytest.approx(loss(z1, z2).item(), rel=1e-6)


def test_scale_invariant_cosine(gen):
    z1, z2 = torch.randn(4, 3, generator=gen), torch.randn(4, 3, generator=gen)
    loss = InfoNCELoss(0.1)
    assert loss(3.0 * z1, 0.5 * z2).item() == pytest.approx(loss(z1, z2).item(), rel=1e-5)


def test_aligned_separated_is_near_minimal_and_misaligned_is_large(gen):
    n, t = 4, 0.1
    basis = torch.eye(n)
    loss = InfoNCELoss(t)
    aligned = loss(basis, basis).item()
    # analytic value: -1/t + log(e^{1/t} + (2N - 2) e^0)
    assert aligned == pytest.approx(math.log1p((2 * n - 2) * math.exp(-1 / t)), abs=1e-6)
    assert aligned < 1e-2
    random = loss(torch.randn(n, n, generator=gen), torch.randn(n, n, generator=gen)).item()
    swapped = loss(basis, basis.roll(1, dims=0)).item()  # each positive is someone else's partner
    assert aligned < random < swapped
    assert swapped > 1.0 / t


def test_gradients_finite_including_identical_views(gen):
    z = torch.randn(5, 4, generator=gen, requires_grad=True)
    for z2 in (z, z.detach().clone(), torch.randn(5, 4, generator=gen)):
        z.grad = None
        InfoNCELoss(0.1)(z, z2).backward()
        assert torch.isfinite(z.grad).all()


def test_ignores_embeddings(gen):
    z1, z2 = torch.randn(4, 3, generator=gen), torch.randn(4, 3, generator=gen)
    loss = InfoNCELoss(0.1)
    assert not loss.needs_embeddings
    assert loss(z1, z2, h1=torch.randn(4, 9)).item() == loss(z1, z2).item()


@pytest.mark.parametrize("temperature", [0, -1.0, "0.1", None, True])
def test_bad_temperature(temperature):
    with pytest.raises(ConfigError, match="temperature"):
        InfoNCELoss(temperature)


@pytest.mark.parametrize("z1,z2,match", [
    (torch.randn(4, 3), torch.randn(5, 3), "same shape"),
    (torch.randn(4), torch.randn(4), "z1"),
    (torch.randn(1, 3), torch.randn(1, 3), "at least 2"),
    (torch.ones(4, 3, dtype=torch.long), torch.ones(4, 3, dtype=torch.long), "float"),
])
def test_bad_inputs(z1, z2, match):
    with pytest.raises(InputError, match=match):
        InfoNCELoss()(z1, z2)
