"""Learning-rate schedule of the encoder: linear warm-up, then cosine decay, over the whole A-step budget.

The budget spans every contrastive phase of a run (DiffAug's warm-up and its rounds' A-steps, or the
single phase of a baseline run), so a DiffAug run and a baseline run with the same encoder epochs
see the same learning-rate curve. The rate is a pure function of the step count, so a resumed run
follows the same curve without any scheduler state in the checkpoint.
"""

from __future__ import annotations

import math

from dnaaug.errors import ConfigError

SCHEDULES = ("constant", "cosine")


def lr_factor(step: int, total: int, *, kind: str = "cosine", warmup: float = 0.05,
              final: float = 0.01) -> float:
    """Multiplier of the base rate at encoder step ``step`` (0-based) of ``total`` steps.

    ``cosine``: linear warm-up over the first ``warmup`` share of the steps (from 1/warmup_steps up
    to 1), then half a cosine from 1 down to ``final``. ``constant``: always 1.
    """
    if kind not in SCHEDULES:
        raise ConfigError(f"lr_schedule must be one of {', '.join(SCHEDULES)}, got {kind!r}")
    if kind == "constant" or total <= 1:
        return 1.0
    warm = int(round(warmup * total))
    if step < warm:
        return (step + 1) / warm
    span = max(total - warm, 1)
    progress = min(max(step - warm, 0) / span, 1.0)
    return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * progress))


def encoder_steps_done(phase_epochs: list[int], phase_index: int, epoch: int, step: int,
                       batches_per_epoch: int) -> int:
    """Encoder steps finished before (phase_index, epoch, step), counting only contrastive phases.

    ``phase_epochs[i]`` is the epoch count of the i-th phase if it is contrastive, else 0.
    """
    before = sum(phase_epochs[:phase_index]) * batches_per_epoch
    return before + epoch * batches_per_epoch + step
