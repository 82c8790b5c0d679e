"""Sampling the positive bank: K positives per anchor from the EMA generator, batch by batch.

Explicit arguments (generator, EMA, condition function, settings, torch.Generator); no trainer
object. The caller drives the iteration (progress, stop checks) and stores the rows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

import numpy as np
import torch

from .candidate_filter import FilterStats
from .ema import EMA
from .families import GeneratorModel
from .sampling import ConditionFn, sample_positives
from .settings import SamplingConfig


def sampling_copy(model: GeneratorModel, ema: EMA) -> GeneratorModel:
    """A copy of ``model`` carrying the EMA weights, in eval mode (the model itself is untouched)."""
    out = copy.deepcopy(model)
    ema.copy_to(out)
    return out.eval()


def fill_bank(model: GeneratorModel, ema: EMA | None,
              anchors: Iterable[tuple[np.ndarray, torch.Tensor, torch.Tensor]], *, k: int,
              condition: ConditionFn, settings: SamplingConfig, generator: torch.Generator,
              device: torch.device | str, stats: FilterStats | None = None) -> Iterator[tuple[np.ndarray, torch.Tensor]]:
    """Yield (index (B,), positives (B*K, 4, L) one-hot, grouped by anchor) for each anchor batch.

    anchors: batches (index (B,), one-hot (B, 4, L), mask (B, L)), e.g. from
        :func:`dnaaug.train.data.onehot_batches`; the index says which rows of the bank they fill.
    ema: the EMA whose weights sample (None: ``model`` as it is, switched to eval mode).
    One ``generator`` runs through all batches, so the bank is fixed by its seed and the batching.
    stats: collects the candidate filter's cost and cosines (``settings.candidates`` > 1).
    """
    net = sampling_copy(model, ema) if ema is not None else model.eval()
    for idx, x, mask in anchors:
        yield idx, sample_positives(net, x.to(device), mask.to(device), condition=condition, settings=settings,
                                    generator=generator, k=k, stats=stats)
