"""I/O: FASTA parse + one-hot encode in Mbases/s, dnaaug versus Biopython + a plain Python one-hot.

Both sides read the same seeded FASTA from disk and produce the same (N, 4, L) float32 array.

    python benchmarks/bench_io.py [--n 20000] [--length 1000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from _report import median_time, publish
from dnaaug.data.fasta import read_fasta
from dnaaug.tokenize import OneHotTokenizer
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences


def write_fasta(path: Path, n: int, length: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "w") as fh:
        for i in range(n):
            seq = letters[rng.integers(0, 4, length)].tobytes().decode()
            fh.write(f">seq{i}\n" + "\n".join(seq[j:j + 80] for j in range(0, length, 80)) + "\n")


def dnaaug_pipeline(path: Path, length: int):
    records = list(read_fasta(path))
    packed = PackedSequences.from_strings([r.sequence for r in records], [r.id for r in records])
    codes, _ = packed.window(np.arange(len(packed)), length, "start")
    return codes_to_onehot(codes).numpy()


def biopython_pipeline(path: Path, length: int):
    from Bio import SeqIO

    lookup = {"A": 0, "C": 1, "G": 2, "T": 3}
    seqs = [str(r.seq) for r in SeqIO.parse(str(path), "fasta")]
    out = np.zeros((len(seqs), 4, length), dtype=np.float32)
    for i, s in enumerate(seqs):
        for j, base in enumerate(s[:length]):
            k = lookup.get(base.upper())
            if k is not None:
                out[i, k, j] = 1.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--length", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.fa"
        write_fasta(path, args.n, args.length)
        assert np.array_equal(dnaaug_pipeline(path, args.length), biopython_pipeline(path, args.length))
        mbases = args.n * args.length / 1e6
        t_ours = median_time(lambda: dnaaug_pipeline(path, args.length), repeats=3)
        t_bio = median_time(lambda: biopython_pipeline(path, args.length), repeats=1, warmup=0)
        seqs = [r.sequence for r in read_fasta(path)]
        tok = OneHotTokenizer(args.length)
        t_enc = median_time(lambda: tok.encode(seqs), repeats=3)
    rows = [("dnaaug read_fasta + one-hot", t_ours), ("Biopython SeqIO + plain Python one-hot", t_bio),
            ("dnaaug OneHotTokenizer.encode (strings in memory)", t_enc)]
    table = ["| pipeline | seconds | Mbases/s | speed-up vs Biopython |", "|---|---|---|---|"]
    table += [f"| {name} | {t:.3f} | {mbases / t:.1f} | {t_bio / t:.1f}x |" for name, t in rows]
    md = f"{args.n:,} sequences x {args.length:,} bp ({mbases:.1f} Mbases), FASTA on disk, median of runs.\n\n" \
         + "\n".join(table)
    print(md)
    publish("io", {"n": args.n, "length": args.length, "mbases": mbases,
                   "results": [{"pipeline": n, "seconds": t, "mbases_per_s": mbases / t, "speedup_vs_biopython":
                                t_bio / t} for n, t in rows]}, md)


if __name__ == "__main__":
    main()
