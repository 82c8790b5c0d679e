"""GPU path (marked gpu; deselected by default, run with ``pytest -m gpu`` on a CUDA machine)."""

from __future__ import annotations

import pytest
import torch

from dnaaug.train import load_encoder, train
from dnaaug.train.checkpoint import load_checkpoint
from tiny import random_records, tiny_config

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def _needs_cuda():
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")


@pytest.mark.parametrize("augment", ["rc+translocation:shift=3", "diffaug"])
def test_training_on_cuda_with_mixed_precision(tmp_path, augment):
    train(random_records(), tmp_path / "run", tiny_config(augment=augment), device="cuda", progress=False)
    ckpt = load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")
    assert ckpt["state"]["phase_index"] == len(ckpt["phases"])
    model = load_encoder(tmp_path / "run", device="cuda")
    assert next(model.encoder.parameters()).is_cuda


def test_compiled_training_on_cuda(tmp_path):
    train(random_records(), tmp_path / "run", tiny_config(compile=True), device="cuda", progress=False)
    assert (tmp_path / "run" / "checkpoints" / "last.pt").exists()
