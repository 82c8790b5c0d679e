"""Ablation driver: one `dnaaug benchmark` run per row of a plan, collated into one table.

A plan is a JSON list of rows; each row changes one thing against the row it names as its
parent (``"vs"``), so the table reads as "what this lever adds":

    [{"name": "base", "augment": "rc+translocation:shift=10+mutation:rate=0.05", "config": {}},
     {"name": "+expand1024", "vs": "base", "augment": "...", "config": {"encoder": {"expand": 1024}}}]

Optional keys: ``"preset"`` (default: --preset), ``"args"`` (extra `dnaaug benchmark` arguments,
e.g. ``["--no-kmer-floor"]``; by default the reference rows are left out, since a plan names them
as rows of their own when it wants them).

Every row's cells live in ``OUT/rows/<name>/`` (the benchmark's resumable cells), so a cut session
loses at most one cell; the table (``OUT/ablation.md`` and ``.json``) is rewritten after every
row, with the exact command that made each row.

    python benchmarks/ablate.py --plan benchmarks/plans/embedding.json \\
        -d ../shared/data/gue/mouse_0 --seeds 0,1,2 --out bench_out/abl-embedding
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

METRICS = ("accuracy", "mcc")


def row_command(row: dict, datasets: list[str], seeds: str, preset: str, out: Path,
                max_train: int | None) -> list[str]:
    cmd = ["dnaaug", "-q", "benchmark"]
    for d in datasets:
        cmd += ["-d", d]
    if "augment" in row:
        cmd += ["-a", row["augment"]]
    cmd += ["--seeds", seeds, "--preset", row.get("preset", preset)]
    if row.get("config"):
        cmd += ["--config", str(out / "configs" / f"{row['name']}.json")]
    if max_train:
        cmd += ["--max-train", str(max_train)]
    cmd += row.get("args", ["--no-kmer-floor", "--no-random-init", "--no-masked-lm"])
    cmd += ["--out", str(out / "rows" / row["name"])]
    return cmd


def collect(out: Path, row: dict) -> dict:
    """{dataset: {method: {metric: [values...], "seconds": [...]}}} from a row's finished cells."""
    found: dict = {}
    for path in sorted((out / "rows" / row["name"] / "cells").glob("*/*/seed*.json")):
        cell = json.loads(path.read_text())
        slot = found.setdefault(cell["dataset"], {}).setdefault(cell["method"], {})
        for m in METRICS:
            slot.setdefault(m, []).append(100 * float(cell[m]))
        seconds = float(cell.get("train_seconds") or 0) + float(cell.get("embed_seconds") or 0)
        slot.setdefault("seconds", []).append(seconds)
    return found


def mean_std(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}"


def render(plan: list[dict], results: dict, commands: dict, datasets: list[str]) -> str:
    names = sorted({ds for r in results.values() for ds in r})
    head = "| row | vs | " + " | ".join(f"{d} acc | {d} MCC" for d in names) + " | s/cell |"
    lines = [head, "|" + "---|" * (3 + 2 * len(names))]
    for row in plan:
        res = results.get(row["name"], {})
        methods = sorted({m for ds in res.values() for m in ds}) or [row.get("augment", "")]
        for method in methods:
            label = row["name"] if len(methods) == 1 else f"{row['name']} / {method}"
            cells, secs = [], []
            for d in names:
                slot = res.get(d, {}).get(method, {})
                cells += [mean_std(slot.get("accuracy", [])), mean_std(slot.get("mcc", []))]
                secs += slot.get("seconds", [])
            sec = f"{statistics.mean(secs):.0f}" if secs else "—"
            lines.append(f"| {label} | {row.get('vs', '')} | " + " | ".join(cells) + f" | {sec} |")
    lines.append("")
    lines.append("Commands (run from the repository root; configs in the output folder's `configs/`):")
    lines.append("")
    for row in plan:
        if row["name"] in commands:
            cfg = json.dumps(row.get("config", {}), separators=(",", ":"))
            lines.append(f"- `{row['name']}`: config `{cfg}`: `{commands[row['name']]}`")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", required=True, type=Path)
    ap.add_argument("-d", "--dataset", action="append", required=True)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--preset", default="cpu-small")
    ap.add_argument("--max-train", type=int)
    ap.add_argument("--rows", help="comma-separated row names to run (default: all)")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args(argv)

    plan = json.loads(args.plan.read_text())
    missing = [d for d in args.dataset if not Path(d).exists() and "/" in d]
    if missing:
        print(f"ablate: dataset folder(s) not found: {', '.join(missing)} (../shared/data absent?); skipping",
              file=sys.stderr)
        return 0
    wanted = set(args.rows.split(",")) if args.rows else None
    (args.out / "configs").mkdir(parents=True, exist_ok=True)
    results, commands = {}, {}
    for row in plan:
        cmd = row_command(row, args.dataset, args.seeds, args.preset, args.out, args.max_train)
        commands[row["name"]] = shlex.join(cmd)
        if row.get("config"):
            (args.out / "configs" / f"{row['name']}.json").write_text(json.dumps(row["config"], indent=2) + "\n")
        if not args.report_only and (wanted is None or row["name"] in wanted):
            print(f"ablate: {row['name']}: {shlex.join(cmd)}", file=sys.stderr, flush=True)
            done = subprocess.run(cmd)
            if done.returncode != 0:
                print(f"ablate: row {row['name']} failed with exit code {done.returncode}", file=sys.stderr)
        results[row["name"]] = collect(args.out, row)
        table = render(plan, results, commands, args.dataset)
        (args.out / "ablation.md").write_text(table)
        (args.out / "ablation.json").write_text(json.dumps({"plan": plan, "results": results,
                                                            "commands": commands}, indent=2) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
