"""Contrastive losses for the encoder step: soft contrastive (default, DIFFAUG.md) and InfoNCE.

Every loss is called the same way: ``loss(z1, z2, *, h1=None, h2=None) -> scalar`` with z the
projections (N, E) of the two views and h the encoder embeddings (N, D) (used by the soft loss
for its targets; ``needs_embeddings`` says whether a loss uses them).
"""

from __future__ import annotations

import inspect
from typing import Any

from torch import nn

from dnaaug.errors import ConfigError
from dnaaug.losses.infonce import InfoNCELoss
from dnaaug.losses.soft_contrastive import SoftContrastiveLoss

__all__ = ["InfoNCELoss", "SoftContrastiveLoss", "LOSSES", "make_loss"]

LOSSES: dict[str, type[nn.Module]] = {"soft": SoftContrastiveLoss, "infonce": InfoNCELoss}
"""Loss name -> class."""


def make_loss(name: str, **params: Any) -> nn.Module:
    """Build a contrastive loss by name (``"soft"`` or ``"infonce"``) with keyword parameters.

    Unknown names, unknown parameters and invalid values raise ConfigError naming them.
    """
    cls = LOSSES.get(str(name).strip().lower()) if isinstance(name, str) else None
    if cls is None:
        raise ConfigError(f"unknown loss {name!r} (known: {', '.join(LOSSES)})")
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ConfigError(f"loss {name!r}: unknown parameter(s) {', '.join(unknown)} "
                          f"(accepted: {', '.join(accepted)})")
    return cls(**params)
