"""Training configuration: frozen dataclasses, the one typed place where defaults live.

A config file (JSON) and command-line options use the same keys; unknown keys raise a
ConfigError naming them, and so does any numeric setting that is not finite or out of range
(checked when the config is built, before anything is written). The resolved config is written into every run folder and checkpoint.
Named budgets (presets) live in :mod:`dnaaug.train.presets`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from dnaaug.diffusion.families import check_family
from dnaaug.diffusion.masked import check_mask_range
from dnaaug.diffusion.masked_network import MaskedDenoiserConfig
from dnaaug.diffusion.network import DenoiserConfig
from dnaaug.diffusion.settings import DEFAULTS as SAMPLING, FAMILY_STRENGTH, SamplingConfig, check_sampling
from dnaaug.errors import ConfigError
from dnaaug.losses.kmer_target import MAX_K as KMER_TARGET_MAX_K
from dnaaug.models.encoder import EncoderConfig
from dnaaug.train.dataclass_io import check_numbers, check_positive, from_dict, merge, to_dict

LOSSES = ("soft", "infonce")


@dataclass(frozen=True)
class LossConfig:
    """A-step loss. ``soft``: soft contrastive (Student-t kernels, nu_p for targets, nu_q for the model);
    ``infonce``: NT-Xent with ``temperature``. See :class:`dnaaug.losses.SoftContrastiveLoss` for
    why these defaults (targets from median-rescaled distances, ~exp(-p_bandwidth) for a typical pair)."""

    name: str = "soft"
    temperature: float = 0.1
    nu_p: float = 100.0
    nu_q: float = 0.1
    p_bandwidth: float = 8.0

    def __post_init__(self):
        if self.name not in LOSSES:
            raise ConfigError(f"loss.name must be one of {', '.join(LOSSES)}, got {self.name!r}")
        check_numbers(self, "loss.")
        check_positive(self, ("temperature", "nu_p", "nu_q", "p_bandwidth"), "loss.")


@dataclass(frozen=True)
class DiffAugConfig:
    """The DiffAug loop (DIFFAUG.md "The loop"): budgets per phase and generator settings.

    Phases: warm-up A-step (``warmup_epochs``) then ``rounds`` x [B-step (``generator_epochs``),
    generate (``positives`` per sequence), A-step (``contrastive_epochs``)].
    ``strength`` < 1 starts sampling from the anchor noised to that level (SDEdit); 1.0 is the
    paper's pure-noise start (for the masked generator: the share of the anchor re-drawn, see
    ``generator`` below). The sampling settings (``sampler``, ``sampling_steps``, ``strength``,
    ``guidance``) take their defaults from :class:`dnaaug.diffusion.settings.SamplingConfig`;
    :meth:`sampling` gives them as one. ``candidates`` > 1 draws that many samples per kept positive
    and keeps the ones whose encoder embedding is closest to the anchor's (the semantic estimator
    as a filter; 1 = off).

    Denoiser conditioning (:class:`dnaaug.diffusion.network.DenoiserConfig`, :meth:`denoiser`):
    ``cond_mode`` ``"film"``, ``"film+input"``, ``"film+block"`` or ``"film+input+block"`` (default);
    ``cond_norm`` ``"none"`` or ``"layer"`` (default); ``cond_channels`` the width of the ``+input``
    channels. The default is the strongest path: on mouse_0 (cpu-small) it is the only one whose
    generator measurably uses its condition (true / null loss 0.935 at medium noise against 0.9998 for
    plain FiLM; docs/diffaug.md "Making the condition matter"). A bare :class:`DenoiserConfig` keeps plain
    FiLM so that generator checkpoints written before these keys existed load unchanged.

    ``diagnostics_sample``: anchors on which the bank diagnostics (k-mer JS, GC, identity,
    semantic consistency) run after every generate phase; 0 turns them off.

    ``condition_gap_sample``: training sequences (a fixed seeded subset) on which the condition-use
    diagnostic (true vs shuffled vs null condition loss per noise level) runs after every B-step;
    0 turns it off.

    ``generator``: the generator family. ``"gaussian"``: continuous diffusion over x0 = 2*onehot - 1
    (DDIM from the anchor noised to ``strength``). ``"masked"``: absorbing-state discrete diffusion
    (:mod:`dnaaug.diffusion.masked`): its B-step masks each known base with a rate drawn from
    [``mask_low``, ``mask_high``] and predicts the masked bases from the rest and the condition, which
    is the encoder's h of another view of the anchor (``cond_view``, an augmenter spec: by default a
    shift of up to 3 bases, so the condition cannot be a copy of the letters); sampling masks the share ``strength`` of
    the anchor in spans of ``span`` bases and refills it in ``sampling_steps`` steps with guidance
    ``guidance``. ``denoiser_channels`` and ``denoiser_depth`` size both families' denoisers.

    ``augment_generated``: pass a generated positive through the base augmenter too (so it is
    shifted, reverse-complemented and mutated like the base view), instead of using it raw.
    ``generated_augment``: an augmenter spec for the generated positive instead (for example
    ``rc+translocation:shift=10``: shifted and strand-flipped like the base views, with no
    mutation on top of the generator's edits); empty (default) means raw, or the base augmenter
    when ``augment_generated`` is set. The two are exclusive.
    """

    base_augment: str = "rc+translocation:shift=10+mutation:rate=0.05"
    warmup_epochs: int = 4
    rounds: int = 2
    generator_epochs: int = 6
    contrastive_epochs: int = 3
    positives: int = 2
    p_gen: float = 0.5
    augment_generated: bool = False
    generated_augment: str = ""
    sampler: str = SAMPLING.sampler
    sampling_steps: int = SAMPLING.steps
    strength: float | None = None  # None: the family's default (FAMILY_STRENGTH), resolved when built
    guidance: float = SAMPLING.guidance
    candidates: int = SAMPLING.candidates
    generator: str = "masked"
    span: int = SAMPLING.span
    mask_low: float = 0.5
    mask_high: float = 1.0
    # a shift, not a strand flip: h of the reverse complement carried less of the anchor (gate, mouse_0:
    # true/shuffled CE 0.963 with rc+translocation:shift=10 or rc, 0.938 with translocation:shift=3)
    cond_view: str = "translocation:shift=3"
    schedule: str = "cosine"
    diffusion_steps: int = 1000
    denoiser_channels: int = 64
    denoiser_depth: int = 4
    cond_dropout: float = 0.1
    cond_mode: str = "film+input+block"
    cond_norm: str = "layer"
    cond_channels: int = 8
    generator_lr: float = 1e-3
    generator_batch_size: int = 128
    ema_decay: float = 0.995
    diagnostics_sample: int = 512
    condition_gap_sample: int = 128

    # run folders written before the masked family existed: their generator was Gaussian
    LEGACY_DEFAULTS: ClassVar[dict[str, Any]] = {"generator": "gaussian", "span": SAMPLING.span, "mask_low": 0.5,
                                                 "mask_high": 1.0, "cond_view": "rc+translocation:shift=10"}

    def __post_init__(self):
        check_family(self.generator)
        if self.strength is None:  # the resolved config (config.json, checkpoints) holds the number
            object.__setattr__(self, "strength", FAMILY_STRENGTH[self.generator])
        check_numbers(self, "diffaug.")
        check_sampling(sampler=self.sampler, steps=self.sampling_steps, strength=self.strength,
                       guidance=self.guidance, eta=SAMPLING.eta, candidates=self.candidates, span=self.span,
                       name=lambda key: "diffaug." + {"steps": "sampling_steps"}.get(key, key))
        check_mask_range(self.mask_low, self.mask_high, "diffaug.mask_low and diffaug.mask_high")
        if self.generator == "masked":
            from dnaaug.augment.registry import parse

            try:
                parse(self.cond_view)
            except ConfigError as err:
                raise ConfigError(f"diffaug.cond_view: {err}") from None
        check_positive(self, ("generator_lr", "diffusion_steps", "denoiser_channels", "denoiser_depth",
                              "generator_batch_size"), "diffaug.")
        if not 0.0 <= self.ema_decay <= 1.0:
            raise ConfigError(f"diffaug.ema_decay must be in [0, 1], got {self.ema_decay}")
        if not 0.0 <= self.cond_dropout < 1.0:
            raise ConfigError(f"diffaug.cond_dropout must be in [0, 1), got {self.cond_dropout}")
        if self.augment_generated and self.generated_augment:
            raise ConfigError("diffaug.augment_generated and diffaug.generated_augment are exclusive: "
                              "set one (true = the base augmenter, a spec = that augmenter)")
        if not 0.0 <= self.p_gen <= 1.0:
            raise ConfigError(f"diffaug.p_gen must be in [0, 1], got {self.p_gen}")
        for name in ("warmup_epochs", "generator_epochs", "contrastive_epochs"):
            if getattr(self, name) < 0:
                raise ConfigError(f"diffaug.{name} must be >= 0")
        if self.rounds < 1 or self.positives < 1 or self.sampling_steps < 1:
            raise ConfigError("diffaug.rounds, diffaug.positives and diffaug.sampling_steps must be >= 1")
        if self.condition_gap_sample < 0 or self.condition_gap_sample == 1:
            raise ConfigError(f"diffaug.condition_gap_sample must be 0 (off) or >= 2, got {self.condition_gap_sample}")
        try:
            self.denoiser()
        except ConfigError as err:
            raise ConfigError(f"diffaug: {err}") from None

    def denoiser(self) -> DenoiserConfig:
        """The generator's denoiser settings (size and conditioning)."""
        return DenoiserConfig(channels=self.denoiser_channels, depth=self.denoiser_depth,
                              cond_dropout=self.cond_dropout, cond_mode=self.cond_mode, cond_norm=self.cond_norm,
                              cond_channels=self.cond_channels)

    def masked_denoiser(self) -> MaskedDenoiserConfig:
        """The masked generator's denoiser settings (its kernel and dilations are the family's own)."""
        return MaskedDenoiserConfig(channels=self.denoiser_channels, depth=self.denoiser_depth,
                                    cond_dropout=self.cond_dropout)

    def sampling(self) -> SamplingConfig:
        """The sampling settings of the bank (and of ``dnaaug augment`` on this run)."""
        return SamplingConfig(sampler=self.sampler, steps=self.sampling_steps, strength=self.strength,
                              guidance=self.guidance, candidates=self.candidates, span=self.span)


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs besides its input data.

    length:      model window in bases (None: the median input length, capped at 1024)
    augment:     augmenter spec (``rc+translocation:shift=20``) or ``diffaug`` for the DiffAug loop
    epochs:      contrastive epochs for a baseline-augmenter run (DiffAug uses its own phase budgets)
    val_size:    sequences held out (label-free) for choosing the ``best`` checkpoint; 0 disables
    compile:     wrap the training networks in ``torch.compile`` (worth it on GPU for long runs)
    lr_schedule: ``constant`` or ``cosine`` (linear warm-up over the first ``lr_warmup`` share of the
                 encoder steps, then cosine decay to 1 % of ``lr``; see :mod:`dnaaug.train.lr_schedule`)
    encoder_ema: decay of an exponential moving average of the encoder's weights, updated after every
                 encoder step (with warm-up: the effective decay after n steps is
                 min(decay, (1 + n) / (10 + n)), so a short run averages about its last tenth).
                 When > 0 the average is the run's encoder: the one exported, validated, and used as
                 the generator's condition; the optimiser trains a live copy. 0 (default): off.
    kmer_loss:   weight of the k-mer target loss added to every A-step (0 = off): each view's h
                 regresses the anchor's standardised canonical k-mer spectrum, k = 1 .. ``kmer_loss_k``,
                 through a linear head (:mod:`dnaaug.losses.kmer_target`), so composition stays
                 readable in h next to what the contrastive loss learns.
    kmer_loss_k: largest k of that loss (1..8).
    """

    tokenizer: str = "onehot"
    length: int | None = None
    augment: str = "rc+translocation:shift=10"
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    lr_schedule: str = "constant"
    lr_warmup: float = 0.05
    weight_decay: float = 1e-4
    encoder_ema: float = 0.0
    kmer_loss: float = 0.0
    kmer_loss_k: int = 6
    projection_dim: int = 128
    loss: LossConfig = field(default_factory=LossConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    diffaug: DiffAugConfig = field(default_factory=DiffAugConfig)
    val_size: int = 256
    log_every: int = 50
    save_every_epoch: bool = False
    compile: bool = False
    seed: int = 0

    def __post_init__(self):
        check_numbers(self, signed=frozenset({"seed"}))  # every numeric setting, nested ones and fields added later included
        if self.length is not None and self.length < 8:
            raise ConfigError(f"length must be >= 8, got {self.length}")
        if self.epochs < 0 or self.batch_size < 2:
            raise ConfigError("epochs must be >= 0 and batch_size >= 2")
        if self.lr <= 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ConfigError(f"lr_schedule must be constant or cosine, got {self.lr_schedule!r}")
        if not 0.0 <= self.lr_warmup < 1.0:
            raise ConfigError(f"lr_warmup must be in [0, 1), got {self.lr_warmup}")
        if not 0.0 <= self.encoder_ema < 1.0:
            raise ConfigError(f"encoder_ema must be in [0, 1) (0 = off), got {self.encoder_ema}")
        if self.kmer_loss < 0:
            raise ConfigError(f"kmer_loss must be >= 0 (0 = off), got {self.kmer_loss}")
        if not 1 <= self.kmer_loss_k <= KMER_TARGET_MAX_K:
            raise ConfigError(f"kmer_loss_k must be in 1..{KMER_TARGET_MAX_K}, got {self.kmer_loss_k}")
        check_positive(self, ("projection_dim", "log_every"))

    @property
    def uses_diffaug(self) -> bool:
        return self.augment.strip() == "diffaug"

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, require_all: bool = False) -> "TrainConfig":
        return from_dict(cls, data, require_all=require_all)

    def updated(self, overrides: dict[str, Any]) -> "TrainConfig":
        """A new config with nested overrides applied (keys checked). A change of ``diffaug.generator``
        without a ``diffaug.strength`` takes the new family's default strength."""
        data = merge(self.to_dict(), overrides)
        section = overrides.get("diffaug")
        if (isinstance(section, dict) and "strength" not in section
                and section.get("generator", self.diffaug.generator) != self.diffaug.generator):
            data["diffaug"]["strength"] = None
        return TrainConfig.from_dict(data)

    def with_length(self, length: int) -> "TrainConfig":
        return replace(self, length=length)


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a JSON config file into a dict (ConfigError on bad JSON, naming file and line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config ({err.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}: line {err.lineno}, column {err.colno}: invalid JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a JSON object")
    data.pop("dnaaug_version", None)
    return data
