"""The masked generator's denoiser: a dilated 1D CNN that predicts masked bases, FiLM-conditioned on h.

Input (N, 5, L): the visible one-hot bases (masked and padding columns all-zero) plus a mask-token
channel (1 where a base is masked). Output: logits (N, 4, L) over A, C, G, T. There is no timestep:
in absorbing-state diffusion the number of masked tokens says how far the process has gone (MDLM).

The condition (the encoder's h, standardised per feature with statistics the generator holds) goes
through an MLP into an embedding that modulates every residual block (FiLM on its layer norm, as
adaLN); where it is dropped a learned null embedding takes its place, which gives classifier-free
guidance. The blocks are the continuous denoiser's (:class:`~dnaaug.diffusion.network.FiLMResBlock`),
with dilations 1, 2, 4, ... so that a 5-block, kernel-9 stack sees about 300 bases (the template of
Dirichlet flow matching's DNA CNN). Padding is zeroed after every convolution, as there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dnaaug.errors import ConfigError, InputError

from .checks import check_cond, check_mask
from .network import ChannelNorm, FiLMResBlock, _masked

IN_CHANNELS = 5  # A, C, G, T and the mask token
MAX_DILATION_EXPONENT = 6  # dilations cycle 1 .. 64 in deeper stacks


@dataclass(frozen=True)
class MaskedDenoiserConfig:
    """Size of the masked denoiser. channels x depth residual blocks, odd ``kernel``; ``cond_dropout``
    is the share of training rows whose condition is replaced by the learned null."""

    channels: int = 64
    depth: int = 5
    kernel: int = 9
    cond_dropout: float = 0.1

    def __post_init__(self):
        for key in ("channels", "depth", "kernel"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"masked denoiser {key} must be a positive integer, got {value!r}")
        if self.kernel % 2 == 0:
            raise ConfigError(f"masked denoiser kernel must be odd (same-length convolutions), got {self.kernel}")
        if not 0.0 <= self.cond_dropout < 1.0:
            raise ConfigError(f"cond_dropout must be in [0, 1), got {self.cond_dropout}")

    def to_dict(self) -> dict:
        return asdict(self)


class MaskedDenoiser(nn.Module):
    """logits = g(x_visible, masked, c): (N, 5, L) input, (N, 4, L) logits.

    ``cond_dim`` 0 builds an unconditional network (the ``masked-lm`` reference row): every pass uses
    the null embedding.
    """

    def __init__(self, cond_dim: int, config: MaskedDenoiserConfig | None = None):
        super().__init__()
        if isinstance(cond_dim, bool) or not isinstance(cond_dim, int) or cond_dim < 0:
            raise ConfigError(f"cond_dim must be an integer >= 0, got {cond_dim!r}")
        self.config = config = config or MaskedDenoiserConfig()
        self.cond_dim = cond_dim
        self.cond_dropout = config.cond_dropout
        c = config.channels
        emb_dim = 4 * c
        self.cond_mlp = (nn.Sequential(nn.Linear(cond_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
                         if cond_dim else None)
        self.null_cond = nn.Parameter(torch.zeros(emb_dim))
        self.stem = nn.Conv1d(IN_CHANNELS, c, config.kernel, padding=config.kernel // 2)
        self.blocks = nn.ModuleList(
            FiLMResBlock(c, emb_dim, config.kernel, dilation=2 ** (i % (MAX_DILATION_EXPONENT + 1)))
            for i in range(config.depth))
        self.out_norm = ChannelNorm(c)
        self.out = nn.Conv1d(c, 4, 1)

    def embed(self, cond: torch.Tensor | None, drop_cond: torch.Tensor | None, n: int,
              dtype: torch.dtype) -> torch.Tensor:
        """Condition embedding (N, 4*channels): the MLP of the (standardised) condition, or the null."""
        null = self.null_cond.to(dtype).expand(n, -1)
        if cond is None or self.cond_mlp is None:
            return null
        c = self.cond_mlp(cond.to(dtype))
        if drop_cond is not None:
            c = torch.where(drop_cond[:, None], null, c)
        return c

    def hidden(self, x_in: torch.Tensor, cond: torch.Tensor | None = None, mask: torch.Tensor | None = None,
               drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """The last feature map (N, channels, L), normalised, zero at padding (see :meth:`forward`)."""
        if not isinstance(x_in, torch.Tensor) or x_in.dim() != 3 or x_in.shape[1] != IN_CHANNELS:
            shape = tuple(x_in.shape) if isinstance(x_in, torch.Tensor) else type(x_in).__name__
            raise InputError(f"x_in must have shape (N, {IN_CHANNELS}, L), got {shape}")
        n, _, length = x_in.shape
        check_cond(cond, n, self.cond_dim or None)
        check_mask(mask, n, length)
        if drop_cond is not None and (drop_cond.dtype != torch.bool or tuple(drop_cond.shape) != (n,)):
            raise InputError(f"drop_cond must be a bool tensor of shape ({n},)")
        keep = None if mask is None or bool(mask.all()) else mask[:, None, :].to(x_in.dtype)
        emb = F.silu(self.embed(cond, drop_cond, n, x_in.dtype))
        h = _masked(self.stem(_masked(x_in, keep)), keep)
        for block in self.blocks:
            h = block(h, emb, keep)
        return _masked(F.silu(self.out_norm(h)), keep)

    def forward(self, x_in: torch.Tensor, cond: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """Logits over the four bases.

        Args:
            x_in: (N, 5, L): visible one-hot bases in channels 0-3, the mask token in channel 4.
            cond: (N, cond_dim) standardised condition, or None (the null embedding everywhere).
            mask: (N, L) bool, True = real position; padding is ignored and gets logits 0.
            drop_cond: (N,) bool, True where the null embedding replaces the condition.
        Returns:
            logits (N, 4, L).
        """
        logits = self.out(self.hidden(x_in, cond, mask, drop_cond))
        return logits if mask is None else logits * mask[:, None, :].to(logits.dtype)
