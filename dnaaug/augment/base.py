"""The Augmenter protocol, the shared input validator and the random helpers every augmenter uses.

An augmenter maps a one-hot batch ``x`` (N, 4, L) to a batch of the same shape, device and
dtype, and never modifies ``x``. Call it as ``aug(x, generator=g, mask=m)``:

- ``generator``: the only source of randomness. ``None`` means a fresh ``torch.Generator`` on
  ``x.device`` seeded with 0, so a call without a generator is deterministic (the same output
  every time). The generator may live on another device than ``x`` (typically a CPU generator
  with a CUDA batch): random numbers are drawn on the generator's device and moved to
  ``x.device``. The same seed on a CPU and on a CUDA generator gives different streams.
- ``mask``: bool (N, L), True = real base, padding on the right (the tokenizer's convention).
  Augmenters act on the real prefix of each row only (a shift rolls within the real length, an
  insertion crops back to the real length, ...) and padding columns stay all-zero, given that
  they are all-zero in ``x`` as the tokenizer guarantees. No mask: the whole window is real.

Every augmenter has a probability ``p``: each sequence is augmented with probability ``p`` and
left unchanged otherwise (one Bernoulli draw per sequence, made before the augmenter's own draws
and only when ``p < 1``).

Subclasses set the class attributes ``name`` (the registry name), ``preserves_one_hot`` (a one-hot
input gives a one-hot output) and ``stochastic`` (False only for deterministic augmenters), and
implement :meth:`Augmenter.forward`. ``params`` holds the constructor arguments; ``str(aug)`` is
the spec string that :func:`dnaaug.augment.parse` turns back into an equal augmenter, e.g.
``"translocation:shift=20"`` (``p`` is written only when it differs from the class default).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch import Tensor

from dnaaug.errors import ConfigError, InputError

__all__ = [
    "Augmenter", "validate_input", "resolve_generator", "real_mask", "apply_to_subset",
    "uniform", "randint", "random_bases", "one_hot_bases", "format_spec",
]


# --------------------------------------------------------------------------- input checking

def validate_input(x: Any, mask: Any = None, *, name: str = "x", mask_name: str = "mask") -> Tensor | None:
    """Check a batch and its optional mask; return the real lengths, or None when every column is real.

    Shape: x (N, 4, L) floating point; mask (N, L) bool on x's device, True on a prefix of
    each row. Returns lengths (N,) int64 on x's device, or None when mask is None or all True
    (the fast paths need no lengths). Raises InputError naming the argument and the expected shape.
    """
    if not isinstance(x, Tensor):
        raise InputError(f"{name} must be a torch.Tensor of shape (N, 4, L), got {type(x).__name__}")
    if x.dim() != 3 or x.shape[1] != 4:
        raise InputError(
            f"{name} must have shape (N, 4, L) (one-hot channels A, C, G, T), got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise InputError(f"{name} must be a floating-point tensor (one-hot float32), got dtype {x.dtype}")
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise InputError(
            f"{mask_name} must be a bool torch.Tensor of shape (N, L), got {type(mask).__name__}")
    n, _, length = x.shape
    if mask.dtype != torch.bool:
        raise InputError(f"{mask_name} must have dtype torch.bool (True = real base), got {mask.dtype}")
    if tuple(mask.shape) != (n, length):
        raise InputError(
            f"{mask_name} must have shape (N, L) = {(n, length)} to match {name}, got {tuple(mask.shape)}")
    if mask.device != x.device:
        raise InputError(f"{mask_name} is on {mask.device} but {name} is on {x.device}")
    if bool(mask.all()):
        return None
    lengths = mask.sum(dim=1)
    if not bool((mask == real_mask(lengths, length)).all()):
        raise InputError(f"{mask_name} must be True on a prefix of each row (padding on the right only)")
    return lengths


def real_mask(lengths: Tensor, length: int) -> Tensor:
    """Bool (N, L) mask that is True on the first ``lengths[i]`` columns of row i."""
    return torch.arange(length, device=lengths.device) < lengths[:, None]


def resolve_generator(generator: Any, device: torch.device) -> torch.Generator:
    """Return ``generator``, or a new generator on ``device`` seeded with 0 when it is None."""
    if generator is None:
        return torch.Generator(device=device).manual_seed(0)
    if not isinstance(generator, torch.Generator):
        raise InputError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    return generator


# --------------------------------------------------------------------------- random helpers
# All draws happen on the generator's device (a CPU generator cannot feed a CUDA kernel) and the
# results move to the batch's device afterwards.

def _uniform_dtype(generator: torch.Generator) -> torch.dtype:
    # float64 keeps integer draws unbiased for long sequences; MPS has no float64.
    return torch.float32 if generator.device.type == "mps" else torch.float64


def uniform(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> Tensor:
    """Uniform [0, 1) draws of the given shape, returned on ``device`` (float64 where supported)."""
    u = torch.rand(shape, generator=generator, device=generator.device, dtype=_uniform_dtype(generator))
    return u.to(device)


def randint(low: Tensor | int, high: Tensor | int, shape: tuple[int, ...], generator: torch.Generator,
            device: torch.device) -> Tensor:
    """Integers uniform in [low, high] (both inclusive, broadcast against ``shape``), int64 on ``device``.

    Bounds may differ per element (e.g. a position below each sequence's own length); an empty
    range (high < low) gives low.
    """
    if isinstance(low, int) and isinstance(high, int):
        high = max(high, low)
        return torch.randint(low, high + 1, shape, generator=generator, device=generator.device).to(device)
    u = uniform(shape, generator, device)
    span = high - low + 1
    span = max(span, 1) if isinstance(span, int) else span.clamp(min=1)
    # u < 1 so floor(u * span) <= span - 1, except where float32 rounding reaches span (MPS)
    offset = (u * span).floor_().to(torch.int64)
    if u.dtype != torch.float64:
        offset = torch.minimum(offset, torch.as_tensor(span - 1, device=device))
    return offset + low


def random_bases(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> Tensor:
    """Base indices uniform in {0, 1, 2, 3} (A, C, G, T), int64 on ``device``."""
    return torch.randint(0, 4, shape, generator=generator, device=generator.device).to(device)


def one_hot_bases(bases: Tensor, dtype: torch.dtype) -> Tensor:
    """One-hot columns for base indices: bases (N, M) int64 in 0..3 -> (N, 4, M) of ``dtype``."""
    out = torch.zeros((bases.shape[0], 4, bases.shape[1]), dtype=dtype, device=bases.device)
    return out.scatter_(1, bases[:, None, :], 1.0)


# --------------------------------------------------------------------------- spec strings

def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_spec(name: str, params: dict[str, Any]) -> str:
    """``name:k=v,k=v`` (just ``name`` without parameters)."""
    if not params:
        return name
    return name + ":" + ",".join(f"{k}={_format_value(v)}" for k, v in params.items())


def check_int(owner: str, key: str, value: Any, *, minimum: int = 0) -> int:
    """Return ``value`` as an int >= minimum, or raise ConfigError naming ``owner`` and ``key``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
        raise ConfigError(f"{owner}: {key} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise ConfigError(f"{owner}: {key} must be >= {minimum}, got {value!r}")
    return int(value)


def check_float(owner: str, key: str, value: Any, *, low: float = -math.inf, high: float = math.inf,
                low_open: bool = False) -> float:
    """Return ``value`` as a finite float in [low, high] ((low, high] with low_open), else ConfigError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{owner}: {key} must be a finite number, got {value!r}")
    value = float(value)
    if value < low or value > high or (low_open and value == low):
        bracket = "(" if low_open else "["
        raise ConfigError(f"{owner}: {key} must be in {bracket}{low}, {high}], got {value!r}")
    return value


# --------------------------------------------------------------------------- the protocol

def apply_to_subset(x: Tensor, lengths: Tensor | None, apply: Tensor | None,
                    fn: Callable[[Tensor, Tensor | None], Tensor]) -> Tensor:
    """Run ``fn(x_sub, lengths_sub)`` on the rows where ``apply`` is True; other rows are copied.

    For augmenters that cannot express "leave this row unchanged" through their own parameters.
    Shape: x (N, 4, L), apply (N,) bool or None (= every row); returns (N, 4, L).
    """
    if apply is None:
        return fn(x, lengths)
    rows = apply.nonzero().squeeze(1)
    out = x.clone()
    if rows.numel() == 0:
        return out
    out[rows] = fn(x[rows], None if lengths is None else lengths[rows])
    return out


class Augmenter:
    """Base class of every augmenter (see the module docstring for the protocol).

    Subclasses implement :meth:`forward` and call ``super().__init__(p=p)``; constructor
    arguments other than ``p`` are passed to ``__init__`` as ``params`` so that ``str(aug)``
    and equality work.
    """

    name: ClassVar[str] = "augmenter"
    preserves_one_hot: ClassVar[bool] = True
    stochastic: ClassVar[bool] = True
    default_p: ClassVar[float] = 1.0

    def __init__(self, *, p: float | None = None, params: dict[str, Any] | None = None):
        self.p = self.default_p if p is None else check_float(self.name, "p", p, low=0.0, high=1.0)
        self._params = dict(params or {})

    # -- description
    @property
    def params(self) -> dict[str, Any]:
        """Constructor arguments, ``p`` last (a copy: plain data, JSON-serialisable)."""
        out = dict(self._params)
        out["p"] = self.p
        return out

    @property
    def spec(self) -> str:
        """The registry string of this augmenter, e.g. ``translocation:shift=20``."""
        shown = dict(self._params)
        if self.p != self.default_p:
            shown["p"] = self.p
        return format_spec(self.name, shown)

    def __str__(self) -> str:
        return self.spec

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.spec))

    # -- application
    def __call__(self, x: Tensor, *, generator: torch.Generator | None = None,
                 mask: Tensor | None = None) -> Tensor:
        """Augment a batch: x (N, 4, L) -> (N, 4, L), same device and dtype, x untouched."""
        lengths = validate_input(x, mask)
        gen = resolve_generator(generator, x.device)
        if x.shape[0] == 0 or x.shape[2] == 0:
            return x.clone()
        apply = self.draw_apply(x.shape[0], gen, x.device)
        return self.forward(x, lengths=lengths, generator=gen, apply=apply)

    def draw_apply(self, n: int, generator: torch.Generator, device: torch.device) -> Tensor | None:
        """Which rows to augment: (N,) bool, or None when p == 1 (no draw is made then)."""
        if self.p >= 1.0:
            return None
        return uniform((n,), generator, device) < self.p

    def forward(self, x: Tensor, *, lengths: Tensor | None, generator: torch.Generator,
                apply: Tensor | None) -> Tensor:
        """Augment validated input. x (N, 4, L); lengths (N,) int64 or None (all real);
        apply (N,) bool or None (all rows). Must return a new tensor and leave x unchanged."""
        raise NotImplementedError
