"""Combinators: apply augmenters in order (``a+b``) or one of them per sequence (``a|b``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from dnaaug.errors import ConfigError

from .base import Augmenter, randint, real_mask

__all__ = ["Compose", "RandomChoice"]


def _children(owner: str, augmenters: Sequence[Augmenter]) -> tuple[Augmenter, ...]:
    items = tuple(augmenters)
    if not items:
        raise ConfigError(f"{owner} needs at least one augmenter")
    for item in items:
        if not isinstance(item, Augmenter):
            raise ConfigError(f"{owner} takes Augmenter instances, got {type(item).__name__}")
    return items


class _Combinator(Augmenter):
    """Shared description for combinators: no ``p`` of their own, equality by children."""

    separator = ""

    def __init__(self, augmenters: Sequence[Augmenter]):
        self.augmenters = _children(type(self).__name__, augmenters)
        super().__init__()
        # instance attributes shadow the class ones: they depend on the children
        self.preserves_one_hot = all(a.preserves_one_hot for a in self.augmenters)

    @property
    def params(self) -> dict[str, Any]:
        return {"augmenters": [a.spec for a in self.augmenters]}

    def _child_spec(self, child: Augmenter) -> str:
        return child.spec

    @property
    def spec(self) -> str:
        return self.separator.join(self._child_spec(a) for a in self.augmenters)

    def __repr__(self) -> str:
        return f"{type(self).__name__}([{', '.join(repr(a) for a in self.augmenters)}])"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.augmenters == other.augmenters  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.augmenters))


class Compose(_Combinator):
    """Apply augmenters one after the other with the same generator and mask; spec ``a+b+c``.

    Nested Compose objects are flattened.
    """

    name = "compose"
    separator = "+"

    def __init__(self, augmenters: Sequence[Augmenter]):
        flat: list[Augmenter] = []
        for a in _children("Compose", augmenters):
            flat.extend(a.augmenters if isinstance(a, Compose) else [a])
        super().__init__(flat)
        self.stochastic = any(a.stochastic for a in self.augmenters)

    def forward(self, x: Tensor, *, lengths: Tensor | None, generator: torch.Generator,
                apply: Tensor | None) -> Tensor:
        mask = None if lengths is None else real_mask(lengths, x.shape[2])
        out = x
        for a in self.augmenters:
            out = a(out, generator=generator, mask=mask)
        return out if out is not x else x.clone()


class RandomChoice(_Combinator):
    """Apply one of the augmenters to each sequence, chosen uniformly per sequence; spec ``a|b``
    (a Compose child is written in parentheses: ``(a+b)|c``). Each child sees only its own rows,
    so a batch-level child such as mixup draws partners among those rows."""

    name = "choice"
    separator = "|"

    def __init__(self, augmenters: Sequence[Augmenter]):
        super().__init__(augmenters)
        self.stochastic = True

    def _child_spec(self, child: Augmenter) -> str:
        return f"({child.spec})" if isinstance(child, Compose) else child.spec

    def forward(self, x: Tensor, *, lengths: Tensor | None, generator: torch.Generator,
                apply: Tensor | None) -> Tensor:
        choice = randint(0, len(self.augmenters) - 1, (x.shape[0],), generator, x.device)
        mask = None if lengths is None else real_mask(lengths, x.shape[2])
        out = x.clone()
        for i, a in enumerate(self.augmenters):
            rows = (choice == i).nonzero().squeeze(1)
            if rows.numel():
                out[rows] = a(x[rows], generator=generator, mask=None if mask is None else mask[rows])
        return out
