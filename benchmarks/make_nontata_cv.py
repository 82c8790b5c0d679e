"""Make `nontata_cv`, the held-out check task: the Genomic Benchmarks `human_nontata_promoters`
official TEST split (the only split available offline, ../shared/data) cut 70 / 30 into a local GUE-style
folder (train.csv / test.csv with header sequence,label). The cut is a seeded permutation, so the same
folder comes out on every machine; the data is third-party and is never committed.

    python benchmarks/make_nontata_cv.py [--src ../shared/data/genomic_benchmarks_test_only/...] \\
        [--out bench_out/data/nontata_cv] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from dnaaug.atomic import atomic_write_text

SRC = Path("../shared/data/genomic_benchmarks_test_only/human_nontata_promoters/test.tsv")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=SRC)
    ap.add_argument("--out", type=Path, default=Path("bench_out/data/nontata_cv"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train-share", type=float, default=0.7)
    args = ap.parse_args(argv)
    if not args.src.is_file():
        print(f"make_nontata_cv: {args.src}: file not found (is ../shared/data there?)", file=sys.stderr)
        return 2
    table = pd.read_csv(args.src, sep="\t").rename(columns={"seq": "sequence"})
    missing = {"sequence", "label"} - set(table.columns)
    if missing:
        print(f"make_nontata_cv: {args.src}: no column {', '.join(sorted(missing))} in the header", file=sys.stderr)
        return 2
    table = table[["sequence", "label"]]
    order = np.random.default_rng(args.seed).permutation(len(table))
    cut = int(args.train_share * len(table))
    # written to a temporary file and renamed: a cut run leaves no half table behind
    atomic_write_text(args.out / "train.csv", table.iloc[np.sort(order[:cut])].to_csv(index=False))
    atomic_write_text(args.out / "test.csv", table.iloc[np.sort(order[cut:])].to_csv(index=False))
    print(f"make_nontata_cv: {cut} train / {len(table) - cut} test sequences in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
