"""Embedding at scale: sequences/s and peak RSS of ``dnaaug embed`` at 10k, 100k and 1M sequences.

The curve must be flat in memory (streaming) and linear in time. Each size runs in a fresh
subprocess; peak RSS is that process's ru_maxrss. The model is an untrained encoder of the
chosen preset (weights do not change the cost).

    python benchmarks/bench_embed.py [--sizes 10000,100000,1000000] [--length 101] [--preset cpu-small]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _report import publish


def write_fasta(path: Path, n: int, length: int, seed: int = 0) -> None:
    """n random sequences, written in blocks (the writer itself stays small in memory)."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "w") as fh:
        for start in range(0, n, 10000):
            block = letters[rng.integers(0, 4, (min(10000, n - start), length))]
            fh.write("".join(f">s{start + i}\n{row.tobytes().decode()}\n" for i, row in enumerate(block)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--length", type=int, default=101)
    ap.add_argument("--preset", default="cpu-small")
    ap.add_argument("--batch-size", type=int, default=1024)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_fasta(tmp / "train.fa", 64, args.length)
        cfg = tmp / "cfg.json"
        cfg.write_text(json.dumps({"epochs": 0, "val_size": 0}))
        subprocess.run([sys.executable, "-m", "dnaaug", "-q", "train", str(tmp / "train.fa"), "--out",
                        str(tmp / "run"), "--preset", args.preset, "--config", str(cfg)], check=True)
        for n in (int(v) for v in args.sizes.split(",")):
            fasta = tmp / f"in{n}.fa"
            write_fasta(fasta, n, args.length, seed=n)
            out = tmp / f"emb{n}.npy"
            code = ("import resource, runpy, sys; sys.argv = ['dnaaug'] + sys.argv[1:];\n"
                    "try:\n    runpy.run_module('dnaaug', run_name='__main__')\nexcept SystemExit:\n    pass\n"
                    "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", code, "-q", "--device", "cpu", "embed", str(tmp / "run"),
                                   str(fasta), "-o", str(out), "--batch-size", str(args.batch_size)],
                                  capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - started
            rss_mb = int(proc.stderr.split("MAXRSS")[-1].split()[0]) / 1024
            assert np.load(out, mmap_mode="r").shape[0] == n
            rows.append({"n": n, "seconds": seconds, "seq_per_s": n / seconds, "peak_rss_mb": rss_mb})
            print(rows[-1], flush=True)
            fasta.unlink()
            out.unlink()
    base = rows[0]["peak_rss_mb"]
    table = ["| sequences | seconds | seq/s | peak RSS (MB) | RSS / RSS at smallest |", "|---|---|---|---|---|"]
    table += [f"| {r['n']:,} | {r['seconds']:.1f} | {r['seq_per_s']:.0f} | {r['peak_rss_mb']:.0f} | "
              f"{r['peak_rss_mb'] / base:.2f} |" for r in rows]
    md = (f"`dnaaug embed` of random {args.length} bp FASTA to .npy, `{args.preset}` encoder, batch "
          f"{args.batch_size}, one process (includes start-up).\n\n" + "\n".join(table))
    print(md)
    publish("embed", {"length": args.length, "preset": args.preset, "rows": rows}, md)


if __name__ == "__main__":
    main()
