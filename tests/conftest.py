"""Shared fixtures: CPU-only, no network, no ../shared. Small seeded data only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

# tests/helpers holds shared test utilities (the augmenter contract checker, fixture writers)
sys.path.insert(0, str(Path(__file__).parent / "helpers"))

# Two cores on CI: one thread per test process keeps runs predictable and fast.
torch.set_num_threads(1)


@pytest.fixture
def gen() -> torch.Generator:
    """A seeded CPU torch.Generator."""
    return torch.Generator().manual_seed(0)


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def device(request) -> torch.device:
    """Run on CPU always, and on CUDA where present (marked gpu, deselected by default)."""
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    return torch.device(request.param)
