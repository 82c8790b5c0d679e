"""Label preservation of positive views, judged by a supervised CNN (issue 33).

Do the positives of a DiffAug generator keep their anchor's meaning more often than ``mutation`` at
the same identity with the anchor? And does that advantage disappear when the generator is
conditioned on another anchor's embedding?

1. The judge: the encoder trunk of preset ``cpu-small`` (its encoder and epochs) trained with labels
   on the task's training split (``dnaaug.train.supervised.train_supervised``, window = the runs'
   length), read out by a logistic regression refit on its frozen embeddings of the training split
   (``train_supervised`` returns the trunk only). Its test accuracy is reported. Labels are used only
   to judge, never to train a generator. ``--judge-cache`` keeps it (written atomically; reloaded
   when its settings and the training data's fingerprint match) because it costs minutes.
2. Seeded test anchors: centre windows of the runs' window length.
3. View makers, K views per anchor (``--views``):
   - ``mutation:rate=R`` for each rate, and ``mutation:rate=0`` (the anchors themselves), which
     closes the curve at identity 1;
   - with ``--spans``, ``span:rate=R,length=--span-length`` for each rate (spans re-drawn with random
     bases: the masked generator's edit without its model), family ``span``, a reference curve;
   - the base augmenter (``--base``) and weaker versions of it (its integer settings, e.g. shifts,
     scaled by 0 / 0.3 / 1, its rates by 0.4 / 1), family ``base``;
   - for each ``--run NAME=RUN_DIR`` (a DiffAug run folder), its augmenter at each strength of
     ``--strengths`` (``NAME:strength=S``; the settings' ``strength``: SDEdit noise level for the
     continuous generator, mask share for the masked one) and the same with a shuffled condition
     (``NAME+shuffled:strength=S``: each anchor gets the embedding of another anchor of its batch,
     a derangement).
4. Writes <out>/<name>.json (machine, judge, rows, matched-identity comparison, command line),
   <name>.md (the table of every maker, then each generator row against mutation and the base
   curve at the same identity) and <name>.png (identity against label preservation).

Skips, with a message and exit status 0, when DATA_DIR or a run folder is absent (or unfinished);
bad arguments are a one-line error with exit status 2.

    python benchmarks/bench_label_preservation.py DATA_DIR --run NAME=RUN_DIR [--run NAME2=RUN_DIR2 ...]
        [--anchors 512] [--seed 0] [--rates 0.02,0.05,0.1,0.2,0.3,0.4] [--strengths 0.1,0.2,0.3,0.4,0.5]
        [--base SPEC] [--spans 0.1,0.2,0.3,0.4] [--span-length 10] [--judge-cache PATH] [--out DIR]
        [--name NAME] [--threads 1] [--views 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import RESULTS, machine  # noqa: E402

PROG = "bench_label_preservation"
BASE = "rc+translocation:shift=10+mutation:rate=0.05"
RATES = "0.02,0.05,0.1,0.2,0.3,0.4"
STRENGTHS = "0.1,0.2,0.3,0.4,0.5"
JUDGE_FORMAT = "dnaaug-label-judge/1"
JUDGE_SEED = 0  # the judge is the same whatever --seed (which draws anchors and views)
INT_FACTORS = (0.0, 0.3, 1.0)  # weaker base versions: integer settings (shifts) scaled by these
FLOAT_FACTORS = (0.4, 1.0)  # ... and float settings (rates)
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


class UsageError(Exception):
    """A bad argument: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def skip(message: str) -> int:
    print(f"{PROG}: skipped: {message}", file=sys.stderr)
    return 0


