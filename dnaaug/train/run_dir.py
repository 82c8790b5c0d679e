"""The run folder: config.json, metrics.jsonl, checkpoints/, plots, and a lock.

Layout::

    RUN_DIR/config.json          resolved config + package version (written once, atomically)
    RUN_DIR/metrics.jsonl        one JSON object per line (step intervals, epochs, phases, diagnostics)
    RUN_DIR/checkpoints/last.pt  latest state (resume point)
    RUN_DIR/checkpoints/best.pt  best by the label-free criterion (see dnaaug.train.validation)
    RUN_DIR/checkpoints/epoch-*.pt  when asked
    RUN_DIR/bank.npy             DiffAug positive bank (uint8 base indices), when used
    RUN_DIR/diagnostics.png      DiffAug round diagnostics, when used
    RUN_DIR/.lock                held while a process trains in the folder

A new run (``dnaaug train --out``) goes into an absent or empty folder or a run folder;
:func:`check_new_run_folder` refuses any other non-empty folder unless forced.
"""

from __future__ import annotations

import fcntl
import json
import math
import numbers
import os
import time
from pathlib import Path
from typing import Any

from dnaaug.atomic import atomic_write_text
from dnaaug.errors import InputError, RunLockedError


def _finite(value: Any) -> Any:
    """NaN and infinities -> None, so metrics.jsonl is strict JSON."""
    if isinstance(value, numbers.Real) and not isinstance(value, (int, bool)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


RUN_ENTRIES = frozenset({"config.json", "inputs.json", "metrics.jsonl", "checkpoints", "bank.npy",
                         "diagnostics.png", ".lock"})
"""The names a run folder holds at its top level (besides ``.NAME.XXXX.tmp`` of atomic writes)."""
RUN_FILES = ("config.json", "inputs.json", "metrics.jsonl", "bank.npy", "diagnostics.png")
CHECKPOINT_FILES = ("last.pt", "best.pt", "epoch-*.pt")


def _is_run_entry(name: str) -> bool:
    return name in RUN_ENTRIES or (name.startswith(".") and name.endswith(".tmp"))


def is_run_folder(path: str | os.PathLike) -> bool:
    """True for a folder that ``dnaaug train`` made: it holds ``config.json``, or nothing but
    run-folder entries (a run stopped before it wrote its config, e.g. ``.lock`` and an empty
    ``checkpoints/``). False for an absent path, a file, an empty folder or any other folder."""
    p = Path(path)
    if not p.is_dir():
        return False
    names = [e.name for e in p.iterdir()]
    return bool(names) and ((p / "config.json").is_file() or all(_is_run_entry(n) for n in names))


def run_files_present(path: str | os.PathLike) -> list[str]:
    """The run-folder files already in ``path`` that a new run there would replace, relative to it
    (``config.json``, ``metrics.jsonl``, ``checkpoints/last.pt`` ...), sorted."""
    p = Path(path)
    found = [name for name in RUN_FILES if (p / name).is_file()]
    if (p / "checkpoints").is_dir():
        for pattern in CHECKPOINT_FILES:
            found += [f"checkpoints/{c.name}" for c in (p / "checkpoints").glob(pattern) if c.is_file()]
    return sorted(set(found))


def _describe(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_new_run_folder(path: str | os.PathLike, *, force: bool = False) -> list[str] | None:
    """Check the folder a new run (``dnaaug train --out PATH``, not ``--resume``) will write into.

    An absent path, an empty folder or a run folder (:func:`is_run_folder`) is fine: returns None.
    Any other non-empty folder raises InputError (exit code 2) naming it, unless ``force``; forced,
    returns the run files already there (:func:`run_files_present`, maybe []), which the run
    replaces; the folder's other entries are left as they are. Changes nothing on disk.
    """
    p = Path(path)
    if not p.is_dir() or is_run_folder(p):
        return None
    entries = sorted(e.name + ("/" if e.is_dir() else "") for e in p.iterdir())
    if not entries:
        return None
    if not force:
        raise InputError(f"{p}: not empty ({_describe(entries)}) and not a dnaaug run folder; choose "
                         "another --out, or add --force to write the run there (replacing only run files)")
    return run_files_present(p)


def force_notice(path: str | os.PathLike, replaced: list[str]) -> str:
    """The one line ``--force`` prints: what of a non-run folder a new run replaces and what it keeps."""
    p = Path(path)
    kept = sorted(e.name + ("/" if e.is_dir() else "") for e in p.iterdir()
                  if not (e.name in RUN_FILES or (e.name == "checkpoints" and e.is_dir())))
    what = f"overwriting {', '.join(replaced)}" if replaced else "overwriting nothing"
    keep = ""
    if kept:
        keep = f"; leaving {len(kept)} other entr{'y' if len(kept) == 1 else 'ies'} ({_describe(kept)})"
    return f"--force: {p} is not a dnaaug run folder; the new run writes into it, {what}{keep}"


def clear_run_files(path: str | os.PathLike, names: list[str]) -> None:
    """Delete the run files ``names`` (from :func:`run_files_present`) before a forced new run, so
    that none of them (an appended metrics.jsonl, a stale checkpoint) mixes into it."""
    p = Path(path)
    for name in names:
        try:
            (p / name).unlink(missing_ok=True)
        except OSError as err:
            raise InputError(f"{p / name}: cannot replace it ({err.strerror})") from None


class RunDir:
    """Paths and append-only metrics of one run folder; ``lock()`` makes a second process refuse."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        self.path = Path(path)
        if create:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                (self.path / "checkpoints").mkdir(exist_ok=True)
            except OSError as err:
                raise InputError(f"{self.path}: cannot create run folder ({err.strerror})") from None
            if not os.access(self.path, os.W_OK):
                raise InputError(f"{self.path}: run folder is not writable")
        self._lock_fh = None
        self.writer = True  # False on torchrun ranks other than 0: they never write


    config = property(lambda self: self.path / "config.json")
    metrics = property(lambda self: self.path / "metrics.jsonl")
    last = property(lambda self: self.path / "checkpoints" / "last.pt")
    best = property(lambda self: self.path / "checkpoints" / "best.pt")
    bank = property(lambda self: self.path / "bank.npy")

    def epoch_checkpoint(self, phase: str, epoch: int) -> Path:
        return self.path / "checkpoints" / f"epoch-{phase}-{epoch:03d}.pt"

    def lock(self) -> None:
        """Take an exclusive, non-blocking lock on the folder (released on exit or process death)."""
        fh = open(self.path / ".lock", "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise RunLockedError(f"{self.path}: another dnaaug process is using this run folder "
                                 "(wait for it to finish or choose another --out)") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._lock_fh = fh
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        """Delete the temporary files (``.NAME.XXXX.tmp``) of atomic writes that a killed process left
        behind; safe while we hold the lock, since no other process writes here."""
        for folder in (self.path, self.path / "checkpoints"):
            for tmp in folder.glob(".*.tmp"):
                if tmp.is_file():
                    tmp.unlink(missing_ok=True)

    def unlock(self) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def log(self, event: str, **fields: Any) -> None:
        """Append one metrics line; a single write() per line so a crash leaves at most one partial line."""
        if not self.writer:
            return
        record = _finite({"event": event, "time": round(time.time(), 3), **fields})
        line = json.dumps(record, default=float, allow_nan=False) + "\n"
        with open(self.metrics, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()

    def read_metrics(self) -> list[dict[str, Any]]:
        """All complete metrics lines (a partial last line from a crash is skipped)."""
        if not self.metrics.exists():
            return []
        out = []
        for line in self.metrics.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def truncate_metrics_after(self, global_step: int) -> None:
        """On resume, drop metric lines logged after the checkpoint's step (they will be logged again)."""
        if not self.metrics.exists():
            return
        keep = [m for m in self.read_metrics() if m.get("global_step", -1) <= global_step
                or m.get("event") in ("run", "resume")]
        atomic_write_text(self.metrics, "".join(json.dumps(m) + "\n" for m in keep))
