"""``encoder_ema``: an exponential moving average of the encoder's weights as the run's encoder.

The optimiser trains a live trunk; the average is what the checkpoint's ``encoder`` holds (so what
``load_encoder`` and ``dnaaug embed`` read), what validation scores and what the generator is
conditioned on. Off (0) leaves a run exactly as before.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny import random_records, tiny_config

from dnaaug.encoding import condition_fn
from dnaaug.errors import ConfigError
from dnaaug.train import TrainConfig, train
from dnaaug.train.checkpoint import load_checkpoint
from dnaaug.train.data import TrainData
from dnaaug.train.run_dir import RunDir
from dnaaug.train.trainer import Trainer


def _trunk(model_state: dict) -> dict:
    """The encoder's tensors inside a ContrastiveModel state dict."""
    return {k[len("encoder."):]: v for k, v in model_state.items() if k.startswith("encoder.")}


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_decay_outside_zero_one_is_refused(bad):
    with pytest.raises(ConfigError, match=r"^encoder_ema must be"):
        TrainConfig(encoder_ema=bad)


def test_off_exports_the_live_trunk(tmp_path):
    train(random_records(), tmp_path / "r", tiny_config(), device="cpu", progress=False)
    ckpt = load_checkpoint(tmp_path / "r" / "checkpoints" / "last.pt")
    assert ckpt["encoder_ema"] is None
    live = _trunk(ckpt["model"])
    assert all(torch.equal(live[k], v) for k, v in ckpt["encoder"].items())


def test_on_exports_the_average_and_trains_the_same_live_trunk(tmp_path):
    train(random_records(), tmp_path / "off", tiny_config(), device="cpu", progress=False)
    train(random_records(), tmp_path / "on", tiny_config(encoder_ema=0.9), device="cpu", progress=False)
    off = load_checkpoint(tmp_path / "off" / "checkpoints" / "last.pt")
    on = load_checkpoint(tmp_path / "on" / "checkpoints" / "last.pt")
    # the average only reads the weights: a baseline run's optimisation is unchanged, draw for draw
    assert all(torch.equal(off["model"][k], v) for k, v in on["model"].items())
    shadow = on["encoder_ema"]["shadow"]
    assert on["encoder_ema"]["num_updates"] > 0
    assert all(torch.equal(shadow[k], v) for k, v in on["encoder"].items())
    live = _trunk(on["model"])
    assert any(not torch.allclose(live[k], v) for k, v in on["encoder"].items())


def test_the_condition_and_embeddings_come_from_the_average(tmp_path):
    config = tiny_config(augment="diffaug", encoder_ema=0.9)
    data = TrainData.from_records(random_records(), val_size=0, seed=0)
    trainer = Trainer(config, data, RunDir(tmp_path / "r"), device=torch.device("cpu"), progress=False)
    trainer.run()
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (6, 32), generator=torch.Generator().manual_seed(0)),
                                    4).float().transpose(1, 2)
    mask = torch.ones(6, 32, dtype=torch.bool)
    expected = condition_fn(trainer.run_encoder, trainer.tokenizer)(x, mask)
    np.testing.assert_allclose(trainer.condition(x, mask), expected)
    live = condition_fn(trainer.encoder, trainer.tokenizer)(x, mask)
    assert not torch.allclose(live, expected)
