"""k-mer spectra: golden counts, N handling, normalisation, a Counter-based reference."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import dnaaug.evaluate.kmer_features as kf
from dnaaug.errors import InputError, InvalidSequence
from dnaaug.evaluate.kmer_features import kmer_dim, kmer_names, kmer_spectrum


def as_dict(row, ks):
    names = kmer_names(ks)
    return {n: float(v) for n, v in zip(names, row) if v != 0}


def reference(seq, ks):
    """Frequencies by counting substrings one at a time."""
    seq = seq.upper().replace("U", "T")
    out = []
    for k in ks:
        block = dict.fromkeys(kmer_names((k,)), 0.0)
        c = Counter(seq[i:i + k] for i in range(len(seq) - k + 1) if set(seq[i:i + k]) <= set("ACGT"))
        total = sum(c.values())
        for kmer, v in c.items():
            block[kmer] = v / total
        out.extend(block.values())
    return np.array(out)


def test_golden_acgta():
    F = kmer_spectrum(["ACGTA"], ks=(1, 2))
    assert F.shape == (1, 4 + 16) and F.dtype == np.float32
    assert as_dict(F[0], (1, 2)) == pytest.approx(
        {"A": 0.4, "C": 0.2, "G": 0.2, "T": 0.2, "AC": 0.25, "CG": 0.25, "GT": 0.25, "TA": 0.25})


def test_n_and_iupac_kmers_are_skipped():
    F = kmer_spectrum(["ACNGT", "acRgt", "NNNN"], ks=(1, 2, 3))
    expected = {"A": 0.25, "C": 0.25, "G": 0.25, "T": 0.25, "AC": 0.5, "GT": 0.5}
    assert as_dict(F[0], (1, 2, 3)) == pytest.approx(expected)  # no valid 3-mer: zero block
    np.testing.assert_array_equal(F[0], F[1])  # lowercase = same bases, R = N
    assert not F[2].any()


def test_rows_sum_to_one_per_k_with_variable_lengths():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), n)) for n in (7, 50, 301, 1000)] + ["", "AC"]
    ks = (1, 2, 3, 4, 5, 6)
    F = kmer_spectrum(seqs, ks)
    starts = np.cumsum([0] + [4 ** k for k in ks])
    for i, s in enumerate(seqs):
        for k, a, b in zip(ks, starts[:-1], starts[1:]):
            assert F[i, a:b].sum() == pytest.approx(1.0 if len(s) >= k else 0.0, abs=1e-5)


def test_matches_reference_across_block_boundaries(monkeypatch):
    # tiny budgets force many blocks, including one-row blocks, to test the stitching
    monkeypatch.setattr(kf, "_POSITION_BUDGET", 37)
    monkeypatch.setattr(kf, "_COUNT_BUDGET", 4 ** 3 * 3)
    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGTNacgtnUWS"), rng.integers(0, 60))) for _ in range(60)]
    ks = (3, 1, 2)  # any order
    F = kmer_spectrum(seqs, ks)
    for s, row in zip(seqs, F):
        np.testing.assert_allclose(row, reference(s, ks), atol=1e-6)


def test_default_ks_dimension_and_names():
    assert kmer_dim() == 5460
    names = kmer_names()
    assert len(names) == 5460 and names[:5] == ["A", "C", "G", "T", "AA"] and names[-1] == "TTTTTT"
    assert kmer_spectrum([]).shape == (0, 5460)


def test_invalid_characters_name_row_and_position():
    with pytest.raises(InvalidSequence, match="record '1', position 3"):
        kmer_spectrum(["ACGT", "AC!G"])
    with pytest.raises(InvalidSequence, match="record '0', position 2"):
        kmer_spectrum(["Aé"])


@pytest.mark.parametrize("ks", [(), (0,), (13,), (2, 2)])
def test_bad_ks(ks):
    with pytest.raises(InputError):
        kmer_spectrum(["ACGT"], ks)


def test_single_string_is_rejected():
    with pytest.raises(InputError):
        kmer_spectrum("ACGT")
