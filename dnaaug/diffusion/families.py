"""The generator families behind one interface: ``"gaussian"`` (continuous) and ``"masked"`` (discrete).

Both are ``nn.Module`` s with ``loss(x_onehot, cond, *, generator, mask)`` (the B-step),
``config_dict()`` / ``from_config_dict`` (checkpoints), ``cond_dropout`` and a ``family`` name;
:func:`dnaaug.diffusion.sampling.sample_positives` samples either. A checkpoint written before the
masked family existed has no ``"family"`` key and loads as the Gaussian generator it is.
"""

from __future__ import annotations

from typing import Union

from dnaaug.errors import CheckpointError, ConfigError

from .generator import ConditionalGenerator
from .masked import MaskedGenerator

GENERATORS = ("gaussian", "masked")
GeneratorModel = Union[ConditionalGenerator, MaskedGenerator]


def family_of(model) -> str:
    """``"masked"`` or ``"gaussian"`` (every model without a ``family`` attribute is Gaussian)."""
    return getattr(model, "family", "gaussian")


def check_family(name: str, key: str = "diffaug.generator") -> str:
    if name not in GENERATORS:
        raise ConfigError(f"{key} must be one of {', '.join(GENERATORS)}, got {name!r}")
    return name


def generator_from_config_dict(data: dict) -> GeneratorModel:
    """Rebuild a generator (untrained weights) from its ``config_dict()``."""
    if not isinstance(data, dict):
        raise CheckpointError("generator config must be a mapping")
    family = data.get("family", "gaussian")
    if family == "masked":
        return MaskedGenerator.from_config_dict(data)
    if family != "gaussian":
        raise CheckpointError(f"unknown generator family {family!r} in the checkpoint")
    return ConditionalGenerator.from_config_dict({k: v for k, v in data.items() if k != "family"})
