"""Training loop: run folder contents, determinism, resume (mid-epoch and in every DiffAug phase)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dnaaug.errors import CheckpointError, ConfigError, InputError, RunLockedError
from dnaaug.train import TrainConfig, load_encoder, train
from dnaaug.train.checkpoint import load_checkpoint
from dnaaug.train.data import TrainData
from dnaaug.train.phases import plan_phases
from dnaaug.train.run_dir import RunDir
from dnaaug.train.trainer import Interrupted, Trainer
from tiny import random_records, tiny_config


def weights(path) -> dict[str, torch.Tensor]:
    return load_checkpoint(path)["model"]


def same_weights(a, b) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_run_folder_contents(tmp_path):
    result = train(random_records(), tmp_path / "run", tiny_config(), device="cpu", progress=False)
    run = tmp_path / "run"
    config = json.loads((run / "config.json").read_text())
    assert config["dnaaug_version"] and config["length"] == 32
    assert (run / "checkpoints" / "last.pt").exists() and (run / "checkpoints" / "best.pt").exists()
    events = [m["event"] for m in result.metrics]
    assert events.count("epoch") == 2 and "step" in events
    epoch = [m for m in result.metrics if m["event"] == "epoch"][-1]
    assert {"loss", "seq_per_s", "lr", "val_retrieval"} <= set(epoch)
    ckpt = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    assert ckpt["config"]["augment"] == "rc+translocation:shift=3"


def test_same_seed_gives_identical_weights(tmp_path):
    train(random_records(), tmp_path / "a", tiny_config(), device="cpu", progress=False)
    train(random_records(), tmp_path / "b", tiny_config(), device="cpu", progress=False)
    train(random_records(), tmp_path / "c", tiny_config(seed=1), device="cpu", progress=False)
    wa, wb, wc = (weights(tmp_path / x / "checkpoints" / "last.pt") for x in "abc")
    assert same_weights(wa, wb)
    assert not same_weights(wa, wc)


def _interrupt_at(monkeypatch, global_step: int):
    """Make the trainer see a Ctrl-C once it reaches ``global_step``."""
    original = Trainer._check_stop

    def check(self):
        if self.state["global_step"] == global_step:
            self._stop = True
        original(self)

    monkeypatch.setattr(Trainer, "_check_stop", check)


@pytest.mark.parametrize("config_kw,stop_step", [
    ({}, 5),                                  # mid-epoch of a baseline run
    ({"augment": "diffaug"}, 1),              # warm-up A-step
    ({"augment": "diffaug"}, 4),              # generator B-step
    ({"augment": "diffaug"}, 6),              # generate phase (restarts the phase) / contrastive round
    ({"encoder_ema": 0.9}, 5),                # weight average: mid-epoch of a baseline run
    ({"augment": "diffaug", "encoder_ema": 0.9}, 4),  # ... and in the B-step it conditions
    ({"kmer_loss": 0.05}, 5),                 # k-mer bag head: its weights and Adam state resume too
    ({"augment": "diffaug", "kmer_loss": 0.05}, 6),   # ... in a contrastive round of DiffAug
    ({"augment": "diffaug", "diffaug": {"generator": "masked"}}, 4),  # masked generator: its B-step
    ({"augment": "diffaug", "diffaug": {"generator": "masked"}}, 6),  # ... and the generate phase
])
def test_interrupted_and_resumed_equals_uninterrupted(tmp_path, monkeypatch, config_kw, stop_step):
    config = tiny_config(**config_kw)
    train(random_records(), tmp_path / "full", config, device="cpu", progress=False)
    with monkeypatch.context() as m:
        _interrupt_at(m, stop_step)
        with pytest.raises(Interrupted, match="--resume"):
            train(random_records(), tmp_path / "cut", config, device="cpu", progress=False)
    state = load_checkpoint(tmp_path / "cut" / "checkpoints" / "last.pt")["state"]
    assert state["global_step"] == stop_step
    train(random_records(), tmp_path / "cut", None, device="cpu", progress=False, resume=True)
    full = load_checkpoint(tmp_path / "full" / "checkpoints" / "last.pt")
    cut = load_checkpoint(tmp_path / "cut" / "checkpoints" / "last.pt")
    assert same_weights(full["model"], cut["model"])
    assert same_weights(full["encoder"], cut["encoder"])
    if full.get("kmer_head") is not None:
        assert same_weights(full["kmer_head"], cut["kmer_head"])
    if full.get("generator") is not None:
        assert same_weights(full["generator"], cut["generator"])
        assert np.array_equal(np.load(tmp_path / "full" / "bank.npy"), np.load(tmp_path / "cut" / "bank.npy"))


def test_diffaug_phases_bank_and_diagnostics(tmp_path):
    config = tiny_config(augment="diffaug")
    assert [p.name for p in plan_phases(config)] == ["warmup", "generator-r1", "generate-r1", "contrastive-r1"]
    result = train(random_records(), tmp_path / "d", config, device="cpu", progress=False)
    bank = np.load(tmp_path / "d" / "bank.npy")
    assert bank.dtype == np.uint8 and bank.shape == (48, 2, 32) and bank.max() <= 4
    diag = [m for m in result.metrics if m["event"] == "diagnostics"]
    assert len(diag) == 1
    assert set(diag[0]["kmer_js"]) == {"1", "2", "3", "4", "5", "6"}
    assert 0.0 <= diag[0]["semantic_consistency"] <= 1.0
    assert (tmp_path / "d" / "diagnostics.png").exists()
    phases = [m["phase"] for m in result.metrics if m["event"] == "phase"]
    assert phases == ["warmup", "generator-r1", "generate-r1", "contrastive-r1"]


def test_kmer_tokenizer_trains_and_embeds(tmp_path):
    train(random_records(), tmp_path / "k", tiny_config(tokenizer="kmer:k=3"), device="cpu", progress=False)
    model = load_encoder(tmp_path / "k")
    assert model.encoder.config.input == "kmer"


def test_existing_run_needs_resume(tmp_path):
    train(random_records(), tmp_path / "r", tiny_config(epochs=1), device="cpu", progress=False)
    with pytest.raises(InputError, match="--resume"):
        train(random_records(), tmp_path / "r", tiny_config(epochs=1), device="cpu", progress=False)


def test_resume_with_other_data_is_refused(tmp_path):
    train(random_records(), tmp_path / "r", tiny_config(epochs=1), device="cpu", progress=False)
    with pytest.raises(InputError, match="differs"):
        train(random_records(seed=5), tmp_path / "r", None, device="cpu", progress=False, resume=True)


def test_second_process_is_locked_out(tmp_path):
    first = RunDir(tmp_path / "r")
    first.lock()
    try:
        with pytest.raises(RunLockedError, match="another dnaaug process"):
            train(random_records(), tmp_path / "r", tiny_config(), device="cpu", progress=False)
    finally:
        first.unlock()


def test_unknown_config_key_is_named():
    with pytest.raises(ConfigError, match="encoder.widht"):
        TrainConfig().updated({"encoder": {"widht": 3}})
    with pytest.raises(ConfigError, match="lr"):
        TrainConfig().updated({"lr": "fast"})


def test_nonfinite_loss_stops_with_phase_and_step(tmp_path):
    from dnaaug.errors import NumericalError

    with pytest.raises(NumericalError, match=r"phase contrastive, epoch 1, step \d+.*lower --lr"):
        train(random_records(), tmp_path / "nan", tiny_config(lr=1e30, epochs=3), device="cpu", progress=False)
    # the last good state is loadable and resumable
    state = load_checkpoint(tmp_path / "nan" / "checkpoints" / "last.pt")["state"]
    assert state["phase_index"] == 0


def test_variable_length_inputs(tmp_path):
    recs = random_records(vary=True)
    train(recs, tmp_path / "v", tiny_config(length=None), device="cpu", progress=False)
    length = json.loads((tmp_path / "v" / "config.json").read_text())["length"]
    assert length == int(np.median([len(r.sequence) for r in recs]))


def test_unsafe_checkpoint_is_refused(tmp_path):
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    bad = tmp_path / "evil.pt"
    with open(bad, "wb") as fh:
        pickle.dump({"format": "dnaaug-checkpoint/1", "x": Evil()}, fh)
    with pytest.raises(CheckpointError, match="refused|cannot read"):
        load_checkpoint(bad)
    assert not marker.exists()


def test_train_data_holdout_is_seeded():
    a = TrainData.from_records(random_records(n=300), val_size=20, seed=0)
    b = TrainData.from_records(random_records(n=300), val_size=20, seed=0)
    assert a.val.ids == b.val.ids and len(a.val) == 20 and len(a.train) == 280
