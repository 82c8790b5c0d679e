"""Crash safety: ``dnaaug train`` and ``dnaaug benchmark`` killed with SIGKILL (no handler runs, like a
node failure or the OOM killer) leave a loadable ``last.pt``, a valid ``metrics.jsonl`` and a free
lock; resuming finishes with weights bit-identical to an uninterrupted run (CPU), and a re-run
benchmark keeps its finished cells."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from rel_helpers import TINY, fasta_text, random_dna

from dnaaug.train.checkpoint import load_checkpoint
from dnaaug.train.run_dir import RunDir

# one thread in the subprocesses too, so their float results match this process (conftest sets 1)
ENV = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
CONFIG = {**TINY, "log_every": 1, "epochs": 6}  # 320 sequences / 16 = 20 steps per epoch, 120 in all


def _spawn(folder: Path, *args) -> subprocess.Popen:
    """Start ``python -m dnaaug -q --device cpu ARGS``; its output goes to ``proc.log_path``."""
    log_path = folder / f"output-{time.monotonic_ns()}.txt"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dnaaug", "-q", "--device", "cpu", *map(str, args)],
                                stdout=log, stderr=subprocess.STDOUT, env=ENV, cwd=folder)
    proc.log_path = log_path
    return proc


def _metrics(run: Path) -> list[dict]:
    """The complete metrics lines; asserts that at most the last line is partial (a crash mid-write)."""
    if not (run / "metrics.jsonl").exists():
        return []
    text = (run / "metrics.jsonl").read_text()
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]  # tail is "" when the file ends with a newline
    out = [json.loads(line) for line in complete]  # every newline-terminated line is valid JSON
    if tail:
        try:
            out.append(json.loads(tail))
        except json.JSONDecodeError:
            pass  # a partial last line is allowed: resume drops it
    return out


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 120.0, delay: float = 0.0) -> None:
    """SIGKILL ``proc`` once ``ready()`` holds (polled every 5 ms), after ``delay`` seconds."""
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert proc.poll() is None, f"process ended (exit {proc.returncode}) before the kill point: " \
                                        f"{proc.log_path.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "kill point not reached in time"
            time.sleep(0.005)
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)  # also when the test failed: never leave a trainer running
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the process finished before it could be killed"


def _step_reached(run: Path, step: int):
    return lambda: any(m.get("global_step", -1) >= step and m["event"] == "step" for m in _metrics(run))


def _check_after_kill(run: Path) -> int:
    """What a crash must leave: a loadable checkpoint, valid metrics, a free lock. Returns the saved step."""
    ckpt = load_checkpoint(run / "checkpoints" / "last.pt")
    assert _metrics(run)[0]["event"] == "run"
    lock = RunDir(run)
    lock.lock()  # flock dies with its process: nothing stale blocks the resume
    lock.unlock()
    return ckpt["state"]["global_step"]


def test_sigkilled_training_resumes_to_identical_weights(tmp_path, dnaaug_cli):
    data = tmp_path / "train.fa"
    data.write_text(fasta_text(random_dna(320, 60, seed=11), labels=False))
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    run = tmp_path / "run"

    # 1. fresh run, killed mid-epoch 1: the checkpoint written at the start is the resume point
    proc = _spawn(tmp_path, "train", data, "--out", run, "--config", config)
    _kill_when(proc, _step_reached(run, 7))
    assert _check_after_kill(run) == 0
    stale = run / "checkpoints" / ".last.pt.k1ll3d.tmp"  # what a kill in the middle of a save leaves
    stale.write_bytes(b"half a checkpoint")
    # 2. resumed, killed right after the last step of epoch 2 (validation / checkpoint writing)
    proc = _spawn(tmp_path, "train", "--resume", run)
    _kill_when(proc, _step_reached(run, 40))
    saved = _check_after_kill(run)
    assert saved in (20, 40)
    # 3. resumed, killed at a random moment of its training
    proc = _spawn(tmp_path, "train", "--resume", run)
    resumes = sum(m["event"] == "resume" for m in _metrics(run))
    delay = float(np.random.default_rng(0).uniform(0.05, 0.3))
    _kill_when(proc, lambda: sum(m["event"] == "resume" for m in _metrics(run)) > resumes, delay=delay)
    assert _check_after_kill(run) >= saved

    # 4. the last resume runs to the end here; the result equals an uninterrupted run
    dnaaug_cli.works("train", "--resume", run)
    dnaaug_cli.works("train", data, "--out", tmp_path / "reference", "--config", config)
    got = load_checkpoint(run / "checkpoints" / "last.pt")
    want = load_checkpoint(tmp_path / "reference" / "checkpoints" / "last.pt")
    assert got["state"]["phase_index"] == 1 and got["state"]["global_step"] == 120
    assert got["model"].keys() == want["model"].keys()
    assert all(torch.equal(got["model"][k], want["model"][k]) for k in want["model"])
    # metrics hold each epoch once (lines after the checkpoint were dropped on resume); the resumed run
    # removed the temporary files that killed writes left
    epochs = [m["epoch"] for m in _metrics(run) if m["event"] == "epoch"]
    assert epochs == [1, 2, 3, 4, 5, 6]
    assert not stale.exists() and not list(run.rglob("*.tmp"))


def test_sigkilled_benchmark_keeps_finished_cells(tmp_path, dnaaug_cli):
    gue = tmp_path / "task"
    gue.mkdir()
    seqs = random_dna(200, 60, seed=12)
    (gue / "train.csv").write_text("sequence,label\n" + "".join(f"{s},{i % 2}\n" for i, s in enumerate(seqs[:160])))
    (gue / "test.csv").write_text("sequence,label\n" + "".join(f"{s},{i % 2}\n" for i, s in enumerate(seqs[160:])))
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**CONFIG, "epochs": 3}))  # 10 steps per epoch
    out = tmp_path / "bench"
    args = ["benchmark", "--dataset", gue, "--config", config, "--preset", "smoke", "--augment", "rc,none",
            "--seeds", "0", "--no-kmer-floor", "--no-random-init", "--no-masked-lm", "--out", out]
    first = out / "cells" / "task" / "rc" / "seed0.json"
    second = out / "cells" / "task" / "none" / "seed0.json"
    second_run = out / "runs" / "task" / "none" / "seed0"

    proc = _spawn(tmp_path, *args)
    # kill while the second cell trains: after its first checkpoint and a few steps
    _kill_when(proc, lambda: first.exists() and (second_run / "checkpoints" / "last.pt").exists()
               and _step_reached(second_run, 3)())
    assert first.exists() and not second.exists()
    _check_after_kill(second_run)
    stamp = first.stat().st_mtime_ns

    dnaaug_cli.works(*args)
    assert first.stat().st_mtime_ns == stamp  # the finished cell was not recomputed
    assert second.exists()
    assert sum(m["event"] == "resume" for m in _metrics(second_run)) == 1  # the cut cell resumed
    assert set(pd.read_csv(out / "results.csv")["method"]) == {"rc", "none"}
    assert not list(out.rglob("*.tmp"))
