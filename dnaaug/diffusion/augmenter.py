"""The diffusion augmenter: positive views sampled from the conditional generator (DiffAug).

Each input sequence's view is a generator sample conditioned on the encoder's embedding of that
sequence, ``condition_fn(x, mask)``; by default it starts from the sequence itself noised to
``strength`` (SDEdit) rather than from pure noise (``strength=1``, the paper's choice), which the
feasibility run found more faithful to the anchor. Output is argmax-discretised one-hot.
"""

from __future__ import annotations

from typing import Callable

import torch

from dnaaug.errors import ConfigError, InputError

from .checks import check_batch, check_mask
from .generator import ConditionalGenerator
from .samplers import ddim_sample, ddpm_sample, to_onehot

try:  # the Augmenter base class, where the augment package provides one
    from dnaaug.augment.base import Augmenter as _Base
except ImportError:  # pragma: no cover - duck-typed protocol otherwise
    _Base = object

ConditionFn = Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]  # (x, mask) -> (N, C)


class DiffusionAugmenter(_Base):
    """Augmenter protocol: ``__call__(x (N,4,L), *, generator=None, mask=None) -> (N,4,L)`` one-hot.

    Args:
        generator_model: the trained :class:`ConditionalGenerator` (normally its EMA copy).
        condition_fn: maps (x (N,4,L), mask (N,L) | None) to conditions (N, C), the encoder's h.
        steps: sampler steps S for a pure-noise start (an SDEdit start runs round(S * strength)).
        strength: noise level of the anchor start in (0, 1]; 1 = pure noise.
        guidance: classifier-free guidance scale (1 = plain conditional).
        sampler: "ddim" or "ddpm". eta: DDIM stochasticity (0 = deterministic given the start).
    """

    name = "diffaug"
    preserves_one_hot = True

    def __init__(self, generator_model: ConditionalGenerator, condition_fn: ConditionFn, *,
                 steps: int = 20, strength: float = 0.5, guidance: float = 1.0, sampler: str = "ddim",
                 eta: float = 0.0):
        if sampler not in ("ddim", "ddpm"):
            raise ConfigError(f"diffaug sampler must be 'ddim' or 'ddpm', got {sampler!r}")
        if not isinstance(steps, int) or steps < 1:
            raise ConfigError(f"diffaug steps must be a positive integer, got {steps!r}")
        if not (0.0 < float(strength) <= 1.0):
            raise ConfigError(f"diffaug strength must be in (0, 1], got {strength}")
        if float(guidance) < 0:
            raise ConfigError(f"diffaug guidance must be >= 0, got {guidance}")
        if not callable(condition_fn):
            raise ConfigError("diffaug needs a callable condition_fn(x, mask) -> (N, C)")
        self.model = generator_model
        self.condition_fn = condition_fn
        self.steps = steps
        self.strength = float(strength)
        self.guidance = float(guidance)
        self.sampler = sampler
        self.eta = float(eta)

    def __repr__(self) -> str:
        return (f"DiffusionAugmenter(steps={self.steps}, strength={self.strength}, "
                f"guidance={self.guidance}, sampler={self.sampler!r})")

    @torch.no_grad()
    def __call__(self, x: torch.Tensor, *, generator: torch.Generator | None = None,
                 mask: torch.Tensor | None = None) -> torch.Tensor:
        """One generated view per sequence: (N, 4, L) one-hot, x's device and dtype, padding zero."""
        check_batch(x, "x")
        n, _, length = x.shape
        check_mask(mask, n, length)
        if generator is None:  # fresh entropy without touching the global random state
            generator = torch.Generator()
            generator.seed()
        if n == 0:
            return torch.zeros_like(x)
        cond = self.condition_fn(x, mask)
        if not isinstance(cond, torch.Tensor) or cond.dim() != 2 or cond.shape[0] != n:
            raise InputError(f"condition_fn must return a tensor of shape ({n}, C)")
        device = next(self.model.parameters()).device
        kwargs = dict(length=length, guidance=self.guidance, generator=generator,
                      mask=None if mask is None else mask.to(device),
                      init=x.to(device) if self.strength < 1.0 else None,
                      strength=self.strength, device=device)
        cond = cond.detach().to(device=device, dtype=torch.float32)
        if self.sampler == "ddim":
            x0 = ddim_sample(self.model.denoiser, self.model.schedule, cond, steps=self.steps, eta=self.eta,
                             **kwargs)
        else:
            x0 = ddpm_sample(self.model.denoiser, self.model.schedule, cond, steps=self.steps, **kwargs)
        return to_onehot(x0, kwargs["mask"]).to(device=x.device, dtype=x.dtype)


def diffaug_factory(*, model: ConditionalGenerator | None = None, condition_fn: ConditionFn | None = None,
                    steps: int = 20, strength: float = 0.5, guidance: float = 1.0, sampler: str = "ddim",
                    eta: float = 0.0, **_context) -> DiffusionAugmenter:
    """Registry factory for ``"diffaug:steps=20,strength=0.5,guidance=1"``.

    ``model`` and ``condition_fn`` come from the caller's context (the training loop or the CLI);
    other context keys are ignored so one context can serve every augmenter.
    """
    if model is None or condition_fn is None:
        raise ConfigError("the 'diffaug' augmenter needs a trained generator and an encoder: use it "
                          "inside `dnaaug train --augment diffaug` or on a DiffAug run folder")
    return DiffusionAugmenter(model, condition_fn, steps=int(steps), strength=float(strength),
                              guidance=float(guidance), sampler=str(sampler), eta=float(eta))
