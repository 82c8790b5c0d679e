"""Linear-probe wall time with BLAS at its default thread count vs held to one thread.

``linear_probe`` fits ~40 small logistic regressions (5 CV folds x 7 values of C, then the
refit). Each lbfgs step is a few small matrix products, so on multi-threaded BLAS the cost
of waking worker threads can exceed the arithmetic; the probe therefore caps BLAS at one
thread. This script measures both settings on the same seeded features, at the shapes the
benchmark probes (encoder embeddings of 320 and 1,280 dims, the 5,460-dim k-mer spectrum), and
checks that the chosen C and the test scores are identical. The features are real ones
from the demo dataset that ships with dnaaug (untrained encoders, k-mer spectrum) plus one
large synthetic problem: synthetic features converge in a few lbfgs steps and understate
the gap that pooled embeddings, highly correlated and ill-conditioned, show.

    python benchmarks/bench_probe.py            # about 1 minute on 2 cores

Writes benchmarks/results/probe_threads.{json,md} and the docs/performance.md block ``bench:probe_threads``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import publish  # noqa: E402


def demo_features(seed: int) -> dict[str, tuple]:
    """Features of the built-in demo dataset (2,000 train / 500 test sequences), as the
    benchmark's reference rows make them: untrained encoders of the demo and cpu-small
    presets (the ``random-init`` row, both strands + region means) and the 5,460-dim
    k-mer spectrum. Name -> (train X, train y, test X, test y)."""
    import torch

    from dnaaug.data import load_dataset
    from dnaaug.embed import embed_array
    from dnaaug.encoding import build_encoder
    from dnaaug.evaluate.kmer_features import kmer_spectrum
    from dnaaug.train.api import TrainedEncoder
    from dnaaug.train.config import TrainConfig
    from dnaaug.train.presets import preset

    ds = load_dataset("demo")
    train, test = ds.splits["train"], ds.splits["test"]
    index = {c: i for i, c in enumerate(ds.classes)}
    y_train = np.array([index[r.label] for r in train])
    y_test = np.array([index[r.label] for r in test])
    seqs_train, seqs_test = [r.sequence for r in train], [r.sequence for r in test]
    length = max(len(s) for s in seqs_train)
    out = {}
    for name in ("demo", "cpu-small"):
        torch.manual_seed(seed)
        config = TrainConfig.from_dict({**preset(name), "seed": seed})
        encoder, tokenizer = build_encoder(config, length)
        model = TrainedEncoder(encoder.eval(), tokenizer, length, config, source=None)
        out[f"random-init, {name} preset"] = (embed_array(model, seqs_train), y_train,
                                              embed_array(model, seqs_test), y_test)
    out["kmer-spectrum"] = (kmer_spectrum(seqs_train), y_train, kmer_spectrum(seqs_test), y_test)
    return out


def synthetic_features(n: int, d: int, seed: int) -> tuple:
    """A large, well-conditioned problem where threads could pay: correlated non-negative
    features with a noisy linear label, split 80/20."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 32)) @ rng.standard_normal((32, d)) / np.sqrt(32)
    X = np.maximum(X + 0.5 * rng.standard_normal((n, d)), 0).astype(np.float32)
    y = ((X - X.mean(0)) @ (rng.standard_normal(d) / np.sqrt(d)) + rng.standard_normal(n) > 0).astype(int)
    cut = int(0.8 * n)
    return X[:cut], y[:cut], X[cut:], y[cut:]


def measure(name: str, data: tuple, seed: int) -> dict:
    from dnaaug.evaluate.probe import linear_probe

    Xtr, ytr, Xte, yte = data
    row = {"features": name, "n_train": int(Xtr.shape[0]), "dims": int(Xtr.shape[1])}
    results = {}
    for label, threads in (("default", None), ("one", 1)):
        t = time.perf_counter()
        results[label] = linear_probe(Xtr, ytr, Xte, yte, seed=seed, blas_threads=threads)
        row[f"seconds_{label}"] = round(time.perf_counter() - t, 3)
    a, b = results["default"], results["one"]
    row["speedup"] = round(row["seconds_default"] / row["seconds_one"], 2)
    row["same_C"] = a.C == b.C
    row["accuracy_default"], row["accuracy_one"] = round(100 * a.accuracy, 2), round(100 * b.accuracy, 2)
    print(row, flush=True)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from threadpoolctl import threadpool_info

    blas = [f"{p['internal_api']} {p.get('version')} ({p['num_threads']} threads)"
            for p in threadpool_info() if p["user_api"] == "blas"]
    cases = demo_features(args.seed)
    cases["synthetic 20k x 1,024"] = synthetic_features(20000, 1024, args.seed)
    rows = [measure(name, data, args.seed) for name, data in cases.items()]
    header = ("| features | train x dims | seconds, default BLAS threads | seconds, one thread | speed-up | "
              "same C | accuracy (default / one) |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['features']} | {r['n_train']:,} x {r['dims']:,} | {r['seconds_default']:.2f} | "
                     f"{r['seconds_one']:.2f} | {r['speedup']:.1f}x | {'yes' if r['same_C'] else 'no'} | "
                     f"{r['accuracy_default']:.2f} / {r['accuracy_one']:.2f} |")
    lines.append(f"\nBLAS: {', '.join(sorted(set(blas))) or 'not visible to threadpoolctl'}.")
    publish("probe_threads", {"seed": args.seed, "blas": blas, "rows": rows}, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
