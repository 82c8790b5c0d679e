"""Noise schedules of the forward diffusion process (linear and cosine betas) and their step maths.

The schedule is an ``nn.Module`` only so that ``.to(device)`` moves its tables; the tables are
non-persistent buffers (rebuilt from the config, never stored in checkpoints).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from dnaaug.errors import ConfigError, InputError

from .checks import randn

COSINE_OFFSET = 0.008  # Nichol & Dhariwal 2021: keeps betas near t=0 from being too small
MAX_BETA = 0.999  # clip of the cosine betas near t=T (avoids a singular last step)


@dataclass(frozen=True)
class ScheduleConfig:
    """Noise schedule settings.

    kind: "linear" (betas from beta_start to beta_end) or "cosine" (Nichol & Dhariwal; ignores the betas).
    num_train_steps: T, the number of diffusion steps of training.
    """

    kind: str = "cosine"
    num_train_steps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 0.02

    def __post_init__(self):
        if self.kind not in ("linear", "cosine"):
            raise ConfigError(f"schedule kind must be 'linear' or 'cosine', got {self.kind!r}")
        if not isinstance(self.num_train_steps, int) or self.num_train_steps < 2:
            raise ConfigError(f"num_train_steps must be an integer >= 2, got {self.num_train_steps!r}")
        if not (0.0 < self.beta_start <= self.beta_end < 1.0):
            raise ConfigError("betas must satisfy 0 < beta_start <= beta_end < 1, got "
                              f"{self.beta_start}, {self.beta_end}")

    def to_dict(self) -> dict:
        return asdict(self)


def make_betas(config: ScheduleConfig) -> torch.Tensor:
    """Betas (T,) in float64 for the configured kind."""
    steps = config.num_train_steps
    if config.kind == "linear":
        return torch.linspace(config.beta_start, config.beta_end, steps, dtype=torch.float64)
    # cosine: abar(t) = f(t)/f(0), f(t) = cos^2(((t/T) + s)/(1 + s) * pi/2); betas from its ratios
    grid = torch.arange(steps + 1, dtype=torch.float64) / steps
    f = torch.cos((grid + COSINE_OFFSET) / (1 + COSINE_OFFSET) * math.pi / 2) ** 2
    abar = f / f[0]
    return (1 - abar[1:] / abar[:-1]).clamp(max=MAX_BETA)


class NoiseSchedule(nn.Module):
    """Forward process q(x_t | x0) = N(sqrt(abar_t) x0, (1 - abar_t) I), t in [0, T).

    Attributes (float32 buffers of shape (T,), computed in float64): ``betas``, ``alphas``,
    ``alphas_cumprod``.
    """

    def __init__(self, config: ScheduleConfig | None = None):
        super().__init__()
        self.config = config or ScheduleConfig()
        betas = make_betas(self.config)
        alphas = 1.0 - betas
        alphas_cumprod = torch.cumprod(alphas, dim=0)
        self.register_buffer("betas", betas.float(), persistent=False)
        self.register_buffer("alphas", alphas.float(), persistent=False)
        self.register_buffer("alphas_cumprod", alphas_cumprod.float(), persistent=False)

    @property
    def num_train_steps(self) -> int:
        return self.config.num_train_steps

    def __len__(self) -> int:
        return self.config.num_train_steps

    def abar(self, t: torch.Tensor) -> torch.Tensor:
        """alphas_cumprod at t (N,) as (N, 1, 1); t = -1 means the clean end (abar = 1)."""
        table = self.alphas_cumprod
        idx = t.to(table.device)
        values = torch.where(idx >= 0, table[idx.clamp(min=0)], torch.ones((), device=table.device))
        return values.to(t.device).view(-1, 1, 1)

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise.

        x0, noise: (N, ...); t: (N,) long in [0, T). Returns (N, ...) like x0.
        """
        if x0.shape != noise.shape:
            raise InputError(f"noise shape {tuple(noise.shape)} differs from x0 shape {tuple(x0.shape)}")
        t = self._check_t(t, x0.shape[0])
        abar = self.alphas_cumprod.to(x0.device)[t.to(x0.device)].to(x0.dtype)
        abar = abar.view(-1, *([1] * (x0.dim() - 1)))
        return abar.sqrt() * x0 + (1 - abar).sqrt() * noise

    def sample_timesteps(self, n: int, generator: torch.Generator,
                         device: torch.device | str | None = None) -> torch.Tensor:
        """n timesteps uniform on [0, T) as a long tensor (n,), drawn on the generator's device."""
        t = torch.randint(0, self.num_train_steps, (n,), generator=generator, device=generator.device)
        return t.to(device) if device is not None else t

    def start_timestep(self, strength: float) -> int:
        """The timestep round(strength * T), clipped to [0, T-1], where an SDEdit start is noised to."""
        if not (0.0 < strength <= 1.0):
            raise InputError(f"strength must be in (0, 1], got {strength}")
        return min(int(round(strength * self.num_train_steps)), self.num_train_steps - 1)

    def ddim_timesteps(self, steps: int, t_start: int | None = None) -> torch.Tensor:
        """Descending timesteps (S',) for a strided sampler, from ``t_start`` (default T-1) to 0.

        Evenly spaced and rounded ("trailing" spacing: the first step is at the start level itself,
        the last at t=0). S' = min(steps, t_start + 1).
        """
        if not isinstance(steps, int) or steps < 1:
            raise InputError(f"steps must be a positive integer, got {steps!r}")
        t_start = self.num_train_steps - 1 if t_start is None else int(t_start)
        if not (0 <= t_start < self.num_train_steps):
            raise InputError(f"t_start must be in [0, {self.num_train_steps}), got {t_start}")
        steps = min(steps, t_start + 1)
        if steps == 1:
            return torch.tensor([t_start], dtype=torch.long)
        grid = torch.linspace(t_start, 0, steps, dtype=torch.float64).round().long()
        return grid

    # --- one reverse step, t -> t_prev (t_prev = -1: the clean end) --------------------------------

    def predict_x0(self, x_t: torch.Tensor, eps: torch.Tensor, t: torch.Tensor,
                   clip: bool = True) -> torch.Tensor:
        """x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clipped to [-1, 1] by default."""
        abar = self.abar(t).to(x_t.dtype)
        x0 = (x_t - (1 - abar).sqrt() * eps) / abar.sqrt()
        return x0.clamp(-1.0, 1.0) if clip else x0

    def ddim_step(self, x_t: torch.Tensor, eps: torch.Tensor, t: torch.Tensor, t_prev: torch.Tensor, *,
                  eta: float = 0.0, generator: torch.Generator | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
        """DDIM update (Song et al. 2021, eq. 12). x_t, eps: (N, 4, L); t, t_prev: (N,) long.

        Returns (x_{t_prev}, x0_hat). eta = 0 is deterministic; eta = 1 matches DDPM's variance.
        The eps is recomputed from the clipped x0_hat so both stay consistent.
        """
        abar_t = self.abar(t).to(x_t.dtype)
        abar_prev = self.abar(t_prev).to(x_t.dtype)
        x0 = self.predict_x0(x_t, eps, t)
        eps = (x_t - abar_t.sqrt() * x0) / (1 - abar_t).sqrt()
        sigma = eta * ((1 - abar_prev) / (1 - abar_t) * (1 - abar_t / abar_prev)).clamp(min=0).sqrt()
        direction = (1 - abar_prev - sigma ** 2).clamp(min=0).sqrt() * eps
        x_prev = abar_prev.sqrt() * x0 + direction
        if eta > 0:
            if generator is None:
                raise InputError("ddim_step with eta > 0 needs a generator")
            x_prev = x_prev + sigma * randn(tuple(x_t.shape), generator, x_t.device, x_t.dtype)
        return x_prev, x0

    def ddpm_step(self, x_t: torch.Tensor, eps: torch.Tensor, t: torch.Tensor, t_prev: torch.Tensor, *,
                  generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Ancestral step from the posterior q(x_{t_prev} | x_t, x0_hat) (Ho et al. 2020, eq. 7).

        With t_prev < t - 1 the betas are respaced (Nichol & Dhariwal 2021):
        beta' = 1 - abar_t / abar_prev. Returns (x_{t_prev}, x0_hat); no noise is added when
        t_prev = -1.
        """
        abar_t = self.abar(t).to(x_t.dtype)
        abar_prev = self.abar(t_prev).to(x_t.dtype)
        beta = 1 - abar_t / abar_prev
        x0 = self.predict_x0(x_t, eps, t)
        coef_x0 = abar_prev.sqrt() * beta / (1 - abar_t)
        coef_xt = (1 - beta).sqrt() * (1 - abar_prev) / (1 - abar_t)
        mean = coef_x0 * x0 + coef_xt * x_t
        var = (beta * (1 - abar_prev) / (1 - abar_t)).clamp(min=0)
        noise = randn(tuple(x_t.shape), generator, x_t.device, x_t.dtype)
        return mean + var.sqrt() * noise, x0

    @staticmethod
    def _check_t(t: torch.Tensor, n: int) -> torch.Tensor:
        if not isinstance(t, torch.Tensor) or t.dtype not in (torch.long, torch.int32, torch.int64):
            raise InputError("t must be an integer tensor of shape (N,)")
        if t.dim() == 0:
            t = t.expand(n)
        if tuple(t.shape) != (n,):
            raise InputError(f"t must have shape ({n},), got {tuple(t.shape)}")
        return t.long()
