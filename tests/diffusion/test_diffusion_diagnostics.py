"""Generator diagnostics on hand-made inputs, against slow references."""

from __future__ import annotations

import json
import math
from collections import Counter
from itertools import product

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dnaaug.diffusion.diagnostics import (base_indices, cosine_own_vs_random, gc_content,
                                          identity_with_anchor, js_divergence, kmer_counts,
                                          kmer_spectrum_divergence, plot_diagnostics, round_diagnostics,
                                          semantic_consistency)
from dnaaug.errors import InputError


def onehot(seqs: list[str]) -> torch.Tensor:
    idx = torch.tensor([["ACGT".index(c) for c in s] for s in seqs])
    return F.one_hot(idx, 4).float().permute(0, 2, 1).contiguous()


def slow_counts(seqs: list[str], k: int) -> np.ndarray:
    counter = Counter(s[i:i + k] for s in seqs for i in range(len(s) - k + 1))
    kmers = ["".join(p) for p in product("ACGT", repeat=k)]
    return np.array([counter.get(m, 0) for m in kmers])


def test_kmer_counts_match_reference(gen):
    seqs = ["ACGTNACGGT", "TTTAC", "GANNGCAT", ""]
    idx = base_indices(seqs)
    for k in (1, 2, 3):
        clean = [part for s in seqs for part in s.split("N")]  # k-mers never span an N
        np.testing.assert_array_equal(kmer_counts(idx, k), slow_counts(clean, k))
    assert kmer_counts(idx, 12).sum() == 0  # longer than every sequence


def test_js_divergence_values():
    assert js_divergence(np.array([5, 0]), np.array([0, 3])) == pytest.approx(1.0)
    p, q = np.array([1.0, 3.0]), np.array([3.0, 1.0])
    pn, qn = p / 4, q / 4
    m = (pn + qn) / 2
    ref = 0.5 * sum(a * math.log2(a / b) for a, b in zip(pn, m)) + 0.5 * sum(a * math.log2(a / b)
                                                                              for a, b in zip(qn, m))
    assert js_divergence(p, q) == pytest.approx(ref)
    assert math.isnan(js_divergence(np.zeros(4), np.ones(4)))


def test_spectrum_divergence_identical_and_inputs(gen):
    seqs = ["".join("ACGT"[i] for i in torch.randint(0, 4, (30,), generator=gen)) for _ in range(8)]
    x = onehot(seqs)
    same = kmer_spectrum_divergence(x, seqs)  # one-hot vs strings, same sequences
    assert list(same) == [1, 2, 3, 4, 5, 6] and all(v == 0.0 for v in same.values())
    shuffled = kmer_spectrum_divergence(x[torch.randperm(8, generator=gen)], x.clone())
    assert all(v == 0.0 for v in shuffled.values())
    disjoint = kmer_spectrum_divergence(["AAAA"], ["CCCC"], ks=[1, 2])
    assert disjoint == {1: pytest.approx(1.0), 2: pytest.approx(1.0)}
    # a mask removes the padded tail from the counts
    mask = torch.ones(1, 8, dtype=torch.bool)
    mask[0, 4:] = False
    padded = onehot(["AAAACCCC"])
    assert kmer_spectrum_divergence(padded, ["AAAA"], ks=[1], gen_mask=mask)[1] == 0.0


def test_gc_content():
    x = onehot(["GGCA", "ATAT"])
    x[1, :, 3] = 0  # an N
    x[1, :, 2] = torch.tensor([0.5, 0.0, 0.5, 0.0])  # R = half A, half G
    mask = torch.tensor([[True, True, True, False], [True] * 4])
    torch.testing.assert_close(gc_content(x, mask), torch.tensor([1.0, 0.5 / 3]))
    torch.testing.assert_close(gc_content(x)[0], torch.tensor(0.75))
    assert torch.isnan(gc_content(torch.zeros(1, 4, 3)))[0]


def test_identity_with_anchor():
    anchor = onehot(["ACGTAC", "ACGTAC"])
    anchor[1, :, 0] = 0  # N in the anchor is left out
    gen = onehot(["ACGTTT", "TCGAAC"])
    mask = torch.tensor([[True] * 6, [True] * 5 + [False]])
    torch.testing.assert_close(identity_with_anchor(gen, anchor, mask), torch.tensor([4 / 6, 3 / 4]))
    with pytest.raises(InputError):
        identity_with_anchor(gen[:1], anchor, None)


def test_semantic_consistency(gen):
    real = torch.randn(20, 8, generator=gen)
    idx = torch.arange(20).repeat_interleave(3)
    noisy = real[idx] + 0.01 * torch.randn(60, 8, generator=gen)
    assert semantic_consistency(noisy, real, idx) == 1.0
    assert semantic_consistency(noisy, real, idx, chunk_elements=7) == 1.0  # chunked: same answer
    wrong = idx.clone()
    wrong[:30] = (wrong[:30] + 1) % 20  # half labelled with another anchor
    assert semantic_consistency(noisy, real, wrong, chunk_elements=25) == 0.5
    # reference: brute force cosine argmax
    h = torch.randn(50, 8, generator=gen)
    a = torch.randint(0, 20, (50,), generator=gen)
    cos = F.normalize(h, dim=1) @ F.normalize(real, dim=1).T
    expected = (cos.argmax(1) == a).float().mean().item()
    assert semantic_consistency(h, real.numpy(), a) == pytest.approx(expected)
    with pytest.raises(InputError):
        semantic_consistency(h, real, a[:10])


def test_cosine_own_vs_random():
    real = torch.eye(5)
    idx = torch.tensor([0, 1, 2, 3, 4, 0, 1])
    out = cosine_own_vs_random(real[idx], real, idx, generator=torch.Generator().manual_seed(0))
    assert out == {"own": pytest.approx(1.0), "random": pytest.approx(0.0)}  # random is never the own


def test_round_diagnostics_and_plot(tmp_path, gen):
    real = onehot(["".join("ACGT"[i] for i in torch.randint(0, 4, (20,), generator=gen)) for _ in range(6)])
    idx = torch.arange(6).repeat(2)
    h_real = torch.randn(6, 5, generator=gen)
    rounds = []
    for r in range(2):
        gen_x = real[idx].clone()
        gen_x[:, :, : 3 * (r + 1)] = torch.roll(gen_x[:, :, : 3 * (r + 1)], 1, dims=1)
        d = round_diagnostics(gen_x, real, idx, h_gen=h_real[idx], h_real=h_real, generator=gen,
                              round_index=r)
        json.dumps(d)  # JSON-ready for metrics.jsonl
        rounds.append(d)
    assert rounds[0]["semantic_consistency"] == 1.0 and rounds[0]["cosine_own"] == pytest.approx(1.0)
    assert rounds[0]["identity_mean"] == pytest.approx(17 / 20)
    assert sum(rounds[0]["gc_hist_real"]) == 6 and sum(rounds[0]["gc_hist_gen"]) == 12
    path = plot_diagnostics(rounds, tmp_path / "plots" / "generator.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["generator.png"]  # no temporary left behind
    with pytest.raises(InputError):
        plot_diagnostics([], tmp_path / "x.png")
