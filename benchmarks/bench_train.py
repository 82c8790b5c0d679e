"""Training throughput: encoder contrastive step (two views, soft loss, AdamW) and denoiser step,
in sequences/s, at L = 101, 300, 1000, for the encoder and denoiser of a preset.

Speed is also given as a share of the machine's limit: the encoder step's FLOPs (counted by
``torch.utils.flop_counter`` over forward + backward: convolutions and matmuls) divided by its
time, against the matmul peak measured in the same run (a large fp32 ``torch.mm``).

    python benchmarks/bench_train.py [--preset cpu-small] [--batch 128] [--device cpu]
"""

from __future__ import annotations

import argparse

import torch
from torch.utils.flop_counter import FlopCounterMode

from _report import median_time, publish
from dnaaug.augment import parse
from dnaaug.diffusion.generator import ConditionalGenerator
from dnaaug.diffusion.schedule import ScheduleConfig
from dnaaug.losses import make_loss
from dnaaug.diffusion.network import DenoiserConfig
from dnaaug.models.heads import ContrastiveModel, ProjectionHead
from dnaaug.train import TrainConfig, preset
from dnaaug.encoding import build_encoder


def matmul_peak(device: torch.device, n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of an n x n fp32 matmul on ``device`` (2 n^3 FLOPs), median of ``repeats``."""
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(n, n, generator=gen).to(device)
    b = torch.randn(n, n, generator=gen).to(device)

    def mm():
        torch.mm(a, b)
        if device.type == "cuda":
            torch.cuda.synchronize()

    return 2 * n ** 3 / median_time(mm, repeats=repeats)


def counted_flops(fn) -> int:
    """FLOPs of one call of ``fn`` (forward and backward ops that the counter knows)."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def make_encoder_step(config: TrainConfig, x: torch.Tensor, mask: torch.Tensor, gen: torch.Generator):
    """One contrastive step of ``config``'s encoder on the batch ``x`` (B, 4, L) on x's device:
    two augmented views, soft loss, AdamW. Returns (step function, encoder)."""
    device = x.device
    encoder, _ = build_encoder(config, x.shape[2])
    model = ContrastiveModel(encoder, ProjectionHead(encoder.embedding_dim, 2 * config.projection_dim,
                                                     config.projection_dim)).to(device)
    loss_fn, aug = make_loss("soft"), parse(config.augment)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)

    def encoder_step():
        v1, v2 = aug(x, generator=gen, mask=mask), aug(x, generator=gen, mask=mask)
        h1, z1 = model(v1, mask)
        h2, z2 = model(v2, mask)
        loss = loss_fn(z1, z2, h1=h1, h2=h2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()

    return encoder_step, encoder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--preset", default="cpu-small")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lengths", default="101,300,1000")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    device = torch.device(args.device)
    config = TrainConfig().updated(preset(args.preset))
    d = config.diffaug
    gen = torch.Generator().manual_seed(0)
    peak = matmul_peak(device)
    print(f"matmul peak: {peak / 1e9:.1f} GFLOP/s", flush=True)
    rows = []
    for length in (int(v) for v in args.lengths.split(",")):
        x = torch.nn.functional.one_hot(torch.randint(0, 4, (args.batch, length), generator=gen), 4)
        x = x.float().permute(0, 2, 1).contiguous().to(device)
        mask = torch.ones(args.batch, length, dtype=torch.bool, device=device)
        encoder_step, encoder = make_encoder_step(config, x, mask, gen)

        g_model = ConditionalGenerator.build(encoder.embedding_dim,
                                             DenoiserConfig(channels=d.denoiser_channels, depth=d.denoiser_depth),
                                             ScheduleConfig()).to(device)
        g_opt = torch.optim.AdamW(g_model.parameters(), lr=1e-3)
        cond = torch.randn(args.batch, encoder.embedding_dim, generator=gen).to(device)

        def denoiser_step():
            loss = g_model.loss(x, cond, generator=gen)
            g_opt.zero_grad()
            loss.backward()
            g_opt.step()
            if device.type == "cuda":
                torch.cuda.synchronize()

        t_enc = median_time(encoder_step, repeats=args.repeats)
        t_den = median_time(denoiser_step, repeats=args.repeats)
        flops = counted_flops(encoder_step)
        rows.append({"length": length, "encoder_seq_per_s": args.batch / t_enc,
                     "denoiser_seq_per_s": args.batch / t_den, "encoder_step_gflop": flops / 1e9,
                     "encoder_gflop_per_s": flops / t_enc / 1e9, "share_of_matmul_peak": flops / t_enc / peak})
        print(rows[-1], flush=True)
    table = ["| L | encoder step (2 views, seq/s) | encoder GFLOP/s | share of matmul peak | "
             "denoiser step (seq/s) |", "|---|---|---|---|---|"]
    table += [f"| {r['length']} | {r['encoder_seq_per_s']:.0f} | {r['encoder_gflop_per_s']:.1f} | "
              f"{100 * r['share_of_matmul_peak']:.1f} % | {r['denoiser_seq_per_s']:.0f} |" for r in rows]
    md = (f"Matmul peak in the same run: {peak / 1e9:.1f} GFLOP/s (fp32 2048 x 2048 `torch.mm`).\n\n"
          f"Preset `{args.preset}` networks (encoder width {config.encoder.width} x {config.encoder.depth} blocks, "
          f"denoiser {d.denoiser_channels} x {d.denoiser_depth}), batch {args.batch}, device {args.device}, "
          f"augmenter `{config.augment}`.\n\n" + "\n".join(table))
    print(md)
    publish("train", {"preset": args.preset, "batch": args.batch, "device": args.device,
                      "matmul_peak_gflop_per_s": peak / 1e9, "rows": rows}, md)


if __name__ == "__main__":
    main()
