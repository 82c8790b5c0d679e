"""The masked-lm reference row: the unconditional masked denoiser trained as a masked language model."""

from __future__ import annotations

import numpy as np
import torch

from dnaaug.embed import embed_array
from dnaaug.train.masked_lm import MLM_MASK_RATE, train_masked_lm
from tiny import random_records, tiny_config


def test_masked_lm_trains_and_embeds_like_an_encoder():
    config = tiny_config(epochs=3, lr=3e-3)
    model, losses = train_masked_lm(random_records(n=64), config, device=torch.device("cpu"))
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert model.encoder.model.mask_range == (MLM_MASK_RATE, MLM_MASK_RATE)
    channels = config.diffaug.denoiser_channels
    assert model.encoder.embedding_dim == 2 * channels
    x = embed_array(model, [r.sequence for r in random_records(n=5, seed=3)], strands="both", regions=3)
    assert x.shape == (5, 2 * (2 * channels + 3 * channels)) and np.isfinite(x).all()
    again, _ = train_masked_lm(random_records(n=64), config, device=torch.device("cpu"))
    y = embed_array(again, [r.sequence for r in random_records(n=5, seed=3)], strands="both", regions=3)
    assert np.array_equal(x, y)  # seeded: the same data and config give the same features


def test_masked_lm_loss_falls_on_learnable_sequences():
    # repeats of one 8-mer: the masked bases are predictable from their neighbours
    records = [r.__class__(r.id, ("ACGTTGCA" * 5)[i % 8:][:32], r.label) for i, r in enumerate(random_records(n=64))]
    _, losses = train_masked_lm(records, tiny_config(epochs=4, lr=3e-3), device=torch.device("cpu"))
    assert losses[-1] < 0.7 * losses[0]
