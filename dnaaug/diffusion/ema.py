"""Exponential moving average of a model's weights (the copy the generator samples with)."""

from __future__ import annotations

import torch
from torch import nn

from dnaaug.errors import CheckpointError, ConfigError


class EMA:
    """shadow <- decay * shadow + (1 - decay) * weights, over parameters and floating buffers.

    With ``warmup`` the effective decay is min(decay, (1 + n) / (10 + n)) after n updates, so the
    average is not dominated by the random initial weights early in training. Non-floating buffers
    are copied as they are.
    """

    def __init__(self, model: nn.Module, decay: float = 0.999, *, warmup: bool = True):
        if not (0.0 <= decay < 1.0):
            raise ConfigError(f"EMA decay must be in [0, 1), got {decay}")
        self.decay = decay
        self.warmup = warmup
        self.num_updates = 0
        self.shadow: dict[str, torch.Tensor] = {
            name: value.detach().clone() for name, value in model.state_dict().items()}

    def current_decay(self) -> float:
        if not self.warmup:
            return self.decay
        return min(self.decay, (1 + self.num_updates) / (10 + self.num_updates))

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Move the average one step towards ``model``'s current weights."""
        decay = self.current_decay()
        for name, value in model.state_dict().items():
            shadow = self.shadow[name]
            if shadow.device != value.device:
                shadow = self.shadow[name] = shadow.to(value.device)
            if value.is_floating_point():
                shadow.lerp_(value.detach(), 1.0 - decay)
            else:
                shadow.copy_(value)
        self.num_updates += 1

    @torch.no_grad()
    def sync_buffers(self, model: nn.Module, names: tuple[str, ...]) -> None:
        """Set the shadow of the named tensors to ``model``'s current values (not averaged): for
        statistics that the model's owner sets, such as a condition's standardisation."""
        state = model.state_dict()
        for name in names:
            self.shadow[name] = state[name].detach().clone().to(self.shadow[name].device)

    @torch.no_grad()
    def copy_to(self, model: nn.Module) -> None:
        """Load the averaged weights into ``model`` (same architecture)."""
        model.load_state_dict(self.shadow)

    def state_dict(self) -> dict:
        """Plain data: decay, warmup, num_updates and the shadow tensors (weights_only-loadable)."""
        return {"decay": self.decay, "warmup": self.warmup, "num_updates": self.num_updates,
                "shadow": {k: v.clone() for k, v in self.shadow.items()}}

    def load_state_dict(self, state: dict) -> None:
        try:
            shadow = state["shadow"]
            missing = set(self.shadow) - set(shadow)
            unexpected = set(shadow) - set(self.shadow)
            if missing or unexpected:
                raise CheckpointError(f"EMA state does not match the model: missing {sorted(missing)}, "
                                      f"unexpected {sorted(unexpected)}")
            self.decay = float(state["decay"])
            self.warmup = bool(state["warmup"])
            self.num_updates = int(state["num_updates"])
        except KeyError as err:
            raise CheckpointError(f"EMA state lacks {err.args[0]!r}") from None
        self.shadow = {k: shadow[k].detach().clone().to(v.device) for k, v in self.shadow.items()}
