"""``dnaaug datasets`` and ``dnaaug demo-data`` through click's CliRunner."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from dnaaug_cli.main import cli


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_datasets_table(run):
    result = run("datasets")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "kind", "short", "classes", "train", "test", "length", "(bp)"]
    row = next(line for line in lines if line.startswith("dummy_mouse_enhancers_ensembl"))
    assert row.split() == ["dummy_mouse_enhancers_ensembl", "GB", "MoEnEc", "2", "968", "242", "331-4,776"]
    assert any(line.startswith("gue_mouse_tf") for line in lines)


def test_datasets_json(run):
    data = json.loads(run("datasets", "--json").output)
    assert "human_nontata_promoters" in {m["name"] for m in data}


def test_datasets_show(run):
    result = run("datasets", "show", "human_nontata_promoters")
    assert result.exit_code == 0
    assert "licence:   Apache-2.0" in result.output
    assert [ln.split() for ln in result.output.splitlines() if ln.startswith(("negative", "positive"))] == [
        ["negative", "12,355", "4,119"], ["positive", "14,742", "4,915"]]
    gue = run("datasets", "show", "mouse_0").output
    assert "gue_mouse_tf" in gue and "6,478" in gue


def test_datasets_show_unknown_exits_2(run):
    result = run("datasets", "show", "nope")
    assert result.exit_code == 2
    assert "Error: unknown dataset 'nope'; known: demo" in result.output


def test_demo_data_seeded(run, tmp_path):
    args = ("demo-data", "--n-train", 40, "--n-test", 20, "--format", "csv")
    assert run("--seed", 3, *args[:1], tmp_path / "a", *args[1:]).exit_code == 0
    assert run("--seed", 3, *args[:1], tmp_path / "b", *args[1:]).exit_code == 0
    assert run("--seed", 4, *args[:1], tmp_path / "c", *args[1:]).exit_code == 0
    a, b, c = ((tmp_path / d / "train.csv").read_text() for d in "abc")
    assert a == b != c
    assert a.count("\n") == 41
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["test.csv", "train.csv"]


def test_demo_data_default_writes_both_formats(run, tmp_path):
    result = run("demo-data", tmp_path / "d", "--n-train", 10, "--n-test", 10)
    assert result.exit_code == 0 and "wrote" in result.output
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [
        "test.csv", "test.fa", "train.csv", "train.fa"]


def test_demo_data_bad_length_is_usage_error(run, tmp_path):
    result = run("demo-data", tmp_path / "x", "--length", 50)
    assert result.exit_code == 2 and "--length" in result.output


@pytest.mark.parametrize("args", [["datasets"], ["datasets", "show"], ["demo-data"]])
def test_help_has_examples(run, args):
    result = run(*args, "--help")
    assert result.exit_code == 0 and re.search(r"Examples:\n +dnaaug ", result.output)


def test_offline_benchmark_error_names_the_local_copy_options(tmp_path, monkeypatch):
    """``dnaaug benchmark -d <GB name>`` without a network: one line, exit code 2, naming --gb-cache
    and DNAAUG_GB_CACHE (the real download replaced by a fake that raises requests' network error)."""
    import requests

    from dnaaug.data import genomic_benchmarks

    def offline(name, version, dest_path):
        raise requests.exceptions.ConnectionError(
            "HTTPConnectionPool(host='raw.githubusercontent.com', port=80): Max retries exceeded with url: "
            f"/ML-Bioinfo-CEITEC/genomic_benchmarks/main/datasets/{name}/metadata.yaml (Caused by NameResolutionError)")

    monkeypatch.setattr(genomic_benchmarks, "_default_download", offline)
    monkeypatch.delenv("DNAAUG_GB_CACHE", raising=False)
    out = tmp_path / "bench"
    result = CliRunner().invoke(cli, ["-q", "benchmark", "-d", "human_nontata_promoters", "--gb-cache",
                                      str(tmp_path / "cache"), "--preset", "smoke", "--seeds", "0", "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("Error: could not download Genomic Benchmarks dataset 'human_nontata_promoters' "
                               f"into {tmp_path / 'cache'} (no network?); to use a local copy, give --gb-cache DIR or "
                               "set DNAAUG_GB_CACHE=DIR")
    assert not out.exists()  # nothing left behind
