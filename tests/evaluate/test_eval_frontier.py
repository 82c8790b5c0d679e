"""The identity / semantics frontier: rank consistency against a slow reference, rows on toy makers."""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F

from dnaaug.augment import parse
from dnaaug.diffusion.diagnostics import semantic_consistency
from dnaaug.errors import InputError
from dnaaug.evaluate.frontier import (frontier_table, identity_semantics_frontier, interpolate_at_identity,
                                      plot_frontier, rank_consistency, top_count)


def random_onehot(n: int, length: int, gen: torch.Generator) -> torch.Tensor:
    return F.one_hot(torch.randint(0, 4, (n, length), generator=gen), 4).float().permute(0, 2, 1).contiguous()


def slow_rank_consistency(h_gen, h_real, idx, k):
    hits = 0
    for i in range(h_gen.shape[0]):
        sims = [float(F.cosine_similarity(h_gen[i], h_real[j], dim=0)) for j in range(h_real.shape[0])]
        own = sims[int(idx[i])]
        hits += sum(s > own for s in sims) < k
    return hits / h_gen.shape[0]


def test_top_count():
    assert top_count(512, 0.01) == 6 and top_count(100, 0.01) == 1 and top_count(50, 0.01) == 1
    assert top_count(200, 0.05) == 10 and top_count(10, 1.0) == 10
    with pytest.raises(InputError):
        top_count(10, 0.0)


@pytest.mark.parametrize("top_frac", [0.01, 0.1, 0.25])
def test_rank_consistency_matches_loop(gen, top_frac):
    h_real = torch.randn(40, 5, generator=gen)
    idx = torch.randint(0, 40, (60,), generator=gen)
    h_gen = h_real[idx] + 0.8 * torch.randn(60, 5, generator=gen)
    got = rank_consistency(h_gen, h_real, idx, top_frac, chunk_elements=100)  # several chunks
    assert got == pytest.approx(slow_rank_consistency(h_gen, h_real, idx, top_count(40, top_frac)))


def test_rank_consistency_limits(gen):
    h_real = torch.randn(50, 6, generator=gen)
    idx = torch.randint(0, 50, (80,), generator=gen)
    h_gen = h_real[idx] + 1.5 * torch.randn(80, 6, generator=gen)
    nn = semantic_consistency(h_gen, h_real, idx)
    assert rank_consistency(h_gen, h_real, idx, 0.01) == pytest.approx(nn)  # top 1 of 50: the nearest
    assert rank_consistency(h_gen, h_real, idx, 1.0) == 1.0
    assert rank_consistency(h_gen, h_real, idx, 0.2) >= nn
    assert rank_consistency(h_real, h_real, torch.arange(50)) == 1.0
    # views that carry no information score about top_frac
    chance = rank_consistency(torch.randn(3000, 6, generator=gen), torch.randn(200, 6, generator=gen),
                              torch.randint(0, 200, (3000,), generator=gen), 0.05)
    assert 0.03 < chance < 0.07
    assert math.isnan(rank_consistency(torch.zeros(0, 6), h_real, torch.zeros(0, dtype=torch.long)))
    with pytest.raises(InputError):
        rank_consistency(h_gen, h_real[:, :5], idx)
    with pytest.raises(InputError):
        rank_consistency(h_gen, h_real, idx[:5])


def encoder(x, mask):  # cosine between flattened one-hots grows with identity
    if mask is not None:
        x = x * mask[:, None, :]
    return x.flatten(1)


def makers():
    mutation = parse("mutation:rate=0.3")
    return {
        "copy": lambda x, m, g: x.clone(),
        "mutation:rate=0.3": lambda x, m, g: mutation(x, generator=g, mask=m),
        "mutation:rate=0.3 again": lambda x, m, g: mutation(x, generator=g, mask=m),
        "random": lambda x, m, g: random_onehot(x.shape[0], x.shape[2], g),
        "twice:copy": lambda x, m, g: x.repeat_interleave(2, dim=0),
    }


