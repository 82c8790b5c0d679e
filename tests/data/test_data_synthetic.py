"""Synthetic demo data: determinism, balance, background statistics, and the motif rules
checked by an independent regular-expression reference."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dnaaug.data.dataset import load_dataset
from dnaaug.data.synthetic import markov_background, make_synthetic, write_synthetic
from dnaaug.errors import InputError

# reference rules, written from the documented motifs (not from the generator's tables)
SP1 = re.compile("GGGGCGGGG|CCCCGCCCC")
MYC = re.compile("CACGTG")
COMPOSITE = re.compile("(?=(CAGCTG.{7,8}[AT]GATA[AG]|[CT]TATC[AT].{7,8}CAGCTG))")
CONVERGENT_CTCF = re.compile("(?=CCGCG.GG.GGCAG.{2,20}CTGCC.CC.CGCGG)")
CTCF_ANY = re.compile("CCGCG.GG.GGCAG|CTGCC.CC.CGCGG")
GATA_ANY = re.compile("[AT]GATA[AG]|[CT]TATC[AT]")


def reference_rules(seq: str) -> tuple[bool, bool, bool]:
    return (bool(SP1.search(seq) and MYC.search(seq)), bool(COMPOSITE.search(seq)),
            bool(CONVERGENT_CTCF.search(seq)))


@pytest.fixture(scope="module")
def small():
    return make_synthetic(n_train=300, n_test=101, length=200, seed=7)


def test_same_seed_same_data_other_seed_differs(small):
    again = make_synthetic(n_train=300, n_test=101, length=200, seed=7)
    assert again.splits == small.splits
    other = make_synthetic(n_train=300, n_test=101, length=200, seed=8)
    assert other.sequences("train") != small.sequences("train")


def test_balance_shape_alphabet(small):
    assert small.classes == ["negative", "positive"]
    assert small.class_counts("train") == {"negative": 150, "positive": 150}
    assert small.class_counts("test") == {"negative": 51, "positive": 50}
    seqs = small.sequences("train") + small.sequences("test")
    assert {len(s) for s in seqs} == {200} and set("".join(seqs)) == set("ACGT")
    assert len(set(small.ids("train") + small.ids("test"))) == 401


def test_labels_follow_the_rules_exactly(small):
    for split in ("train", "test"):
        rules = np.array([reference_rules(s) for s in small.sequences(split)])
        np.testing.assert_array_equal(rules.any(axis=1), small.labels(split) == 1)
    rules = np.array([reference_rules(s) for s in small.sequences("train")])
    pos = small.labels("train") == 1
    # every rule fires on its own in some positives (not always together)
    for j in range(3):
        assert (rules[pos, j] & ~np.delete(rules[pos], j, axis=1).any(axis=1)).sum() > 5


def test_every_motif_appears_in_negatives_too(small):
    neg = [s for s, y in zip(small.sequences("train"), small.labels("train")) if y == 0]
    assert all(CTCF_ANY.search(s) and GATA_ANY.search(s) and "CAGCTG" in s for s in neg)
    assert 0.2 < np.mean([bool(SP1.search(s)) for s in neg]) < 0.8
    assert 0.2 < np.mean([bool(MYC.search(s)) for s in neg]) < 0.8


def test_background_gc_and_cpg_depletion():
    codes = markov_background(2000, 200, np.random.default_rng(0))
    gc = np.isin(codes, (1, 2)).mean()
    assert 0.40 < gc < 0.42
    cpg = ((codes[:, :-1] == 1) & (codes[:, 1:] == 2)).mean()
    assert cpg / ((codes == 1).mean() * (codes == 2).mean()) < 0.35


def test_write_csv_and_fasta_round_trip(tmp_path):
    ds = make_synthetic(n_train=20, n_test=10, length=160, seed=3)
    files = write_synthetic(tmp_path / "csv", fmt="csv", n_train=20, n_test=10, length=160, seed=3)
    assert [f.name for f in files] == ["train.csv", "test.csv"]
    assert load_dataset(tmp_path / "csv").splits == ds.splits
    write_synthetic(tmp_path / "fa", fmt="fasta", n_train=20, n_test=10, length=160, seed=3)
    assert sorted(p.name for p in (tmp_path / "fa").iterdir()) == ["test.fa", "train.fa"]  # no temp files
    assert (tmp_path / "fa" / "train.fa").read_text().startswith(">train_000000 label=")
    assert load_dataset(tmp_path / "fa").splits == ds.splits


def test_bad_parameters(tmp_path):
    with pytest.raises(InputError, match="length >= 160"):
        make_synthetic(length=100)
    with pytest.raises(InputError, match="format must be"):
        write_synthetic(tmp_path, fmt="bam")
