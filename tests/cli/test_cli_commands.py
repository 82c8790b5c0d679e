"""CLI: train, embed, augment, benchmark end to end on tiny data; help and error conversion."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner

from dnaaug.data.synthetic import write_synthetic
from dnaaug.train.dataclass_io import merge
from dnaaug_cli.main import COMMANDS, cli

TINY = {"length": 48, "batch_size": 16, "val_size": 0, "log_every": 5, "projection_dim": 8,
        "encoder": {"width": 16, "depth": 1, "kernel": 3, "stem_kernel": 5},
        "diffaug": {"warmup_epochs": 1, "rounds": 1, "generator_epochs": 1, "contrastive_epochs": 1,
                    "positives": 1, "sampling_steps": 2, "denoiser_channels": 8, "denoiser_depth": 1,
                    "generator_batch_size": 16, "diagnostics_sample": 16, "diffusion_steps": 50}}


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def demo(tmp_path):
    write_synthetic(tmp_path / "demo", fmt="both", n_train=80, n_test=40, length=160, seed=0)
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    return tmp_path / "demo", cfg


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_example(runner, name):
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "dnaaug" in result.output


def test_train_embed_round_trip(runner, demo, tmp_path):
    folder, cfg = demo
    run = tmp_path / "run"
    result = runner.invoke(cli, ["-q", "--seed", "3", "train", str(folder / "train.fa"), "--out", str(run),
                                 "--config", str(cfg), "--epochs", "1", "--augment", "rc+mutation:rate=0.1"])
    assert result.exit_code == 0, result.output
    config = json.loads((run / "config.json").read_text())
    assert config["seed"] == 3 and config["epochs"] == 1 and config["augment"] == "rc+mutation:rate=0.1"
    assert config["encoder"]["width"] == 16  # from --config
    for suffix in (".npy", ".parquet", ".csv"):
        out = tmp_path / f"emb{suffix}"
        result = runner.invoke(cli, ["-q", "embed", str(run), str(folder / "test.fa"), "-o", str(out)])
        assert result.exit_code == 0, result.output
    emb = np.load(tmp_path / "emb.npy")
    ids = (tmp_path / "emb.npy.ids.txt").read_text().split()
    # both strands, each h (32: meanmax of width 16) + 3 region means (3 x 16): 2 x 80
    assert emb.shape == (40, 160) and len(ids) == 40
    result = runner.invoke(cli, ["-q", "embed", str(run), str(folder / "test.fa"), "-o", str(tmp_path / "fw.npy"),
                                 "--strands", "forward", "--regions", "0"])
    assert result.exit_code == 0, result.output
    assert "dimension 32" in result.output
    assert np.allclose(np.load(tmp_path / "fw.npy"), emb[:, :32], atol=1e-5)
    table = pd.read_parquet(tmp_path / "emb.parquet")
    assert np.allclose(table.drop(columns="id").to_numpy(), emb, atol=1e-6)
    assert list(table["id"]) == ids


def test_embed_shards_cover_the_input(runner, demo, tmp_path):
    folder, cfg = demo
    run = tmp_path / "run"
    assert runner.invoke(cli, ["-q", "train", str(folder / "train.csv"), "--out", str(run), "--config", str(cfg),
                               "--epochs", "1"]).exit_code == 0
    full = tmp_path / "full.csv"
    assert runner.invoke(cli, ["-q", "embed", str(run), str(folder / "test.csv"), "-o", str(full)]).exit_code == 0
    parts = []
    for i in range(2):
        out = tmp_path / f"part{i}.csv"
        result = runner.invoke(cli, ["-q", "embed", str(run), str(folder / "test.csv"), "-o", str(out),
                                     "--shard", f"{i}/2"])
        assert result.exit_code == 0, result.output
        parts.append(pd.read_csv(out))
    merged = pd.concat(parts).set_index("id").sort_index()
    whole = pd.read_csv(full).set_index("id").sort_index()
    assert np.allclose(merged.to_numpy(), whole.to_numpy(), atol=1e-5)


@pytest.mark.parametrize("generator", ["gaussian", "masked"])
def test_diffaug_train_and_augment(runner, demo, tmp_path, generator):
    folder, cfg = demo
    run = tmp_path / "diff"
    config = tmp_path / "generator.json"
    config.write_text(json.dumps(merge(json.loads(cfg.read_text()), {"diffaug": {"generator": generator}})))
    result = runner.invoke(cli, ["-q", "train", str(folder / "train.fa"), "--out", str(run), "--config", str(config),
                                 "--augment", "diffaug"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "gen.fa"
    result = runner.invoke(cli, ["-q", "augment", str(run), str(folder / "test.fa"), "-n", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 40 * 2 * 2 and lines[0].endswith("|gen=0") and lines[2].endswith("|gen=1")
    assert set("".join(lines[1::2])) <= set("ACGT")
    assert len(lines[1]) == 48


def test_augment_with_spec(runner, demo, tmp_path):
    folder, _ = demo
    out = tmp_path / "rc.fa"
    result = runner.invoke(cli, ["-q", "augment", str(folder / "test.fa"), "--augment", "rc:p=1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from dnaaug.data import read_fasta
    from dnaaug.tokenize import reverse_complement

    original = {r.id: r.sequence for r in read_fasta(folder / "test.fa")}
    for rec in read_fasta(out):
        assert rec.sequence == reverse_complement(original[rec.id.split("|")[0]])


def test_benchmark_smoke_resumes(runner, demo, tmp_path):
    folder, cfg = demo
    out = tmp_path / "bench"
    args = ["-q", "benchmark", "--dataset", str(folder), "--augment", "diffaug,rc,none", "--seeds", "0",
            "--preset", "smoke", "--config", str(cfg), "--supervised", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "results.csv")
    assert set(frame["method"]) == {"diffaug", "rc", "none", "random-init", "masked-lm", "kmer-spectrum",
                                    "supervised"}
    assert frame.loc[frame["method"] == "masked-lm", "train_seconds"].iloc[0] > 0
    assert {"accuracy", "mcc", "macro_f1", "auroc", "nmi", "ari", "cluster_acc", "train_seconds"} <= set(frame)
    assert frame["accuracy"].between(0, 1).all()
    md = (out / "results.md").read_text()
    assert "| diffaug" in md and "AVE" in md
    assert "accuracy" in result.output.lower()
    assert (out / "plots" / "accuracy.png").exists()
    # a re-run skips finished cells: change nothing, nothing retrains
    stamp = {p: p.stat().st_mtime_ns for p in (out / "cells").rglob("*.json")}
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert {p: p.stat().st_mtime_ns for p in (out / "cells").rglob("*.json")} == stamp
    # finished cells embedded with other strands are not mixed into the table
    result = runner.invoke(cli, [*args, "--strands", "forward"])
    assert result.exit_code == 2
    assert "was embedded with --strands both, not forward" in result.output
    result = runner.invoke(cli, [*args, "--regions", "0"])
    assert result.exit_code == 2
    assert "was embedded with --regions 3, not 0" in result.output
    assert {p: p.stat().st_mtime_ns for p in (out / "cells").rglob("*.json")} == stamp


@pytest.mark.parametrize("args,message", [
    (["train", "{missing}", "--out", "{tmp}/r"], "does not exist"),
    (["train", "{bad}", "--out", "{tmp}/r"], "position 3"),
    (["train", "{good}", "--out", "{tmp}/r", "--augment", "blur"], "unknown augmenter"),
    (["train", "{good}", "--out", "{tmp}/r", "--tokenizer", "kmer:k=12"], "k-mer size"),
    (["embed", "{tmp}", "{good}", "-o", "{tmp}/x.npy"], "config.json|checkpoint"),
    (["embed", "{tmp}", "{good}", "-o", "{tmp}/x.txt"], "unknown output format"),
    (["benchmark", "--dataset", "no_such_set", "--out", "{tmp}/b"], "unknown dataset"),
])
def test_errors_are_one_line_with_exit_code_2(runner, tmp_path, args, message):
    bad = tmp_path / "bad.fa"
    bad.write_text(">r1\nACXT\n")
    good = tmp_path / "good.fa"
    good.write_text("".join(f">r{i}\nACGTACGTACGTAAAACCCGGGTTT\n" for i in range(12)))
    subs = {"{missing}": str(tmp_path / "nope.fa"), "{bad}": str(bad), "{good}": str(good), "{tmp}": str(tmp_path)}
    args = [a.replace(k, v) if isinstance(a, str) else a for a in args for k, v in [next(
        ((k, v) for k, v in subs.items() if k in a), ("", ""))]]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    import re
    assert re.search(message, result.output, re.I), result.output
    assert "Traceback" not in result.output


def test_benchmark_report_only_rebuilds_tables(runner, demo, tmp_path):
    folder, cfg = demo
    out = tmp_path / "bench"
    args = ["-q", "benchmark", "--dataset", str(folder), "--augment", "none", "--seeds", "0", "--preset", "smoke",
            "--config", str(cfg), "--no-kmer-floor", "--out", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    # a neural cell names the compute it ran on (retraining elsewhere moves it): torch, CPU ISA, threads
    cell = json.loads(next((out / "cells").rglob("seed0.json")).read_text())
    assert f"computed with torch {torch.__version__}, cpu " in cell["notes"] and "thread(s)" in cell["notes"]
    (out / "results.md").unlink()
    result = runner.invoke(cli, ["-q", "benchmark", "--out", str(out), "--report-only"])
    assert result.exit_code == 0, result.output
    assert "| none" in (out / "results.md").read_text()
    empty = runner.invoke(cli, ["-q", "benchmark", "--out", str(tmp_path / "nothing"), "--report-only"])
    assert empty.exit_code == 2 and "no finished benchmark cells" in empty.output


def test_augment_is_repeatable_and_still_takes_a_list(runner, demo, tmp_path):
    folder, cfg = demo
    out = tmp_path / "bench"
    args = ["-q", "benchmark", "--dataset", str(folder), "-a", "none", "-a", "rc,none", "-a", "rc", "--seeds", "0",
            "--preset", "smoke", "--config", str(cfg), "--no-kmer-floor", "--no-random-init", "--no-masked-lm",
            "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "spec.json").read_text())["methods"] == ["none", "rc"]  # both, in order, once
    assert list(pd.read_csv(out / "results.csv")["method"]) == ["none", "rc"]


def test_split_methods_joins_repeated_options():
    from dnaaug.benchmark import DEFAULT_METHODS, split_methods
    from dnaaug_cli.benchmark_cmd import DEFAULT_AUGMENT

    assert split_methods(DEFAULT_AUGMENT) == list(DEFAULT_METHODS)
    assert split_methods("diffaug,rc+mutation:rate=0.05,p=0.5,mixup") == ["diffaug", "rc+mutation:rate=0.05,p=0.5",
                                                                          "mixup"]
    # each -a value is split on its own: a parameter never continues a spec from another -a
    assert split_methods(("mutation:rate=0.05", "p=0.5,rc", "rc", " mixup ,mutation:rate=0.05")) == [
        "mutation:rate=0.05", "p=0.5", "rc", "mixup"]
