"""The diffusion augmenter: positive views sampled from the conditional generator (DiffAug).

Each input sequence's view is a generator sample conditioned on the encoder's embedding of that
sequence, ``condition_fn(x, mask)``; by default it starts from the sequence itself noised to
``strength`` (SDEdit) rather than from pure noise (``strength=1``, the paper's choice), which the
feasibility run found more faithful to the anchor. Output is argmax-discretised one-hot.
Sampling goes through :func:`dnaaug.diffusion.sampling.sample_positives`, the route the training
bank uses, with defaults from :class:`dnaaug.diffusion.settings.SamplingConfig`.
"""

from __future__ import annotations

import torch

from dnaaug.augment.base import Augmenter, apply_to_subset, real_mask
from dnaaug.augment.registry import register
from dnaaug.errors import ConfigError

from .families import family_of
from .generator import ConditionalGenerator
from .sampling import ConditionFn, sample_positives
from .settings import DEFAULTS, SamplingConfig


class DiffusionAugmenter(Augmenter):
    """Augmenter protocol: ``aug(x (N,4,L), *, generator=None, mask=None) -> (N,4,L)`` one-hot.

    Args:
        generator_model: the trained generator, Gaussian (:class:`ConditionalGenerator`) or masked
            (:class:`~dnaaug.diffusion.masked.MaskedGenerator`), normally its EMA copy.
        condition_fn: maps (x (N,4,L), mask (N,L) | None) to conditions (N, C), the encoder's h.
        steps, strength, guidance, sampler, eta, candidates, span: the :class:`SamplingConfig` settings
            (its defaults); ``settings`` gives them all at once instead. ``candidates`` > 1 keeps,
            of that many samples per view, the one closest to the anchor by ``condition_fn``. For the
            masked generator ``strength`` is the share of the anchor refilled, in spans of ``span``.
        p: probability that a sequence is replaced by a generated view (the others are copied).
    Sampling runs on the generator model's device; the result comes back on x's device and dtype.
    Padding columns stay all-zero; N columns of real positions come out as bases.
    """

    name = "diffaug"
    preserves_one_hot = True
    stochastic = True

    def __init__(self, generator_model: ConditionalGenerator, condition_fn: ConditionFn, *,
                 steps: int = DEFAULTS.steps, strength: float = DEFAULTS.strength,
                 guidance: float = DEFAULTS.guidance, sampler: str = DEFAULTS.sampler,
                 eta: float = DEFAULTS.eta, candidates: int = DEFAULTS.candidates, span: int = DEFAULTS.span,
                 p: float | None = None, settings: SamplingConfig | None = None):
        if settings is None:
            try:
                settings = SamplingConfig(sampler=sampler, steps=steps, strength=strength, guidance=guidance,
                                          eta=eta, candidates=candidates, span=span)
            except ConfigError as err:
                raise ConfigError(f"{self.name}: {err}") from None
        if not callable(condition_fn):
            raise ConfigError(f"{self.name} needs a callable condition_fn(x, mask) -> (N, C)")
        params = {"steps": settings.steps, "strength": float(settings.strength),
                  "guidance": float(settings.guidance), "sampler": settings.sampler, "eta": float(settings.eta)}
        if settings.candidates != 1:  # shown only when the filter is on: default specs read as before
            params["candidates"] = settings.candidates
        if family_of(generator_model) == "masked":
            params["span"] = settings.span
        super().__init__(p=p, params=params)
        self.model = generator_model
        self.condition_fn = condition_fn
        self.settings = settings

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
        out = sample_positives(self.model, x, mask, condition=self.condition_fn, settings=self.settings,
                               generator=generator)
        return out.to(device=x.device, dtype=x.dtype)

    @torch.no_grad()
    def positives(self, x: torch.Tensor, mask: torch.Tensor | None, *, k: int,
                  generator: torch.Generator) -> torch.Tensor:
        """K views per sequence in one draw, as the training bank makes them: (N*K, 4, L) grouped by
        sequence (every row generated; ``p`` does not apply), on x's device and dtype."""
        out = sample_positives(self.model, x, mask, condition=self.condition_fn, settings=self.settings,
                               generator=generator, k=k)
        return out.to(device=x.device, dtype=x.dtype)


def diffaug_factory(*, model: ConditionalGenerator, condition_fn: ConditionFn, steps: int = DEFAULTS.steps,
                    strength: float = DEFAULTS.strength, guidance: float = DEFAULTS.guidance,
                    sampler: str = DEFAULTS.sampler, eta: float = DEFAULTS.eta,
                    candidates: int = DEFAULTS.candidates, span: int = DEFAULTS.span,
                    p: float | None = None) -> DiffusionAugmenter:
    """Registry factory for ``"diffaug:steps=20,strength=0.4,guidance=1"`` (``candidates=4`` filters;
    ``span=10`` sets the masked generator's span length).

    ``model`` (the trained :class:`ConditionalGenerator`, normally the EMA copy) and
    ``condition_fn`` (x, mask -> the frozen encoder's h) come from ``parse(spec, context=...)``.
    """
    if model is None or condition_fn is None:
        raise ConfigError("the 'diffaug' augmenter needs a trained generator and an encoder: use it "
                          "inside `dnaaug train --augment diffaug` or on a DiffAug run folder")
    return DiffusionAugmenter(model, condition_fn, steps=steps, strength=strength, guidance=guidance,
                              sampler=sampler, eta=eta, candidates=candidates, span=span, p=p)


# replace=True: re-importing this module (reload) must not fail on the existing entry
register("diffaug", diffaug_factory, context=("model", "condition_fn"), replace=True)
