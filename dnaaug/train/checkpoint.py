"""Checkpoints: weights and plain data only, written atomically, loaded with ``weights_only=True``.

A checkpoint is a dict of tensors, numbers, strings, lists and dicts. Loading never unpickles
arbitrary objects: ``torch.load(..., weights_only=True)`` refuses anything else, and that refusal
becomes a CheckpointError that says the file is not a dnaaug checkpoint or is unsafe.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch

import dnaaug
from dnaaug.atomic import atomic_write_bytes, atomic_write_text  # noqa: F401 (re-exported)
from dnaaug.errors import CheckpointError

FORMAT = "dnaaug-checkpoint/1"


def save_checkpoint(path: str | os.PathLike, payload: dict[str, Any]) -> None:
    """Save a checkpoint dict (adds format and package version) atomically."""
    data = {"format": FORMAT, "dnaaug_version": dnaaug.__version__, **payload}
    atomic_write_bytes(path, lambda fh: torch.save(data, fh))


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint safely; CheckpointError if missing, corrupt, unsafe or not ours."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickles; the error below says it in one line
            warnings.simplefilter("ignore")
            data = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, RuntimeError, EOFError, ... for bad files
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        first = first.split(". ")[0]  # torch appends paragraphs of advice; the first sentence says what failed
        if "weights_only" in str(err) or "Unsupported global" in str(err):
            raise CheckpointError(f"{path}: refused to load: the file holds Python objects other than weights "
                                  "and plain data (unsafe or not a dnaaug checkpoint)") from None
        raise CheckpointError(f"{path}: cannot read checkpoint ({first[:200]})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a dnaaug checkpoint (format {FORMAT} expected)")
    return data
