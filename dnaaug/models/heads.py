"""Heads on top of the encoder trunk: projection head for the contrastive loss, classifier head.

Models are trunk plus head: embeddings exported for users and for linear probing are the trunk's
``h``; the projection ``z`` exists only for the loss.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from dnaaug.errors import ConfigError, InputError

__all__ = ["ProjectionHead", "ClassifierHead", "ContrastiveModel"]


def _check_dims(owner: str, **dims: int) -> None:
    for name, value in dims.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{owner}: {name}={value!r} must be a positive int")


def _check_features(x: Tensor, in_dim: int, owner: str) -> None:
    if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != in_dim:
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise InputError(f"{owner}: expected h of shape (N, {in_dim}), got {shape}")


class ProjectionHead(nn.Module):
    """MLP h (N, in_dim) -> z (N, out): Linear -> norm -> ReLU -> Linear.

    ``norm="batch"`` (default, SimCLR's choice: BatchNorm in the head helps contrastive training
    and the head sees whole batches of pooled vectors, so padding is not an issue) or
    ``"layer"`` for batch-size independence (batches of 1, uneven distributed shards).
    In training mode ``norm="batch"`` needs at least 2 rows.
    """

    def __init__(self, in_dim: int, hidden: int = 256, out: int = 128,
                 norm: Literal["batch", "layer"] = "batch"):
        super().__init__()
        _check_dims("ProjectionHead", in_dim=in_dim, hidden=hidden, out=out)
        if norm not in ("batch", "layer"):
            raise ConfigError(f"ProjectionHead: norm={norm!r} must be 'batch' or 'layer'")
        self.in_dim, self.out_dim = in_dim, out
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden),
            nn.BatchNorm1d(hidden) if norm == "batch" else nn.LayerNorm(hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, out),
        )

    def forward(self, h: Tensor) -> Tensor:
        """h (N, in_dim) -> z (N, out)."""
        _check_features(h, self.in_dim, "ProjectionHead")
        if self.training and h.shape[0] < 2 and isinstance(self.net[1], nn.BatchNorm1d):
            raise InputError("ProjectionHead: training with norm='batch' needs a batch of at least 2, got 1")
        return self.net(h)


class ClassifierHead(nn.Module):
    """Linear classifier h (N, in_dim) -> logits (N, n_classes), with optional dropout before it."""

    def __init__(self, in_dim: int, n_classes: int, dropout: float = 0.0):
        super().__init__()
        _check_dims("ClassifierHead", in_dim=in_dim, n_classes=n_classes)
        if not 0.0 <= float(dropout) < 1.0:
            raise ConfigError(f"ClassifierHead: dropout={dropout!r} must be in [0, 1)")
        self.in_dim, self.n_classes = in_dim, n_classes
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(in_dim, n_classes)

    def forward(self, h: Tensor) -> Tensor:
        """h (N, in_dim) -> logits (N, n_classes)."""
        _check_features(h, self.in_dim, "ClassifierHead")
        return self.linear(self.dropout(h))


class ContrastiveModel(nn.Module):
    """Encoder trunk plus projection head.

    ``forward(x, mask=None) -> (h (N, D), z (N, E))``; ``embed(x, mask=None) -> h (N, D)``
    (the trunk alone: what users and probes get). The encoder is any module with
    ``forward(x, mask) -> (N, D)`` (and a ``generator`` keyword if one is passed) and an
    ``embedding_dim`` attribute.
    """

    def __init__(self, encoder: nn.Module, head: nn.Module | None = None):
        super().__init__()
        dim = getattr(encoder, "embedding_dim", None)
        if not isinstance(dim, int):
            raise ConfigError("ContrastiveModel: the encoder must expose an int embedding_dim")
        if head is None:
            head = ProjectionHead(dim)
        head_in = getattr(head, "in_dim", dim)
        if head_in != dim:
            raise ConfigError(f"ContrastiveModel: head expects in_dim={head_in} but the encoder gives {dim}")
        self.encoder = encoder
        self.head = head

    @property
    def embedding_dim(self) -> int:
        """D, the width of h."""
        return self.encoder.embedding_dim

    def forward(self, x: Tensor, mask: Tensor | None = None, *,
                generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """x (N, 4, L) or (N, L') ids, mask (N, L) -> (h (N, D), z (N, E)).

        ``generator`` is passed to the encoder (training-mode dropout) when given.
        """
        h = self.encoder(x, mask, generator=generator) if generator is not None else self.encoder(x, mask)
        return h, self.head(h)

    def embed(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """x, mask -> h (N, D); the caller chooses eval mode and no_grad."""
        return self.encoder(x, mask)
