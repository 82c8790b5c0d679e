"""Device choice: ``auto`` takes the first GPU when CUDA is present, else the CPU."""

from __future__ import annotations

import torch

from dnaaug.errors import InputError


def resolve_device(spec: str | torch.device | None = "auto") -> torch.device:
    """"auto" | "cpu" | "cuda" | "cuda:i" -> torch.device (InputError for unknown or absent devices)."""
    if isinstance(spec, torch.device):
        return spec
    spec = (spec or "auto").strip().lower()
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec == "cpu":
        return torch.device("cpu")
    if spec.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(f"--device {spec}: CUDA is not available on this machine (use --device cpu or auto)")
        try:
            dev = torch.device(spec)
        except RuntimeError:
            raise InputError(f"--device {spec}: not a valid device (cuda or cuda:INDEX)") from None
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise InputError(f"--device {spec}: only {torch.cuda.device_count()} GPU(s) present")
        return dev
    raise InputError(f"--device {spec}: choose auto, cpu, cuda or cuda:INDEX")


def describe_compute(device: torch.device) -> str:
    """One line naming what a run's numbers depend on beyond its config and seed.

    Training is chaotic in the float order: the same cell retrained on another CPU type (its
    vector ISA picks other kernels) or with another thread count lands up to ~3 points of probe
    accuracy away (docs/ablations.md, "One machine, or the pairing lies"), so every run and benchmark cell records
    this line, and a table that mixes machines says so.
    e.g. ``torch 2.13.0+cpu, cpu AVX512, 1 thread(s)`` or ``torch 2.13.0, cuda NVIDIA H100 80GB HBM3``.
    """
    if device.type == "cuda":
        return f"torch {torch.__version__}, cuda {torch.cuda.get_device_name(device)}"
    return f"torch {torch.__version__}, cpu {torch.backends.cpu.get_cpu_capability()}, {torch.get_num_threads()} thread(s)"
