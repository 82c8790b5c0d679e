"""The one sampling route: settings (:class:`SamplingConfig`) and the entry point :func:`sample_positives`.

The positive bank of the DiffAug loop, :class:`~dnaaug.diffusion.augmenter.DiffusionAugmenter` and
``dnaaug augment RUN_DIR`` all sample through :func:`sample_positives`, so for the same model,
anchors, settings and generator they give the same positives. The defaults of every sampling
setting live once, in :class:`SamplingConfig`; ``DiffAugConfig`` and the augmenter take theirs
from it.

:func:`sample_positives` is where a selection of the samples belongs (for example drawing several
candidates per anchor and keeping those whose embedding is closest to the anchor's): it holds the
anchors, their conditions and the condition function that embeds any candidate.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

import torch

from dnaaug.errors import InputError

from .candidate_filter import FilterStats, candidate_cosines, closest_index
from .checks import check_batch, check_mask
from .families import family_of
from .samplers import Denoiser, ddim_sample, ddpm_sample, to_onehot
from .schedule import NoiseSchedule
from .settings import DEFAULTS, SamplingConfig, check_sampling

if TYPE_CHECKING:
    from .generator import ConditionalGenerator
    from .masked import MaskedGenerator

ConditionFn = Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]  # (x, mask) -> (N, C)
__all__ = ["DEFAULTS", "ConditionFn", "FilterStats", "SamplingConfig", "check_sampling", "sample_positives",
           "sample_x0"]


def sample_x0(net: Denoiser, schedule: NoiseSchedule, cond: torch.Tensor | None, *, length: int,
              settings: SamplingConfig, generator: torch.Generator, mask: torch.Tensor | None = None,
              init: torch.Tensor | None = None, device: torch.device | str | None = None) -> torch.Tensor:
    """Continuous x0 (N, 4, L) by the sampler of ``settings`` (the one DDIM/DDPM dispatch).

    ``init`` (N, 4, L) one-hot anchors are the start only when ``settings.strength`` < 1; otherwise
    sampling starts from pure noise. Arguments otherwise as :func:`~dnaaug.diffusion.samplers.ddim_sample`.
    """
    start = init if settings.strength < 1.0 else None
    strength = settings.strength if start is not None else None
    kwargs = dict(length=length, steps=settings.steps, guidance=settings.guidance, generator=generator,
                  mask=mask, init=start, strength=strength, device=device)
    if settings.sampler == "ddim":
        return ddim_sample(net, schedule, cond, eta=settings.eta, **kwargs)
    return ddpm_sample(net, schedule, cond, **kwargs)


@torch.no_grad()
def sample_positives(model: "ConditionalGenerator | MaskedGenerator", anchors: torch.Tensor, mask: torch.Tensor | None, *,
                     condition: ConditionFn, settings: SamplingConfig, generator: torch.Generator,
                     k: int = 1, stats: FilterStats | None = None) -> torch.Tensor:
    """K one-hot positives per anchor, conditioned on the anchor's embedding.

    Args:
        model: the conditional generator (normally carrying the EMA weights), in eval mode: Gaussian
            (DDIM/DDPM from the anchor noised to ``settings.strength``) or masked (spans covering the
            share ``settings.strength`` of the anchor refilled in ``settings.steps`` steps).
        anchors: (N, 4, L) one-hot anchors (on any device; sampling runs on the model's device).
        mask: (N, L) bool, True = real base, or None (all real).
        condition: (x, mask) -> (N, C), the frozen encoder's normalised embedding.
        settings: sampler, steps, strength, guidance, eta.
        generator: every random draw comes from it.
        k: positives per anchor.
        stats: where the candidate filter (``settings.candidates`` > 1) records its cost and cosines.
    With ``settings.candidates`` = M > 1, M * k samples are drawn per anchor, embedded by ``condition``
    and the k with the highest cosine to the anchor's condition are kept, best first. With M = 1 no
    extra draw or embedding happens.
    Returns:
        (N*K, 4, L) float32 one-hot on the model's device, grouped by anchor (rows i*K .. i*K+K-1
        belong to anchor i); padding columns are all-zero.
    """
    check_batch(anchors, "anchors")
    n, _, length = anchors.shape
    check_mask(mask, n, length)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k (positives per anchor) must be an integer >= 1, got {k!r}")
    cond = condition(anchors, mask)
    if not isinstance(cond, torch.Tensor) or cond.dim() != 2 or cond.shape[0] != n:
        raise InputError(f"condition_fn must return a tensor of shape ({n}, C)")
    device = next(model.parameters()).device
    draws = k * settings.candidates
    anchor_cond = cond.detach().to(device=device, dtype=torch.float32)
    cond = anchor_cond.repeat_interleave(draws, dim=0)
    m = None if mask is None else mask.to(device).repeat_interleave(draws, dim=0)
    init = anchors.to(device).repeat_interleave(draws, dim=0)
    if family_of(model) == "masked":
        views = model.refill(init, m, cond, share=settings.strength, span=settings.span, steps=settings.steps,
                             guidance=settings.guidance, generator=generator)
    else:
        x0 = sample_x0(model.denoiser, model.schedule, cond, length=length, settings=settings,
                       generator=generator, mask=m, init=init, device=device)
        views = to_onehot(x0, m)
    if settings.candidates == 1:
        return views
    started = time.perf_counter()
    cand_emb = condition(views, m)
    if not isinstance(cand_emb, torch.Tensor) or tuple(cand_emb.shape[:1]) != (n * draws,):
        raise InputError(f"condition_fn must return a tensor of shape ({n * draws}, C)")
    cand_emb = cand_emb.detach().to(device=device, dtype=torch.float32).reshape(n, draws, -1)
    idx = closest_index(cand_emb, anchor_cond, k)
    kept = views.reshape(n, draws, 4, length).gather(1, idx[:, :, None, None].expand(-1, -1, 4, length))
    if stats is not None:
        stats.add(candidate_cosines(cand_emb, anchor_cond), idx, time.perf_counter() - started)
    return kept.reshape(n * k, 4, length)
