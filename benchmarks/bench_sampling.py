"""Diffusion generator speed: DDIM sampling throughput and denoiser training-step throughput.

Sampling: sequences/s for S = 10, 20, 50 DDIM steps from pure noise, plus the SDEdit start at
strength 0.4 (S = 20 budget, so 8 steps run), L = 200, batch 256, a random condition, with the
default denoiser (4 blocks x 64 channels). Training: sequences/s of one loss + backward + Adam step
at L = 101, 300, 1000. Writes benchmarks/results/sampling.json and sampling.md and the docs/performance.md
block ``bench:sampling``.

    python benchmarks/bench_sampling.py [--device cpu|cuda] [--batch 256] [--repeats 3] [--threads N]
"""

from __future__ import annotations

import argparse

import torch

from _report import median_time, publish
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.samplers import ddim_sample
from dnaaug.diffusion.network import DenoiserConfig


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench_sampling(model: ConditionalGenerator, device: torch.device, *, batch: int, length: int,
                   cond_dim: int, repeats: int) -> list[dict]:
    g = torch.Generator().manual_seed(0)
    cond = torch.randn(batch, cond_dim, generator=g).to(device)
    anchor = torch.nn.functional.one_hot(torch.randint(0, 4, (batch, length), generator=g), 4)
    anchor = anchor.float().permute(0, 2, 1).contiguous().to(device)
    rows = []
    for steps, strength in ((10, 1.0), (20, 1.0), (50, 1.0), (20, 0.4)):
        init = None if strength >= 1.0 else anchor

        def run():
            ddim_sample(model.denoiser, model.schedule, cond, length=length, steps=steps, generator=g,
                        init=init, strength=strength)
            sync(device)

        seconds = median_time(run, repeats=repeats, warmup=1)
        rows.append({"steps": steps, "strength": strength, "length": length, "batch": batch,
                     "seconds": round(seconds, 4), "seqs_per_s": round(batch / seconds, 1)})
    return rows


def bench_training(cond_dim: int, device: torch.device, *, batch: int, lengths: tuple[int, ...],
                   repeats: int) -> list[dict]:
    g = torch.Generator().manual_seed(0)
    rows = []
    for length in lengths:
        model = ConditionalGenerator.build(cond_dim).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.nn.functional.one_hot(torch.randint(0, 4, (batch, length), generator=g), 4)
        x = x.float().permute(0, 2, 1).contiguous().to(device)
        cond = torch.randn(batch, cond_dim, generator=g).to(device)

        def step():
            loss = model.loss(x, cond, generator=g)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sync(device)

        seconds = median_time(step, repeats=repeats, warmup=1)
        rows.append({"length": length, "batch": batch, "seconds": round(seconds, 4),
                     "seqs_per_s": round(batch / seconds, 1)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:i")
    ap.add_argument("--batch", type=int, default=256, help="sampling batch size")
    ap.add_argument("--train-batch", type=int, default=64, help="training batch size")
    ap.add_argument("--length", type=int, default=200, help="sampling length L")
    ap.add_argument("--cond-dim", type=int, default=128, help="condition (encoder embedding) width")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per figure (median)")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--no-docs", "--no-readme", dest="no_docs", action="store_true",
                    help="do not update the bench:sampling block in docs/performance.md")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    model = ConditionalGenerator.build(args.cond_dim).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    sampling = bench_sampling(model, device, batch=args.batch, length=args.length, cond_dim=args.cond_dim,
                              repeats=args.repeats)
    training = bench_training(args.cond_dim, device, batch=args.train_batch, lengths=(101, 300, 1000),
                              repeats=args.repeats)
    cfg = DenoiserConfig()
    where = f"{device.type}" + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else
                                f", {torch.get_num_threads()} thread(s)")
    lines = [f"Default denoiser ({cfg.depth} blocks x {cfg.channels} channels, kernel {cfg.kernel}, "
             f"{n_params / 1e6:.2f} M parameters) on {where}.", "",
             f"DDIM sampling, L = {args.length}, batch {args.batch}:", "",
             "| start | steps run | seconds / batch | sequences / s |", "|---|---:|---:|---:|"]
    for r in sampling:
        start = "pure noise" if r["strength"] >= 1.0 else f"anchor, strength {r['strength']}"
        run = r["steps"] if r["strength"] >= 1.0 else max(1, round(r["steps"] * r["strength"]))
        lines.append(f"| {start} (S = {r['steps']}) | {run} | {r['seconds']:.3f} | {r['seqs_per_s']:.1f} |")
    lines += ["", f"Training step (loss + backward + Adam), batch {args.train_batch}:", "",
              "| L | seconds / step | sequences / s |", "|---:|---:|---:|"]
    for r in training:
        lines.append(f"| {r['length']} | {r['seconds']:.3f} | {r['seqs_per_s']:.1f} |")
    table = "\n".join(lines)
    publish("sampling", {"device": str(device), "denoiser": cfg.to_dict(), "parameters": n_params,
                         "sampling": sampling, "training": training}, table,
            update_docs=not args.no_docs)
    print(table)


if __name__ == "__main__":
    main()
