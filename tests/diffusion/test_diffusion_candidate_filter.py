"""Candidate filtering (the semantic estimator as a filter) against a slow loop reference."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dnaaug.diffusion.candidate_filter import closest_index, filtered_view_maker, select_closest
from dnaaug.errors import InputError


def slow_select(candidates, cand_emb, anchor_emb, keep):
    out = []
    for b in range(candidates.shape[0]):
        scored = []
        for m in range(candidates.shape[1]):
            c, a = cand_emb[b, m], anchor_emb[b]
            scored.append((float(c @ a / (c.norm() * a.norm())), m))
        best = [m for _, m in sorted(scored, reverse=True)[:keep]]
        out.append(torch.stack([candidates[b, m] for m in best]))
    return torch.stack(out)


@pytest.mark.parametrize("keep", [1, 2, 5])
def test_select_closest_matches_loop(gen, keep):
    b, m, length, d = 6, 5, 9, 7
    candidates = torch.rand(b, m, 4, length, generator=gen)
    cand_emb = torch.randn(b, m, d, generator=gen) * torch.rand(b, m, 1, generator=gen) * 10
    anchor_emb = torch.randn(b, d, generator=gen)
    before = candidates.clone()
    got = select_closest(candidates, cand_emb, anchor_emb, keep)
    assert got.shape == (b, keep, 4, length) and got.dtype == candidates.dtype
    torch.testing.assert_close(got, slow_select(candidates, cand_emb, anchor_emb, keep))
    assert torch.equal(candidates, before)
    if keep == m:  # keeping all is a reordering
        assert torch.allclose(got.sum(dim=1), candidates.sum(dim=1))


def test_cosine_not_dot_product():
    anchor = torch.tensor([[1.0, 0.0]])
    emb = torch.tensor([[[10.0, 10.0], [1.0, 0.1]]])  # larger dot product, smaller cosine first
    assert closest_index(emb, anchor, 1).tolist() == [[1]]


def test_bad_shapes(gen):
    c = torch.rand(2, 3, 4, 5, generator=gen)
    e = torch.randn(2, 3, 4, generator=gen)
    a = torch.randn(2, 4, generator=gen)
    for bad in (lambda: select_closest(c[0], e, a, 1), lambda: select_closest(c, e[:, :2], a, 1),
                lambda: select_closest(c, e, a[:1], 1), lambda: select_closest(c, e, a, 0),
                lambda: select_closest(c, e, a, 4), lambda: closest_index(e[0], a, 1)):
        with pytest.raises(InputError):
            bad()


def test_filtered_view_maker_keeps_the_closest(gen):
    idx = torch.randint(0, 4, (3, 10), generator=gen)
    x = F.one_hot(idx, 4).float().permute(0, 2, 1).contiguous()

    def noisy_copy(xs, mask, g):  # each candidate mutates a random share of positions
        rate = torch.rand(xs.shape[0], 1, 1, generator=g)
        new = F.one_hot(torch.randint(0, 4, (xs.shape[0], xs.shape[2]), generator=g), 4)
        new = new.float().permute(0, 2, 1)
        flip = torch.rand(xs.shape[0], 1, xs.shape[2], generator=g) < rate
        return torch.where(flip, new, xs)

    def encoder(xs, mask):
        return xs.flatten(1)  # cosine with the anchor grows with identity

    make = filtered_view_maker(noisy_copy, encoder, candidates=6, keep=2)
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    out = make(x, None, g1)
    assert out.shape == (6, 4, 10)
    assert torch.equal(out, make(x, None, g2))
    # the kept views are the two closest of the six drawn with the same seed
    g3 = torch.Generator().manual_seed(1)
    cands = noisy_copy(x.repeat_interleave(6, dim=0), None, g3).reshape(3, 6, 4, 10)
    ident = (cands * x[:, None]).sum(dim=(2, 3))
    best = ident.topk(2, dim=1).values
    got = (out.reshape(3, 2, 4, 10) * x[:, None]).sum(dim=(2, 3))
    torch.testing.assert_close(got, best)
    with pytest.raises(InputError):
        filtered_view_maker(noisy_copy, encoder, candidates=2, keep=3)
