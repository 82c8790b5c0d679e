"""benchmarks/bench_embed_variants.py: its read-outs agree with the shipped embedding where they must."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from scripts import load_benchmark_script

from dnaaug.embed import embed_array
from dnaaug.encoding import build_encoder
from dnaaug.train.api import TrainedEncoder
from dnaaug.train.config import TrainConfig


def _load():
    return load_benchmark_script("bench_embed_variants")


def _model(length: int = 40) -> TrainedEncoder:
    torch.manual_seed(0)
    config = TrainConfig().updated({"encoder": {"width": 16, "depth": 2}})
    encoder, tokenizer = build_encoder(config, length)
    return TrainedEncoder(encoder.eval(), tokenizer, length, config, Path("."))


def test_variants_match_the_shipped_readout_and_have_their_widths():
    script = _load()
    model = _model()
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), size=n)) for n in (40, 33, 40, 21)]  # short ones are padded
    out = script.embed_variants(model, seqs, batch_size=3)
    np.testing.assert_allclose(out["both"], embed_array(model, seqs, strands="both", regions=0), atol=1e-5)
    np.testing.assert_allclose(out["mean"], embed_array(model, seqs, strands="mean", regions=0), atol=1e-5)
    # the study's +bins3 is what the embedding now exports by default (--regions 3)
    np.testing.assert_allclose(out["+bins3"], embed_array(model, seqs), atol=1e-5)
    w, d = 16, 32
    widths = {"both": 2 * d, "mean": d, "symdiff": 2 * d, "both+symmax": 2 * d + w,
              "+std": 2 * (d + w), "+top3": 2 * (d + w), "+bins3": 2 * (d + 3 * w),
              "+bins3+stem": 2 * (d + 5 * w), "+bins3+blocks": 2 * (d + 5 * w)}  # depth 2 blocks
    assert {k: v.shape for k, v in out.items()} == {k: (4, n) for k, n in widths.items()}
    assert set(out) == set(script.VARIANTS)
    # the earlier-layer pools ignore padding: a sequence alone reads as it does in a padded batch
    alone = script.embed_variants(model, seqs, batch_size=1)
    for name in ("+bins3+stem", "+bins3+blocks"):
        np.testing.assert_allclose(alone[name], out[name], atol=1e-5)
    # symdiff is a rotation of both: the same information, halves recovered exactly
    h, hr = out["both"][:, :d], out["both"][:, d:]
    np.testing.assert_allclose(out["symdiff"][:, d:], (h - hr) / 2, atol=1e-6)
    # the strand-max part is symmetric: the same for a sequence and its reverse complement
    rc = [s[::-1].translate(str.maketrans("ACGT", "TGCA")) for s in seqs]
    np.testing.assert_allclose(script.embed_variants(model, rc)["both+symmax"][:, 2 * d:],
                               out["both+symmax"][:, 2 * d:], atol=1e-5)
