"""``dnaaug train --out DIR``: a non-empty folder that is not a run folder is refused (exit code 2)
unless ``--force``, which says what it replaces; run folders, benchmark cells and ``--resume`` work
as before."""

from __future__ import annotations

import json

import pytest
from rel_helpers import BENCH_FAST, fasta_text, random_dna, tree

from dnaaug.errors import InputError
from dnaaug.train.run_dir import RunDir, check_new_run_folder, force_notice, is_run_folder, run_files_present


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "in.fa"
    path.write_text(fasta_text(random_dna(40, 60, seed=3), labels=False))
    return path


def _foreign(folder):
    """A folder of someone else's files, one of them named like a run file."""
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    (folder / "raw").mkdir()
    (folder / "metrics.jsonl").write_text('{"event": "not dnaaug"}\n')
    return folder


def test_non_run_folder_is_refused_and_left_untouched(tmp_path, data, dnaaug_cli, tiny_config_file):
    out = _foreign(tmp_path / "mine")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    line = dnaaug_cli.fails("train", data, "--out", out, "--config", tiny_config_file, code=2)
    assert line == (f"Error: {out}: not empty (metrics.jsonl, notes.txt, raw/) and not a dnaaug run folder; "
                    "choose another --out, or add --force to write the run there (replacing only run files)")
    assert tree(out) == {"notes.txt", "raw", "metrics.jsonl"}
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_force_says_what_it_replaces_and_keeps_the_rest(tmp_path, data, dnaaug_cli, tiny_config_file):
    out = _foreign(tmp_path / "mine")
    result = dnaaug_cli.works("train", data, "--out", out, "--config", tiny_config_file, "--force")
    notice = [line for line in result.stderr.splitlines() if line.startswith("--force:")]
    assert notice == [f"--force: {out} is not a dnaaug run folder; the new run writes into it, overwriting "
                      "metrics.jsonl; leaving 2 other entries (notes.txt, raw/)"]
    assert (out / "notes.txt").read_text() == "mine\n" and (out / "raw").is_dir()
    assert (out / "checkpoints" / "last.pt").exists()
    events = [json.loads(line)["event"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert "not dnaaug" not in events and events[0] == "run"  # the foreign lines were replaced, not appended to
    # the folder is a run folder now: --resume continues it as for any run
    assert is_run_folder(out)
    dnaaug_cli.works("train", "--resume", out)


def test_force_into_a_folder_without_run_files(tmp_path, data, dnaaug_cli, tiny_config_file):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "readme.txt").write_text("x")
    result = dnaaug_cli.works("train", data, "--out", out, "--config", tiny_config_file, "--force")
    assert (f"--force: {out} is not a dnaaug run folder; the new run writes into it, overwriting nothing; "
            "leaving 1 other entry (readme.txt)") in result.stderr


def test_bad_input_with_force_changes_nothing(tmp_path, dnaaug_cli, tiny_config_file):
    out = _foreign(tmp_path / "mine")
    bad = tmp_path / "bad.fa"
    bad.write_text(">r\nACXT\n")
    dnaaug_cli.fails("train", bad, "--out", out, "--config", tiny_config_file, "--force", match="position 3")
    assert (out / "metrics.jsonl").read_text() == '{"event": "not dnaaug"}\n'
    assert tree(out) == {"notes.txt", "raw", "metrics.jsonl"}


def test_empty_folder_and_run_folders_need_no_force(tmp_path, data, dnaaug_cli, tiny_config_file):
    empty = tmp_path / "empty"
    empty.mkdir()
    dnaaug_cli.works("train", data, "--out", empty, "--config", tiny_config_file)
    # a finished run: the library's own message, unchanged (use --resume)
    dnaaug_cli.fails("train", data, "--out", empty, "--config", tiny_config_file, match="already holds a run; use --resume")
    dnaaug_cli.works("train", "--resume", empty)
    # what a run stopped before its config leaves (lock and an empty checkpoints/) is a run folder
    partial = tmp_path / "partial"
    held = RunDir(partial)
    held.lock()
    held.unlock()
    assert tree(partial) == {".lock", "checkpoints"}
    dnaaug_cli.works("train", data, "--out", partial, "--config", tiny_config_file)


def test_force_with_resume_is_a_usage_error(tmp_path, dnaaug_cli, trained_run):
    dnaaug_cli.fails("train", "--resume", trained_run, "--force", code=2, match="--force goes with --out")


def test_benchmark_folders_and_their_cell_runs(tmp_path, dnaaug_cli, tiny_config_file):
    """A benchmark's --out is not a run folder (train refuses it); each cell's run folder is one, and
    re-running the benchmark into the same --out still works."""
    gue = tmp_path / "task"
    gue.mkdir()
    seqs = random_dna(120, 60, seed=5)
    for split, part in (("train", seqs[:90]), ("test", seqs[90:])):
        (gue / f"{split}.csv").write_text("sequence,label\n" + "".join(f"{s},{i % 2}\n" for i, s in enumerate(part)))
    out = tmp_path / "bench"
    args = ["benchmark", "--dataset", gue, *BENCH_FAST, "--config", tiny_config_file, "--out", out]
    dnaaug_cli.works(*args)
    cell_run = out / "runs" / "task" / "rc" / "seed0"
    assert is_run_folder(cell_run) and not is_run_folder(out)
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(seqs, labels=False))
    dnaaug_cli.fails("train", data, "--out", out, "--config", tiny_config_file, match="not a dnaaug run folder")
    dnaaug_cli.fails("train", data, "--out", cell_run, "--config", tiny_config_file, match="already holds a run")
    dnaaug_cli.works(*args)


def test_check_new_run_folder_unit(tmp_path):
    assert check_new_run_folder(tmp_path / "absent") is None
    assert check_new_run_folder(tmp_path) is None  # empty
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "other.txt").write_text("")
    assert is_run_folder(tmp_path) and check_new_run_folder(tmp_path) is None  # a run folder with extras
    (tmp_path / "config.json").unlink()
    with pytest.raises(InputError, match=r"not empty \(other\.txt\) and not a dnaaug run folder"):
        check_new_run_folder(tmp_path)
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "last.pt").write_bytes(b"")
    (tmp_path / "checkpoints" / "keep.bin").write_bytes(b"")
    assert check_new_run_folder(tmp_path, force=True) == ["checkpoints/last.pt"]
    assert run_files_present(tmp_path) == ["checkpoints/last.pt"]
    assert force_notice(tmp_path, ["checkpoints/last.pt"]).endswith(
        "overwriting checkpoints/last.pt; leaving 1 other entry (other.txt)")
