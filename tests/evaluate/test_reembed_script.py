"""benchmarks/reembed.py: copies runs and carries training time into re-embedded cells."""

from __future__ import annotations

import json
from pathlib import Path

from scripts import load_benchmark_script


def _load():
    return load_benchmark_script("reembed")


def _cell(path: Path, **fields) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"dataset": "d", "method": "m", "seed": 0, "notes": "x", **fields}))


def test_copy_runs_then_carry_train_seconds(tmp_path):
    reembed = _load()
    src, dst = tmp_path / "src", tmp_path / "dst"
    run = src / "runs" / "d" / "m" / "seed0"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "last.pt").write_bytes(b"ckpt")
    (run / ".lock").write_text("1")
    assert reembed.copy_runs(src, dst) == 1
    copied = dst / "runs" / "d" / "m" / "seed0"
    assert (copied / "checkpoints" / "last.pt").read_bytes() == b"ckpt" and not (copied / ".lock").exists()
    assert reembed.copy_runs(src, dst) == 0  # already there: left alone

    _cell(src / "cells" / "d" / "m" / "seed0.json", train_seconds=400.0)
    _cell(dst / "cells" / "d" / "m" / "seed0.json", train_seconds=3.0)
    _cell(dst / "cells" / "d" / "kmer" / "seed0.json", train_seconds=None)   # no training: untouched
    _cell(dst / "cells" / "d" / "new" / "seed0.json", train_seconds=5.0)     # no source cell: untouched
    assert reembed.carry_train_seconds(src, dst) == 1
    cell = json.loads((dst / "cells" / "d" / "m" / "seed0.json").read_text())
    assert cell["train_seconds"] == 400.0 and cell["notes"].endswith("(re-embedded)")
    assert json.loads((dst / "cells" / "d" / "new" / "seed0.json").read_text())["train_seconds"] == 5.0
    assert reembed.carry_train_seconds(src, dst) == 0  # idempotent
