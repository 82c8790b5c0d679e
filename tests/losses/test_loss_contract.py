"""One contract over every registered A-step loss (as the augmenters have): finite scalar, symmetric
in the two views where it should be, invariant to the order of the batch, gradients reach both views,
no global random state touched."""

from __future__ import annotations

import pytest
import torch

from dnaaug.losses import LOSSES, make_loss


def _batch(seed: int, n: int = 12, e: int = 8, d: int = 16):
    g = torch.Generator().manual_seed(seed)
    z1 = torch.randn(n, e, generator=g)
    z2 = z1 + 0.3 * torch.randn(n, e, generator=g)
    h1 = torch.randn(n, d, generator=g)
    h2 = h1 + 0.1 * torch.randn(n, d, generator=g)
    return z1, z2, h1, h2


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_finite_scalar_and_gradients_reach_both_views(name):
    loss_fn = make_loss(name)
    z1, z2, h1, h2 = _batch(0)
    z1.requires_grad_(True)
    z2.requires_grad_(True)
    state = torch.random.get_rng_state()
    loss = loss_fn(z1, z2, h1=h1, h2=h2)
    assert loss.dim() == 0 and torch.isfinite(loss)
    loss.backward()
    for grad in (z1.grad, z2.grad):
        assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_symmetric_in_the_views(name):
    loss_fn = make_loss(name)
    z1, z2, h1, h2 = _batch(1)
    torch.testing.assert_close(loss_fn(z1, z2, h1=h1, h2=h2), loss_fn(z2, z1, h1=h2, h2=h1))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_batch_order_does_not_matter(name):
    loss_fn = make_loss(name)
    z1, z2, h1, h2 = _batch(2)
    perm = torch.randperm(len(z1), generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(loss_fn(z1, z2, h1=h1, h2=h2),
                               loss_fn(z1[perm], z2[perm], h1=h1[perm], h2=h2[perm]))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_aligned_views_score_better_than_shuffled(name):
    loss_fn = make_loss(name)
    z1, z2, h1, h2 = _batch(4)
    shuffled = torch.roll(z2, 1, dims=0)
    assert loss_fn(z1, z2, h1=h1, h2=h2) < loss_fn(z1, shuffled, h1=h1, h2=h2)
