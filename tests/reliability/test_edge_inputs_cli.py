"""Unusual but valid inputs must work (mixed case, IUPAC, all-N, a 10 MB single line, a genome without
.fai); sequences shorter than k give a clear error; an output that cannot be written fails before
any work is done."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from rel_helpers import BENCH_FAST, fasta_text, random_dna, read_only, tree

import dnaaug.data
import dnaaug.train
from dnaaug.data import read_fasta, read_inputs
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences

IUPAC = "RYSWKMBDHVNryswkmbdhvn"


def _embeddings(path) -> np.ndarray:
    return np.load(path)


def test_mixed_case_and_iupac_work_everywhere(tmp_path, dnaaug_cli, tiny_config_file, trained_run):
    rng = np.random.default_rng(0)
    seqs = []
    for i, s in enumerate(random_dna(30, 60, seed=4)):
        chars = np.array(list(s.lower() if i % 2 else s))
        chars[rng.integers(0, 60, 6)] = list(rng.choice(list(IUPAC), 6))
        seqs.append("".join(chars))
    data = tmp_path / "iupac.fa"
    data.write_text(fasta_text(seqs))
    # the reader keeps the letters as written; the one-hot columns are the IUPAC fractions
    records = list(read_fasta(data, label_from="label"))
    assert [r.sequence for r in records] == seqs
    x = codes_to_onehot(torch.from_numpy(PackedSequences.from_strings([seqs[0]]).codes)[None])
    sums = x.sum(dim=1)[0]
    expected = torch.tensor([0.0 if c in "Nn" else 1.0 for c in seqs[0]])
    assert torch.allclose(sums, expected)
    dnaaug_cli.works("train", data, "--out", tmp_path / "run", "--config", tiny_config_file)
    dnaaug_cli.works("embed", trained_run, data, "-o", tmp_path / "emb.npy")
    emb = _embeddings(tmp_path / "emb.npy")
    assert emb.shape == (30, 160) and np.isfinite(emb).all()  # both strands: 2 x (32 + 3 regions x 16)
    dnaaug_cli.works("augment", data, "--augment", "rc:p=1", "-o", tmp_path / "rc.fa")
    assert len(list(read_fasta(tmp_path / "rc.fa"))) == 30
    dnaaug_cli.works("benchmark", "--dataset", data, "--config", tiny_config_file, *BENCH_FAST,
                     "--out", tmp_path / "bench")
    assert len(pd.read_csv(tmp_path / "bench" / "results.csv")) == 1


def test_all_n_sequences_are_zero_columns_and_work(tmp_path, dnaaug_cli, tiny_config_file, trained_run):
    data = tmp_path / "n.fa"
    data.write_text(fasta_text(["N" * 60] * 10 + ["n" * 40] * 10, labels=False))
    packed = PackedSequences.from_strings([r.sequence for r in read_inputs([data])])
    x = codes_to_onehot(torch.from_numpy(packed.codes)[None])
    assert x.shape == (1, 4, 1000) and not x.any()
    dnaaug_cli.works("train", data, "--out", tmp_path / "run", "--config", tiny_config_file)
    dnaaug_cli.works("embed", trained_run, data, "-o", tmp_path / "emb.npy")
    emb = _embeddings(tmp_path / "emb.npy")
    assert emb.shape == (20, 160) and np.isfinite(emb).all()  # 2 strands x (32 + 3 regions x 16)
    # nothing to see but the length: all-N sequences of one length embed alike
    assert np.allclose(emb[:10], emb[0], atol=1e-5) and np.allclose(emb[10:], emb[10], atol=1e-5)
    dnaaug_cli.works("augment", data, "--augment", "rc", "-o", tmp_path / "views.fa")
    assert {r.sequence for r in read_fasta(tmp_path / "views.fa")} <= {"N" * 60, "N" * 40}


def test_ten_megabase_single_line_works_with_a_window(tmp_path, dnaaug_cli, tiny_config_file, trained_run):
    rng = np.random.default_rng(1)
    big = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, 10_000_000)].tobytes().decode()
    others = random_dna(19, 60, seed=5)
    fasta = tmp_path / "big.fa"
    fasta.write_text(f">chr_big\n{big}\n" + fasta_text(others, labels=False))
    table = tmp_path / "big.csv"  # one 10 MB cell: far past csv's default 128 KiB field limit
    table.write_text("id,sequence\nchr_big," + big + "\n" + "".join(f"o{i},{s}\n" for i, s in enumerate(others)))
    for data in (fasta, table):
        records = list(read_inputs([data]))
        assert len(records[0].sequence) == 10_000_000 and records[0].sequence == big
        run = tmp_path / f"run_{data.suffix[1:]}"
        dnaaug_cli.works("train", data, "--out", run, "--config", tiny_config_file)
    out = tmp_path / "emb.csv"
    dnaaug_cli.works("embed", trained_run, fasta, "-o", out, "--window", "center")
    emb = pd.read_csv(out)
    assert list(emb["id"][:2]) == ["chr_big", "r0"] and np.isfinite(emb.drop(columns="id").to_numpy()).all()


def test_genome_without_fai_is_indexed(tmp_path, dnaaug_cli, tiny_config_file, trained_run):
    chrom = random_dna(1, 3000, seed=6)[0]
    genome = tmp_path / "genome.fa"
    genome.write_text(">chr1\n" + "\n".join(chrom[i:i + 60] for i in range(0, 3000, 60)) + "\n")
    bed = tmp_path / "regions.bed"
    bed.write_text("".join(f"chr1\t{i * 100}\t{i * 100 + 80}\tp{i}\t0\t{'+-'[i % 2]}\n" for i in range(25)))
    assert not (tmp_path / "genome.fa.fai").exists()
    dnaaug_cli.works("train", bed, "--genome", genome, "--out", tmp_path / "run", "--config", tiny_config_file)
    assert (tmp_path / "genome.fa.fai").exists()
    dnaaug_cli.works("embed", trained_run, bed, "--genome", genome, "-o", tmp_path / "emb.npy")
    assert _embeddings(tmp_path / "emb.npy").shape == (25, 160)  # 2 strands x (32 + 3 regions x 16)


def test_sequences_shorter_than_k(tmp_path, dnaaug_cli, tiny_config_file, kmer_run, trained_run):
    data = tmp_path / "short.fa"
    data.write_text(fasta_text(random_dna(10, 60, seed=8) + random_dna(10, 4, seed=9), labels=False))
    out = tmp_path / "out"
    out.mkdir()
    dnaaug_cli.fails("train", data, "--out", out / "run", "--config", tiny_config_file, "--tokenizer", "kmer:k=6",
                     match=r"short\.fa: record 'r10' is 4 bp, shorter than k = 6 of the k-mer tokenizer "
                           r"\(10 of 20 sequences are\).*smaller k")
    dnaaug_cli.fails("embed", kmer_run, data, "-o", out / "emb.npy",
                     match=r"record 'r10' is 4 bp, shorter than k = 6")
    assert tree(out) == set()
    # one-hot models take short sequences (padded, masked)
    dnaaug_cli.works("train", data, "--out", out / "run", "--config", tiny_config_file)
    dnaaug_cli.works("embed", trained_run, data, "-o", out / "emb.npy")
    assert np.isfinite(_embeddings(out / "emb.npy")).all()


@pytest.fixture
def no_heavy_work(monkeypatch):
    """Reading inputs or datasets, or loading a model, fails the test: outputs must be checked first."""
    def boom(*args, **kwargs):
        raise AssertionError("heavy work started before the output path was checked")

    monkeypatch.setattr(dnaaug.data, "read_inputs", boom)
    monkeypatch.setattr(dnaaug.data, "load_dataset", boom)
    monkeypatch.setattr(dnaaug.train, "load_encoder", boom)


def _unwritable(kind: str, tmp_path, monkeypatch):
    """An output location that cannot be written, and the pattern its message must match."""
    if kind == "missing folder":
        return tmp_path / "no_such_folder", r"x\.(npy|fa): output folder .*no_such_folder does not exist"
    if kind == "under a file":
        (tmp_path / "a_file").write_text("x")
        return tmp_path / "a_file", r"a_file is a file"
    return read_only(tmp_path / "read_only", monkeypatch), r"read_only.*not writable"


# train and benchmark create a missing --out folder and its parents (like mkdir -p), so that case is theirs only
UNWRITABLE = [(c, k) for c in ("train", "embed", "augment", "benchmark")
              for k in ("missing folder", "under a file", "read-only folder")
              if not (k == "missing folder" and c in ("train", "benchmark"))]


@pytest.mark.parametrize("command,kind", UNWRITABLE)
def test_unwritable_output_fails_before_any_work(command, kind, tmp_path, dnaaug_cli, tiny_config_file,
                                                 trained_run, no_heavy_work, monkeypatch):
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(20, 60)))
    parent, pattern = _unwritable(kind, tmp_path, monkeypatch)
    args = {"train": ["train", data, "--out", parent / "run", "--config", tiny_config_file],
            "embed": ["embed", trained_run, data, "-o", parent / "x.npy"],
            "augment": ["augment", data, "--augment", "rc", "-o", parent / "x.fa"],
            "benchmark": ["benchmark", "--dataset", data, *BENCH_FAST, "--out", parent / "bench"]}[command]
    dnaaug_cli.fails(*args, match=pattern)
    if kind == "under a file":
        assert parent.read_text() == "x"
    else:
        assert tree(parent) == set()


def test_output_that_is_a_folder(tmp_path, dnaaug_cli, trained_run, no_heavy_work):
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(20, 60)))
    (tmp_path / "x.npy").mkdir()
    # click's own check (dir_okay=False) answers first; the library check stays for API callers
    dnaaug_cli.fails("embed", trained_run, data, "-o", tmp_path / "x.npy", match=r"x\.npy.*(is a directory|is a folder)")
    (tmp_path / "x.fa").mkdir()
    dnaaug_cli.fails("augment", data, "--augment", "rc", "-o", tmp_path / "x.fa",
                     match=r"x\.fa.*(is a directory|is a folder)")
