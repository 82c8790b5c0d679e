"""Helpers of the reliability suite: tiny configs, a CLI caller that checks the one-line error contract,
input writers, and skips for permission cases that root defeats."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from dnaaug_cli.main import cli

# trains in about a second on one CPU thread (same shape as tests/cli/test_cli_commands.py's TINY)
TINY = {"length": 48, "batch_size": 16, "val_size": 0, "log_every": 5, "projection_dim": 8, "epochs": 1,
        "encoder": {"width": 16, "depth": 1, "kernel": 3, "stem_kernel": 5},
        "diffaug": {"warmup_epochs": 1, "rounds": 1, "generator_epochs": 1, "contrastive_epochs": 1,
                    "positives": 1, "sampling_steps": 2, "denoiser_channels": 8, "denoiser_depth": 1,
                    "generator_batch_size": 16, "diagnostics_sample": 16, "diffusion_steps": 50}}
# the fast benchmark options: one cheap method, one seed, no reference rows (k-mer floor, random-init, masked-lm)
BENCH_FAST = ["--preset", "smoke", "--augment", "rc", "--seeds", "0", "--no-kmer-floor", "--no-random-init",
              "--no-masked-lm"]


def random_dna(n: int, length: int, seed: int = 0) -> list[str]:
    """n random ACGT strings of one length (seeded)."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    return [letters[rng.integers(0, 4, length)].tobytes().decode() for _ in range(n)]


def fasta_text(seqs: list[str], labels: bool = True) -> str:
    """FASTA with ids r0, r1, ... and ``label=`` headers (alternating 0/1) when ``labels``."""
    return "".join(f">r{i}{f' label={i % 2}' if labels else ''}\n{s}\n" for i, s in enumerate(seqs))


def tree(folder: Path) -> set[str]:
    """Every path under ``folder`` (files and folders, hidden ones included), relative."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


@dataclass
class Cli:
    """Runs ``dnaaug -q --device cpu ...`` in-process and checks the user-facing contract of failures."""

    runner: CliRunner

    def __call__(self, *args) -> Result:
        return self.runner.invoke(cli, ["-q", "--device", "cpu", *map(str, args)])

    def fails(self, *args, code: int = 2, match: str | None = None) -> str:
        """Run, expect exit ``code`` with exactly one ``Error: ...`` line and no traceback; return the line."""
        result = self(*args)
        assert result.exit_code == code, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        assert isinstance(result.exception, SystemExit), repr(result.exception)  # no escaped exception
        # click's own usage errors (a missing file argument) add its standard "Usage:"/"Try" hint lines
        lines = [line for line in result.output.splitlines()
                 if line.strip() and not line.startswith(("Usage: ", "Try '"))]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
        assert "Traceback" not in result.output
        if match is not None:
            assert re.search(match, lines[0]), f"{match!r} not in {lines[0]!r}"
        return lines[0]

    def works(self, *args) -> Result:
        result = self(*args)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return result


def train_model(folder: Path, *extra: str) -> Path:
    """Train a tiny run folder ``folder/run`` on random DNA through the CLI (extra options appended)."""
    data = folder / "train.fa"
    data.write_text(fasta_text(random_dna(40, 60, seed=1), labels=False))
    config = folder / "tiny.json"
    config.write_text(json.dumps(TINY))
    Cli(CliRunner()).works("train", data, "--out", folder / "run", "--config", config, *extra)
    return folder / "run"


def unreadable(path: Path) -> Path:
    """chmod 000 the file, or skip the test where that does not make it unreadable (root)."""
    path.chmod(0)
    if os.access(path, os.R_OK):
        path.chmod(0o644)
        pytest.skip("running as root: chmod 000 does not make a file unreadable")
    return path


def read_only(folder: Path, monkeypatch) -> Path:
    """chmod 555 the folder; where that does not make it read-only (root), make ``os.access`` say so,
    which is what dnaaug's early checks consult."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):
        real_access = os.access

        def access(path, mode, *args, **kwargs):
            if mode & os.W_OK and Path(path).resolve() == folder.resolve():
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
    return folder
