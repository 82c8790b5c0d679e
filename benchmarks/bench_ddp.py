"""Multi-process CPU training: one process (2 threads) versus torchrun with 2 processes (1 thread each,
gloo), same data, same global batch and epochs; wall time of `dnaaug train`.

    python benchmarks/bench_ddp.py [--n 6000] [--length 101] [--epochs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import publish
from bench_embed import write_fasta


def run(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--length", type=int, default=101)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_fasta(tmp / "in.fa", args.n, args.length)
        cfg = tmp / "cfg.json"
        cfg.write_text(json.dumps({"epochs": args.epochs, "val_size": 0, "log_every": 10**6}))
        train = ["-m", "dnaaug", "-q", "--device", "cpu", "train", str(tmp / "in.fa"), "--preset", "cpu-small",
                 "--config", str(cfg)]
        setups = [("1 process x 2 threads", 2, [sys.executable, *train, "--out", str(tmp / "one")]),
                  ("2 processes x 1 thread (torchrun, gloo)", 1,
                   [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", *train,
                    "--out", str(tmp / "two")])]
        for name, threads, cmd in setups:
            env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
            seconds = run(cmd, env)
            rows.append({"setup": name, "seconds": seconds, "seq_per_s": args.n * args.epochs / seconds})
            print(rows[-1], flush=True)
    base = rows[0]["seconds"]
    table = ["| setup | wall seconds | sequences/s | speed-up |", "|---|---|---|---|"]
    table += [f"| {r['setup']} | {r['seconds']:.1f} | {r['seq_per_s']:.0f} | {base / r['seconds']:.2f}x |"
              for r in rows]
    md = (f"`dnaaug train` ({args.n:,} random {args.length} bp sequences, {args.epochs} epochs, `cpu-small` "
          "encoder, global batch 128), wall time including start-up.\n\n" + "\n".join(table))
    print(md)
    publish("ddp", {"n": args.n, "length": args.length, "epochs": args.epochs, "rows": rows}, md)


if __name__ == "__main__":
    main()
