"""Augmenters: the protocol, the baseline augmenters, combinators and the spec registry.

    from dnaaug.augment import parse
    aug = parse("rc+translocation:shift=20")
    view = aug(x, generator=torch.Generator().manual_seed(0), mask=mask)   # x (N, 4, L)

See :mod:`dnaaug.augment.base` for the protocol (generator, mask, ``p``) and
:mod:`dnaaug.augment.registry` for the spec grammar and registering new augmenters.
"""

from . import functional
from .base import Augmenter, validate_input
from .baselines import (Crop, Deletion, GaussianNoise, Identity, Insertion, Inversion, Mixup, Mutation,
                        ReverseComplement, Translocation)
from .compose import Compose, RandomChoice
from .registry import aliases, available, build, parse, register

__all__ = [
    "Augmenter", "validate_input", "functional",
    "Identity", "ReverseComplement", "Translocation", "Insertion", "Deletion", "Inversion",
    "Mutation", "GaussianNoise", "Mixup", "Crop", "Compose", "RandomChoice",
    "register", "available", "aliases", "parse", "build",
]
