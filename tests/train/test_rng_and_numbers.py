"""Library code leaves the caller's global random state alone; every numeric setting is checked
when the config is built (finiteness included), and the CLI turns a bad one into a one-line error."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from dnaaug.errors import ConfigError
from dnaaug.train import TrainConfig, train
from dnaaug.train.rng import ScopedTorchRNG
from dnaaug_cli.main import cli
from tiny import random_records, tiny_config


@pytest.mark.parametrize("augment", ["rc+translocation:shift=3", "diffaug"])
def test_training_leaves_the_callers_rng_unchanged(tmp_path, augment):
    torch.manual_seed(1234)  # the caller's own state (tests may seed the global generator)
    before = torch.random.get_rng_state()
    train(random_records(n=24), tmp_path / "r", tiny_config(augment=augment, epochs=1), device="cpu", progress=False)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_training_does_not_depend_on_the_callers_rng(tmp_path):
    for i, seed in enumerate((1, 2)):
        torch.manual_seed(seed)
        train(random_records(n=24), tmp_path / str(i), tiny_config(epochs=1), device="cpu", progress=False)
    a, b = (torch.load(tmp_path / str(i) / "checkpoints" / "last.pt", weights_only=True)["model"] for i in (0, 1))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_supervised_leaves_the_callers_rng_unchanged():
    from dnaaug.train.supervised import train_supervised

    records = random_records(n=24)
    before = torch.random.get_rng_state()
    train_supervised(records, np.array([i % 2 for i in range(24)]), tiny_config(epochs=1), device=torch.device("cpu"))
    assert torch.equal(torch.random.get_rng_state(), before)


def test_scoped_rng_is_what_global_seeding_would_give():
    rng = ScopedTorchRNG(7)
    with rng.active():
        a = torch.rand(5)
        with rng.active():  # nested: the same stream
            b = torch.rand(3)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        expected = torch.rand(8)
    assert torch.equal(torch.cat([a, b]), expected)
    with rng.active():
        c = torch.rand(2)  # continues where it stopped
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        assert torch.equal(torch.rand(10)[8:], c)


BAD = [
    ({"lr": math.nan}, "lr"), ({"lr": math.inf}, "lr"), ({"weight_decay": -1.0}, "weight_decay"),
    ({"loss": {"temperature": math.nan}}, "loss.temperature"), ({"loss": {"nu_q": 0.0}}, "loss.nu_q"),
    ({"diffaug": {"generator_lr": math.inf}}, "diffaug.generator_lr"),
    ({"diffaug": {"guidance": math.nan}}, "diffaug.guidance"), ({"diffaug": {"strength": math.nan}}, "diffaug.strength"),
    ({"diffaug": {"ema_decay": 2.0}}, "diffaug.ema_decay"), ({"encoder": {"dropout": math.nan}}, "dropout"),
    ({"log_every": 0}, "log_every"),
]


@pytest.mark.parametrize("override,key", BAD, ids=[k for _, k in BAD])
def test_bad_numbers_are_refused_when_the_config_is_built(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        TrainConfig().updated(override)


def test_every_numeric_field_is_checked_even_new_ones():
    from dnaaug.train.dataclass_io import check_numbers

    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Inner:
        added_later: float = 1.0

    @dataclass(frozen=True)
    class Outer:
        inner: Inner = Inner()
        flag: bool = True

    check_numbers(Outer())
    with pytest.raises(ConfigError, match="inner.added_later must be a finite number"):
        check_numbers(Outer(inner=Inner(added_later=math.inf)))


@pytest.mark.parametrize("args,key", [
    (["--lr", "nan"], "lr"), (["--lr", "inf"], "lr"), (["--lr", "-inf"], "lr"),
    (["--config", "CFG"], "diffaug.guidance"),
])
def test_cli_bad_number_is_one_line_exit_2_and_writes_nothing(tmp_path, args, key):
    fasta = tmp_path / "in.fa"
    fasta.write_text("".join(f">{r.id}\n{r.sequence}\n" for r in random_records(n=24)))
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"diffaug": {"guidance": float("nan")}}))  # JSON NaN, as Python writes it
    args = [str(cfg) if a == "CFG" else a for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, ["train", str(fasta), "--out", str(tmp_path / "run"), *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and key in lines[0], result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
