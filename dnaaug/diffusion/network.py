"""Conditional denoiser of the diffusion generator: a residual dilated 1D CNN with FiLM conditioning.

It predicts the noise eps in x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps over continuous one-hot
sequences (N, 4, L), given the timestep t and a condition vector c (the encoder embedding h). Each
residual block is modulated (scale and shift, FiLM) by the sum of a sinusoidal timestep embedding and
a condition embedding. A learned null embedding replaces the condition where it is dropped, which
gives classifier-free guidance at sampling time.

Stronger conditioning paths (off by default, ``cond_mode``): ``"film+input"`` also projects the
condition to ``cond_channels`` channels, broadcasts them along the sequence and concatenates them to
the input of the stem convolution; ``"film+block"`` gives every residual block its own projection of
the raw condition, added to that block's FiLM scale and shift (the shared path mixes the condition
with the timestep through one MLP). ``cond_norm="layer"`` applies a LayerNorm to the condition before
any of its paths. Where the condition is dropped (or missing) these extra paths see a zero condition,
so they contribute only their learned biases: the unconditional pass carries no condition.

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

COND_PATHS = ("input", "block")  # extra conditioning paths on top of the shared FiLM embedding
COND_NORMS = ("none", "layer")


def cond_paths(mode: str) -> frozenset[str]:
    """The extra paths of a ``cond_mode`` ("film", "film+input", "film+block", "film+input+block")."""
    parts = mode.split("+") if isinstance(mode, str) else []
    extra = parts[1:]
    if not parts or parts[0] != "film" or len(set(extra)) != len(extra) or not set(extra) <= set(COND_PATHS):
        raise ConfigError(f"denoiser cond_mode must be 'film' optionally followed by '+input' and/or '+block' "
                          f"(e.g. 'film+input+block'), got {mode!r}")
    return frozenset(extra)


@dataclass(frozen=True)
class DenoiserConfig:
    """Size and conditioning of the denoiser. The default (4 blocks x 64 channels, FiLM only) keeps the
    DiffAug loop cheap on CPU.

    cond_mode:     ``"film"`` (shared time + condition FiLM embedding), plus ``"+input"`` (condition
                   channels concatenated to the stem input) and/or ``"+block"`` (a condition FiLM
                   projection per block).
    cond_norm:     ``"none"`` or ``"layer"`` (LayerNorm on the condition before its paths).
    cond_channels: width of the broadcast condition channels of ``"+input"`` (unused otherwise).
    """

    channels: int = 64
    depth: int = 4
    kernel: int = 5
    time_dim: int = 64
    cond_dropout: float = 0.1
    cond_mode: str = "film"
    cond_norm: str = "none"
    cond_channels: int = 8

    def __post_init__(self):
        cond_paths(self.cond_mode)
        if self.cond_norm not in COND_NORMS:
            raise ConfigError(f"denoiser cond_norm must be one of {', '.join(COND_NORMS)}, got {self.cond_norm!r}")
        for key in ("channels", "depth", "kernel", "time_dim", "cond_channels"):
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

    def __init__(self, channels: int, emb_dim: int, kernel: int, dilation: int, cond_dim: int | None = None):
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
        # "+block": this block's own FiLM projection of the raw condition (also starts at zero)
        self.cond_film = None if cond_dim is None else nn.Linear(cond_dim, 2 * channels)
        if self.cond_film is not None:
            nn.init.zeros_(self.cond_film.weight)
            nn.init.zeros_(self.cond_film.bias)

    def forward(self, x: torch.Tensor, emb: torch.Tensor, keep: torch.Tensor | None,
                cond: torch.Tensor | None = None) -> torch.Tensor:
        """x (N, C, L), emb (N, emb_dim), keep (N, 1, L) or None, cond (N, cond_dim) for "+block"."""
        film = self.film(emb)
        if self.cond_film is not None and cond is not None:
            film = film + self.cond_film(cond)
        scale, shift = film.unsqueeze(-1).chunk(2, dim=1)
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
        cond_mode, cond_norm, cond_channels: the conditioning paths (see :class:`DenoiserConfig`).
    """

    def __init__(self, cond_dim: int, channels: int = 64, depth: int = 4, kernel: int = 5,
                 time_dim: int = 64, cond_dropout: float = 0.1, cond_mode: str = "film",
                 cond_norm: str = "none", cond_channels: int = 8):
        super().__init__()
        if not isinstance(cond_dim, int) or cond_dim < 1:
            raise ConfigError(f"cond_dim must be a positive integer, got {cond_dim!r}")
        self.config = DenoiserConfig(channels=channels, depth=depth, kernel=kernel, time_dim=time_dim,
                                     cond_dropout=cond_dropout, cond_mode=cond_mode, cond_norm=cond_norm,
                                     cond_channels=cond_channels)
        paths = cond_paths(cond_mode)
        self.cond_dim = cond_dim
        self.cond_dropout = cond_dropout
        emb_dim = 4 * channels
        # the default modules are built first and in their original order: the same seed gives the
        # same weights as before the optional paths existed
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.cond_mlp = nn.Sequential(nn.Linear(cond_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.null_cond = nn.Parameter(torch.zeros(emb_dim))  # learned "no condition" embedding
        in_channels = 4 + (cond_channels if "input" in paths else 0)
        self.stem = nn.Conv1d(in_channels, channels, kernel, padding=kernel // 2)
        block_cond = cond_dim if "block" in paths else None
        self.blocks = nn.ModuleList(
            FiLMResBlock(channels, emb_dim, kernel, dilation=2 ** i, cond_dim=block_cond) for i in range(depth))
        self.out_norm = ChannelNorm(channels)
        self.out = nn.Conv1d(channels, 4, kernel, padding=kernel // 2)
        self.cond_norm = nn.LayerNorm(cond_dim) if cond_norm == "layer" else None
        self.cond_in = nn.Linear(cond_dim, cond_channels) if "input" in paths else None
        self.uses_block_cond = block_cond is not None

    @classmethod
    def from_config(cls, cond_dim: int, config: DenoiserConfig | None = None) -> "ConditionalDenoiser":
        config = config or DenoiserConfig()
        return cls(cond_dim, **config.to_dict())

    def embed(self, t: torch.Tensor, cond: torch.Tensor | None, drop_cond: torch.Tensor | None,
              n: int) -> torch.Tensor:
        """Time + condition embedding (N, 4*channels); dropped or missing conditions use the null.

        ``cond`` is the raw condition (N, cond_dim); ``cond_norm`` is applied here.
        """
        emb = self.time_mlp(timestep_embedding(t, self.config.time_dim))
        null = self.null_cond.to(emb.dtype).expand(n, -1)
        if cond is None:
            return emb + null
        c = self.cond_mlp(self._normed(cond.to(emb.dtype)))
        if drop_cond is not None:
            c = torch.where(drop_cond[:, None], null, c)
        return emb + c

    def _normed(self, cond: torch.Tensor) -> torch.Tensor:
        return cond if self.cond_norm is None else self.cond_norm(cond)

    def _direct_cond(self, cond: torch.Tensor | None, drop_cond: torch.Tensor | None, n: int,
                     dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """The normalised condition (N, cond_dim) for the extra paths, zero where dropped or missing."""
        if cond is None:
            return torch.zeros(n, self.cond_dim, dtype=dtype, device=device)
        c = self._normed(cond.to(dtype))
        if drop_cond is not None:
            c = torch.where(drop_cond[:, None], torch.zeros_like(c), c)
        return c

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
        direct = (self._direct_cond(cond, drop_cond, n, emb.dtype, x_t.device)
                  if self.cond_in is not None or self.uses_block_cond else None)
        x_in = x_t
        if self.cond_in is not None:  # "+input": condition channels broadcast along the sequence
            channels = self.cond_in(direct).to(x_t.dtype)[:, :, None].expand(-1, -1, length)
            x_in = torch.cat([x_t, channels], dim=1)
        h = _masked(self.stem(_masked(x_in, keep)), keep)
        block_cond = direct if self.uses_block_cond else None
        for block in self.blocks:
            h = block(h, emb, keep, block_cond)
        return _masked(self.out(_masked(F.silu(self.out_norm(h)), keep)), keep)
