"""Throughput of each baseline augmenter next to EvoAug 1.0.6's op of the same name, in one run.

    python benchmarks/bench_augment.py                 # (256, 4, 1000) float32 CPU batch, 1 thread
    python benchmarks/bench_augment.py --rounds 5 --repeats 30

Both libraries get the same random one-hot batch and the same parameters. Each op runs
``repeats`` back-to-back calls per library (warm caches, like timeit), the two libraries taking
turns op by op and round by round so that a busy machine slows both alike; the table reports
the median over all calls, wall clock and process CPU time. EvoAug (``pip install --no-deps evoaug==1.0.6``, in the
``bench`` extra) is skipped cleanly when it is not installed. Writes benchmarks/results/augment.json
and augment.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch

import dnaaug
from dnaaug.augment import parse

# our spec -> (EvoAug class name, constructor kwargs) with the same parameters
OPS: dict[str, tuple[str, dict] | None] = {
    "rc": ("RandomRC", {"rc_prob": 0.5}),
    "translocation:shift=20": ("RandomTranslocation", {"shift_min": 0, "shift_max": 20}),
    "insertion:max_len=20": ("RandomInsertion", {"insert_min": 0, "insert_max": 20}),
    "deletion:max_len=20": ("RandomDeletion", {"delete_min": 0, "delete_max": 20}),
    "inversion:max_len=30": ("RandomInversion", {"invert_min": 0, "invert_max": 30}),
    "mutation:rate=0.05": ("RandomMutation", {"mutate_frac": 0.05}),
    "noise:std=0.2": ("RandomNoise", {"noise_mean": 0.0, "noise_std": 0.2}),
    "mixup:alpha=1.0": None,
}
TARGETS = {"translocation", "insertion", "deletion", "inversion", "mutation"}  # >= 10x EvoAug


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in __import__("os").getloadavg()]
    except OSError:
        return None


def _evoaug():
    try:
        from evoaug import augment
    except ImportError:
        return None, None
    from importlib.metadata import PackageNotFoundError, version
    try:
        return augment, version("evoaug")
    except PackageNotFoundError:
        return augment, "unknown"


def _time(fn: Callable[[], object], repeats: int) -> list[tuple[float, float]]:
    """(wall, process CPU) seconds of ``repeats`` back-to-back calls after one warm-up call.

    CPU time leaves out the time the process waited for a core on a shared machine."""
    fn()
    times = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15, help="timed calls per op per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians over all)")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    bases = torch.randint(0, 4, (args.batch, args.length), generator=g)
    x = torch.nn.functional.one_hot(bases, 4).float().transpose(1, 2).contiguous()
    evo, evo_version = _evoaug()
    torch.manual_seed(0)  # EvoAug draws from the global generator

    samples: dict[str, dict[str, list[float]]] = {spec: {"ours": [], "evoaug": []} for spec in OPS}
    for _ in range(args.rounds):
        for spec, evo_spec in OPS.items():
            aug = parse(spec)
            samples[spec]["ours"] += _time(lambda: aug(x, generator=g), args.repeats)
            if evo is not None and evo_spec is not None:
                op = getattr(evo, evo_spec[0])(**evo_spec[1])
                samples[spec]["evoaug"] += _time(lambda: op(x), args.repeats)

    bases_per_batch = args.batch * args.length

    def median(key: str, spec: str, which: int) -> float | None:
        values = [t[which] for t in samples[spec][key]]
        return statistics.median(values) if values else None

    rows = []
    for spec, evo_spec in OPS.items():
        ours, ours_cpu = median("ours", spec, 0), median("ours", spec, 1)
        theirs, theirs_cpu = median("evoaug", spec, 0), median("evoaug", spec, 1)
        rows.append({
            "op": spec.split(":")[0],
            "spec": spec,
            "ms": round(ours * 1e3, 3),
            "cpu_ms": round(ours_cpu * 1e3, 3),
            "mbases_per_s": round(bases_per_batch / ours / 1e6, 1),
            "evoaug_op": None if evo is None or evo_spec is None else
            f"{evo_spec[0]}({', '.join(f'{k}={v}' for k, v in evo_spec[1].items())})",
            "evoaug_ms": None if theirs is None else round(theirs * 1e3, 3),
            "evoaug_cpu_ms": None if theirs_cpu is None else round(theirs_cpu * 1e3, 3),
            "speedup": None if theirs is None else round(theirs / ours, 1),
            "speedup_cpu": None if theirs_cpu is None else round(theirs_cpu / ours_cpu, 1),
            "target_10x": spec.split(":")[0] in TARGETS,
        })
    result = {
        "batch": [args.batch, 4, args.length],
        "dtype": "float32",
        "device": "cpu",
        "threads": args.threads,
        "rounds": args.rounds,
        "repeats": args.repeats,
        "statistic": "median over rounds x repeats; ms = wall clock, cpu_ms = process CPU time",
        "load_average": _load(),
        "torch": torch.__version__,
        "dnaaug": dnaaug.__version__,
        "evoaug": evo_version,
        "cpu": _cpu_name(),
        "python": platform.python_version(),
        "ops": rows,
    }
    table = _markdown(result)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "augment.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out_dir / "augment.md").write_text(table)
    print(table, end="")
    return result


def _markdown(result: dict) -> str:
    n, _, length = result["batch"]
    lines = [
        f"Augmenters on a ({n}, 4, {length}) float32 CPU batch, {result['threads']} thread(s), "
        f"torch {result['torch']}, {result['cpu']}; "
        f"median of {result['rounds']} x {result['repeats']} calls.",
        "",
        "| op | dnaaug ms/batch | dnaaug Mbases/s | EvoAug op | EvoAug ms/batch | speed-up | "
        "speed-up (CPU time) |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for row in result["ops"]:
        evo = "—" if row["evoaug_ms"] is None else f"{row['evoaug_ms']:.2f}"
        speedup = "—" if row["speedup"] is None else f"{row['speedup']:.1f}x"
        speedup_cpu = "—" if row["speedup_cpu"] is None else f"{row['speedup_cpu']:.1f}x"
        lines.append(f"| `{row['spec']}` | {row['ms']:.2f} | {row['mbases_per_s']:.0f} | "
                     f"{row['evoaug_op'] or '—'} | {evo} | {speedup} | {speedup_cpu} |")
    if result["load_average"]:
        lines += ["", f"Load average during the run: {result['load_average']} (shared machine)."]
    if result["evoaug"] is None:
        lines += ["", "EvoAug not installed (`pip install --no-deps evoaug==1.0.6`): its column is empty."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
