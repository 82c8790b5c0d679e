"""Sampling settings: :class:`SamplingConfig`, the one typed place for their defaults.

Everything that samples (the bank, the diffusion augmenter, ``dnaaug augment``, the low-level
samplers' keyword defaults, ``DiffAugConfig``) takes its defaults from here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable

from dnaaug.errors import ConfigError

SAMPLERS = ("ddim", "ddpm")


MAX_CANDIDATES = 64


def check_sampling(*, sampler: str, steps: int, strength: float, guidance: float, eta: float,
                   candidates: int = 1, span: int = 10, name: Callable[[str], str] = lambda key: key) -> None:
    """ConfigError naming the setting (``name(key)``) unless every sampling setting is valid."""
    if sampler not in SAMPLERS:
        raise ConfigError(f"{name('sampler')} must be ddim or ddpm, got {sampler!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ConfigError(f"{name('steps')} must be an integer >= 1, got {steps!r}")
    for key, value in (("strength", strength), ("guidance", guidance), ("eta", eta)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{name(key)} must be a finite number, got {value!r}")
    if not 0.0 < strength <= 1.0:
        raise ConfigError(f"{name('strength')} must be in (0, 1], got {strength}")
    if guidance < 0.0:
        raise ConfigError(f"{name('guidance')} must be >= 0, got {guidance}")
    if eta < 0.0:
        raise ConfigError(f"{name('eta')} must be >= 0, got {eta}")
    if (isinstance(candidates, bool) or not isinstance(candidates, int)
            or not 1 <= candidates <= MAX_CANDIDATES):
        raise ConfigError(f"{name('candidates')} must be an integer in [1, {MAX_CANDIDATES}], got {candidates!r}")
    if isinstance(span, bool) or not isinstance(span, int) or span < 1:
        raise ConfigError(f"{name('span')} must be an integer >= 1, got {span!r}")


@dataclass(frozen=True)
class SamplingConfig:
    """How positives are sampled from the conditional generator (the one place for these defaults).

    sampler:  ``"ddim"`` (strided, deterministic given the start when eta = 0) or ``"ddpm"`` (ancestral).
    steps:    sampler steps S for a pure-noise start; an anchor start runs max(1, round(S * strength)).
    strength: how much of the anchor is re-drawn, in (0, 1]. Gaussian generator: the noise level of the
              anchor start (SDEdit); 1 = pure noise (the paper's choice); 0.4 was the feasibility run's
              faithful-and-useful setting (DIFFAUG.md). Masked generator: the share r of the anchor's
              positions masked (in spans) and refilled; 1 = generate the whole sequence from h.
    guidance: classifier-free guidance scale w (1 = plain conditional, 0 = unconditional).
    eta:      DDIM stochasticity (0 = deterministic given the start); ignored by DDPM.
    candidates: samples drawn per kept positive; of each anchor's ``candidates * k`` samples the ``k``
              whose condition-function embedding has the highest cosine with the anchor's are kept
              (the paper's semantic estimator as a rejection filter). 1 = no filter.
    span:     masked generator only: the length of the masked spans in bases.
    sampler and eta apply to the Gaussian generator only; the masked one refills in ``steps`` steps.
    """

    sampler: str = "ddim"
    steps: int = 20
    strength: float = 0.4
    guidance: float = 1.0
    eta: float = 0.0
    candidates: int = 1
    span: int = 10

    def __post_init__(self):
        check_sampling(sampler=self.sampler, steps=self.steps, strength=self.strength, guidance=self.guidance,
                       eta=self.eta, candidates=self.candidates, span=self.span,
                       name=lambda key: f"sampling {key}")

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULTS = SamplingConfig()

# ``strength`` by generator family: the Gaussian generator's SDEdit level is the default above (the
# feasibility run's, DIFFAUG.md); the masked generator re-draws 0.3 of the anchor, the share every one of
# its end-to-end cells used (docs/diffaug.md, "Generators")
FAMILY_STRENGTH = {"gaussian": DEFAULTS.strength, "masked": 0.3}
