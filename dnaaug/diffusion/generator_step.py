"""One B-step: a generator training step with explicit arguments (no trainer object).

The encoder is frozen: the condition is its normalised embedding of the clean anchor, computed by
the caller's ``condition`` function; the generator learns eps-prediction and an EMA copy tracks it.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager, nullcontext

import torch
from torch import nn

from .ema import EMA
from .families import GeneratorModel
from .sampling import ConditionFn


class GeneratorLoss(nn.Module):
    """The generator's training loss as a forward pass (what DistributedDataParallel hooks)."""

    def __init__(self, generator_model: GeneratorModel):
        super().__init__()
        self.generator_model = generator_model

    def forward(self, x, cond, mask, generator):
        return self.generator_model.loss(x, cond, generator=generator, mask=mask)


def generator_step(model: GeneratorModel, ema: EMA, optimizer: torch.optim.Optimizer,
                   x: torch.Tensor, mask: torch.Tensor, *, condition: ConditionFn, generator: torch.Generator,
                   loss_fn: nn.Module | None = None, amp: AbstractContextManager | None = None,
                   clip: float = 1.0) -> float:
    """Train ``model`` on one batch and update ``ema``; returns the loss value.

    Args:
        model: the generator being trained (its parameters are clipped and tracked by ``ema``).
        x: (B, 4, L) one-hot anchors; mask: (B, L) bool, True = real base.
        condition: (x, mask) -> (B, C), the frozen encoder's normalised embedding.
        generator: draws the timesteps, the noise and the condition dropout.
        loss_fn: the loss module to call as loss_fn(x, cond, mask, generator) (default:
            :class:`GeneratorLoss` of ``model``; pass the DDP-wrapped one under torchrun).
        amp: autocast context for the forward pass (default: none).
    A non-finite loss is returned without touching the weights, the optimiser or the EMA, so that
    the caller can stop with the last good state.
    """
    cond = condition(x, mask)
    with amp if amp is not None else nullcontext():
        loss = (loss_fn if loss_fn is not None else GeneratorLoss(model))(x, cond, mask, generator)
    value = float(loss.detach())
    if not math.isfinite(value):
        return value
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    ema.update(model)
    return value
