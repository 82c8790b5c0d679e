"""Cost of encoder variants: one contrastive encoder step (two views, soft loss, AdamW) of the
preset's encoder against the same step with a config change (``encoder.stem_width`` by default),
timed in the same process, interleaved round by round so that machine load hits every variant
alike. Figures are ratios to the preset's encoder, not absolute speeds. Each variant is also timed
with the stem forced onto the channel-major (N, C, L) path, the implementation the position-major
stem replaced, so the table shows what that change saves.

    python benchmarks/bench_encoder_cost.py [--preset cpu-small] [--stem-widths 512,1024] \\
        [--length 101] [--batch 128] [--rounds 5] [--no-channel-major]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from _report import publish
from bench_train import counted_flops, make_encoder_step
from dnaaug.train import TrainConfig, preset


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="cpu-small")
    ap.add_argument("--stem-widths", default="512,1024")
    ap.add_argument("--length", type=int, default=101)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds (median taken)")
    ap.add_argument("--steps", type=int, default=3, help="encoder steps per variant and round")
    ap.add_argument("--no-channel-major", dest="channel_major", action="store_false",
                    help="skip the rows timing the old channel-major stem")
    args = ap.parse_args()
    base = TrainConfig().updated(preset(args.preset))
    variants = {"preset": base}
    for w in (int(v) for v in args.stem_widths.split(",") if v):
        variants[f"stem_width {w}"] = base.updated({"encoder": {"stem_width": w}})
    gen = torch.Generator().manual_seed(0)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (args.batch, args.length), generator=gen), 4)
    x = x.float().permute(0, 2, 1).contiguous()
    mask = torch.ones(args.batch, args.length, dtype=torch.bool)
    steps = {}
    for name, cfg in variants.items():
        steps[name] = make_encoder_step(cfg, x, mask, gen)
        if args.channel_major and steps[name][1]._position_major_stem:
            step, encoder = make_encoder_step(cfg, x, mask, gen)
            encoder._position_major_stem = False  # the same weights' function on the old (N, C, L) path
            steps[f"{name}, channel-major stem"] = (step, encoder)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step, _ in steps.values():  # warm-up
        step()
    for _ in range(args.rounds):
        for name, (step, _) in steps.items():
            t = time.perf_counter()
            for _ in range(args.steps):
                step()
            times[name].append((time.perf_counter() - t) / args.steps)
    ref = statistics.median(times["preset"])
    rows = []
    for name, (step, encoder) in steps.items():
        t = statistics.median(times[name])
        rows.append({"variant": name, "seconds_per_step": t, "ratio_to_preset": t / ref,
                     "gflop_per_step": counted_flops(step) / 1e9,
                     "parameters": sum(p.numel() for p in encoder.parameters()), "h_dim": encoder.embedding_dim})
        print(rows[-1], flush=True)
    table = ["| encoder | s / step | time vs preset | GFLOP / step | encoder parameters | h (per strand) |",
             "|---|---:|---:|---:|---:|---:|"]
    table += [f"| {r['variant']} | {r['seconds_per_step']:.3f} | {r['ratio_to_preset']:.2f}x | "
              f"{r['gflop_per_step']:.1f} | {r['parameters']:,} | {r['h_dim']} |" for r in rows]
    md = (f"Preset `{args.preset}` encoder step (2 views, soft loss, AdamW), batch {args.batch}, L = {args.length}, "
          f"median of {args.rounds} interleaved rounds of {args.steps} steps.\n\n" + "\n".join(table))
    print(md)
    publish("encoder_cost", {"preset": args.preset, "batch": args.batch, "length": args.length, "rows": rows}, md)


if __name__ == "__main__":
    main()
