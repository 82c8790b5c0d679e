"""Diffusion generator of DiffAug: noise schedule, conditional generator (loss, EMA), samplers,
the diffusion augmenter (:mod:`.augmenter`) and generator diagnostics (:mod:`.diagnostics`).

Names are loaded on first use (PEP 562) so that ``dnaaug.models.denoiser`` can use this package's
input checks, and the augment registry can import the augmenter, without import cycles.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "EMA": "ema", "ConditionalGenerator": "generator", "NoiseSchedule": "schedule",
    "ScheduleConfig": "schedule", "ddim_sample": "samplers", "ddpm_sample": "samplers",
    "to_onehot": "samplers", "DiffusionAugmenter": "augmenter",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
