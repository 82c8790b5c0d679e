"""Typed errors of the library.

The CLI turns every :class:`DnaaugError` into one line on stderr and an exit code:
``exit_code`` 2 for bad usage or bad input, 1 for runtime failures. Library code never
raises bare ``Exception`` or uses ``assert`` for user input.
"""

from __future__ import annotations


class DnaaugError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1


class InputError(DnaaugError):
    """Bad user input (files, options, values): exit code 2."""

    exit_code = 2


class InvalidSequence(InputError):
    """A sequence holds a character that is not DNA (names file, record and 1-based position)."""

    def __init__(self, message: str, *, source: str | None = None, record: str | None = None,
                 position: int | None = None):
        parts = []
        if source:
            parts.append(str(source))
        if record is not None:
            parts.append(f"record {record!r}")
        if position is not None:
            parts.append(f"position {position}")
        prefix = ", ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.source = source
        self.record = record
        self.position = position


class DatasetError(InputError):
    """A dataset or input file cannot be read or does not match its manifest."""


class DownloadError(DatasetError):
    """A dataset could not be fetched (no network); the message says how to use a local copy."""


class ConfigError(InputError):
    """Unknown, missing or invalid configuration keys or values."""


class CheckpointError(DnaaugError):
    """A checkpoint is missing, corrupt, unsafe or incompatible."""

    exit_code = 2


class RunLockedError(InputError):
    """Another process holds the run folder."""


class NumericalError(DnaaugError):
    """Training produced a non-finite value."""
