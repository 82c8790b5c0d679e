"""Reverse-process samplers (DDIM, DDPM ancestral) as plain functions over (network, schedule, condition).

Both start from pure noise at t = T-1 (the paper's choice) or, given ``init`` and ``strength`` < 1,
from the anchor noised to t = round(strength * T) (SDEdit, Meng et al. 2022): fewer steps, samples
closer to the anchor. These are the primitives; training, the augmenter and ``dnaaug augment`` go
through :func:`dnaaug.diffusion.sampling.sample_positives`, and keyword defaults come from
:class:`dnaaug.diffusion.settings.SamplingConfig`. Classifier-free guidance mixes the conditional and unconditional noise
predictions: eps = eps_uncond + w * (eps_cond - eps_uncond). Every random draw comes from
``generator`` (on its own device), so a seed fixes the output. The network must be free of
train/eval-dependent layers (the default denoiser is), so no mode is switched here.
"""

from __future__ import annotations

from typing import Callable

import torch

from dnaaug.errors import InputError

from .checks import check_batch, check_cond, check_mask, randn
from .schedule import NoiseSchedule
from .settings import DEFAULTS

Denoiser = Callable[..., torch.Tensor]  # (x_t, t, cond, mask=, drop_cond=) -> eps_hat (N, 4, L)


def guided_eps(net: Denoiser, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None,
               mask: torch.Tensor | None, guidance: float) -> torch.Tensor:
    """Classifier-free guided noise prediction (N, 4, L).

    guidance = 1: the conditional pass only; 0 or no condition: the unconditional pass only;
    otherwise both in one doubled batch.
    """
    if cond is None:
        return net(x_t, t, None, mask=mask, drop_cond=None)
    if guidance == 0.0:
        drop_all = torch.ones(x_t.shape[0], dtype=torch.bool, device=x_t.device)
        return net(x_t, t, cond, mask=mask, drop_cond=drop_all)
    if guidance == 1.0:
        return net(x_t, t, cond, mask=mask, drop_cond=None)
    n = x_t.shape[0]
    drop = torch.cat([torch.zeros(n, dtype=torch.bool), torch.ones(n, dtype=torch.bool)]).to(x_t.device)
    both = net(torch.cat([x_t, x_t]), torch.cat([t, t]), torch.cat([cond, cond]),
               mask=None if mask is None else torch.cat([mask, mask]), drop_cond=drop)
    eps_cond, eps_uncond = both[:n], both[n:]
    return eps_uncond + guidance * (eps_cond - eps_uncond)


