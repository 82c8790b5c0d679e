"""The ``masked-lm`` reference row: the masked generator's denoiser trained alone as a masked language model.

The standard label-free competitor of contrastive learning (as in GPN or DNABERT): the network of the
masked generator (:class:`~dnaaug.diffusion.masked_network.MaskedDenoiser`, same size as the DiffAug
run's) is trained without a condition to predict BERT's 15 % of masked bases from the rest, on the
unlabelled training split, for the same number of epochs as the contrastive rows. Its features for
the probe are the masked mean and max of its last feature map over the real positions of the
unmasked sequence (plus the region means of ``dnaaug embed --regions``), read on both strands like
every other row.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn
from tqdm.auto import tqdm

from dnaaug.data.records import Record
from dnaaug.diffusion.masked import MaskedGenerator
from dnaaug.errors import NumericalError
from dnaaug.models.encoder import _masked_pool, _region_means, check_regions
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences
from dnaaug.train.api import TrainedEncoder
from dnaaug.train.config import TrainConfig
from dnaaug.train.data import default_length, epoch_seed
from dnaaug.train.rng import ScopedTorchRNG
from dnaaug.encoding import build_encoder

MLM_MASK_RATE = 0.15  # BERT's share, also GPN's and DNABERT's


class MaskedLMEncoder(nn.Module):
    """The unconditional masked denoiser as an encoder: ``forward(x (N,4,L), mask (N,L), regions=0)``
    -> (N, 2C + regions x C), the mean and max of its last feature map over the real positions."""

    def __init__(self, model: MaskedGenerator):
        super().__init__()
        self.model = model

    @property
    def embedding_dim(self) -> int:
        return 2 * self.model.denoiser.config.channels

    def readout_dim(self, regions: int = 0) -> int:
        return self.embedding_dim + check_regions(regions) * self.model.denoiser.config.channels

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, *, regions: int = 0) -> torch.Tensor:
        check_regions(regions)
        if mask is None:
            mask = torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
        x_in = torch.cat([x * mask[:, None, :].to(x.dtype), torch.zeros_like(x[:, :1])], dim=1)
        fmap = self.model.denoiser.hidden(x_in, None, mask)
        h = _masked_pool(fmap, mask, "meanmax")
        return torch.cat([h, _region_means(fmap, mask, regions)], dim=1) if regions else h


def train_masked_lm(records: list[Record], config: TrainConfig, *, device: torch.device,
                    progress: bool = False) -> tuple[TrainedEncoder, list[float]]:
    """Train the unconditional masked denoiser (size of ``config.diffaug``'s) for ``config.epochs``
    epochs of random crops; returns it wrapped as a :class:`TrainedEncoder` and the per-epoch losses."""
    packed = PackedSequences.from_strings([r.sequence for r in records], [r.id for r in records])
    length = config.length or default_length(packed.lengths)
    config = replace(config, length=length)
    with ScopedTorchRNG(config.seed, device).active():  # weight init; the caller's RNG untouched
        model = MaskedGenerator.build(0, config.diffaug.masked_denoiser(), (MLM_MASK_RATE, MLM_MASK_RATE))
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    crop_gen = torch.Generator().manual_seed(config.seed + 1)
    mask_gen = torch.Generator().manual_seed(config.seed + 2)
    losses = []
    for epoch in range(config.epochs):
        perm = torch.randperm(len(packed), generator=torch.Generator().manual_seed(
            epoch_seed(config.seed, 98, epoch))).numpy()
        batches = [perm[i:i + config.batch_size] for i in range(0, len(perm), config.batch_size)]
        model.train()
        total = 0.0
        for idx in tqdm(batches, desc=f"masked-lm epoch {epoch + 1}/{config.epochs}", leave=False,
                        disable=not progress, unit="batch"):
            codes, mask = packed.window(idx, length, "random", generator=crop_gen)
            loss = model.loss(codes_to_onehot(codes).to(device), None, generator=mask_gen, mask=mask.to(device))
            if not torch.isfinite(loss):
                raise NumericalError(f"non-finite loss in masked-lm training, epoch {epoch + 1}; try a lower --lr")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / len(packed))
    _, tokenizer = build_encoder(replace(config, tokenizer="onehot"), length)  # what the embedding route feeds it
    return TrainedEncoder(MaskedLMEncoder(model.eval()), tokenizer, length, config, source=None), losses
