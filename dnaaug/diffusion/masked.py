"""The masked generator: absorbing-state discrete diffusion over A, C, G, T plus a mask token.

Training (MDLM's SUBS parameterisation, Sahoo et al. 2024): each sequence draws a mask rate r from
``mask_range``, every known base is masked with probability r, and the denoiser predicts the masked
bases from the visible ones and the condition; the loss is the cross-entropy on the masked positions,
averaged per sequence (the 1/t weight of the NELBO with a linear schedule, normalised by length).
Visible bases are never predicted: they are copied through. A high ``mask_range`` (RCG: 0.5 to 1.0)
leaves too few visible bases to reconstruct from, so the condition is needed.

The condition is the frozen encoder's h, standardised per feature with statistics the generator
holds (``cond_mean``, ``cond_std``, set by :meth:`MaskedGenerator.fit_condition` before each B-step),
so that the differences between sequences, not the direction all embeddings share, reach the network.

Sampling (:meth:`MaskedGenerator.refill`): mask a share ``r`` of the anchor in contiguous spans and
refill them in ``steps`` steps; at each step a random part of the still-masked positions is drawn
from the guided distribution ``softmax(gamma * log p(x | c) + (1 - gamma) * log p(x | null))`` and
fixed. Identity with the anchor is then about ``1 - 0.75 r`` for a generator that ignores the anchor.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from dnaaug.errors import CheckpointError, ConfigError, InputError

from .checks import check_batch, check_cond, check_mask, rand
from .masked_network import MaskedDenoiser, MaskedDenoiserConfig
from dnaaug.augment.spans import span_mask

FAMILY = "masked"
DEFAULT_MASK_RANGE = (0.5, 1.0)
STD_FLOOR = 1e-4  # a feature constant over the data is centred, not blown up


def check_mask_range(low: float, high: float, name: str = "mask range") -> None:
    """ConfigError unless 0 < low <= high <= 1 (finite numbers)."""
    for value in (low, high):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{name} must be finite numbers, got {low!r}, {high!r}")
    if not 0.0 < low <= high <= 1.0:
        raise ConfigError(f"{name} must satisfy 0 < low <= high <= 1, got {low}, {high}")


def gumbel_argmax(logp: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One draw per position from softmax(logp) over dim 1: (N, 4, L) -> base indices (N, L) long."""
    u = rand(tuple(logp.shape), generator, logp.device).clamp_(1e-12, 1.0 - 1e-7)
    return (logp - torch.log(-torch.log(u))).argmax(dim=1)


