"""Fixtures of the reliability suite (helpers live in rel_helpers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rel_helpers import TINY, Cli, train_model


@pytest.fixture
def dnaaug_cli() -> Cli:
    return Cli(CliRunner())


@pytest.fixture(scope="session")
def tiny_config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "tiny.json"
    path.write_text(json.dumps(TINY))
    return path


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> Path:
    """A one-hot run folder trained on random DNA (window 48)."""
    return train_model(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def kmer_run(tmp_path_factory) -> Path:
    """A run folder with a k = 6 k-mer tokenizer."""
    return train_model(tmp_path_factory.mktemp("kmer_model"), "--tokenizer", "kmer:k=6")
