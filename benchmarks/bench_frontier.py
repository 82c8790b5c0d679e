"""Identity / semantics frontier and condition use of a finished DiffAug run (issue 13).

Loads the encoder and the EMA generator of a run folder (``dnaaug train DATA --augment diffaug
--out RUN``), takes N seeded anchors from a dataset file (centre windows of the run's length) and
measures, on the same anchors:

- the frontier (identity with the anchor vs semantic consistency, nearest-neighbour and top-1 %
  rank) of the base augmenter, of ``mutation:rate=R`` at several rates, and of DiffAug at several
  SDEdit strengths (optionally at other guidance scales, and with candidate filtering: M candidates
  per anchor, the one closest to the anchor's embedding kept; its wall time is in the table);
- the condition gap: the generator's denoising loss with the true, a shuffled and the null
  condition per noise level (see dnaaug.diffusion.condition_use).

Filtered rows pick the candidate the run's own encoder finds closest, so judged by that same encoder
their consistency is optimistic by construction; ``--judge OTHER_RUN`` measures every row with another
run's encoder (for instance the same recipe with another seed) while the filter keeps the run's own.

Writes <out>/<name>.json, <name>.md and <name>.png (default benchmarks/results/frontier.*). Skips,
with a message and exit status 0, when the run folder, its DiffAug generator or the data are absent.

    python benchmarks/bench_frontier.py RUN DATA [--anchors 512] [--seed 0] [--out DIR] [--name NAME]
        [--rates 0.02,0.05,0.1,0.2,0.3] [--strengths 0.2,0.3,0.4,0.5,0.7,1.0] [--guidance 1]
        [--filter-candidates 4] [--judge OTHER_RUN] [--levels 10] [--repeats 2] [--device cpu] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from _report import RESULTS, machine
from dnaaug.errors import DnaaugError

BASE = "rc+translocation:shift=10+mutation:rate=0.05"


def floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def skip(message: str) -> int:
    print(f"bench_frontier: skipped: {message}", file=sys.stderr)
    return 0


def load_anchors(path: Path, n: int, length: int, seed: int):
    """N sequences drawn without replacement (seeded), as centre windows: one-hot (N,4,L), mask (N,L)."""
    from dnaaug.data.dataset import read_records
    from dnaaug.tokenize.onehot import codes_to_onehot
    from dnaaug.tokenize.packed import PackedSequences

    records = list(read_records(path))
    packed = PackedSequences.from_strings((r.sequence for r in records), [r.id for r in records],
                                          source=str(path))
    count = min(n, len(packed))
    idx = np.sort(np.random.default_rng(seed).choice(len(packed), count, replace=False))
    codes, mask = packed.window(idx, length, "center")
    return codes_to_onehot(codes), mask, len(packed)


def batched(fn, batch: int):
    """fn(x, mask, generator) applied over row chunks of at most ``batch`` (bounded memory)."""
    def run(x, mask, generator):
        parts = [fn(x[i:i + batch], None if mask is None else mask[i:i + batch], generator)
                 for i in range(0, x.shape[0], batch)]
        return torch.cat(parts)
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="a finished DiffAug run folder")
    ap.add_argument("data", type=Path, help="dataset file (CSV/TSV/FASTA) the anchors are drawn from")
    ap.add_argument("--anchors", type=int, default=512, help="number of anchors (seeded draw)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the anchor draw and of every view")
    ap.add_argument("--out", type=Path, default=RESULTS, help="output folder (default benchmarks/results)")
    ap.add_argument("--name", default="frontier", help="output file stem")
    ap.add_argument("--base", default=BASE, help="the base augmenter's spec")
    ap.add_argument("--rates", default="0.02,0.05,0.1,0.2,0.3", help="mutation rates")
    ap.add_argument("--strengths", default="0.2,0.3,0.4,0.5,0.7,1.0", help="DiffAug SDEdit strengths")
    ap.add_argument("--guidance", default="1", help="classifier-free guidance scales (each gets a curve)")
    ap.add_argument("--filter-candidates", type=int, default=4,
                    help="candidates per anchor for the filtered DiffAug rows (keep 1); 0 = no filtered rows")
    ap.add_argument("--filter-strengths", default=None, help="strengths of the filtered rows (default: all)")
    ap.add_argument("--judge", type=Path, default=None,
                    help="measure the frontier with this other run's encoder (default: the run's own)")
    ap.add_argument("--steps", type=int, default=None, help="sampler steps (default: the run's)")
    ap.add_argument("--top-frac", type=float, default=0.01,
                    help="rank consistency: own anchor within this top share")
    ap.add_argument("--levels", type=int, default=10, help="noise levels of the condition gap")
    ap.add_argument("--repeats", type=int, default=2, help="noise draws per level of the condition gap")
    ap.add_argument("--batch", type=int, default=256, help="rows per sampling / embedding batch")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:i")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    if not args.run.is_dir():
        return skip(f"run folder {args.run} does not exist")
    if not (args.run / "checkpoints" / "last.pt").exists():
        return skip(f"{args.run} has no checkpoints/last.pt (not a finished run)")
    if not args.data.exists():
        return skip(f"data file {args.data} does not exist")
    if args.judge is not None and not (args.judge / "checkpoints" / "last.pt").exists():
        return skip(f"judge run {args.judge} has no checkpoints/last.pt")

    from dnaaug.augment import parse
    from dnaaug.diffusion.augmenter import DiffusionAugmenter
    from dnaaug.diffusion.candidate_filter import filtered_view_maker
    from dnaaug.diffusion.condition_use import condition_gap, format_condition_gap
    from dnaaug.evaluate.frontier import frontier_table, identity_semantics_frontier, plot_frontier
    from dnaaug.train.api import load_diffusion_augmenter, load_encoder
    from dnaaug.encoding import encoder_input

    try:
        loaded, trained = load_diffusion_augmenter(args.run, device=args.device)
    except DnaaugError as err:
        return skip(str(err))
    model, condition = loaded.model, loaded.condition_fn
    d = trained.config.diffaug
    steps = args.steps or d.sampling_steps
    device = next(model.parameters()).device
    x, mask, n_data = load_anchors(args.data, args.anchors, trained.length, args.seed)
    x, mask = x.to(device), mask.to(device)
    print(f"bench_frontier: {x.shape[0]} anchors of {n_data} from {args.data}, window {trained.length}, "
          f"run {args.run}", file=sys.stderr)

    def embedder(enc):
        @torch.no_grad()
        def encoder_fn(v, m):
            if m is None:
                m = torch.ones(v.shape[0], v.shape[2], dtype=torch.bool, device=v.device)
            parts = [enc.encoder(*encoder_input(enc.tokenizer, v[i:i + args.batch].to(device),
                                                m[i:i + args.batch].to(device))).float()
                     for i in range(0, v.shape[0], args.batch)]
            return torch.cat(parts)
        return encoder_fn

    encoder_fn = embedder(trained)
    try:
        judge_fn = encoder_fn if args.judge is None else embedder(load_encoder(args.judge, device=device))
    except DnaaugError as err:
        return skip(str(err))

    def augmenter_maker(aug):
        return batched(lambda v, m, g: aug(v, generator=g, mask=m), args.batch)

    def diffaug(strength: float, guidance: float) -> DiffusionAugmenter:
        return DiffusionAugmenter(model, condition, steps=steps, strength=strength, guidance=guidance,
                                  sampler=d.sampler)

    makers, families = {}, {}
    makers[f"base:{args.base}"] = augmenter_maker(parse(args.base))
    families[f"base:{args.base}"] = "base"
    for rate in floats(args.rates):
        makers[f"mutation:rate={rate:g}"] = augmenter_maker(parse(f"mutation:rate={rate:g}"))
    filter_strengths = floats(args.filter_strengths) if args.filter_strengths else floats(args.strengths)
    for w in floats(args.guidance):
        fam = "diffaug" if w == 1.0 else f"diffaug-w{w:g}"
        for s in floats(args.strengths):
            makers[f"{fam}:strength={s:g}"] = augmenter_maker(diffaug(s, w))
        if args.filter_candidates > 0:
            for s in filter_strengths:
                name = f"{fam}+filter{args.filter_candidates}:strength={s:g}"
                makers[name] = batched(filtered_view_maker(augmenter_maker(diffaug(s, w)), encoder_fn,
                                                           candidates=args.filter_candidates, keep=1),
                                       max(1, args.batch // args.filter_candidates))
    started = time.perf_counter()
    rows = identity_semantics_frontier(judge_fn, x, mask, makers, torch.Generator().manual_seed(args.seed),
                                       top_frac=args.top_frac, families=families)
    frontier_seconds = time.perf_counter() - started
    cond = condition(x, mask)
    started = time.perf_counter()
    gap = condition_gap(model, x, cond, mask, levels=args.levels, repeats=args.repeats, batch_size=args.batch,
                        generator=torch.Generator().manual_seed(args.seed + 1))
    gap_seconds = time.perf_counter() - started

    judged = ("measured with the run's own encoder" if args.judge is None
              else f"measured with the encoder of `{args.judge}`")
    where = f"{device.type}" + ("" if device.type == "cuda" else f", {torch.get_num_threads()} thread(s)")
    intro = (f"Run `{args.run}` (EMA generator {d.denoiser_depth} blocks x {d.denoiser_channels} channels, "
             f"{d.generator_epochs} generator epochs x {d.rounds} round(s); {d.sampler} {steps} steps), "
             f"{x.shape[0]} anchors from `{args.data}` (seed {args.seed}), window {trained.length}, "
             f"on {where}; {judged}.")
    caption = (f"Identity / semantics frontier (same anchors; rank consistency: own anchor within the top "
               f"{args.top_frac:.0%} nearest anchors; seconds: wall time of the views):")
    lines = [intro, "", caption, "", frontier_table(rows, top_frac=args.top_frac), "",
             "Condition use (denoising loss, same x0, noise and t for the three conditions):", "",
             format_condition_gap(gap)]
    table = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), "run": str(args.run), "data": str(args.data), "anchors": int(x.shape[0]),
               "seed": args.seed, "length": trained.length, "diffaug": asdict(d), "steps": steps,
               "top_frac": args.top_frac, "judge": None if args.judge is None else str(args.judge),
               "frontier": rows, "condition_gap": gap,
               "seconds": {"frontier": round(frontier_seconds, 2), "condition_gap": round(gap_seconds, 2)}}
    (args.out / f"{args.name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    (args.out / f"{args.name}.md").write_text(table + "\n")
    ratio = gap["medium"]["ratio_shuffled"]
    plot_frontier(rows, args.out / f"{args.name}.png", top_frac=args.top_frac,
                  title=f"{args.run.name}: {x.shape[0]} anchors; medium-noise loss true / shuffled condition "
                        + ("n/a" if ratio is None else f"{ratio:.3f}"))
    print(table)
    print(f"bench_frontier: wrote {args.out / args.name}.json, .md and .png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
