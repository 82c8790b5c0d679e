"""The conditional generator: a denoiser plus its noise schedule, with the B-step training loss.

Sequences live in continuous space x0 = 2 * onehot - 1 (bases at +1, other channels at -1). The loss
is the paper's epsilon prediction, || eps - g(sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t, c) ||^2, with
t uniform and the condition dropped (replaced by the learned null) with probability ``cond_dropout``.
"""

from __future__ import annotations

import torch
from torch import nn

from dnaaug.errors import CheckpointError, InputError
from .checks import check_batch, check_cond, check_mask, rand, randn
from .network import ConditionalDenoiser, DenoiserConfig
from .schedule import NoiseSchedule, ScheduleConfig


class ConditionalGenerator(nn.Module):
    """Holds ``denoiser`` (a :class:`ConditionalDenoiser`) and ``schedule`` (a :class:`NoiseSchedule`).

    ``state_dict()`` holds the denoiser weights only (the schedule is rebuilt from its config);
    :meth:`config_dict` gives the plain-data settings needed to rebuild the module.
    Sampling goes through :func:`dnaaug.diffusion.sampling.sample_positives`.
    """

    def __init__(self, denoiser: ConditionalDenoiser, schedule: NoiseSchedule | None = None):
        super().__init__()
        self.denoiser = denoiser
        self.schedule = schedule if schedule is not None else NoiseSchedule()

    @classmethod
    def build(cls, cond_dim: int, denoiser: DenoiserConfig | None = None,
              schedule: ScheduleConfig | None = None) -> "ConditionalGenerator":
        """A generator with a fresh denoiser of the given size (defaults: 4 blocks x 64 channels)."""
        return cls(ConditionalDenoiser.from_config(cond_dim, denoiser), NoiseSchedule(schedule))

    def config_dict(self) -> dict:
        """Plain data {"cond_dim", "denoiser": {...}, "schedule": {...}}; see :meth:`from_config_dict`."""
        return {"cond_dim": self.denoiser.cond_dim, "denoiser": self.denoiser.config.to_dict(),
                "schedule": self.schedule.config.to_dict()}

    @classmethod
    def from_config_dict(cls, data: dict) -> "ConditionalGenerator":
        try:
            return cls.build(int(data["cond_dim"]), DenoiserConfig(**data["denoiser"]),
                             ScheduleConfig(**data["schedule"]))
        except (KeyError, TypeError) as err:
            raise CheckpointError(f"generator config is incomplete or has unknown keys: {err}") from None

    @property
    def cond_dropout(self) -> float:
        return self.denoiser.cond_dropout

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None,
                mask: torch.Tensor | None = None, drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """The denoiser's eps_hat (N, 4, L); see :meth:`ConditionalDenoiser.forward`."""
        return self.denoiser(x_t, t, cond, mask=mask, drop_cond=drop_cond)

    def loss(self, x_onehot: torch.Tensor, cond: torch.Tensor, *, generator: torch.Generator,
             mask: torch.Tensor | None = None) -> torch.Tensor:
        """Epsilon-prediction MSE, a scalar: mean over the 4 channels of the real (unmasked) positions.

        Args:
            x_onehot: (N, 4, L) one-hot batch (IUPAC fractional columns allowed).
            cond: (N, C) conditions, normally the frozen encoder's embeddings (detached here).
            generator: draws t, the noise and the condition dropout, in that order.
            mask: (N, L) bool, True = real base.
        """
        check_batch(x_onehot, "x_onehot")
        n, _, length = x_onehot.shape
        check_cond(cond, n, self.denoiser.cond_dim)
        check_mask(mask, n, length)
        if generator is None:
            raise InputError("the generator loss needs an explicit torch.Generator")
        device = x_onehot.device
        x0 = 2.0 * x_onehot - 1.0
        t = self.schedule.sample_timesteps(n, generator, device)
        noise = randn((n, 4, length), generator, device, x0.dtype)
        drop = rand((n,), generator, device) < self.cond_dropout
        x_t = self.schedule.add_noise(x0, noise, t)
        eps_hat = self.denoiser(x_t, t, cond.detach(), mask=mask, drop_cond=drop)
        err = (eps_hat - noise).pow(2)
        if mask is None:
            return err.mean()
        keep = mask[:, None, :].to(err.dtype)
        return (err * keep).sum() / (keep.sum() * 4).clamp(min=1.0)
