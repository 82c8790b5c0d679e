"""The encoder trunk (DiffAug's "semantic estimator"): a 1D CNN giving one embedding per sequence.

Shape of the computation (``N`` sequences, window ``L``)::

    one-hot x (N, 4, L)  --------------------------------\\
    k-mer ids (N, L') -> Embedding(padding_idx=0) -> (N, kmer_dim, L')
        -> stem conv (stem_kernel) -> norm -> GELU   [-> max-pool by `downsample`]
           [stem_width: the stem has stem_width channels, pooled (mean, max) into h, and a 1x1
            conv after the max-pool maps them to `width` for the blocks]
        -> depth x residual block: norm -> GELU -> dilated conv (kernel, dilation g**b)
                                   -> GELU -> channel dropout -> 1x1 conv, added to the input
        -> norm -> GELU  [-> 1x1 conv to `expand` channels -> GELU]
        -> masked global pooling (mean and max over real positions)
           [multiscale: concatenated with the pooled stem and block outputs]
        [-> linear to embedding_dim]  -> h (N, D)

With one-hot input, a plain stem and layer norm (every preset) the stem runs on (N, L, C) maps
(``_stem_position_major``): the same function, without transposed copies of its wide map.

Padding never leaks into ``h``: activations at padded positions are zeroed before every
convolution that looks along the sequence (so a conv sees exactly the zeros it would see past
the end of an unpadded sequence), normalisation statistics are taken over real positions only,
and pooling ignores padding. Hence appending padding (with its mask) leaves ``h`` unchanged in
eval mode, up to float rounding.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dnaaug.errors import ConfigError, InputError

__all__ = ["EncoderConfig", "CNNEncoder", "count_parameters"]

NormKind = Literal["layer", "group", "batch"]
PoolKind = Literal["mean", "max", "meanmax"]


@dataclass(frozen=True)
class EncoderConfig:
    """Hyper-parameters of :class:`CNNEncoder` (defaults are the library default encoder).

    input: ``"onehot"`` (x is float (N, 4, L)) or ``"kmer"`` (x is long ids (N, L'), id 0 = padding).
    vocab_size: number of k-mer ids including padding and unknown; required for ``"kmer"``.
    kmer_dim: width of the k-mer embedding fed to the stem.
    width: channels of the trunk.  depth: number of residual blocks.
    kernel: odd kernel of the block convolutions; block ``b`` uses dilation ``dilation_growth**b``
        (1, 2, 4, 8, ...), so 4 blocks of kernel 9 see 1 + 8 * 15 = 121 positions.
    stem_kernel: odd kernel of the first convolution (motif detectors).
    stem_rc: the stem's filters come in reverse-complement pairs (one-hot input, even ``width``):
        channels ``width/2 ..`` are the first half's filters reverse-complemented, so every motif
        detector also reads the other strand at no cost in parameters (RC parameter sharing,
        Shrikumar et al. 2017). Off (default): ``width`` free filters.
    downsample: max-pool factor after the stem (1 = none). 2 halves the cost of the blocks and
        doubles their receptive field; positions are pooled mask-aware, so padding still never leaks.
    dropout: dropout inside each block.
    norm: ``"layer"`` (default) normalises each position over its channels: it has no batch or
        length statistics, so it is exactly the same for any batch size, any amount of padding,
        train or eval, and costs no masking. ``"group"`` is GroupNorm with statistics over real
        positions only (``groups`` groups). ``"batch"`` is BatchNorm with statistics over the real
        positions of the batch (running statistics in eval): it depends on the batch composition
        and is fragile for small batches, hence not the default.
    groups: number of groups for ``norm="group"``; must divide ``width``.
    pool: ``"meanmax"`` (default) concatenates the masked mean (composition, average signal) and the
        masked max (presence of a motif anywhere, which the mean dilutes in long windows);
        ``"mean"`` or ``"max"`` alone halve the embedding.
    expand: if set, a 1x1 convolution widens the trunk's output to this many channels (then GELU)
        before pooling, as image SSL backbones end in a wide layer (ResNet's 2048): per-position
        motif features stay cheap to compute (no look along the sequence) while pooling keeps many
        more of them, which a linear probe on frozen ``h`` can read. None: no expansion.
    multiscale: also pool the stem output and every block's output and concatenate them into h,
        so short-motif composition (the stem) survives next to the deep features.
    stem_width: if set, the stem has this many filters (a wide bank of motif detectors, cheap
        because it reads 4 channels), their masked mean and max over the window are part of h (placed
        first), and a 1x1 convolution after the max-pool maps them to ``width`` for the blocks. A
        linear probe then reads motif presence and composition straight from the detectors, as it
        reads a k-mer count, while the blocks learn their context. None (default): the stem has
        ``width`` filters and only the final map is pooled.
    embedding_dim: if set, a final linear layer maps the pooled features to this width; if None,
        D = (expand or width) * (2 for meanmax else 1), plus width * (depth + 1) * (2 or 1) for
        multiscale, plus stem_width * (2 or 1) with a wide stem.
    """

    input: Literal["onehot", "kmer"] = "onehot"
    vocab_size: int | None = None
    kmer_dim: int = 64
    width: int = 128
    depth: int = 4
    kernel: int = 9
    dilation_growth: int = 2
    stem_kernel: int = 15
    stem_rc: bool = False
    downsample: int = 2
    dropout: float = 0.1
    norm: NormKind = "layer"
    groups: int = 8
    pool: PoolKind = "meanmax"
    expand: int | None = None
    multiscale: bool = False
    stem_width: int | None = None
    embedding_dim: int | None = None

    def __post_init__(self) -> None:
        def bad(name: str, why: str) -> ConfigError:
            return ConfigError(f"encoder config: {name}={getattr(self, name)!r} {why}")

        if self.input not in ("onehot", "kmer"):
            raise bad("input", "must be 'onehot' or 'kmer'")
        if self.input == "kmer" and (not isinstance(self.vocab_size, int) or self.vocab_size < 2):
            raise bad("vocab_size", "must be an int >= 2 for input='kmer'")
        for name in ("kmer_dim", "width", "stem_kernel", "kernel", "dilation_growth", "downsample", "groups"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise bad(name, "must be a positive int")
        if not isinstance(self.depth, int) or self.depth < 0:
            raise bad("depth", "must be an int >= 0")
        for name in ("kernel", "stem_kernel"):
            if getattr(self, name) % 2 == 0:
                raise bad(name, "must be odd (same-length convolutions)")
        if not 0.0 <= float(self.dropout) < 1.0:
            raise bad("dropout", "must be in [0, 1)")
        if self.norm not in ("layer", "group", "batch"):
            raise bad("norm", "must be 'layer', 'group' or 'batch'")
        if self.norm == "group" and self.width % self.groups:
            raise bad("groups", f"must divide width={self.width}")
        if self.pool not in ("mean", "max", "meanmax"):
            raise bad("pool", "must be 'mean', 'max' or 'meanmax'")
        if self.expand is not None and (not isinstance(self.expand, int) or isinstance(self.expand, bool)
                                        or self.expand < 1):
            raise bad("expand", "must be a positive int or None")
        if self.stem_width is not None and (not isinstance(self.stem_width, int) or isinstance(self.stem_width, bool)
                                            or self.stem_width < 1):
            raise bad("stem_width", "must be a positive int or None")
        if not isinstance(self.multiscale, bool):
            raise bad("multiscale", "must be true or false")
        if not isinstance(self.stem_rc, bool):
            raise bad("stem_rc", "must be true or false")
        if self.stem_rc and (self.input != "onehot" or self.stem_channels % 2):
            raise bad("stem_rc", "needs input='onehot' and an even stem width (filters come in strand pairs)")
        dim = self.embedding_dim
        if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
            raise bad("embedding_dim", "must be a positive int or None")

    @property
    def dilations(self) -> tuple[int, ...]:
        """Dilation of each residual block."""
        return tuple(self.dilation_growth ** b for b in range(self.depth))

    @property
    def stem_channels(self) -> int:
        """Filters of the stem convolution: ``stem_width``, or ``width`` without a wide stem."""
        return self.stem_width if self.stem_width is not None else self.width

    @property
    def pooled_dim(self) -> int:
        """Width of the pooled features (h before the optional ``embedding_dim`` projection)."""
        per = 2 if self.pool == "meanmax" else 1
        dim = (self.expand or self.width) * per
        if self.multiscale:
            dim += self.width * (self.depth + 1) * per
        if self.stem_width is not None:
            dim += self.stem_width * per
        return dim

    @property
    def receptive_field(self) -> int:
        """Input positions that one output position of the trunk sees (before pooling)."""
        inner = 1 + sum((self.kernel - 1) * d for d in self.dilations)
        return self.stem_kernel - 1 + self.downsample * inner

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-able) for run folders and checkpoints."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EncoderConfig:
        """Build from plain data; unknown keys raise ConfigError naming them."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"encoder config: unknown key(s) {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(known))})")
        return cls(**data)


# ----------------------------------------------------------------------------- normalisation


class _ChannelLayerNorm(nn.Module):
    """LayerNorm over channels at each position of (N, C, L); needs no mask (per position)."""

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        # the fused kernel on a channels-last view is several times faster than elementwise ops;
        # a contiguous result keeps the following GELU (and its backward) on the fast path
        y = F.layer_norm(x.transpose(1, 2), (x.shape[1],), self.weight, self.bias, self.eps)
        return y.transpose(1, 2).contiguous()


class _MaskedGroupNorm(nn.Module):
    """GroupNorm whose statistics (per sample and group) use real positions only."""

    def __init__(self, channels: int, groups: int, eps: float = 1e-5):
        super().__init__()
        self.groups = groups
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        n, c, length = x.shape
        xg = x.reshape(n, self.groups, c // self.groups, length)
        m = mask.reshape(n, 1, 1, length).to(x.dtype)
        count = (m.sum(dim=(2, 3), keepdim=True) * (c // self.groups)).clamp_min(1.0)
        mean = (xg * m).sum(dim=(2, 3), keepdim=True) / count
        var = ((xg - mean).pow(2) * m).sum(dim=(2, 3), keepdim=True) / count
        out = ((xg - mean) * torch.rsqrt(var + self.eps)).reshape(n, c, length)
        return out * self.weight[:, None] + self.bias[:, None]


class _MaskedBatchNorm(nn.Module):
    """BatchNorm over (batch, real positions); running statistics are used in eval mode."""

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))
        self.eps = eps
        self.momentum = momentum

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        if self.training:
            m = mask[:, None, :].to(x.dtype)
            count = m.sum().clamp_min(1.0)
            mean = (x * m).sum(dim=(0, 2)) / count
            var = ((x - mean[:, None]).pow(2) * m).sum(dim=(0, 2)) / count
            with torch.no_grad():
                unbiased = var * (count / (count - 1).clamp_min(1.0))
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(unbiased.detach(), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps) * self.weight
        return (x - mean[:, None]) * scale[:, None] + self.bias[:, None]


def _make_norm(config: EncoderConfig, channels: int) -> nn.Module:
    if config.norm == "layer":
        return _ChannelLayerNorm(channels)
    if config.norm == "group":
        return _MaskedGroupNorm(channels, config.groups)
    return _MaskedBatchNorm(channels)


# ----------------------------------------------------------------------------- trunk


class _ChannelDropout(nn.Module):
    """Dropout of whole channels per sequence (like ``nn.Dropout1d``) drawing from an explicit
    generator: mask (N, C, 1) ~ Bernoulli(1 - p), scaled by 1 / (1 - p); identity in eval mode.
    Without a generator it falls back to torch's default generator, as ``nn.Dropout`` does."""

    def __init__(self, p: float):
        super().__init__()
        self.p = float(p)

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        device = generator.device if generator is not None else x.device
        keep = torch.rand((x.shape[0], x.shape[1], 1), generator=generator, device=device) >= self.p
        return x * (keep.to(device=x.device, dtype=x.dtype) / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


class _ResidualBlock(nn.Module):
    """Pre-norm residual block: x + 1x1conv(dropout(GELU(dilated_conv(mask * GELU(norm(x)))))).

    One normalisation per block (as in ConvNeXt) and channel dropout (whole channels of a
    sequence): on CPU the elementwise passes cost as much as the convolutions, and element-wise
    dropout alone costs about 10x a channel mask.
    """

    def __init__(self, config: EncoderConfig, dilation: int):
        super().__init__()
        w = config.width
        self.norm = _make_norm(config, w)
        self.conv = nn.Conv1d(w, w, config.kernel, dilation=dilation,
                              padding=dilation * (config.kernel - 1) // 2)
        self.dropout = _ChannelDropout(config.dropout)
        self.mix = nn.Conv1d(w, w, 1)

    def forward(self, x: Tensor, mask: Tensor, mask_f: Tensor | None,
                generator: torch.Generator | None) -> Tensor:
        y = F.gelu(self.norm(x, mask))
        if mask_f is not None:  # zero padding so the dilated conv sees what it sees past the end
            y = y * mask_f
        y = F.gelu(self.conv(y))
        return x + self.mix(self.dropout(y, generator))


class _RCPairedConv(nn.Module):
    """One-hot (N, 4, L) -> (N, C, L) convolution whose C filters are C/2 learned ones and their reverse complements.

    With one-hot order A, C, G, T the complement of channel b is 3 - b, so the reverse complement of
    a filter (C/2, 4, K) is the filter flipped over both its base and its position axes; it has the
    same bias. Hence conv(rc(x)) equals conv(x) with its two halves swapped and positions reversed.
    """

    def __init__(self, channels: int, kernel: int):
        super().__init__()
        self.conv = nn.Conv1d(4, channels // 2, kernel, padding=kernel // 2)

    def forward(self, x: Tensor) -> Tensor:
        w, b = self.conv.weight, self.conv.bias
        return F.conv1d(x, torch.cat([w, w.flip((1, 2))]), torch.cat([b, b]), padding=self.conv.padding)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class CNNEncoder(nn.Module):
    """1D CNN encoder: one-hot (N, 4, L) or k-mer ids (N, L') with mask (N, L) -> h (N, D).

    ``forward(x, mask=None)``:
      - ``input="onehot"``: x float (N, 4, L). ``mask`` bool (N, L), True = real base; None means
        every position is real (an ``N`` base and right padding are both all-zero columns, so
        padding cannot be inferred from x).
      - ``input="kmer"``: x integer ids (N, L') in [0, vocab_size), 0 = padding. ``mask`` bool
        (N, L'); None means ``x != 0``.
    ``generator`` (keyword) makes training-mode dropout reproducible without global state.
    Returns h float (N, embedding_dim). A sequence with no real position gets the embedding of an
    empty sequence (pooled features 0), not NaN.
    """

    def __init__(self, config: EncoderConfig | None = None):
        super().__init__()
        config = config if config is not None else EncoderConfig()
        if not isinstance(config, EncoderConfig):
            raise ConfigError(f"CNNEncoder: config must be an EncoderConfig, got {type(config).__name__}")
        self.config = config
        if config.input == "kmer":
            self.embed_tokens: nn.Embedding | None = nn.Embedding(
                config.vocab_size, config.kmer_dim, padding_idx=0)
            in_channels = config.kmer_dim
        else:
            self.embed_tokens = None
            in_channels = 4
        stem = config.stem_channels
        self.stem: nn.Module = (_RCPairedConv(stem, config.stem_kernel) if config.stem_rc else
                                nn.Conv1d(in_channels, stem, config.stem_kernel, padding=config.stem_kernel // 2))
        self.stem_norm = _make_norm(config, stem)
        self.stem_mix: nn.Conv1d | None = (
            nn.Conv1d(stem, config.width, 1) if config.stem_width is not None else None)
        self.blocks = nn.ModuleList(_ResidualBlock(config, d) for d in config.dilations)
        self.final_norm = _make_norm(config, config.width)
        self.expand: nn.Conv1d | None = (
            nn.Conv1d(config.width, config.expand, 1) if config.expand is not None else None)
        pooled = config.pooled_dim
        self.project: nn.Linear | None = (
            nn.Linear(pooled, config.embedding_dim) if config.embedding_dim is not None else None)
        self._embedding_dim = config.embedding_dim if config.embedding_dim is not None else pooled
        # the stem computed on (N, L, C) maps where that is the same function (see _stem_position_major)
        self._position_major_stem = config.input == "onehot" and not config.stem_rc and config.norm == "layer"

    @property
    def embedding_dim(self) -> int:
        """D, the width of h."""
        return self._embedding_dim

    # -- input checks ---------------------------------------------------------------------------

    def _check(self, x: Tensor, mask: Tensor | None) -> Tensor:
        """Validate x and mask; return the mask as bool (N, L)."""
        cfg = self.config
        if not isinstance(x, Tensor):
            raise InputError(f"x: expected a torch.Tensor, got {type(x).__name__}")
        if cfg.input == "onehot":
            if x.dim() != 3 or x.shape[1] != 4 or not x.is_floating_point():
                raise InputError(
                    "x: expected a float one-hot tensor of shape (N, 4, L) for input='onehot', "
                    f"got shape {tuple(x.shape)} dtype {x.dtype}")
        else:
            if x.dim() != 2 or x.is_floating_point() or x.dtype == torch.bool:
                raise InputError(
                    "x: expected integer k-mer ids of shape (N, L') for input='kmer', "
                    f"got shape {tuple(x.shape)} dtype {x.dtype}")
            if x.numel() and (int(x.min()) < 0 or int(x.max()) >= cfg.vocab_size):
                raise InputError(f"x: k-mer ids must lie in [0, {cfg.vocab_size}), "
                                 f"got range [{int(x.min())}, {int(x.max())}]")
        n, length = x.shape[0], x.shape[-1]
        if n == 0 or length == 0:
            raise InputError(
                f"x: expected at least one sequence and one position, got shape {tuple(x.shape)}")
        if mask is None:
            if cfg.input == "kmer":
                return x != 0
            return torch.ones(n, length, dtype=torch.bool, device=x.device)
        if not isinstance(mask, Tensor) or mask.shape != (n, length):
            shape = tuple(mask.shape) if isinstance(mask, Tensor) else type(mask).__name__
            raise InputError(f"mask: expected a bool tensor of shape (N, L) = ({n}, {length}), got {shape}")
        if mask.dtype != torch.bool:
            raise InputError(f"mask: expected dtype torch.bool (True = real position), got {mask.dtype}")
        return mask.to(x.device)

    # -- forward --------------------------------------------------------------------------------

    def readout_dim(self, regions: int = 0) -> int:
        """Width of ``forward(..., regions=regions)``: D plus ``regions`` x the final map's channels."""
        return self._embedding_dim + check_regions(regions) * (self.config.expand or self.config.width)

    def forward(self, x: Tensor, mask: Tensor | None = None, *,
                generator: torch.Generator | None = None, regions: int = 0) -> Tensor:
        """x (N, 4, L) float or (N, L') ids; mask (N, L) bool or None -> h (N, D).

        ``generator`` drives dropout in training mode (on the device of the generator); without
        one, training-mode dropout uses torch's default generator. Eval mode draws nothing.
        ``regions`` (an embed-time read-out; training uses 0): append the masked mean of the final
        feature map over that many equal parts of each sequence's real positions, 5' to 3', so h
        (N, D + regions x C) also says where along the window a feature is, not only whether.
        """
        check_regions(regions)
        mask = self._check(x, mask)
        if self.embed_tokens is not None:
            x = self.embed_tokens(x.long()).transpose(1, 2)  # (N, kmer_dim, L')
        padded = not bool(mask.all())
        if padded:
            x = x * mask[:, None, :].to(x.dtype)
        if self._position_major_stem:
            x, mask, motifs = self._stem_position_major(x, mask, padded)
        else:
            x, mask, motifs = self._stem_channel_major(x, mask, padded)
        mask_f = mask[:, None, :].to(x.dtype) if padded else None
        stages = [x] if self.config.multiscale else []
        for block in self.blocks:
            x = block(x, mask, mask_f, generator)
            if self.config.multiscale:
                stages.append(x)
        x = F.gelu(self.final_norm(x, mask))
        if self.expand is not None:
            x = F.gelu(self.expand(x))
        h = _masked_pool(x, mask, self.config.pool)
        if stages:
            h = torch.cat([_masked_pool(s, mask, self.config.pool) for s in stages] + [h], dim=1)
        if motifs is not None:
            h = torch.cat([motifs, h], dim=1)
        if self.project is not None:
            h = self.project(h)
        if regions:
            h = torch.cat([h, _region_means(x, mask, regions)], dim=1)
        return h

    def _stem_channel_major(self, x: Tensor, mask: Tensor, padded: bool) -> tuple[Tensor, Tensor, Tensor | None]:
        """Stem on (N, C_in, L): conv -> norm -> GELU [-> wide-stem pooling] [-> max-pool] [-> 1x1].

        Returns the trunk's input (N, width, L'), its mask (N, L') and the wide stem's pooled
        detectors (N, stem_width * (2 or 1)), or None without a wide stem."""
        x = F.gelu(self.stem_norm(self.stem(x), mask))
        # the wide stem's detectors, pooled over the full-resolution window (first in h)
        motifs = _masked_pool(x, mask, self.config.pool) if self.stem_mix is not None else None
        if self.config.downsample > 1:
            if padded:
                x, mask = _masked_maxpool(x, mask, self.config.downsample)
            else:
                x = F.max_pool1d(x, self.config.downsample, self.config.downsample, ceil_mode=True)
                mask = torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
        if self.stem_mix is not None:  # after the max-pool: half the positions for the 1x1
            x = self.stem_mix(x)
        return x, mask, motifs

    def _stem_position_major(self, x: Tensor, mask: Tensor, padded: bool) -> tuple[Tensor, Tensor, Tensor | None]:
        """The same function as :meth:`_stem_channel_major` (one-hot input, plain conv, layer norm),
        computed on (N, L, C) maps.

        The conv is one matmul of the (N * L, 4 * stem_kernel) input windows by the filters, whose
        result is already position-major, so the layer norm (over channels), GELU and every pooling
        read contiguous memory: no transposed copies of the widest map of the network. At 512 stem
        filters this roughly halves the stem's time. Only the gradient at exactly tied values inside
        a max-pool window differs (split evenly rather than sent to one position); both are valid.
        """
        cfg, stem = self.config, self.stem
        n, c_in, length = x.shape
        k = cfg.stem_kernel
        windows = F.pad(x, (k // 2, k // 2)).unfold(2, k, 1)                 # (N, C_in, L, k)
        windows = windows.permute(0, 2, 1, 3).reshape(n * length, c_in * k)   # same order as the weight
        filters = stem.weight.reshape(stem.out_channels, c_in * k)
        y = torch.addmm(stem.bias, windows, filters.t()).view(n, length, stem.out_channels)
        norm = self.stem_norm
        y = F.gelu(F.layer_norm(y, (y.shape[2],), norm.weight, norm.bias, norm.eps))  # (N, L, C)
        wide = self.stem_mix is not None
        # the wide stem's detectors, pooled into h: the mean over the full-resolution window, and
        # (below) the max over the max-pooled map, which is the same max read at 1/downsample the positions
        mean = _masked_pool(y, mask, "mean", dim=1) if wide and cfg.pool in ("mean", "meanmax") else None
        if cfg.downsample > 1:
            y, mask = _maxpool_lc(y, mask, cfg.downsample, padded)
        motifs = None
        if wide:
            parts = [mean] if mean is not None else []
            if cfg.pool in ("max", "meanmax"):
                parts.append(_masked_pool(y, mask, "max", dim=1))
            motifs = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
            y = F.linear(y, self.stem_mix.weight[:, :, 0], self.stem_mix.bias)
        return y.transpose(1, 2).contiguous(), mask, motifs


def _maxpool_lc(y: Tensor, mask: Tensor, factor: int, padded: bool) -> tuple[Tensor, Tensor]:
    """Max-pool (N, L, C) along L by ``factor`` with ``ceil_mode`` (the last partial window kept),
    as :func:`_masked_maxpool` does on (N, C, L): padded inputs are ignored and a window with no real
    input is 0 (``padded`` False: every position is real, nothing to mask). Returns (y, mask (N, L'))."""
    n, length, c = y.shape
    out_len = -(-length // factor)
    extra = out_len * factor - length
    if padded:
        y = y.masked_fill(~mask[:, :, None], -math.inf)
    if extra:
        y = F.pad(y, (0, 0, 0, extra), value=-math.inf)
    y = y.view(n, out_len, factor, c).amax(2)
    if not padded:
        return y, torch.ones(n, out_len, dtype=torch.bool, device=y.device)
    pooled = F.pad(mask, (0, extra)).view(n, out_len, factor).any(2)
    return y.masked_fill(~pooled[:, :, None], 0.0), pooled


def check_regions(regions: int) -> int:
    """Validate a ``regions`` read-out setting (0 = off)."""
    if not isinstance(regions, int) or isinstance(regions, bool) or regions < 0:
        raise ConfigError(f"regions must be an int >= 0 (0 = off), got {regions!r}")
    return regions


def _region_means(x: Tensor, mask: Tensor, regions: int) -> Tensor:
    """Masked means of (N, C, L) over ``regions`` equal parts of each row's real positions -> (N, regions * C).

    Parts are cut by rank among the real positions (real bases come first), so padding never
    shifts them; a part with no real position (sequences shorter than ``regions`` positions) is 0.
    Output order: all channels of part 0 (5' end), then part 1, ...
    """
    m = mask.to(x.dtype)
    n = m.sum(1, keepdim=True).clamp_min(1)
    part = ((torch.cumsum(m, 1) - 1) * regions / n).floor().long().clamp_(0, regions - 1)  # (N, L)
    onehot = F.one_hot(part, regions).to(x.dtype) * m[:, :, None]                     # (N, L, R)
    sums = torch.einsum("ncl,nlr->nrc", x, onehot)
    return (sums / onehot.sum(1)[:, :, None].clamp_min(1)).flatten(1)


def _masked_maxpool(x: Tensor, mask: Tensor, factor: int) -> tuple[Tensor, Tensor]:
    """Max-pool (N, C, L) by `factor` ignoring padded positions; a window is real if any input is.

    ceil_mode keeps the last partial window, so an unpadded sequence and the same sequence with
    appended padding give the same pooled real positions.
    """
    x = x.masked_fill(~mask[:, None, :], -math.inf)
    x = F.max_pool1d(x, factor, factor, ceil_mode=True)
    pooled_mask = F.max_pool1d(mask[:, None, :].float(), factor, factor, ceil_mode=True)[:, 0] > 0
    return x.masked_fill(~pooled_mask[:, None, :], 0.0), pooled_mask


def _masked_pool(x: Tensor, mask: Tensor, how: str, dim: int = 2) -> Tensor:
    """Global pooling of (N, C, L) (``dim=2``) or (N, L, C) (``dim=1``) over the real positions of
    mask (N, L) -> (N, C) or (N, 2C) for meanmax; 0 for a row with no real position."""
    if bool(mask.all()):  # no padding (every training batch of equal-length windows): no masking passes
        parts = [x.mean(dim=dim)] if how in ("mean", "meanmax") else []
        if how in ("max", "meanmax"):
            parts.append(x.amax(dim=dim))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
    m = mask[:, None, :] if dim == 2 else mask[:, :, None]
    count = m.sum(dim=dim).clamp_min(1).to(x.dtype)
    parts = []
    if how in ("mean", "meanmax"):
        parts.append((x * m.to(x.dtype)).sum(dim=dim) / count)
    if how in ("max", "meanmax"):
        mx = x.masked_fill(~m, -math.inf).amax(dim=dim)
        parts.append(torch.where(torch.isfinite(mx), mx, torch.zeros_like(mx)))
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