def log(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def floats(text: str, what: str, *, low: float, high: float, low_open: bool = False) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{what} must be comma-separated numbers, got {text!r}") from None
    if not values:
        raise UsageError(f"{what} is empty")
    for v in values:
        if not math.isfinite(v) or v > high or v < low or (low_open and v == low):
            interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
            raise UsageError(f"{what} must lie in {interval}, got {v:g}")
    return list(dict.fromkeys(values))


def parse_runs(items: list[str]) -> dict[str, Path]:
    runs: dict[str, Path] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not path:
            raise UsageError(f"--run takes NAME=RUN_DIR, got {item!r}")
        if not NAME_RE.match(name) or name in ("mutation", "base"):
            raise UsageError(f"--run name {name!r}: use letters, digits, '_', '.', '-' (not mutation or base)")
        if name in runs:
            raise UsageError(f"--run name {name!r} given twice")
        runs[name] = Path(path)
    if not runs:
        raise UsageError("give at least one --run NAME=RUN_DIR")
    return runs


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = Parser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, help="GUE-style task folder: train.csv, test.csv (sequence,label)")
    ap.add_argument("--run", action="append", default=[], metavar="NAME=RUN_DIR",
                    help="a DiffAug run folder and its name in the table (repeatable)")
    ap.add_argument("--anchors", type=int, default=512, help="test anchors (seeded draw)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the anchor draw, every view and the shuffles")
    ap.add_argument("--rates", default=RATES, help="mutation rates")
    ap.add_argument("--strengths", default=STRENGTHS, help="generator strengths (SDEdit level or mask share)")
    ap.add_argument("--base", default=BASE, help="the base augmenter's spec")
    ap.add_argument("--spans", default="",
                    help="span rates: rows span:rate=R,length=--span-length (spans re-drawn at random, the masked "
                         "generator's edit without its model); empty: none")
    ap.add_argument("--span-length", type=int, default=10, help="span length of the --spans rows")
    ap.add_argument("--views", type=int, default=2, help="views per anchor and maker")
    ap.add_argument("--judge-cache", type=Path, default=None, help="checkpoint file of the judge (reused)")
    ap.add_argument("--judge-preset", default="cpu-small", help="preset of the judge's encoder and epochs")
    ap.add_argument("--out", type=Path, default=RESULTS, help="output folder (default benchmarks/results)")
    ap.add_argument("--name", default=None, help="output file stem (default label_preservation_<dataset>)")
    ap.add_argument("--batch", type=int, default=256, help="anchors per sampling / judging batch")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:i")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = ap.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.runs = parse_runs(args.run)
    args.rate_list = floats(args.rates, "--rates", low=0.0, high=1.0)
    args.strength_list = floats(args.strengths, "--strengths", low=0.0, high=1.0, low_open=True)
    args.span_list = floats(args.spans, "--spans", low=0.0, high=1.0, low_open=True) if args.spans.strip() else []
    if args.span_length < 1:
        raise UsageError(f"--span-length must be >= 1, got {args.span_length}")
    for key, low in (("anchors", 2), ("views", 1), ("batch", 2), ("threads", 1)):
        if getattr(args, key) < low:
            raise UsageError(f"--{key} must be >= {low}, got {getattr(args, key)}")
    if args.name is not None and not NAME_RE.match(args.name):
        raise UsageError(f"--name {args.name!r}: use letters, digits, '_', '.', '-'")
    from dnaaug.augment import parse
    from dnaaug.errors import DnaaugError
    from dnaaug.train.presets import PRESETS

    if args.judge_preset not in PRESETS:
        raise UsageError(f"--judge-preset must be one of {', '.join(PRESETS)}, got {args.judge_preset!r}")
    try:
        parse(args.base)
    except DnaaugError as err:
        raise UsageError(f"--base: {err}") from None
    return args


# -- the base augmenter's curve -------------------------------------------------------------------------