def _start(schedule: NoiseSchedule, cond: torch.Tensor | None, *, length: int, steps: int,
           generator: torch.Generator, mask: torch.Tensor | None, init: torch.Tensor | None,
           strength: float | None, device: torch.device | str | None
           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Shared set-up: (x_T or the noised anchor (N, 4, L), timesteps (S',) descending, keep (N,1,L))."""
    if generator is None:
        raise InputError("samplers need an explicit torch.Generator")
    if not isinstance(length, int) or length < 1:
        raise InputError(f"length must be a positive integer, got {length!r}")
    if strength is None:
        if init is not None:
            raise InputError("an init batch needs a strength in (0, 1] (the noise level to start from)")
        strength = 1.0
    if not (0.0 < strength <= 1.0):
        raise InputError(f"strength must be in (0, 1], got {strength}")
    if init is not None:
        check_batch(init, "init")
        if init.shape[2] != length:
            raise InputError(f"init has length {init.shape[2]}, expected {length}")
    n = (cond.shape[0] if cond is not None else init.shape[0] if init is not None
         else mask.shape[0] if mask is not None else None)
    if n is None:
        raise InputError("give a condition, an init batch or a mask to fix the number of samples")
    check_cond(cond, n)
    check_mask(mask, n, length)
    if init is not None and init.shape[0] != n:
        raise InputError(f"init has {init.shape[0]} sequences, cond has {n}")
    if device is None:
        device = (cond.device if cond is not None else init.device if init is not None else mask.device)
    keep = None if mask is None else mask[:, None, :].to(device=device, dtype=torch.float32)
    noise = randn((n, 4, length), generator, device)
    if init is None or strength >= 1.0:
        timesteps = schedule.ddim_timesteps(steps)
        x = noise
    else:
        t_start = schedule.start_timestep(strength)
        # the remaining share of the S-step budget, at least one step
        timesteps = schedule.ddim_timesteps(max(1, round(steps * strength)), t_start=t_start)
        x0 = 2.0 * init.to(device=device, dtype=torch.float32) - 1.0
        x = schedule.add_noise(x0, noise, torch.full((n,), t_start, dtype=torch.long, device=device))
    if keep is not None:
        x = x * keep
    return x, timesteps.to(device), keep


def _run(net: Denoiser, schedule: NoiseSchedule, cond, *, length, steps, guidance, generator, mask, init,
         strength, device, step_fn) -> torch.Tensor:
    x, timesteps, keep = _start(schedule, cond, length=length, steps=steps, generator=generator, mask=mask,
                                init=init, strength=strength, device=device)
    n = x.shape[0]
    cond = None if cond is None else cond.to(x.device)
    mask = None if mask is None else mask.to(x.device)
    x0 = x
    for i, t_now in enumerate(timesteps.tolist()):
        t_prev = timesteps[i + 1].item() if i + 1 < len(timesteps) else -1
        t = torch.full((n,), t_now, dtype=torch.long, device=x.device)
        tp = torch.full((n,), t_prev, dtype=torch.long, device=x.device)
        eps = guided_eps(net, x, t, cond, mask, guidance)
        x, x0 = step_fn(x, eps, t, tp)
        if keep is not None:
            x = x * keep
    out = x0 if keep is None else x0 * keep
    return out


@torch.no_grad()
def ddim_sample(net: Denoiser, schedule: NoiseSchedule, cond: torch.Tensor | None, *, length: int,
                steps: int = DEFAULTS.steps, eta: float = DEFAULTS.eta, guidance: float = DEFAULTS.guidance,
                generator: torch.Generator, mask: torch.Tensor | None = None, init: torch.Tensor | None = None,
                strength: float | None = None,
                device: torch.device | str | None = None) -> torch.Tensor:
    """DDIM sampling (Song et al. 2021) with ``steps`` strided steps.

    Args:
        net: the denoiser, called as net(x_t (N,4,L), t (N,), cond (N,C)|None, mask=, drop_cond=).
        schedule: the noise schedule the net was trained with.
        cond: (N, C) conditions (None: unconditional; N then comes from init or mask).
        length: L. eta: 0 deterministic given the start, 1 DDPM-like variance.
        guidance: classifier-free guidance scale w (1 = plain conditional).
        generator: every random draw comes from it.
        mask: (N, L) bool, True = real base; padding stays 0.
        init, strength: (N, 4, L) one-hot anchors and the noise level in (0, 1] to start from
            (an init needs a strength); strength = 1 or init None: pure noise.
    Returns:
        x0 (N, 4, L), continuous in [-1, 1] (0 at padding); discretise with :func:`to_onehot`.
    """
    if eta < 0:
        raise InputError(f"eta must be >= 0, got {eta}")

    def step(x, eps, t, tp):
        return schedule.ddim_step(x, eps, t, tp, eta=eta, generator=generator)

    return _run(net, schedule, cond, length=length, steps=steps, guidance=guidance, generator=generator,
                mask=mask, init=init, strength=strength, device=device, step_fn=step)


@torch.no_grad()
def ddpm_sample(net: Denoiser, schedule: NoiseSchedule, cond: torch.Tensor | None, *, length: int,
                steps: int | None = None, guidance: float = DEFAULTS.guidance, generator: torch.Generator,
                mask: torch.Tensor | None = None, init: torch.Tensor | None = None, strength: float | None = None,
                device: torch.device | str | None = None) -> torch.Tensor:
    """DDPM ancestral sampling (Ho et al. 2020); ``steps`` None runs all T steps, fewer respaces them.

    Arguments and result as :func:`ddim_sample`.
    """
    steps = schedule.num_train_steps if steps is None else steps

    def step(x, eps, t, tp):
        return schedule.ddpm_step(x, eps, t, tp, generator=generator)

    return _run(net, schedule, cond, length=length, steps=steps, guidance=guidance, generator=generator,
                mask=mask, init=init, strength=strength, device=device, step_fn=step)


def to_onehot(x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Argmax over the 4 channels -> float32 one-hot (N, 4, L); padding columns (mask False) are 0."""
    check_batch(x, "x")
    check_mask(mask, x.shape[0], x.shape[2])
    out = torch.zeros_like(x, dtype=torch.float32)
    out.scatter_(1, x.argmax(dim=1, keepdim=True), 1.0)
    if mask is not None:
        out = out * mask[:, None, :].to(out.device, out.dtype)
    return out
