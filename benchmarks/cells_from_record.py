"""Put finished cells from a committed result record back into a benchmark folder.

A benchmark folder (``OUT/cells/<dataset>/<method>/seed<k>.json``) lives in ``bench_out/``, which
is not kept; the cells themselves are committed as records under ``benchmarks/results/``. When a
later benchmark would retrain a cell that a record already holds (the same command and settings),
this writes the recorded cell into ``OUT`` so that ``dnaaug benchmark --out OUT`` skips it and
``--report-only`` reports it. A note on each written cell says which record it came from. (On the same
machine a retrained cell reproduces the record to the last digit; on another one the float order can
move it by about a point: docs/ablations.md, "What a retrained cell moves by".)

A record is either a JSON list of cells (``benchmark_*.json``) or an ablation record, a JSON object of
rows each holding ``cells`` (``ablations/*_cells.json``); ``--row`` picks the row.

    python benchmarks/cells_from_record.py benchmarks/results/ablations/levers4_w128_cells.json \\
        --row base+wd0.05 --out bench_out/final_wd/small
    python benchmarks/cells_from_record.py benchmarks/results/benchmark_gue_small.json \\
        --method random-init --method kmer-spectrum --out bench_out/final_wd/small

An earlier record that git keeps (docs/results.md names its commit) works the same way once written
out: ``git show c4630ca:benchmarks/results/final_regions_small.json > /tmp/record.json``.

Cells already in OUT are left alone. A missing or malformed record is a one-line error, exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dnaaug.atomic import atomic_write_text
from dnaaug.benchmark import slug


def record_cells(record: Path, row: str | None) -> list[dict]:
    """The cells of a record file (a list, or one row of an ablation record); ValueError naming the
    file when it cannot be read or holds no such cells."""
    try:
        data = json.loads(record.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{record}: cannot read a record of cells: {err}") from None
    if isinstance(data, list):
        if row is not None:
            raise ValueError(f"{record}: a list of cells has no rows; drop --row")
        cells = data
    elif isinstance(data, dict):
        if row is None or row not in data:
            raise ValueError(f"{record}: name one of its rows with --row: {', '.join(data)}")
        cells = data[row].get("cells") if isinstance(data[row], dict) else None
    else:
        cells = None
    needed = {"dataset", "method", "seed", "notes"}
    if not isinstance(cells, list) or not all(isinstance(c, dict) and needed <= c.keys() for c in cells):
        where = f" row {row}" if row else ""
        raise ValueError(f"{record}{where}: expected a list of cells with {', '.join(sorted(needed))}")
    return cells


def write_cells(cells: list[dict], out: Path, source: str, methods: set[str] | None = None,
                datasets: set[str] | None = None) -> int:
    """Write each cell (filtered by method / dataset) to OUT's cell path unless one is there."""
    written = 0
    for cell in cells:
        if (methods and cell["method"] not in methods) or (datasets and cell["dataset"] not in datasets):
            continue
        path = out / "cells" / slug(cell["dataset"]) / slug(cell["method"]) / f"seed{cell['seed']}.json"
        if path.exists():
            continue
        cell = dict(cell, notes=f"{cell['notes']}; cell from {source}")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(cell, indent=2) + "\n")
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("record", type=Path, help="a committed record of cells (JSON)")
    ap.add_argument("--out", type=Path, required=True, help="the benchmark folder to write cells into")
    ap.add_argument("--row", help="the row of an ablation record")
    ap.add_argument("--method", action="append", help="only cells of this method (repeatable)")
    ap.add_argument("--dataset", action="append", help="only cells of this dataset (repeatable)")
    args = ap.parse_args(argv)
    try:
        cells = record_cells(args.record, args.row)
    except ValueError as err:
        print(f"cells_from_record: {err}", file=sys.stderr)
        return 2
    source = args.record.as_posix() + (f" row {args.row}" if args.row else "")
    n = write_cells(cells, args.out, source, set(args.method or ()), set(args.dataset or ()))
    print(f"wrote {n} cell(s) into {args.out}/cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
