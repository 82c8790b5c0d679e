"""InfoNCE / NT-Xent (SimCLR), the second choice for the encoder's contrastive step."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dnaaug.errors import ConfigError
from dnaaug.losses._checks import check_pair

__all__ = ["InfoNCELoss"]


class InfoNCELoss(nn.Module):
    """NT-Xent over the 2N views of a batch.

    The 2N projections are L2-normalised; ``s_ab = cos(z_a, z_b) / temperature``. For every view
    ``a`` the positive is its partner (i <-> i + N) and the other 2N - 2 views are negatives; the
    self-pair is excluded. ``loss = mean_a [-s_{a,pos(a)} + log sum_{b != a} exp(s_ab)]``.
    Symmetric: swapping the two views gives the same value.

    ``forward(z1, z2, *, h1=None, h2=None)``: z1, z2 float (N, E), N >= 2 -> scalar. ``h1``/``h2``
    are accepted and ignored so that every contrastive loss has the same call.
    """

    needs_embeddings = False

    def __init__(self, temperature: float = 0.1):
        super().__init__()
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not temperature > 0:
            raise ConfigError(f"InfoNCELoss: temperature={temperature!r} must be a number > 0")
        self.temperature = float(temperature)

    def forward(self, z1: Tensor, z2: Tensor, *,
                h1: Tensor | None = None, h2: Tensor | None = None) -> Tensor:
        """z1, z2 (N, E) -> scalar loss."""
        check_pair(z1, z2, "InfoNCELoss")
        n = z1.shape[0]
        z = F.normalize(torch.cat([z1, z2]).float(), dim=1)
        logits = (z @ z.T) / self.temperature  # (2N, 2N)
        self_pairs = torch.eye(2 * n, dtype=torch.bool, device=z.device)
        logits = logits.masked_fill(self_pairs, float("-inf"))
        partner = torch.arange(2 * n, device=z.device).roll(n)
        return F.cross_entropy(logits, partner)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