def weaker_specs(spec: str) -> list[str]:
    """The base spec and weaker versions of it: every integer setting (``shift=10``) scaled by
    :data:`INT_FACTORS`, every float setting (``rate=0.05``) by :data:`FLOAT_FACTORS` (``p`` is kept),
    weakest first; a part whose settings all become 0 is dropped. Versions that do not parse are left out."""
    from dnaaug.augment import parse
    from dnaaug.errors import DnaaugError

    number = re.compile(r"(?<![\w.])(\w+)=(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)")
    found = [(m.group(1), m.group(2)) for m in number.finditer(spec) if m.group(1) != "p"]
    has_int = any("." not in v and "e" not in v.lower() for _, v in found)
    has_float = any(not ("." not in v and "e" not in v.lower()) for _, v in found)
    out = []
    for fi in (INT_FACTORS if has_int else (1.0,)):
        for ff in (FLOAT_FACTORS if has_float else (1.0,)):
            def scale(m):
                key, value = m.group(1), m.group(2)
                if key == "p":
                    return m.group(0)
                if "." not in value and "e" not in value.lower():
                    return f"{key}={int(round(int(value) * fi))}"
                return f"{key}={float(value) * ff:g}"
            parts = [number.sub(scale, part) for part in spec.split("+")]
            parts = [p for p in parts if not (number.search(p) and all(
                float(v) == 0 for k, v in number.findall(p) if k != "p"))]
            candidate = "+".join(parts) if parts else "none"
            try:
                parse(candidate)
            except DnaaugError:
                continue
            if candidate not in out:
                out.append(candidate)
    if spec in out:
        out.remove(spec)
    return out + [spec]


# -- the judge ----------------------------------------------------------------------------------------------

def judge_config(preset_name: str, length: int):
    from dnaaug.train.config import TrainConfig
    from dnaaug.train.presets import preset

    return TrainConfig().updated(preset(preset_name)).updated({"length": length, "seed": JUDGE_SEED})


def judge_key(config) -> dict:
    """What the judge depends on (its cache is reused only when this and the data match)."""
    d = config.to_dict()
    return {"format": JUDGE_FORMAT, "readout": "logistic regression C=1 on standardised h",
            **{k: d[k] for k in ("tokenizer", "length", "epochs", "batch_size", "lr", "weight_decay", "encoder",
                                 "seed")}}


def data_fingerprint(dataset) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(dataset.classes).encode())
    for seq, y in zip(dataset.sequences("train"), dataset.labels("train").tolist()):
        h.update(f"{seq}\t{y}\n".encode())
    return h.hexdigest()


def centre_windows(sequences: list[str], length: int, index=None):
    """One-hot (N,4,L) float32 and mask (N,L) of centre windows of the selected sequences."""
    from dnaaug.tokenize.onehot import codes_to_onehot
    from dnaaug.tokenize.packed import PackedSequences

    packed = PackedSequences.from_strings(sequences, [str(i) for i in range(len(sequences))])
    idx = np.arange(len(sequences)) if index is None else np.asarray(index)
    codes, mask = packed.window(idx, length, "center")
    return codes_to_onehot(codes), mask


class Judge:
    """A trained trunk and a linear readout: ``judge(x (N,4,L), mask (N,L)) -> (N,) long`` class indices."""

    def __init__(self, encoder, tokenizer, head: dict, batch: int):
        self.encoder, self.tokenizer, self.head, self.batch = encoder.eval(), tokenizer, head, batch

    @torch.no_grad()
    def embed(self, x, mask):
        from dnaaug.encoding import encoder_input

        dev = next(self.encoder.parameters()).device
        if mask is None:
            mask = torch.ones(x.shape[0], x.shape[2], dtype=torch.bool)
        parts = [self.encoder(*encoder_input(self.tokenizer, x[i:i + self.batch].to(dev),
                                             mask[i:i + self.batch].to(dev))).float().cpu()
                 for i in range(0, x.shape[0], self.batch)]
        return torch.cat(parts)

    def __call__(self, x, mask):
        z = (self.embed(x, mask) - self.head["mean"]) / self.head["scale"]
        logits = z @ self.head["weight"].T + self.head["bias"]
        pick = (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)
        return self.head["classes"][pick]


def fit_head(h: torch.Tensor, y: np.ndarray) -> dict:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    X = h.double().numpy()
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    with threadpool_limits(1):
        clf = LogisticRegression(C=1.0, max_iter=2000).fit((X - mean) / scale, y)
    f32 = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
    return {"mean": f32(mean), "scale": f32(scale), "weight": f32(clf.coef_), "bias": f32(clf.intercept_),
            "classes": torch.as_tensor(clf.classes_, dtype=torch.long)}


