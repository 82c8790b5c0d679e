"""The supervised reference row: the same trunk trained with labels and cross-entropy.

Used by the benchmark as the "CNN (supervised)" row: same encoder, same window, same epoch
budget as the contrastive rows, random crops but no augmentation, then probed like the others.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from dnaaug.data.records import Record
from dnaaug.errors import InputError, NumericalError
from dnaaug.models.heads import ClassifierHead
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences
from dnaaug.train.api import TrainedEncoder
from dnaaug.train.config import TrainConfig
from dnaaug.train.data import default_length, epoch_seed
from dnaaug.train.rng import ScopedTorchRNG
from dnaaug.encoding import build_encoder, encoder_input


def train_supervised(records: list[Record], labels: np.ndarray, config: TrainConfig, *,
                     device: torch.device, progress: bool = False) -> tuple[TrainedEncoder, list[float]]:
    """Train trunk + linear classifier with cross-entropy; returns the trunk and per-epoch losses.

    labels: (N,) int64 class indices aligned with ``records``
    """
    if len(records) != len(labels):
        raise InputError(f"{len(records)} records but {len(labels)} labels")
    packed = PackedSequences.from_strings([r.sequence for r in records], [r.id for r in records])
    length = config.length or default_length(packed.lengths)
    config = replace(config, length=length)
    with ScopedTorchRNG(config.seed, device).active():  # weight init and dropout; the caller's RNG untouched
        return _train(packed, labels, config, length, device=device, progress=progress)


def _train(packed: PackedSequences, labels: np.ndarray, config: TrainConfig, length: int, *,
           device: torch.device, progress: bool) -> tuple[TrainedEncoder, list[float]]:
    encoder, tokenizer = build_encoder(config, length)
    head = ClassifierHead(encoder.embedding_dim, int(labels.max()) + 1)
    encoder.to(device)
    head.to(device)
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    y_all = torch.as_tensor(labels, dtype=torch.long)
    crop_gen = torch.Generator().manual_seed(config.seed + 1)
    losses = []
    for epoch in range(config.epochs):
        perm = torch.randperm(len(packed), generator=torch.Generator().manual_seed(
            epoch_seed(config.seed, 99, epoch))).numpy()
        batches = [perm[i:i + config.batch_size] for i in range(0, len(perm), config.batch_size)]
        encoder.train()
        head.train()
        total = 0.0
        for idx in tqdm(batches, desc=f"supervised epoch {epoch + 1}/{config.epochs}", leave=False,
                        disable=not progress, unit="batch"):
            codes, mask = packed.window(idx, length, "random", generator=crop_gen)
            x, mask = codes_to_onehot(codes).to(device), mask.to(device)
            logits = head(encoder(*encoder_input(tokenizer, x, mask)))
            loss = F.cross_entropy(logits, y_all[idx].to(device))
            if not torch.isfinite(loss):
                raise NumericalError(f"non-finite loss in supervised training, epoch {epoch + 1}; "
                                     "try a lower --lr")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / len(packed))
    return TrainedEncoder(encoder.eval(), tokenizer, length, config, source=None), losses
