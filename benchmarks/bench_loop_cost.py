"""The DiffAug loop's cost: a DiffAug cell against its base augmenter's cell, in one run.

Both cells use the same preset, seed, data and number of encoder epochs (the preset's
``warmup + rounds x contrastive``); the base cell trains with ``diffaug.base_augment`` alone. A cell is
what ``dnaaug benchmark`` times: training plus embedding the train and test splits. The issue 13
acceptance is a ratio DiffAug / base of at most 2.5. Per-phase seconds come from each run's
``metrics.jsonl`` (plus the condition-gap diagnostic and, with ``candidates`` > 1, the filter).

    python benchmarks/bench_loop_cost.py DATA [--preset cpu-small] [--seed 0] [--device cpu]
        [--max-train N] [--config FILE.json] [--no-publish]

DATA is anything ``dnaaug.data.load_dataset`` reads (a GUE-style folder, a labelled CSV, ...); when it
does not exist the script says so and exits 0. Writes ``benchmarks/results/loop_cost.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _report import publish

ACCEPT_RATIO = 2.5


def _subsample(records, max_n: int | None, seed: int):
    if max_n is None or len(records) <= max_n:
        return records
    keep = np.sort(np.random.default_rng(seed).choice(len(records), max_n, replace=False))
    return [records[i] for i in keep]


def _cell(train_recs, test_recs, config, out: Path, device: str) -> dict:
    """Train into ``out`` and embed both splits; seconds per part and per phase."""
    from dnaaug.embed import embed_array
    from dnaaug.train import load_encoder, train

    started = time.perf_counter()
    result = train(train_recs, out, config, device=device, progress=False)
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    model = load_encoder(out, device=device)
    embed_array(model, [r.sequence for r in train_recs])
    embed_array(model, [r.sequence for r in test_recs])
    embed_s = time.perf_counter() - started
    phases = {m["phase"]: m["seconds"] for m in result.metrics if m.get("event") == "phase"}
    extra = {}
    gaps = [m for m in result.metrics if m.get("event") == "condition_gap"]
    if gaps:
        extra["condition_gap_seconds"] = round(sum(g["seconds"] for g in gaps), 3)
        extra["condition_gap_medium_ratio_shuffled"] = [g["medium"]["ratio_shuffled"] for g in gaps]
    filters = [m for m in result.metrics if m.get("event") == "generate" and "filter_seconds" in m]
    if filters:
        extra["filter_seconds"] = round(sum(f["filter_seconds"] for f in filters), 3)
    return {"augment": config.augment, "encoder_epochs": _encoder_epochs(config), "train_seconds": round(train_s, 3),
            "embed_seconds": round(embed_s, 3), "cell_seconds": round(train_s + embed_s, 3), "phases": phases, **extra}


def _encoder_epochs(config) -> int:
    d = config.diffaug
    return d.warmup_epochs + d.rounds * d.contrastive_epochs if config.uses_diffaug else config.epochs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", help="dataset folder or file (skipped with a message when absent)")
    ap.add_argument("--preset", default="cpu-small")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--max-train", type=int, default=None, help="subsample train to N (fixed seed)")
    ap.add_argument("--config", help="JSON overrides on top of the preset (e.g. diffaug settings)")
    ap.add_argument("--no-publish", action="store_true", help="print only; write no results files")
    args = ap.parse_args()
    if not Path(args.data).exists():
        print(f"bench_loop_cost: {args.data} does not exist; skipped", file=sys.stderr)
        return

    from dnaaug.data import load_dataset
    from dnaaug.train import TrainConfig, preset
    from dnaaug.train.config import load_config_file

    ds = load_dataset(args.data, seed=0)
    train_recs = _subsample(ds.splits["train"], args.max_train, args.seed)
    test_recs = ds.splits["test"]
    base = TrainConfig().updated(preset(args.preset)).updated({"seed": args.seed})
    if args.config:
        base = base.updated(load_config_file(args.config))
    diffaug = base.updated({"augment": "diffaug"})
    baseline = base.updated({"augment": base.diffaug.base_augment, "epochs": _encoder_epochs(diffaug)})
    cells = {}
    with tempfile.TemporaryDirectory(prefix="dnaaug-loop-cost-") as tmp:
        for name, config in (("base", baseline), ("diffaug", diffaug)):
            cells[name] = _cell(train_recs, test_recs, config, Path(tmp) / name, args.device)
            print(f"{name}: {json.dumps(cells[name])}", file=sys.stderr, flush=True)
    ratio = cells["diffaug"]["cell_seconds"] / max(cells["base"]["cell_seconds"], 1e-9)
    md = _table(ds.name, len(train_recs), len(test_recs), args, cells, ratio)
    print(md)
    payload = {"dataset": ds.name, "data": str(args.data), "preset": args.preset, "seed": args.seed,
               "device": args.device, "n_train": len(train_recs), "n_test": len(test_recs),
               "config": diffaug.to_dict(), "cells": cells, "ratio": round(ratio, 3),
               "accept_ratio": ACCEPT_RATIO, "passes": ratio <= ACCEPT_RATIO}
    if not args.no_publish:
        publish("loop_cost", payload, md)


def _table(dataset: str, n_train: int, n_test: int, args, cells: dict, ratio: float) -> str:
    base, diff = cells["base"], cells["diffaug"]
    lines = [(f"DiffAug cell vs its base augmenter's cell on {dataset} ({n_train} train / {n_test} test "
              f"sequences), preset `{args.preset}`, seed {args.seed}, device {args.device}, "
              f"{base['encoder_epochs']} encoder epochs each; a cell is train + embed (train and test)."), "",
             "| cell | augment | train s | embed s | cell s |", "|---|---|---:|---:|---:|"]
    for name, cell in cells.items():
        lines.append(f"| {name} | `{cell['augment']}` | {cell['train_seconds']:.1f} | {cell['embed_seconds']:.1f} | "
                     f"{cell['cell_seconds']:.1f} |")
    verdict = "meets" if ratio <= ACCEPT_RATIO else "misses"
    lines += ["", f"Ratio DiffAug / base: **{ratio:.2f}x** ({verdict} the <= {ACCEPT_RATIO}x target).", "",
              "| DiffAug phase | seconds | share of training |", "|---|---:|---:|"]
    for phase, seconds in diff["phases"].items():
        lines.append(f"| {phase} | {seconds:.1f} | {100 * seconds / max(diff['train_seconds'], 1e-9):.0f} % |")
    if "condition_gap_seconds" in diff:
        lines.append(f"| (of which condition-gap diagnostic) | {diff['condition_gap_seconds']:.1f} | "
                     f"{100 * diff['condition_gap_seconds'] / max(diff['train_seconds'], 1e-9):.0f} % |")
    if "filter_seconds" in diff:
        lines.append(f"| (of which candidate filter, embedding) | {diff['filter_seconds']:.1f} | "
                     f"{100 * diff['filter_seconds'] / max(diff['train_seconds'], 1e-9):.0f} % |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
