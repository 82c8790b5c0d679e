"""Embed-time read-outs of a trained trunk, compared on finished benchmark runs (no retraining).

Every variant reads the same trained encoder; only what is pooled and how the two strands are
combined changes. The shipped read-out is ``both``: [meanmax(x), meanmax(rc x)].

- strand combinations of the shipped per-strand h (D = 2 x width: mean half, max half):
  ``mean`` (h + h_rc) / 2; ``symdiff`` [(h + h_rc) / 2, (h - h_rc) / 2] (a rotation of ``both``,
  which a standardised probe regularises differently); ``both+symmax`` ``both`` plus the max half
  taken over both strands (motif present on either strand, which a linear probe cannot form).
- extra pooled statistics of the final feature map (N, width, L'), appended to each strand's h:
  ``+std`` (per-channel spread along the sequence), ``+top3`` (mean of the 3 largest positions),
  ``+bins3`` (masked means over 3 equal thirds of the real positions: where, not only whether).
- earlier layers next to ``+bins3`` (the shipped read-out): ``+bins3+stem`` adds the stem's masked
  mean and max (motif-detector composition, before downsampling: the learned analogue of a k-mer
  spectrum), ``+bins3+blocks`` the masked mean of every residual block's output.

    python benchmarks/bench_embed_variants.py --runs bench_out/final/small/runs \\
        -d ../shared/data/gue/mouse_0 -d ../shared/data/gue/prom_300_tata --method diffaug --seeds 0,1,2

``--runs`` is a benchmark folder's ``runs/`` (cells keep their trained runs there as
``<runs>/<dataset>/<method>/seed<N>``). Windows are the centre window of each sequence, as
``dnaaug embed --policy center``. Writes benchmarks/results/embed_variants.{json,md} and the docs/performance.md
block ``bench:embed_variants``. Skips cleanly (exit 0, a message) when no run folder exists.
``+bins3`` is what ``dnaaug embed`` exports by default since this study (``--regions 3``); the
``both`` row is the read-out before it (``--regions 0``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import publish  # noqa: E402

VARIANTS = ("both", "mean", "symdiff", "both+symmax", "+std", "+top3", "+bins3",
            "+bins3+stem", "+bins3+blocks")


def _extra_pools(f, mask):
    """Final feature map f (N, C, L') and mask (N, L') -> {"+std", "+top3", "+bins3"} (N, C or 3C)."""
    import torch

    m = mask[:, None, :].to(f.dtype)
    n = m.sum(2).clamp_min(1)
    mu = (f * m).sum(2) / n
    std = (((f - mu[:, :, None]) ** 2) * m).sum(2).div(n).sqrt()
    top3 = f.masked_fill(~mask[:, None, :], -1e4).topk(min(3, f.shape[2]), dim=2).values.mean(2)
    rank = torch.cumsum(mask.to(f.dtype), 1) - 1  # rank of each real position
    third = torch.clamp((rank * 3 / n).floor().long(), 0, 2)
    bins = []
    for b in range(3):
        w = m * (third == b)[:, None, :].to(f.dtype)
        bins.append((f * w).sum(2) / w.sum(2).clamp_min(1))
    return {"+std": std, "+top3": top3, "+bins3": torch.cat(bins, 1)}


def embed_variants(model, sequences: list[str], batch_size: int = 256) -> dict[str, np.ndarray]:
    """Centre windows of ``sequences`` -> {variant: (N, features)} for every name in VARIANTS."""
    import torch
    import torch.nn.functional as F

    from dnaaug.augment.functional import reverse_complement
    from dnaaug.encoding import encoder_input
    from dnaaug.tokenize.onehot import codes_to_onehot
    from dnaaug.tokenize.packed import PackedSequences

    from dnaaug.models.encoder import _masked_pool

    seen: dict = {}
    enc = model.encoder
    # the hooks read the stem's modules, which only the channel-major stem calls (same function)
    position_major, enc._position_major_stem = enc._position_major_stem, False
    hooks = [enc.final_norm.register_forward_hook(
        lambda mod, inputs, out: seen.update(f=F.gelu(out), mask=inputs[1]))]
    # the stem's output as the trunk sees it (GELU after its norm), with the input mask
    hooks.append(enc.stem_norm.register_forward_hook(
        lambda mod, inputs, out: seen.update(stem=_masked_pool(F.gelu(out), inputs[1], "meanmax"))))
    for b, block in enumerate(enc.blocks):
        hooks.append(block.register_forward_hook(
            lambda mod, inputs, out, b=b: seen.update({f"block{b}": _masked_pool(out, inputs[1], "mean")})))
    parts: dict[str, list[np.ndarray]] = {}
    try:
        with torch.no_grad():
            for s in range(0, len(sequences), batch_size):
                packed = PackedSequences.from_strings(sequences[s:s + batch_size])
                codes, mask = packed.window(np.arange(len(packed)), model.length, "center")
                x = codes_to_onehot(codes)
                per_strand = []
                for view in (x, reverse_complement(x, mask.sum(1))):
                    h = model.encoder(*encoder_input(model.tokenizer, view, mask)).float()
                    extra = _extra_pools(seen["f"], seen["mask"])
                    extra["+bins3+stem"] = torch.cat([extra["+bins3"], seen["stem"]], 1)
                    extra["+bins3+blocks"] = torch.cat(
                        [extra["+bins3"]] + [seen[f"block{b}"] for b in range(len(enc.blocks))], 1)
                    per_strand.append((h, extra))
                (h, ex), (hr, exr) = per_strand
                half = h.shape[1] // 2  # meanmax: [mean | max]
                out = {"both": torch.cat([h, hr], 1), "mean": (h + hr) / 2,
                       "symdiff": torch.cat([(h + hr) / 2, (h - hr) / 2], 1),
                       "both+symmax": torch.cat([h, hr, torch.maximum(h[:, half:], hr[:, half:])], 1)}
                for name in ex:
                    out[name] = torch.cat([h, ex[name], hr, exr[name]], 1)
                for name, v in out.items():
                    parts.setdefault(name, []).append(v.numpy())
    finally:
        for hook in hooks:
            hook.remove()
        enc._position_major_stem = position_major
    return {name: np.concatenate(v) for name, v in parts.items()}


def measure(runs: Path, dataset: str, method: str, seeds: list[int]) -> dict | None:
    from dnaaug.data import load_dataset
    from dnaaug.evaluate.probe import linear_probe
    from dnaaug.train import load_encoder

    ds = load_dataset(dataset, seed=0)
    folder = runs / ds.name / method
    if not folder.is_dir():
        print(f"bench_embed_variants: no runs in {folder}; skipped", file=sys.stderr)
        return None
    train, test = ds.splits["train"], ds.splits["test"]
    index = {c: i for i, c in enumerate(ds.classes)}
    y_train = np.array([index[r.label] for r in train])
    y_test = np.array([index[r.label] for r in test])
    out = {"dataset": ds.name, "method": method, "seeds": seeds, "accuracy": {}, "dims": {}}
    for seed in seeds:
        model = load_encoder(folder / f"seed{seed}")
        a = embed_variants(model, [r.sequence for r in train])
        b = embed_variants(model, [r.sequence for r in test])
        for name in VARIANTS:
            acc = 100 * linear_probe(a[name], y_train, b[name], y_test, seed=seed).accuracy
            out["accuracy"].setdefault(name, []).append(round(acc, 2))
            out["dims"][name] = int(a[name].shape[1])
        print(ds.name, method, seed, {k: v[-1] for k, v in out["accuracy"].items()}, flush=True)
    return out


def _cell(values: list[float]) -> str:
    mean = statistics.mean(values)
    return f"{mean:.1f} ± {statistics.stdev(values):.1f}" if len(values) > 1 else f"{mean:.1f}"


def table(results: list[dict]) -> str:
    head = "| read-out | width (cpu-small) | " + " | ".join(f"{r['dataset']} {r['method']}" for r in results) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(results)]
    for name in VARIANTS:
        cells = [_cell(r["accuracy"][name]) for r in results]
        lines.append(f"| `{name}` | {results[0]['dims'][name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, required=True, help="a benchmark folder's runs/ directory")
    ap.add_argument("-d", "--dataset", action="append", required=True, help="dataset folder (repeatable)")
    ap.add_argument("--method", default="diffaug", help="method folder under runs/<dataset>/ (default diffaug)")
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if not args.runs.is_dir():
        print(f"bench_embed_variants: {args.runs} does not exist; nothing measured", file=sys.stderr)
        return 0
    results = [r for d in args.dataset if Path(d).exists()
               for r in [measure(args.runs, d, args.method, seeds)] if r is not None]
    if not results:
        print("bench_embed_variants: nothing measured", file=sys.stderr)
        return 0
    publish("embed_variants", {"results": results}, table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
