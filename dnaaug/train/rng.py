"""A run's own state of torch's global generator, active only while the run's code executes.

Dropout (and weight initialisation) inside ``nn.Module`` draw from torch's global generator,
which cannot be replaced by an explicit ``torch.Generator``. A :class:`ScopedTorchRNG` holds the
run's state of that generator and swaps it in for the duration of ``with rng.active():``, then puts
the caller's state back: library code never changes the caller's global random state, and the
run's draws are the same as if it had seeded the global generator itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch


class ScopedTorchRNG:
    """The global-generator state of one run: CPU (checkpointed) and, on CUDA, the run's device.

    seed:   the state starts as ``torch.manual_seed(seed)`` would leave it
    device: the run's device; on CUDA its generator is scoped too
    """

    def __init__(self, seed: int, device: torch.device | str = "cpu"):
        device = torch.device(device)
        self._cuda_index = None
        if device.type == "cuda":
            self._cuda_index = device.index if device.index is not None else torch.cuda.current_device()
        self._cpu = torch.Generator().manual_seed(seed).get_state()
        self._cuda = (None if self._cuda_index is None else
                      torch.Generator(device=f"cuda:{self._cuda_index}").manual_seed(seed).get_state())
        self._depth = 0

    @contextmanager
    def active(self) -> Iterator[None]:
        """Inside: the global generator(s) carry the run's state. Outside: the caller's, untouched."""
        if self._depth:  # nested: already active
            yield
            return
        devices = [] if self._cuda_index is None else [self._cuda_index]
        with torch.random.fork_rng(devices=devices):
            torch.set_rng_state(self._cpu)
            if self._cuda_index is not None:
                torch.cuda.set_rng_state(self._cuda, self._cuda_index)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                self._cpu = torch.get_rng_state()
                if self._cuda_index is not None:
                    self._cuda = torch.cuda.get_rng_state(self._cuda_index)

    def get_state(self) -> torch.Tensor:
        """The run's CPU state (ByteTensor), as saved in checkpoints."""
        return torch.get_rng_state() if self._depth else self._cpu.clone()

    def set_state(self, state: torch.Tensor) -> None:
        """Restore the run's CPU state from a checkpoint."""
        state = state.clone()
        if self._depth:
            torch.set_rng_state(state)
        self._cpu = state
