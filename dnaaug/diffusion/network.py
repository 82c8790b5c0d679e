"""Conditional denoiser of the diffusion generator: a residual dilated 1D CNN with FiLM conditioning.

It predicts the noise eps in x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps over continuous one-hot
sequences (N, 4, L), given the timestep t and a condition vector c (the encoder embedding h). Each
residual block is modulated (scale and shift, FiLM) by the sum of a sinusoidal timestep embedding and
a condition embedding. A learned null embedding replaces the condition where it is dropped, which
gives classifier-free guidance at sampling time.

Mask-aware by construction: padding positions are zeroed at the input, after every convolution and
at the output, and the normalisation is per position (over channels), so the output at real bases
does not depend on what lies in the padding, nor on how much padding there is.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dnaaug.errors import ConfigError, InputError

from .checks import check_batch, check_cond, check_mask


@dataclass(frozen=True)
class DenoiserConfig:
    """Size of the denoiser. The default (4 blocks x 64 channels) keeps the DiffAug loop cheap on CPU."""

    channels: int = 64
    depth: int = 4
    kernel: int = 5
    time_dim: int = 64
    cond_dropout: float = 0.1

    def __post_init__(self):
        for key in ("channels", "depth", "kernel", "time_dim"):
            value = getattr(self, key)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"denoiser {key} must be a positive integer, got {value!r}")
        if self.kernel % 2 == 0:
            raise ConfigError(f"denoiser kernel must be odd (same-length convolutions), got {self.kernel}")
        if self.time_dim % 2:
            raise ConfigError(f"denoiser time_dim must be even, got {self.time_dim}")
        if not (0.0 <= self.cond_dropout < 1.0):
            raise ConfigError(f"cond_dropout must be in [0, 1), got {self.cond_dropout}")

    def to_dict(self) -> dict:
        return asdict(self)


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding (Vaswani et al.) of integer timesteps t (N,) -> (N, dim): [sin, cos]."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class ChannelNorm(nn.Module):
    """LayerNorm over channels at each position of (N, C, L): no statistics cross the padding.

    ``forward(x, scale, shift)`` folds a FiLM modulation (N, C, 1) into the affine step.
    """

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor, scale: torch.Tensor | None = None,
                shift: torch.Tensor | None = None) -> torch.Tensor:
        # layer_norm over the last dim of the (N, L, C) view: one fused kernel
        channels = (x.shape[1],)
        if scale is None:
            return F.layer_norm(x.transpose(1, 2), channels, self.weight, self.bias, self.eps).transpose(1, 2)
        normed = F.layer_norm(x.transpose(1, 2), channels, None, None, self.eps).transpose(1, 2)
        gain = self.weight[:, None] * (1 + scale)  # (N, C, 1)
        return torch.addcmul(self.bias[:, None] * (1 + scale) + shift, normed, gain)


class FiLMResBlock(nn.Module):
    """norm -> FiLM(emb) -> SiLU -> dilated conv -> norm -> SiLU -> conv, plus the skip. (N, C, L) -> same."""

    def __init__(self, channels: int, emb_dim: int, kernel: int, dilation: int):
        super().__init__()
        self.norm1 = ChannelNorm(channels)
        self.film = nn.Linear(emb_dim, 2 * channels)
        self.conv1 = nn.Conv1d(channels, channels, kernel, dilation=dilation,
                               padding=dilation * (kernel // 2))
        self.norm2 = ChannelNorm(channels)
        self.conv2 = nn.Conv1d(channels, channels, kernel, padding=kernel // 2)
        # start each block near the identity: FiLM scale ~1 and a small residual branch
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, emb: torch.Tensor, keep: torch.Tensor | None) -> torch.Tensor:
        scale, shift = self.film(emb).unsqueeze(-1).chunk(2, dim=1)
        # norms and FiLM make padding non-zero again: re-mask every convolution's input
        h = _masked(F.silu(self.norm1(x, scale, shift)), keep)
        h = _masked(self.conv1(h), keep)
        h = _masked(F.silu(self.norm2(h)), keep)
        h = _masked(self.conv2(h), keep)
        return x + h


def _masked(h: torch.Tensor, keep: torch.Tensor | None) -> torch.Tensor:
    return h if keep is None else h * keep


class ConditionalDenoiser(nn.Module):
    """eps_hat = g(x_t, t, c): residual dilated 1D CNN, dilation 2**i in block i.

    Args:
        cond_dim: width C of the condition vector (the encoder embedding).
        channels, depth, kernel: width, number of residual blocks, convolution kernel (odd).
        time_dim: width of the sinusoidal timestep embedding (even).
        cond_dropout: probability the training loss drops the condition (kept here as the
            model's setting; the drop itself is drawn by the caller and passed as ``drop_cond``).
    """

    def __init__(self, cond_dim: int, channels: int = 64, depth: int = 4, kernel: int = 5,
                 time_dim: int = 64, cond_dropout: float = 0.1):
        super().__init__()
        if not isinstance(cond_dim, int) or cond_dim < 1:
            raise ConfigError(f"cond_dim must be a positive integer, got {cond_dim!r}")
        self.config = DenoiserConfig(channels=channels, depth=depth, kernel=kernel, time_dim=time_dim,
                                     cond_dropout=cond_dropout)
        self.cond_dim = cond_dim
        self.cond_dropout = cond_dropout
        emb_dim = 4 * channels
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.cond_mlp = nn.Sequential(nn.Linear(cond_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.null_cond = nn.Parameter(torch.zeros(emb_dim))  # learned "no condition" embedding
        self.stem = nn.Conv1d(4, channels, kernel, padding=kernel // 2)
        self.blocks = nn.ModuleList(
            FiLMResBlock(channels, emb_dim, kernel, dilation=2 ** i) for i in range(depth))
        self.out_norm = ChannelNorm(channels)
        self.out = nn.Conv1d(channels, 4, kernel, padding=kernel // 2)

    @classmethod
    def from_config(cls, cond_dim: int, config: DenoiserConfig | None = None) -> "ConditionalDenoiser":
        config = config or DenoiserConfig()
        return cls(cond_dim, **config.to_dict())

    def embed(self, t: torch.Tensor, cond: torch.Tensor | None, drop_cond: torch.Tensor | None,
              n: int) -> torch.Tensor:
        """Time + condition embedding (N, 4*channels); dropped or missing conditions use the null."""
        emb = self.time_mlp(timestep_embedding(t, self.config.time_dim))
        null = self.null_cond.to(emb.dtype).expand(n, -1)
        if cond is None:
            return emb + null
        c = self.cond_mlp(cond.to(emb.dtype))
        if drop_cond is not None:
            c = torch.where(drop_cond[:, None], null, c)
        return emb + c

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None,
                mask: torch.Tensor | None = None, drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """Predict the noise.

        Args:
            x_t: (N, 4, L) noisy continuous one-hot.
            t: (N,) long timesteps in [0, T) (a 0-dim tensor is broadcast).
            cond: (N, cond_dim) condition, or None for unconditional (the null embedding).
            mask: (N, L) bool, True = real base; padding positions are ignored and output 0.
            drop_cond: (N,) bool, True where the condition is replaced by the null embedding.
        Returns:
            eps_hat (N, 4, L), zero at padding positions.
        """
        check_batch(x_t, "x_t")
        n, _, length = x_t.shape
        check_cond(cond, n, self.cond_dim)
        check_mask(mask, n, length)
        if not isinstance(t, torch.Tensor):
            raise InputError("t must be an integer tensor of shape (N,)")
        if t.dim() == 0:
            t = t.expand(n)
        if tuple(t.shape) != (n,) or t.is_floating_point():
            raise InputError(f"t must be an integer tensor of shape ({n},), got {tuple(t.shape)} {t.dtype}")
        if drop_cond is not None and (drop_cond.dtype != torch.bool or tuple(drop_cond.shape) != (n,)):
            raise InputError(f"drop_cond must be a bool tensor of shape ({n},)")
        # an all-True mask is no mask: skip the masking multiplications
        keep = None if mask is None or bool(mask.all()) else mask[:, None, :].to(x_t.dtype)
        emb = F.silu(self.embed(t.to(x_t.device), cond, drop_cond, n))
        h = _masked(self.stem(_masked(x_t, keep)), keep)
        for block in self.blocks:
            h = block(h, emb, keep)
        return _masked(self.out(_masked(F.silu(self.out_norm(h)), keep)), keep)