def get_judge(dataset, length: int, args, device) -> tuple[Judge, dict]:
    """The judge (trained, or reloaded from ``--judge-cache`` when its key and data match) and its record."""
    from dnaaug.encoding import build_encoder
    from dnaaug.errors import CheckpointError
    from dnaaug.train.checkpoint import load_checkpoint, save_checkpoint
    from dnaaug.train.supervised import train_supervised

    config = judge_config(args.judge_preset, length)
    key, fingerprint = judge_key(config), data_fingerprint(dataset)
    cache = args.judge_cache
    if cache is not None and cache.exists():
        try:
            ckpt = load_checkpoint(cache)
        except CheckpointError as err:
            log(f"judge cache unreadable, retraining: {err}")
            ckpt = {}
        if ckpt.get("judge_key") == key and ckpt.get("fingerprint") == fingerprint:
            encoder, tokenizer = build_encoder(config, length)
            encoder.load_state_dict(ckpt["encoder"])
            judge = Judge(encoder.to(device), tokenizer, ckpt["head"], args.batch)
            record = dict(ckpt["record"], cached=True, cache=str(cache))
            log(f"judge reloaded from {cache} (test accuracy {record['test_accuracy']:.4f})")
            return judge, record
        if ckpt:
            log(f"judge cache {cache} was made with other settings or data: retraining")
    log(f"training the judge ({args.judge_preset}: {config.epochs} epochs, width {config.encoder.width}, "
        f"window {length}) on {len(dataset.splits['train']):,} training sequences")
    started = time.perf_counter()
    y_train = dataset.labels("train")
    trained, losses = train_supervised(dataset.splits["train"], y_train, config, device=device)
    judge = Judge(trained.encoder, trained.tokenizer, {}, args.batch)
    x, m = centre_windows(dataset.sequences("train"), length)
    judge.head = fit_head(judge.embed(x, m), y_train)
    x, m = centre_windows(dataset.sequences("test"), length)
    y_test = torch.as_tensor(dataset.labels("test"))
    accuracy = float((judge(x, m) == y_test).float().mean())
    record = {"preset": args.judge_preset, "epochs": config.epochs, "width": config.encoder.width,
              "depth": config.encoder.depth, "length": length, "seed": JUDGE_SEED,
              "n_train": len(y_train), "n_test": int(y_test.numel()), "test_accuracy": accuracy,
              "train_losses": [round(v, 5) for v in losses], "train_seconds": round(time.perf_counter() - started, 1),
              "readout": key["readout"], "fingerprint": fingerprint}
    log(f"judge trained in {record['train_seconds']:.0f} s: test accuracy {accuracy:.4f}")
    if cache is not None:
        state = {k: v.detach().cpu() for k, v in trained.encoder.state_dict().items()}
        save_checkpoint(cache, {"judge_key": key, "fingerprint": fingerprint, "encoder": state,
                                "head": judge.head, "record": record})
        log(f"judge written to {cache}")
    return judge, dict(record, cached=False, cache=None if cache is None else str(cache))


# -- view makers ----------------------------------------------------------------------------------------------

