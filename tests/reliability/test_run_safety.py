"""Run safety through the CLI: unsafe or corrupt checkpoints are refused before anything is unpickled,
a non-finite generator loss stops with the phase named and the last good checkpoint kept, and a
second process cannot use a run folder that another one holds."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys

import torch
from rel_helpers import fasta_text, random_dna, tree

from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.masked import MaskedGenerator
from dnaaug.train.checkpoint import load_checkpoint


class _CreatesFile:
    """Unpickling this calls open(path, "w"): a stand-in for any code a crafted pickle could run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _evil_checkpoints(folder, marker):
    payload = {"format": "dnaaug-checkpoint/1", "model": {}, "x": _CreatesFile(marker)}
    plain = folder / "evil_pickle.pt"
    with open(plain, "wb") as fh:
        pickle.dump(payload, fh)  # a bare pickle, the old torch format
    zipped = folder / "evil_zip.pt"
    torch.save(payload, zipped)  # torch's zip format holding the same pickle
    assert not marker.exists()
    return [plain, zipped]


def test_crafted_pickle_checkpoint_is_refused_and_never_runs(tmp_path, dnaaug_cli):
    marker = tmp_path / "pwned"
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(10, 60), labels=False))
    out = tmp_path / "out"
    out.mkdir()
    for evil in _evil_checkpoints(tmp_path, marker):
        pattern = rf"{evil.name}: refused to load: the file holds Python objects other than weights and plain data"
        dnaaug_cli.fails("embed", evil, data, "-o", out / "emb.npy", match=pattern)
        dnaaug_cli.fails("augment", evil, data, "-o", out / "views.fa", match=pattern)
        assert not marker.exists(), "the pickle ran code"
    assert tree(out) == set()


def test_refusal_is_one_line_on_stderr_without_warnings(tmp_path):
    """In a real process (where torch's warnings would print), stderr is the one error line."""
    marker = tmp_path / "pwned"
    evil = _evil_checkpoints(tmp_path, marker)[0]
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(10, 60), labels=False))
    proc = subprocess.run([sys.executable, "-m", "dnaaug", "embed", str(evil), str(data), "-o",
                           str(tmp_path / "emb.npy")], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("Error: "), proc.stderr
    assert not marker.exists() and not (tmp_path / "emb.npy").exists()


def test_corrupt_checkpoints_are_clear_errors(tmp_path, dnaaug_cli, trained_run):
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(10, 60), labels=False))
    real = (trained_run / "checkpoints" / "last.pt").read_bytes()
    cases = {"truncated.pt": (real[: len(real) // 2], r"truncated\.pt: cannot read checkpoint \(.+\)$"),
             "empty.pt": (b"", r"empty\.pt: cannot read checkpoint"),
             "text.pt": (b"hello\n", r"text\.pt: cannot read checkpoint")}
    for name, (content, pattern) in cases.items():
        (tmp_path / name).write_bytes(content)
        line = dnaaug_cli.fails("embed", tmp_path / name, data, "-o", tmp_path / "emb.npy", match=pattern)
        assert len(line) < 300, line  # torch's paragraphs of advice are cut to the first sentence
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    dnaaug_cli.fails("embed", tmp_path / "foreign.pt", data, "-o", tmp_path / "emb.npy",
                     match=r"foreign\.pt: not a dnaaug checkpoint")
    assert not (tmp_path / "emb.npy").exists() and not list(tmp_path.glob(".*.tmp"))


def test_nan_in_the_generator_phase_names_it_and_keeps_the_checkpoint(tmp_path, dnaaug_cli, tiny_config_file,
                                                                     monkeypatch):
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(40, 60, seed=2), labels=False))
    run = tmp_path / "run"

    def nan_loss(self, x_onehot, cond, *, generator, mask=None):
        return sum(p.sum() for p in self.parameters()) * float("nan")

    with monkeypatch.context() as patch:
        patch.setattr(ConditionalGenerator, "loss", nan_loss)
        patch.setattr(MaskedGenerator, "loss", nan_loss)
        dnaaug_cli.fails("train", data, "--out", run, "--config", tiny_config_file, "--augment", "diffaug", code=1,
                         match=r"non-finite loss \(nan\) in phase generator-r1, epoch 1, step 1; the last good "
                               r"checkpoint is kept at .*last\.pt\. Try a lower --lr, or fp32")
    ckpt = load_checkpoint(run / "checkpoints" / "last.pt")
    assert ckpt["phases"][ckpt["state"]["phase_index"]] == "generator-r1" and ckpt["state"]["step"] == 0
    for name in ("model", "generator"):
        assert all(torch.isfinite(t).all() for t in ckpt[name].values() if t.is_floating_point())
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["event"] for line in lines][-1] == "phase"  # the warm-up finished and was logged
    assert json.loads(lines[0])["compute"].startswith(f"torch {torch.__version__}, cpu ")  # the run's compute line
    # the kept checkpoint is a working resume point once the fault is gone
    dnaaug_cli.works("train", "--resume", run)
    assert load_checkpoint(run / "checkpoints" / "last.pt")["state"]["phase_index"] == 4


# a second process: lock every run folder given as an argument, say so, then wait to be killed
HOLD_LOCKS = ("import sys, time; from dnaaug.train.run_dir import RunDir; held = [RunDir(p) for p in sys.argv[1:]]; "
              "[h.lock() for h in held]; print('locked', flush=True); time.sleep(120)")


def test_second_process_on_a_held_run_folder_is_refused(tmp_path, dnaaug_cli, tiny_config_file):
    data = tmp_path / "in.fa"
    data.write_text(fasta_text(random_dna(40, 60), labels=False))
    fresh, existing = tmp_path / "fresh", tmp_path / "existing"
    dnaaug_cli.works("train", data, "--out", existing, "--config", tiny_config_file)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCKS, str(fresh), str(existing)],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    message = r"another dnaaug process is using this run folder \(wait for it to finish or choose another --out\)"
    try:
        assert holder.stdout.readline().strip() == "locked"
        dnaaug_cli.fails("train", data, "--out", fresh, "--config", tiny_config_file, match=rf"fresh: {message}")
        dnaaug_cli.fails("train", "--resume", existing, match=rf"existing: {message}")
        assert fresh.is_dir() and (existing / "checkpoints" / "last.pt").exists()  # nothing of theirs is touched
    finally:
        holder.send_signal(signal.SIGKILL)  # flock goes with the process: no stale lock
        holder.wait(timeout=30)
    dnaaug_cli.works("train", data, "--out", fresh, "--config", tiny_config_file)
    dnaaug_cli.works("train", "--resume", existing)
    assert (fresh / "checkpoints" / "last.pt").exists()
