"""The diffusion augmenter: positive views sampled from the conditional generator (DiffAug).

Each input sequence's view is a generator sample conditioned on the encoder's embedding of that
sequence, ``condition_fn(x, mask)``; by default it starts from the sequence itself noised to
``strength`` (SDEdit) rather than from pure noise (``strength=1``, the paper's choice), which the
feasibility run found more faithful to the anchor. Output is argmax-discretised one-hot.
"""

from __future__ import annotations

from typing import Callable

import torch

from dnaaug.augment.base import Augmenter, apply_to_subset, check_float, check_int, real_mask
from dnaaug.augment.registry import register
from dnaaug.errors import ConfigError, InputError

from .generator import ConditionalGenerator
from .samplers import ddim_sample, ddpm_sample, to_onehot

ConditionFn = Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]  # (x, mask) -> (N, C)


class DiffusionAugmenter(Augmenter):
    """Augmenter protocol: ``aug(x (N,4,L), *, generator=None, mask=None) -> (N,4,L)`` one-hot.

    Args:
        generator_model: the trained :class:`ConditionalGenerator` (normally its EMA copy).
        condition_fn: maps (x (N,4,L), mask (N,L) | None) to conditions (N, C), the encoder's h.
        steps: sampler steps S for a pure-noise start (an SDEdit start runs round(S * strength)).
        strength: noise level of the anchor start in (0, 1]; 1 = pure noise (the paper).
        guidance: classifier-free guidance scale (1 = plain conditional).
        sampler: "ddim" or "ddpm". eta: DDIM stochasticity (0 = deterministic given the start).
        p: probability that a sequence is replaced by a generated view (the others are copied).
    Sampling runs on the generator model's device; the result comes back on x's device and dtype.
    Padding columns stay all-zero; N columns of real positions come out as bases.
    """

    name = "diffaug"
    preserves_one_hot = True
    stochastic = True

    def __init__(self, generator_model: ConditionalGenerator, condition_fn: ConditionFn, *,
                 steps: int = 20, strength: float = 0.5, guidance: float = 1.0, sampler: str = "ddim",
                 eta: float = 0.0, p: float | None = None):
        steps = check_int(self.name, "steps", steps, minimum=1)
        strength = check_float(self.name, "strength", strength, low=0.0, high=1.0, low_open=True)
        guidance = check_float(self.name, "guidance", guidance, low=0.0)
        eta = check_float(self.name, "eta", eta, low=0.0)
        if sampler not in ("ddim", "ddpm"):
            raise ConfigError(f"{self.name}: sampler must be 'ddim' or 'ddpm', got {sampler!r}")
        if not callable(condition_fn):
            raise ConfigError(f"{self.name} needs a callable condition_fn(x, mask) -> (N, C)")
        super().__init__(p=p, params={"steps": steps, "strength": strength, "guidance": guidance,
                                      "sampler": sampler, "eta": eta})
        self.model = generator_model
        self.condition_fn = condition_fn
        self.steps, self.strength, self.guidance = steps, strength, guidance
        self.sampler, self.eta = sampler, eta

    def __eq__(self, other: object) -> bool:
        return (super().__eq__(other) and self.model is other.model  # type: ignore[attr-defined]
                and self.condition_fn is other.condition_fn)  # type: ignore[attr-defined]

    __hash__ = Augmenter.__hash__

    @torch.no_grad()
    def forward(self, x: torch.Tensor, *, lengths: torch.Tensor | None, generator: torch.Generator,
                apply: torch.Tensor | None) -> torch.Tensor:
        """Generated views (N, 4, L) for the rows in ``apply`` (all rows when None)."""
        return apply_to_subset(x, lengths, apply, lambda xs, ls: self._generate(xs, ls, generator))

    def _generate(self, x: torch.Tensor, lengths: torch.Tensor | None,
                  generator: torch.Generator) -> torch.Tensor:
        n, _, length = x.shape
        mask = None if lengths is None else real_mask(lengths, length)
        if n == 0:
            return torch.zeros_like(x)
        cond = self.condition_fn(x, mask)
        if not isinstance(cond, torch.Tensor) or cond.dim() != 2 or cond.shape[0] != n:
            raise InputError(f"condition_fn must return a tensor of shape ({n}, C)")
        device = next(self.model.parameters()).device
        mask = None if mask is None else mask.to(device)
        kwargs = dict(length=length, guidance=self.guidance, generator=generator, mask=mask,
                      init=x.to(device) if self.strength < 1.0 else None, strength=self.strength,
                      device=device)
        cond = cond.detach().to(device=device, dtype=torch.float32)
        if self.sampler == "ddim":
            x0 = ddim_sample(self.model.denoiser, self.model.schedule, cond, steps=self.steps, eta=self.eta,
                             **kwargs)
        else:
            x0 = ddpm_sample(self.model.denoiser, self.model.schedule, cond, steps=self.steps, **kwargs)
        return to_onehot(x0, mask).to(device=x.device, dtype=x.dtype)


def diffaug_factory(*, model: ConditionalGenerator, condition_fn: ConditionFn, steps: int = 20,
                    strength: float = 0.5, guidance: float = 1.0, sampler: str = "ddim", eta: float = 0.0,
                    p: float | None = None) -> DiffusionAugmenter:
    """Registry factory for ``"diffaug:steps=20,strength=0.5,guidance=1"``.

    ``model`` (the trained :class:`ConditionalGenerator`, normally the EMA copy) and
    ``condition_fn`` (x, mask -> the frozen encoder's h) come from ``parse(spec, context=...)``.
    """
    if model is None or condition_fn is None:
        raise ConfigError("the 'diffaug' augmenter needs a trained generator and an encoder: use it "
                          "inside `dnaaug train --augment diffaug` or on a DiffAug run folder")
    return DiffusionAugmenter(model, condition_fn, steps=steps, strength=strength, guidance=guidance,
                              sampler=sampler, eta=eta, p=p)


# replace=True: re-importing this module (reload) must not fail on the existing entry
register("diffaug", diffaug_factory, context=("model", "condition_fn"), replace=True)
