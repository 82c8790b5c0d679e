"""The k-mer floor read on one strand and on both: forward spectrum vs canonical (strand-summed).

The ``kmer-spectrum`` row of ``dnaaug benchmark`` counts k-mers of the forward strand. Counting
each k-mer together with its reverse complement (the canonical spectrum) ties the probe's weights
of a k-mer and its reverse complement: a strand-symmetric floor. Which one is stronger depends on
the task, exactly as for the encoder's ``--strands``; this script measures both, so the learned
rows can be read against the stronger of the two.

    python benchmarks/bench_kmer_strands.py -d ../shared/data/gue/mouse_0 -d ../shared/data/gue/prom_300_tata

Writes benchmarks/results/kmer_strands.{json,md} and the docs/performance.md block ``bench:kmer_strands``.
Skips cleanly (exit 0, a message) when no dataset folder exists.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import publish  # noqa: E402

COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def reverse_complement(seq: str) -> str:
    return seq.translate(COMPLEMENT)[::-1]


def measure(path: str) -> dict:
    from dnaaug.data import load_dataset
    from dnaaug.evaluate.kmer_features import kmer_spectrum
    from dnaaug.evaluate.probe import linear_probe

    ds = load_dataset(path, seed=0)
    train, test = ds.splits["train"], ds.splits["test"]
    index = {c: i for i, c in enumerate(ds.classes)}
    y_train = np.array([index[r.label] for r in train])
    y_test = np.array([index[r.label] for r in test])
    fw_train, fw_test = (kmer_spectrum([r.sequence for r in recs]) for recs in (train, test))
    rc_train, rc_test = (kmer_spectrum([reverse_complement(r.sequence) for r in recs]) for recs in (train, test))
    out = {"dataset": ds.name, "n_train": len(train), "n_test": len(test)}
    for name, (a, b) in {"forward": (fw_train, fw_test), "canonical": (fw_train + rc_train, fw_test + rc_test)}.items():
        probe = linear_probe(a, y_train, b, y_test, seed=0)
        out[name] = {"accuracy": round(100 * probe.accuracy, 2), "mcc": round(100 * probe.mcc, 2), "C": probe.C}
    print(out, flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-d", "--dataset", action="append", required=True, help="dataset folder or name (repeatable)")
    args = ap.parse_args()
    present = [d for d in args.dataset if Path(d).exists()]
    if not present:
        print("bench_kmer_strands: no dataset folder found; nothing measured", file=sys.stderr)
        return 0
    rows = [measure(d) for d in present]
    table = ["| dataset | forward spectrum acc | canonical spectrum acc | forward MCC | canonical MCC |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        table.append(f"| {r['dataset']} | {r['forward']['accuracy']:.1f} | {r['canonical']['accuracy']:.1f} | "
                     f"{r['forward']['mcc']:.1f} | {r['canonical']['mcc']:.1f} |")
    publish("kmer_strands", {"rows": rows}, "\n".join(table) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