def chunks(n: int, batch: int) -> list[tuple[int, int]]:
    """ceil(n / batch) contiguous chunks of near-equal size (none of one row unless n == 1)."""
    pieces = max(1, math.ceil(n / batch))
    bounds = np.linspace(0, n, pieces + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def augmenter_maker(aug, k: int, batch: int):
    """K views per anchor of a baseline augmenter, grouped by anchor."""
    def make(x, mask, generator):
        out = []
        for a, b in chunks(x.shape[0], batch):
            xs = x[a:b].repeat_interleave(k, dim=0)
            ms = None if mask is None else mask[a:b].repeat_interleave(k, dim=0)
            out.append(aug(xs, generator=generator, mask=ms))
        return torch.cat(out)
    return make


def shuffled_condition(condition_fn, generator: torch.Generator):
    """``condition_fn`` whose rows are permuted by a derangement: each anchor gets another's condition."""
    from dnaaug.diffusion.condition_use import derangement

    def condition(x, mask):
        h = condition_fn(x, mask)
        return h[derangement(h.shape[0], generator).to(h.device)]
    return condition


def generator_maker(augmenter, strength: float, k: int, batch: int, *, shuffle_seed: int | None = None):
    """K positives per anchor of a new augmenter like ``augmenter`` at ``strength`` (its settings'
    ``strength`` replaced), conditioned on the true or (``shuffle_seed``) a shuffled embedding.
    The loaded augmenter is not changed."""
    settings = replace(augmenter.settings, strength=strength)

    def make(x, mask, generator):
        condition = augmenter.condition_fn
        if shuffle_seed is not None:  # a fresh shuffle stream per call: every strength gets the same one
            condition = shuffled_condition(condition, torch.Generator().manual_seed(shuffle_seed))
        aug = type(augmenter)(augmenter.model, condition, settings=settings, p=augmenter.p)
        out = [aug.positives(x[a:b], None if mask is None else mask[a:b], k=k, generator=generator)
               for a, b in chunks(x.shape[0], batch)]
        return torch.cat(out)
    return make


# -- main ----------------------------------------------------------------------------------------------------

def load_runs(runs: dict[str, Path], device):
    from dnaaug.train.api import load_diffusion_augmenter

    loaded = {}
    for name, path in runs.items():
        augmenter, trained = load_diffusion_augmenter(path, device=device)
        loaded[name] = (augmenter, trained)
    lengths = {name: t.length for name, (_, t) in loaded.items()}
    if len(set(lengths.values())) > 1:
        raise UsageError(f"the runs have different windows ({lengths}); compare runs of one window length")
    return loaded, next(iter(lengths.values()))


def run(args) -> int:
    from dnaaug.augment import parse
    from dnaaug.data.dataset import load_dataset
    from dnaaug.evaluate.label_preservation import (label_preservation, matched_identity, matched_identity_table,
                                                    plot_label_preservation, preservation_table)
    from dnaaug.train.device import resolve_device

    torch.set_num_threads(args.threads)
    if not args.data.is_dir():
        return skip(f"data folder {args.data} does not exist")
    for name, path in args.runs.items():
        if not path.is_dir():
            return skip(f"run folder {path} ({name}) does not exist")
        if not (path / "checkpoints" / "last.pt").exists():
            return skip(f"{path} ({name}) has no checkpoints/last.pt (not a finished run)")
    device = resolve_device(args.device)
    dataset = load_dataset(args.data)
    name = args.name or f"label_preservation_{dataset.name}"
    loaded, length = load_runs(args.runs, device)
    log(f"{dataset.summary()}; window {length}; runs {', '.join(f'{n}={p}' for n, p in args.runs.items())}")
    judge, judge_record = get_judge(dataset, length, args, device)

    test = dataset.sequences("test")
    count = min(args.anchors, len(test))
    idx = np.sort(np.random.default_rng(args.seed).choice(len(test), count, replace=False))
    x, mask = centre_windows(test, length, idx)
    y = torch.as_tensor(dataset.labels("test")[idx])
    anchor_accuracy = float((judge(x, mask) == y).float().mean())
    log(f"{count} anchors of {len(test)} test sequences (seed {args.seed}); judge accuracy on them "
        f"{anchor_accuracy:.4f}")

    k, makers, families = args.views, {}, {}
    for rate in ([0.0] if 0.0 not in args.rate_list else []) + args.rate_list:
        makers[f"mutation:rate={rate:g}"] = augmenter_maker(parse(f"mutation:rate={rate:g}"), k, args.batch)
    for rate in args.span_list:
        spec = f"span:rate={rate:g},length={args.span_length}"
        makers[spec] = augmenter_maker(parse(spec), k, args.batch)
    base_specs = weaker_specs(args.base)
    for spec in base_specs:
        makers[f"base:{spec}"] = augmenter_maker(parse(spec), k, args.batch)
        families[f"base:{spec}"] = "base"
    run_families = []
    for i, (run_name, (augmenter, _)) in enumerate(loaded.items()):
        run_families += [run_name, f"{run_name}+shuffled"]
        for s in args.strength_list:
            makers[f"{run_name}:strength={s:g}"] = generator_maker(augmenter, s, k, args.batch)
        for s in args.strength_list:
            makers[f"{run_name}+shuffled:strength={s:g}"] = generator_maker(
                augmenter, s, k, args.batch, shuffle_seed=args.seed * 1000 + 7 + i)
    started = time.perf_counter()
    rows = label_preservation(judge, x.to(device), mask.to(device), makers,
                              torch.Generator(device=device).manual_seed(args.seed), labels=y, families=families)
    seconds = time.perf_counter() - started
    references = ("mutation", "span", "base") if args.span_list else ("mutation", "base")
    comparison = matched_identity(rows, references=references, families=run_families)

    command = "python " + " ".join(shlex.quote(a) for a in [f"benchmarks/{Path(__file__).name}", *args.argv])
    runs_info = {}
    for run_name, (augmenter, trained) in loaded.items():
        d = trained.config.diffaug
        runs_info[run_name] = {"path": str(args.runs[run_name]), "generator": getattr(d, "generator", "gaussian"),
                               "settings": augmenter.settings.to_dict() if hasattr(augmenter.settings, "to_dict")
                               else repr(augmenter.settings), "length": trained.length}
    where = device.type + ("" if device.type == "cuda" else f", {torch.get_num_threads()} thread(s)")
    runs_text = "; ".join(f"`{n}` = `{info['path']}` ({info['generator']} generator, "
                          f"{info['settings'].get('sampler', '') if isinstance(info['settings'], dict) else ''} "
                          f"{info['settings'].get('steps', '') if isinstance(info['settings'], dict) else ''} steps)"
                          for n, info in runs_info.items())
    intro = (f"Task `{dataset.name}` (`{args.data}`), window {length}; {count} test anchors (seed {args.seed}), "
             f"{k} view(s) per anchor and maker, on {where}. Runs: {runs_text}.")
    judge_line = (f"Judge: supervised CNN ({judge_record['preset']} encoder, width {judge_record['width']}, "
                  f"depth {judge_record['depth']}, {judge_record['epochs']} epochs on {judge_record['n_train']:,} "
                  f"training sequences; {judge_record['readout']}): test accuracy "
                  f"**{judge_record['test_accuracy']:.4f}** ({judge_record['n_test']:,} sequences), "
                  f"{anchor_accuracy:.4f} on the anchors. Labels only judge; no generator saw them.")
    lines = [intro, "", judge_line, "",
             "Label preservation per view maker (judge label kept: share of views given the judge's label of "
             "their anchor; true label kept: share given the anchor's true label; `mutation:rate=0` is the "
             "anchors themselves; seconds: wall time of the views):", "",
             preservation_table(rows), "",
             "Generator rows at matched identity (each reference curve interpolated at the row's identity; "
             "advantage = row minus curve, in points of judge label kept; \"not covered (a-b)\": the row's "
             "identity lies outside the curve's identity range a-b):", "",
             matched_identity_table(rows, references=references, families=run_families)]
    table = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), "command": command, "dataset": {
                   "name": dataset.name, "source": str(args.data), "classes": dataset.classes,
                   "splits": {s: len(r) for s, r in dataset.splits.items()}, "notes": dataset.notes},
               "length": length, "anchors": count, "seed": args.seed, "views_per_anchor": k,
               "judge": dict(judge_record, anchor_accuracy=anchor_accuracy), "runs": runs_info,
               "base": args.base, "base_curve": base_specs, "rows": rows, "matched_identity": comparison,
               "seconds": round(seconds, 2)}
    from dnaaug.atomic import atomic_write_text

    atomic_write_text(args.out / f"{name}.json", json.dumps(payload, indent=2) + "\n")
    atomic_write_text(args.out / f"{name}.md", table + "\n")
    plot_label_preservation(rows, args.out / f"{name}.png",
                            title=f"{dataset.name}: {count} anchors, judge test accuracy "
                                  f"{judge_record['test_accuracy']:.3f}")
    print(table)
    log(f"wrote {args.out / name}.json, .md and .png ({seconds:.0f} s of views and judging)")
    return 0


def main(argv: list[str] | None = None) -> int:
    from dnaaug.errors import DnaaugError

    try:
        args = parse_args(argv)
        return run(args)
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except DnaaugError as err:
        print(f"{PROG}: error: {str(err).splitlines()[0] if str(err) else type(err).__name__}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
