"""Multi-process training on torch.distributed (launched by ``torchrun``).

``torchrun --nproc_per_node=N -m dnaaug train ...`` sets RANK / WORLD_SIZE / LOCAL_RANK; the
trainer then wraps its networks in DistributedDataParallel (gloo on CPU, nccl on GPU), gives
each rank its slice of every global batch, shards the DiffAug generate phase and gathers the
bank on every rank. Only rank 0 writes files (run folder, checkpoints, metrics, plots).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    """rank / world size of this process; ``is_main`` is rank 0 (the only writer)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world > 1


def from_env() -> DistInfo:
    """Read torchrun's environment (single process when absent)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    return DistInfo(int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0")))


def setup(info: DistInfo, device: torch.device) -> torch.device:
    """Initialise the process group (idempotent) and return this rank's device."""
    if not info.enabled:
        return device
    if device.type == "cuda":
        device = torch.device("cuda", info.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def barrier(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.barrier()


def teardown(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def gather_rows(info: DistInfo, rows: torch.Tensor, n_total: int) -> torch.Tensor:
    """Rows computed for indices ``rank, rank + world, ...`` -> all n_total rows on every rank.

    rows: (ceil-or-floor share, ...) for this rank, in index order. Returns (n_total, ...).
    """
    if not info.enabled:
        return rows
    per = (n_total + info.world - 1) // info.world
    padded = torch.zeros((per, *rows.shape[1:]), dtype=rows.dtype)
    padded[: len(rows)] = rows
    parts = [torch.zeros_like(padded) for _ in range(info.world)]
    dist.all_gather(parts, padded)
    out = torch.zeros((n_total, *rows.shape[1:]), dtype=rows.dtype)
    for r, part in enumerate(parts):
        count = len(range(r, n_total, info.world))
        out[r::info.world] = part[:count]
    return out
