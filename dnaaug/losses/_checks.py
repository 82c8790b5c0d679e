"""Input checks shared by the contrastive losses."""

from __future__ import annotations

from torch import Tensor

from dnaaug.errors import InputError


def check_pair(z1: Tensor, z2: Tensor, owner: str) -> None:
    """z1 and z2 must be float (N, E) tensors of the same shape with N >= 2."""
    for name, z in (("z1", z1), ("z2", z2)):
        if not isinstance(z, Tensor) or z.dim() != 2 or not z.is_floating_point():
            shape = tuple(z.shape) if isinstance(z, Tensor) else type(z).__name__
            raise InputError(f"{owner}: {name} must be a float tensor of shape (N, E), got {shape}")
    if z1.shape != z2.shape:
        raise InputError(f"{owner}: z1 and z2 must have the same shape (N, E), got {tuple(z1.shape)} "
                         f"and {tuple(z2.shape)}")
    if z1.shape[0] < 2:
        raise InputError(
            f"{owner}: a contrastive loss needs a batch of at least 2 pairs, got N={z1.shape[0]}")


def check_embeddings(h: Tensor, n: int, name: str, owner: str) -> None:
    """h must be a float (N, D) tensor with the batch size of the views."""
    if not isinstance(h, Tensor) or h.dim() != 2 or not h.is_floating_point() or h.shape[0] != n:
        shape = tuple(h.shape) if isinstance(h, Tensor) else type(h).__name__
        raise InputError(f"{owner}: {name} must be a float tensor of shape (N={n}, D), got {shape}")