def test_frontier_rows(gen):
    anchors = random_onehot(30, 40, gen)
    mask = torch.ones(30, 40, dtype=torch.bool)
    mask[:5, 30:] = False
    anchors[:5, :, 30:] = 0.0
    state = gen.get_state()
    rows = identity_semantics_frontier(encoder, anchors, mask, makers(), gen, top_frac=0.1,
                                       families={"mutation:rate=0.3 again": "mutation"})
    assert torch.equal(gen.get_state(), state)  # the caller's generator is not advanced
    by = {r["name"]: r for r in rows}
    assert [r["name"] for r in rows] == list(makers())
    assert by["copy"]["identity"] == 1.0 and by["copy"]["semantic_consistency"] == 1.0
    assert by["copy"]["rank_consistency"] == 1.0 and by["copy"]["cosine_own"] == pytest.approx(1.0)
    assert by["twice:copy"]["views_per_anchor"] == 2 and by["twice:copy"]["n_views"] == 60
    assert by["twice:copy"]["family"] == "twice"
    mut = by["mutation:rate=0.3"]
    assert mut["family"] == "mutation" and 0.6 < mut["identity"] < 0.8  # about 30 % of bases changed
    assert 0.2 < by["random"]["identity"] < 0.3 and by["random"]["rank_consistency"] < 0.4
    # common random numbers: the same maker twice gives the same row
    again = by["mutation:rate=0.3 again"]
    for key in ("identity", "semantic_consistency", "rank_consistency", "cosine_own"):
        assert again[key] == mut[key]
    # deterministic given the generator (apart from wall time)
    rows2 = identity_semantics_frontier(encoder, anchors, mask, makers(), gen, top_frac=0.1,
                                        families={"mutation:rate=0.3 again": "mutation"})
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in rows]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in rows2]
    json.dumps(rows)


def test_frontier_bad_inputs(gen):
    anchors = random_onehot(6, 10, gen)
    with pytest.raises(InputError):
        identity_semantics_frontier(encoder, anchors, None, {"bad": lambda x, m, g: x[:5]}, gen)
    with pytest.raises(InputError):
        identity_semantics_frontier(encoder, anchors, None, {}, gen)
    with pytest.raises(InputError):
        identity_semantics_frontier(encoder, anchors[:1], None, {"copy": lambda x, m, g: x}, gen)
    with pytest.raises(InputError):
        identity_semantics_frontier(encoder, anchors, None, {"copy": lambda x, m, g: x}, None)


def toy_rows():
    return [
        {"name": "base", "family": "base", "identity": 0.9, "semantic_consistency": 0.5,
         "rank_consistency": 0.7, "cosine_own": 0.9, "seconds": 0.01},
        {"name": "mutation:rate=0.1", "family": "mutation", "identity": 0.9, "semantic_consistency": 0.6,
         "rank_consistency": 0.8, "cosine_own": 0.9, "seconds": 0.01},
        {"name": "mutation:rate=0.3", "family": "mutation", "identity": 0.7, "semantic_consistency": 0.2,
         "rank_consistency": 0.4, "cosine_own": 0.8, "seconds": 0.01},
        {"name": "diffaug:strength=0.4", "family": "diffaug", "identity": 0.8, "semantic_consistency": 0.5,
         "rank_consistency": 0.6, "cosine_own": 0.85, "seconds": 1.5},
        {"name": "diffaug:strength=1.0", "family": "diffaug", "identity": 0.3, "semantic_consistency": 0.0,
         "rank_consistency": 0.01, "cosine_own": 0.5, "seconds": 3.0},
    ]


def test_interpolate_table_and_plot(tmp_path):
    rows = toy_rows()
    assert interpolate_at_identity(rows, "mutation", 0.8) == pytest.approx(0.4)
    assert interpolate_at_identity(rows, "mutation", 0.9, "rank_consistency") == pytest.approx(0.8)
    assert interpolate_at_identity(rows, "mutation", 0.3) is None
    assert interpolate_at_identity(rows, "nothing", 0.8) is None
    table = frontier_table(rows)
    lines = table.splitlines()
    assert len(lines) == 2 + len(rows) and "mutation NN at same identity" in lines[0]
    assert "| `diffaug:strength=0.4` | 0.800 | 0.500 | 0.400 |" in table
    assert "| `diffaug:strength=1.0` | 0.300 | 0.000 | - |" in table
    assert "same identity" not in frontier_table(rows, reference=None)
    out = plot_frontier(rows, tmp_path / "sub" / "frontier.png", title="toy")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(InputError):
        plot_frontier([], tmp_path / "x.png")
