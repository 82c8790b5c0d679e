"""Pair a new row's benchmark cells with recorded rows, seed by seed: mean +/- std and paired differences.

A new row (for instance DiffAug with the masked generator) is trained into a benchmark folder; the rows
it is compared with (the base augmenter, the Gaussian DiffAug row, random-init, the k-mer floor) are
already recorded in committed JSON files (a list of cells, or an ablation record of rows each holding
``cells``). This prints and writes one table per dataset: each row's accuracy per seed, its mean +/- std,
and the new row minus each recorded one on the seeds both have. Only cells from one machine type should
be paired (docs/ablations.md, "One machine, or the pairing lies"); every cell's ``notes`` say where it ran.

    python benchmarks/pair_cells.py --new "masked=bench_out/masked/cells" \\
        --record benchmarks/results/benchmark_gue_small.json \\
        --record benchmarks/results/ablations/same_machine_mouse_0_cells.json \\
        --name "base=rc+translocation:shift=10+mutation:rate=0.05" --name "gaussian=diffaug" \\
        --out benchmarks/results/masked_generator_gue

Writes OUT.json (every cell used, the command) and OUT.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
from pathlib import Path

from ablate import mean_std

METRIC = "accuracy"


def load_record(path: Path) -> list[dict]:
    """Cells of a record: a JSON list of cells, or an object of rows each holding ``cells``."""
    data = json.loads(path.read_text())
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "cells" in data and isinstance(data["cells"], list):
        return data["cells"]
    cells = []
    for row in data.values():
        if isinstance(row, dict) and isinstance(row.get("cells"), list):
            cells += row["cells"]
        elif isinstance(row, list):
            cells += row
    return cells


def load_folder(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*/*/seed*.json"))]


def by_seed(cells: list[dict], dataset: str, method: str) -> dict[int, float]:
    """{seed: accuracy in %}; the first cell found for a seed wins (records list the current one first)."""
    out: dict[int, float] = {}
    for c in cells:
        if c.get("dataset") == dataset and c.get("method") == method and c.get(METRIC) is not None:
            out.setdefault(int(c["seed"]), 100.0 * float(c[METRIC]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--new", action="append", required=True, metavar="LABEL=CELLS_DIR",
                    help="a benchmark folder's cells/ holding the new row(s); LABEL names its method in the table")
    ap.add_argument("--record", action="append", default=[], type=Path, help="committed JSON record of cells")
    ap.add_argument("--name", action="append", default=[], metavar="LABEL=METHOD",
                    help="a recorded row to compare with, as LABEL=its method name in the record")
    ap.add_argument("--out", type=Path, required=True, help="output stem (writes .json and .md)")
    args = ap.parse_args(argv)
    try:
        news = [item.split("=", 1) for item in args.new]
        refs = [item.split("=", 1) for item in args.name]
        if any(len(x) != 2 for x in news + refs):
            raise ValueError("--new and --name take LABEL=VALUE")
        recorded = [c for path in args.record for c in load_record(path)]
    except (OSError, ValueError) as err:
        print(f"pair_cells: {err}", file=sys.stderr)
        return 2
    new_cells: dict[str, list[dict]] = {}
    for label, folder in news:  # a label given twice gathers both folders (e.g. one per task group)
        new_cells.setdefault(label, []).extend(load_folder(Path(folder)))
    datasets = sorted({c["dataset"] for cells in new_cells.values() for c in cells})
    lines, payload = [], {"command": "python benchmarks/pair_cells.py " + " ".join(map(shlex.quote, sys.argv[1:])),
                          "datasets": {}}
    for ds in datasets:
        rows = {}
        for label, cells in new_cells.items():
            methods = sorted({c["method"] for c in cells if c["dataset"] == ds})
            for m in methods:
                rows[label if len(methods) == 1 else f"{label} {m}"] = by_seed(cells, ds, m)
        new_labels = list(rows)
        for label, method in refs:
            rows[label] = by_seed(recorded, ds, method)
        seeds = sorted({s for r in rows.values() for s in r})
        lines += [f"### {ds}", "", "| row | " + " | ".join(f"seed {s}" for s in seeds) + " | mean ± std |",
                  "|---|" + "---:|" * (len(seeds) + 1)]
        for label, vals in rows.items():
            cells_txt = " | ".join(f"{vals[s]:.2f}" if s in vals else "" for s in seeds)
            lines.append(f"| {label} | {cells_txt} | {mean_std([vals[s] for s in seeds if s in vals])} |")
        lines.append("")
        diffs = {}
        for new in new_labels:
            for label, _ in refs:
                common = [s for s in seeds if s in rows[new] and s in rows[label]]
                d = [rows[new][s] - rows[label][s] for s in common]
                if d:
                    diffs[f"{new} - {label}"] = {"seeds": common, "diff": d, "mean": statistics.mean(d)}
                    lines.append(f"- {new} minus {label}, paired on seeds {','.join(map(str, common))}: "
                                 f"{', '.join(f'{v:+.1f}' for v in d)} (mean {statistics.mean(d):+.2f})")
        lines.append("")
        payload["datasets"][ds] = {"rows": rows, "paired": diffs}
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(text)
    payload["new_cells"] = new_cells
    args.out.with_suffix(".json").write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
