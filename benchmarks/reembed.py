"""Re-embed finished benchmark runs under new embedding settings, without retraining.

An embedding-side change (for example ``--strands``) does not touch training, so the trained
runs of a benchmark folder stay valid. This copies ``SRC/runs`` into ``DST/runs`` and runs the
given ``dnaaug benchmark`` command with ``--out DST``: each cell finds its run finished (last.pt),
resumes it as a no-op, then embeds, probes and clusters afresh. Since the resumed cell's own
wall time is only that no-op, ``train_seconds`` of every new cell is then copied from SRC's cell
of the same dataset, method and seed, and a note says where the training came from.

    python benchmarks/reembed.py --src bench_out/final/small --dst bench_out/final2/small -- \\
        dnaaug benchmark -d gue/mouse_0 -a diffaug --seeds 0,1,2 --preset cpu-small --no-kmer-floor \\
        --no-random-init --strands both

Cells already in DST are left as they are (the benchmark skips them), so it is resumable. Rebuild
the tables afterwards with ``dnaaug benchmark --out DST --report-only`` (they then show the carried
times).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path


def copy_runs(src: Path, dst: Path) -> int:
    """Copy SRC/runs/* run folders missing in DST/runs; returns how many were copied."""
    copied = 0
    for run in sorted((src / "runs").glob("*/*/seed*")):
        target = dst / "runs" / run.relative_to(src / "runs")
        if not target.exists():
            shutil.copytree(run, target, ignore=shutil.ignore_patterns(".lock"))
            copied += 1
    return copied


def carry_train_seconds(src: Path, dst: Path) -> int:
    """Set train_seconds of DST's neural cells to SRC's; returns how many cells were updated."""
    updated = 0
    for cell_path in sorted((dst / "cells").glob("*/*/seed*.json")):
        old_path = src / cell_path.relative_to(dst)
        cell = json.loads(cell_path.read_text())
        if not old_path.exists() or cell.get("train_seconds") is None:  # k-mer rows have no training
            continue
        old = json.loads(old_path.read_text())
        note = f"training from {src} (re-embedded)"
        if note in cell.get("notes", ""):
            continue
        cell["train_seconds"] = old["train_seconds"]
        cell["notes"] = "; ".join(n for n in (cell.get("notes", ""), note) if n)
        tmp = cell_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(cell, indent=2) + "\n")
        tmp.replace(cell_path)
        updated += 1
    return updated


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True, type=Path, help="finished benchmark folder (its runs are reused)")
    ap.add_argument("--dst", required=True, type=Path, help="new benchmark folder")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- dnaaug benchmark ... (without --out)")
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("give the dnaaug benchmark command after --")
    print(f"reembed: copied {copy_runs(args.src, args.dst)} runs", file=sys.stderr)
    rc = subprocess.call([*command, "--out", str(args.dst)])
    print(f"reembed: train_seconds carried into {carry_train_seconds(args.src, args.dst)} cells", file=sys.stderr)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
