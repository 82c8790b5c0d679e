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
