"""Input validation shared by the diffusion pieces: one place that names the argument and the shape."""

from __future__ import annotations

import torch

from dnaaug.errors import InputError


def check_batch(x: torch.Tensor, name: str = "x") -> torch.Tensor:
    """Check a one-hot-like batch: a floating tensor of shape (N, 4, L). Returns it unchanged."""
    if not isinstance(x, torch.Tensor):
        raise InputError(f"{name} must be a torch.Tensor of shape (N, 4, L), got {type(x).__name__}")
    if x.dim() != 3 or x.shape[1] != 4:
        raise InputError(f"{name} must have shape (N, 4, L), got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise InputError(f"{name} must be a floating tensor, got {x.dtype}")
    return x


def check_mask(mask: torch.Tensor | None, n: int, length: int, name: str = "mask") -> torch.Tensor | None:
    """Check a padding mask: bool (N, L), True = real base. ``None`` passes through."""
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise InputError(f"{name} must be a bool tensor of shape ({n}, {length})")
    if tuple(mask.shape) != (n, length):
        raise InputError(f"{name} must have shape ({n}, {length}), got {tuple(mask.shape)}")
    return mask


def check_cond(cond: torch.Tensor | None, n: int, cond_dim: int | None = None,
               name: str = "cond") -> torch.Tensor | None:
    """Check a condition batch: floating (N, C). ``None`` (unconditional) passes through."""
    if cond is None:
        return None
    if not isinstance(cond, torch.Tensor) or cond.dim() != 2 or cond.shape[0] != n:
        shape = tuple(cond.shape) if isinstance(cond, torch.Tensor) else type(cond).__name__
        raise InputError(f"{name} must have shape ({n}, C), got {shape}")
    if cond_dim is not None and cond.shape[1] != cond_dim:
        raise InputError(f"{name} must have {cond_dim} features, got {cond.shape[1]}")
    if not cond.is_floating_point():
        raise InputError(f"{name} must be a floating tensor, got {cond.dtype}")
    return cond


def randn(shape: tuple[int, ...], generator: torch.Generator, device: torch.device,
          dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standard normal draws from ``generator`` on its own device, moved to ``device``.

    Drawing where the generator lives keeps a CPU generator usable (and reproducible) for CUDA work.
    """
    return torch.randn(shape, generator=generator, device=generator.device, dtype=dtype).to(device)


def rand(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Uniform [0, 1) draws from ``generator`` on its own device, moved to ``device``."""
    return torch.rand(shape, generator=generator, device=generator.device).to(device)
