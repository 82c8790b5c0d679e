"""The whole diffusion generator of DiffAug, one package:

Two generator families behind one interface (:mod:`.families`): ``gaussian`` (continuous diffusion,
the paper's) and ``masked`` (absorbing-state discrete diffusion).

- :mod:`.network`:        the conditional denoiser (residual dilated CNN with FiLM conditioning)
- :mod:`.schedule`:       the noise process (beta schedule, forward noising, DDIM/DDPM steps)
- :mod:`.generator`:      denoiser + schedule as one module, with the B-step loss; :mod:`.ema`
- :mod:`.masked_network`, :mod:`.masked`: the masked family's denoiser and generator (loss, refill)
- :mod:`.families`:       family names, and rebuilding either family from a checkpoint's config
- :mod:`.samplers`:       reverse-process primitives (DDIM, DDPM) and argmax discretisation
- :mod:`.settings`:       :class:`SamplingConfig`, the one place for sampling defaults
- :mod:`.sampling`:       :func:`sample_positives`, the one sampling entry point
- :mod:`.generator_step`: one B-step (generator training step), explicit arguments
- :mod:`.bank_fill`:      sampling the positive bank batch by batch, explicit arguments
- :mod:`.augmenter`:      the diffusion augmenter (Augmenter protocol); :mod:`.diagnostics`
- :mod:`.condition_use`, :mod:`.masked_condition_use`: does a generator use its condition?

Nothing here imports :mod:`dnaaug.models` or :mod:`dnaaug.train`.
"""

from __future__ import annotations

from .augmenter import DiffusionAugmenter
from .ema import EMA
from .families import GENERATORS, family_of, generator_from_config_dict
from .generator import ConditionalGenerator
from .masked import MaskedGenerator
from .masked_network import MaskedDenoiser, MaskedDenoiserConfig
from .network import ConditionalDenoiser, DenoiserConfig
from .samplers import ddim_sample, ddpm_sample, to_onehot
from .sampling import sample_positives, sample_x0
from .schedule import NoiseSchedule, ScheduleConfig
from .settings import SamplingConfig

__all__ = ["EMA", "GENERATORS", "ConditionalDenoiser", "ConditionalGenerator", "DenoiserConfig", "DiffusionAugmenter",
           "MaskedDenoiser", "MaskedDenoiserConfig", "MaskedGenerator", "family_of", "generator_from_config_dict",
           "NoiseSchedule", "SamplingConfig", "ScheduleConfig", "ddim_sample", "ddpm_sample", "sample_positives",
           "sample_x0", "to_onehot"]
