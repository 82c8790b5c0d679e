"""Device choice and the compute line every run and benchmark cell records."""

from __future__ import annotations

import pytest
import torch

from dnaaug.errors import InputError
from dnaaug.train.device import describe_compute, resolve_device


def test_describe_compute_names_torch_isa_and_threads():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = describe_compute(torch.device("cpu"))
        torch.set_num_threads(2)
        two = describe_compute(torch.device("cpu"))
    finally:
        torch.set_num_threads(before)
    isa = torch.backends.cpu.get_cpu_capability()
    assert one == f"torch {torch.__version__}, cpu {isa}, 1 thread(s)"
    assert two.endswith(", 2 thread(s)")


def test_resolve_device_cpu_and_bad_specs():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type in ("cpu", "cuda")
    with pytest.raises(InputError, match="choose auto, cpu, cuda"):
        resolve_device("tpu")
