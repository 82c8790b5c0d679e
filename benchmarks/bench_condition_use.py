"""The cheap gate before end-to-end cells: does a generator use its condition? (issue 33)

Takes the encoder of a finished run (``dnaaug train ... --out RUN``; any augmenter), freezes it, and
for each generator variant trains a fresh generator on its embeddings of the training split, the way
the DiffAug B-step does (same generator step, EMA, condition function, and for the masked family the
condition from another view of the anchor and its standardisation). Then it measures, on held-out
sequences (the dev split, else test):

- masked variants: cross-entropy of the masked bases with the true, a shuffled and the null
  condition at mask rates 0.5, 0.75 and 0.9 (:mod:`dnaaug.diffusion.masked_condition_use`);
- Gaussian variants: the denoising loss ratio at medium noise (:mod:`dnaaug.diffusion.condition_use`).

Every variant sees the same encoder, data, epochs and seed, so the rows differ only by the variant.
A variant is a name and a ``diffaug`` config section on top of the run's own, e.g.
``'{"masked": {"generator": "masked"}, "masked-hi": {"generator": "masked", "mask_low": 0.75}}'``.

Writes <out>/<name>.json and .md (default benchmarks/results/condition_use_<dataset>.*); ``--append``
adds the rows to that record (one file per task, every row with its run, epochs and command). Skips, with
a message and exit status 0, when the run or the data are absent.

    python benchmarks/bench_condition_use.py RUN DATA_DIR --variants JSON_OR_FILE [--epochs 3] [--seed 0]
        [--sample 512] [--repeats 2] [--out DIR] [--name NAME] [--threads 1] [--append]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from _report import RESULTS, machine


def skip(message: str) -> int:
    print(f"bench_condition_use: skipped: {message}", file=sys.stderr)
    return 0


def load_split(folder: Path, names: tuple[str, ...]):
    """Packed sequences of the first split file that exists (GUE layout: NAME.csv with a sequence column)."""
    from dnaaug.data.dataset import read_records
    from dnaaug.tokenize.packed import PackedSequences

    for name in names:
        path = folder / f"{name}.csv"
        if path.exists():
            records = list(read_records(path))
            return PackedSequences.from_strings([r.sequence for r in records], [r.id for r in records]), name
    raise FileNotFoundError(f"none of {', '.join(n + '.csv' for n in names)} in {folder}")


def train_variant(diffaug, encoder, train, *, length: int, epochs: int, seed: int, device):
    """A generator of the variant's family trained ``epochs`` epochs on the frozen encoder's h; its EMA copy."""
    from dnaaug.augment.registry import parse
    from dnaaug.diffusion.bank_fill import sampling_copy
    from dnaaug.diffusion.ema import EMA
    from dnaaug.diffusion.generator import ConditionalGenerator
    from dnaaug.diffusion.generator_step import generator_step
    from dnaaug.diffusion.masked import MaskedGenerator
    from dnaaug.diffusion.schedule import ScheduleConfig
    from dnaaug.encoding import condition_fn
    from dnaaug.tokenize.onehot import codes_to_onehot
    from dnaaug.train.bank_diagnostics import condition_sample

    condition = condition_fn(encoder.encoder, encoder.tokenizer)
    torch.manual_seed(seed)
    dim = encoder.encoder.embedding_dim
    if diffaug.generator == "masked":
        model = MaskedGenerator.build(dim, diffaug.masked_denoiser(), (diffaug.mask_low, diffaug.mask_high))
        model.fit_condition(condition_sample(condition, train, length=length, device=torch.device("cpu")))
        view = parse(diffaug.cond_view)
    else:
        model = ConditionalGenerator.build(dim, diffaug.denoiser(), ScheduleConfig(kind=diffaug.schedule,
                                                                                  num_train_steps=diffaug.diffusion_steps))
        view = None
    model.to(device)
    ema = EMA(model, decay=diffaug.ema_decay)
    opt = torch.optim.AdamW(model.parameters(), lr=diffaug.generator_lr, weight_decay=0.0)
    data_gen = torch.Generator().manual_seed(seed + 1)
    aug_gen = torch.Generator().manual_seed(seed + 2)

    def cond(x, mask):
        return condition(view(x, generator=aug_gen, mask=mask), mask) if view is not None else condition(x, mask)

    losses = []
    for epoch in range(epochs):
        perm = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed * 1000 + epoch)).numpy()
        for start in range(0, len(perm), diffaug.generator_batch_size):
            codes, mask = train.window(perm[start:start + diffaug.generator_batch_size], length, "random",
                                       generator=data_gen)
            losses.append(generator_step(model, ema, opt, codes_to_onehot(codes).to(device), mask.to(device),
                                         condition=cond, generator=aug_gen))
    return sampling_copy(model, ema), condition, float(np.mean(losses[-20:]))


def measure(model, condition, held, *, length: int, sample: int, repeats: int, seed: int) -> dict:
    from dnaaug.diffusion.condition_use import condition_gap
    from dnaaug.diffusion.families import family_of
    from dnaaug.diffusion.masked_condition_use import masked_condition_gap
    from dnaaug.tokenize.onehot import codes_to_onehot

    gen = torch.Generator().manual_seed(seed + 104729)
    n = min(sample, len(held))
    idx = np.sort(torch.randperm(len(held), generator=gen)[:n].numpy())
    codes, mask = held.window(idx, length, "center")
    x = codes_to_onehot(codes)
    cond = condition(x, mask)
    if family_of(model) == "masked":
        return masked_condition_gap(model, x, cond, mask, generator=gen, repeats=repeats)
    return condition_gap(model, x, cond, mask, generator=gen, repeats=repeats)


def table(rows: list[dict]) -> str:
    lines = ["| variant | generator | diffaug settings | B-step epochs | train loss | CE ratio true/shuffled at mask 0.5 / 0.75 / 0.9 "
             "| true/null at 0.75 | Gaussian: loss ratio true/shuffled (true/null) at medium noise | seconds |",
             "|---|---|---|---:|---:|---|---:|---|---:|"]
    for r in rows:
        gap = r["gap"]
        if gap.get("family") == "masked":
            ratios = " / ".join(f"{v:.3f}" for v in gap["ratio_shuffled"])
            null, gauss = f"{gap['medium']['ratio_null']:.3f}", ""
        else:
            ratios, null = "", ""
            gauss = f"{gap['medium']['ratio_shuffled']:.3f} ({gap['medium']['ratio_null']:.3f})"
        settings = json.dumps(r["settings"], sort_keys=True).replace("|", "/")
        lines.append(f"| {r['name']} | {r['generator']} | `{settings}` | {r.get('epochs', '')} | {r['train_loss']:.4f} "
                     f"| {ratios} | {null} "
                     f"| {gauss} | {r['seconds']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("data", type=Path, help="GUE-style folder with train.csv and dev.csv or test.csv")
    ap.add_argument("--variants", required=True, help="JSON object name -> diffaug section, or a file of it")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sample", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--name")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--append", action="store_true",
                    help="add the rows to an existing record of the same name (a row of the same name is replaced)")
    args = ap.parse_args(argv)
    if not (args.run / "config.json").exists():
        return skip(f"no run folder at {args.run}")
    if not (args.data / "train.csv").exists():
        return skip(f"no train.csv in {args.data}")
    from dnaaug.errors import DnaaugError
    from dnaaug.train.api import load_encoder
    from dnaaug.train.config import DiffAugConfig
    from dnaaug.train.dataclass_io import merge, to_dict

    text = Path(args.variants).read_text() if Path(args.variants).is_file() else args.variants
    try:
        variants = json.loads(text)
        if not isinstance(variants, dict) or not variants:
            raise ValueError("expected a non-empty JSON object")
    except ValueError as err:
        print(f"bench_condition_use: --variants: {err}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    try:
        encoder = load_encoder(args.run)
        train, _ = load_split(args.data, ("train",))
        held, held_name = load_split(args.data, ("dev", "test"))
        base = to_dict(encoder.config.diffaug)
        configs = {name: DiffAugConfig(**merge(base, section)) for name, section in variants.items()}
    except (DnaaugError, TypeError, FileNotFoundError) as err:
        print(f"bench_condition_use: {err}", file=sys.stderr)
        return 2
    name = args.name or f"condition_use_{args.data.name}"
    record = args.out / f"{name}.json"
    rows = json.loads(record.read_text())["rows"] if args.append and record.exists() else []
    for variant, diffaug in configs.items():
        started = time.perf_counter()
        model, condition, loss = train_variant(diffaug, encoder, train, length=encoder.length, epochs=args.epochs,
                                               seed=args.seed, device=torch.device("cpu"))
        gap = measure(model, condition, held, length=encoder.length, sample=args.sample, repeats=args.repeats,
                      seed=args.seed)
        rows = [r for r in rows if r["name"] != variant]
        rows.append({"name": variant, "generator": diffaug.generator, "settings": variants[variant],
                     "train_loss": loss, "gap": gap, "seconds": time.perf_counter() - started,
                     "run": str(args.run), "epochs": args.epochs, "command": " ".join(sys.argv)})
        print(table(rows[-1:]).splitlines()[-1], flush=True)
        payload = {"machine": machine(), "data": str(args.data), "held_out": held_name, "seed": args.seed,
                   "rows": rows}
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
        (args.out / f"{name}.md").write_text(table(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