class MaskedGenerator(nn.Module):
    """Holds ``denoiser`` (a :class:`MaskedDenoiser`), the training mask range and the condition's
    standardisation (buffers ``cond_mean``, ``cond_std`` of width ``cond_dim``).

    ``state_dict()`` holds the weights and the two buffers; :meth:`config_dict` the plain data needed to
    rebuild the module (with ``"family": "masked"``). Sampling goes through
    :func:`dnaaug.diffusion.sampling.sample_positives`, which calls :meth:`refill`.
    """

    family = FAMILY

    def __init__(self, denoiser: MaskedDenoiser, mask_range: tuple[float, float] = DEFAULT_MASK_RANGE):
        super().__init__()
        low, high = (float(v) for v in mask_range)
        check_mask_range(low, high)
        self.denoiser = denoiser
        self.mask_range = (low, high)
        width = max(denoiser.cond_dim, 1)
        self.register_buffer("cond_mean", torch.zeros(width))
        self.register_buffer("cond_std", torch.ones(width))

    @classmethod
    def build(cls, cond_dim: int, denoiser: MaskedDenoiserConfig | None = None,
              mask_range: tuple[float, float] = DEFAULT_MASK_RANGE) -> "MaskedGenerator":
        """A generator with a fresh denoiser (defaults: 5 blocks x 64 channels, kernel 9)."""
        return cls(MaskedDenoiser(cond_dim, denoiser), mask_range)

    def config_dict(self) -> dict:
        """Plain data {"family", "cond_dim", "denoiser": {...}, "mask_range": [low, high]}."""
        return {"family": FAMILY, "cond_dim": self.denoiser.cond_dim, "denoiser": self.denoiser.config.to_dict(),
                "mask_range": list(self.mask_range)}

    @classmethod
    def from_config_dict(cls, data: dict) -> "MaskedGenerator":
        try:
            return cls.build(int(data["cond_dim"]), MaskedDenoiserConfig(**data["denoiser"]),
                             tuple(data["mask_range"]))
        except (KeyError, TypeError, ValueError) as err:
            raise CheckpointError(f"masked generator config is incomplete or has unknown keys: {err}") from None

    @property
    def cond_dim(self) -> int:
        return self.denoiser.cond_dim

    @property
    def cond_dropout(self) -> float:
        return self.denoiser.cond_dropout

    # ------------------------------------------------------------------ condition
    @torch.no_grad()
    def fit_condition(self, cond: torch.Tensor) -> None:
        """Set the per-feature standardisation from conditions (M, cond_dim) of the training data."""
        check_cond(cond, cond.shape[0] if isinstance(cond, torch.Tensor) else 0, self.cond_dim)
        if cond.shape[0] < 2:
            raise InputError(f"fit_condition needs at least 2 conditions, got {cond.shape[0]}")
        c = cond.detach().float().to(self.cond_mean.device)
        self.cond_mean.copy_(c.mean(dim=0))
        self.cond_std.copy_(c.std(dim=0).clamp(min=STD_FLOOR))

    def _standardised(self, cond: torch.Tensor | None, n: int) -> torch.Tensor | None:
        if cond is None or not self.cond_dim:
            return None
        check_cond(cond, n, self.cond_dim)
        return (cond.detach().float() - self.cond_mean) / self.cond_std

    # ------------------------------------------------------------------ the network on a masked batch
    def logits(self, x_onehot: torch.Tensor, hide: torch.Tensor, cond: torch.Tensor | None,
               mask: torch.Tensor | None = None, drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (N, 4, L) for a batch whose ``hide`` (N, L) positions carry the mask token.

        x_onehot: (N, 4, L) the sequences (hidden columns are zeroed here); cond: raw (N, C) conditions
        (standardised here) or None; mask: (N, L) True = real position.
        """
        real = x_onehot.new_ones(x_onehot.shape[0], x_onehot.shape[2]) if mask is None else mask.to(x_onehot.dtype)
        token = hide.to(x_onehot.dtype) * real
        x_in = torch.cat([x_onehot * (real - token)[:, None, :], token[:, None, :]], dim=1)
        return self.denoiser(x_in, self._standardised(cond, x_onehot.shape[0]), mask=mask, drop_cond=drop_cond)

    def masked_ce(self, x_onehot: torch.Tensor, hide: torch.Tensor, cond: torch.Tensor | None,
                  mask: torch.Tensor | None = None, drop_cond: torch.Tensor | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-sequence mean cross-entropy on the hidden known bases, and their count: (N,), (N,).

        Targets are the (possibly fractional, IUPAC) columns normalised to sum 1; N columns are
        never targets. A sequence with nothing hidden has CE 0 and count 0.
        """
        logp = F.log_softmax(self.logits(x_onehot, hide, cond, mask, drop_cond).float(), dim=1)
        total = x_onehot.float().sum(dim=1)  # (N, L): 0 for N and padding columns
        target = x_onehot.float() / total.clamp(min=1e-8)[:, None, :]
        scored = hide & (total > 0) if mask is None else hide & (total > 0) & mask
        ce = -(target * logp).sum(dim=1) * scored
        count = scored.sum(dim=1)
        return ce.sum(dim=1) / count.clamp(min=1), count

    def training_hide(self, x_onehot: torch.Tensor, mask: torch.Tensor | None, generator: torch.Generator,
                      rate: float | torch.Tensor | None = None) -> torch.Tensor:
        """Scattered training masks (N, L) bool: each known base hidden with the row's rate (drawn from
        ``mask_range`` unless ``rate`` is given); unknown (N) real columns always carry the mask token."""
        n, _, length = x_onehot.shape
        device = x_onehot.device
        if rate is None:
            low, high = self.mask_range
            rate = low + (high - low) * rand((n,), generator, device)
        rate = torch.as_tensor(rate, dtype=torch.float32, device=device).reshape(-1, 1)
        real = torch.ones(n, length, dtype=torch.bool, device=device) if mask is None else mask
        known = x_onehot.sum(dim=1) > 0
        return ((rand((n, length), generator, device) < rate) & known | ~known) & real

    def loss(self, x_onehot: torch.Tensor, cond: torch.Tensor | None, *, generator: torch.Generator,
             mask: torch.Tensor | None = None) -> torch.Tensor:
        """The B-step loss, a scalar: masked cross-entropy, mean over the sequences with a hidden base.

        Args:
            x_onehot: (N, 4, L) one-hot batch (IUPAC fractional columns allowed).
            cond: (N, C) raw conditions (the frozen encoder's normalised h; detached here), or None
                (unconditional: the ``masked-lm`` reference).
            generator: draws the mask rates, the masks and the condition dropout, in that order.
            mask: (N, L) bool, True = real base.
        """
        check_batch(x_onehot, "x_onehot")
        n, _, length = x_onehot.shape
        check_mask(mask, n, length)
        if generator is None:
            raise InputError("the generator loss needs an explicit torch.Generator")
        hide = self.training_hide(x_onehot, mask, generator)
        drop = rand((n,), generator, x_onehot.device) < self.cond_dropout
        ce, count = self.masked_ce(x_onehot, hide, cond, mask, drop)
        has = (count > 0).to(ce.dtype)
        return (ce * has).sum() / has.sum().clamp(min=1.0)

    # ------------------------------------------------------------------ sampling
    def guided_logp(self, x_onehot: torch.Tensor, hide: torch.Tensor, cond: torch.Tensor | None,
                    mask: torch.Tensor | None, guidance: float) -> torch.Tensor:
        """log-probabilities (N, 4, L) mixing conditional and null passes: gamma*log p(x|c) + (1-gamma)*log p(x).

        guidance 1: the conditional pass only; 0 or no condition: the null pass only; otherwise one
        doubled batch (the guided mixture, renormalised).
        """
        n = x_onehot.shape[0]
        if cond is None or guidance == 0.0:
            drop = torch.ones(n, dtype=torch.bool, device=x_onehot.device)
            return F.log_softmax(self.logits(x_onehot, hide, cond, mask, drop if cond is not None else None), dim=1)
        if guidance == 1.0:
            return F.log_softmax(self.logits(x_onehot, hide, cond, mask), dim=1)
        drop = torch.cat([torch.zeros(n, dtype=torch.bool), torch.ones(n, dtype=torch.bool)]).to(x_onehot.device)
        both = F.log_softmax(self.logits(torch.cat([x_onehot, x_onehot]), torch.cat([hide, hide]),
                                         torch.cat([cond, cond]), None if mask is None else torch.cat([mask, mask]),
                                         drop), dim=1)
        return F.log_softmax(guidance * both[:n] + (1.0 - guidance) * both[n:], dim=1)

    @torch.no_grad()
    def refill(self, anchors: torch.Tensor, mask: torch.Tensor | None, cond: torch.Tensor | None, *,
               share: float, span: int, steps: int, guidance: float, generator: torch.Generator) -> torch.Tensor:
        """Positives (N, 4, L) one-hot: spans covering ``share`` of each anchor re-drawn, the rest copied.

        Args:
            anchors: (N, 4, L) one-hot anchors; their N (all-zero real) columns are re-drawn too.
            mask: (N, L) bool, True = real base (padding stays all-zero), or None.
            cond: (N, C) raw conditions (the encoder's h of the anchors), or None (unconditional).
            share, span: the masked share of real positions and the span length (:func:`span_mask`).
            steps: refill steps; each fixes a random part of the still-masked positions.
            guidance: gamma of :meth:`guided_logp`.
            generator: draws the spans, the reveal order and every base.
        """
        check_batch(anchors, "anchors")
        n, _, length = anchors.shape
        check_mask(mask, n, length)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise InputError(f"steps must be an integer >= 1, got {steps!r}")
        device = anchors.device
        real = torch.ones(n, length, dtype=torch.bool, device=device) if mask is None else mask
        known = anchors.sum(dim=1) > 0
        hide = span_mask(real, share, span, generator) | (real & ~known)
        # reveal order: a random rank among each row's hidden positions, spread evenly over the steps
        keys = rand((n, length), generator, device).masked_fill(~hide, 2.0)
        rank = keys.argsort(dim=1).argsort(dim=1)
        count = hide.sum(dim=1, keepdim=True).clamp(min=1)
        reveal_at = torch.where(hide, rank * steps // count, torch.full_like(rank, -1))
        bases = anchors.argmax(dim=1)
        for step in range(steps):
            now = reveal_at == step
            if not bool(now.any()):
                continue
            still = reveal_at >= step
            current = F.one_hot(bases, 4).permute(0, 2, 1).to(anchors.dtype) * real[:, None, :]
            logp = self.guided_logp(current, still, cond, mask, guidance)
            bases = torch.where(now, gumbel_argmax(logp.float(), generator), bases)
        return F.one_hot(bases, 4).permute(0, 2, 1).to(torch.float32) * real[:, None, :].float()
