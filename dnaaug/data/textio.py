"""Opening input files as text lines (plain or gzip, by content) and checking output paths before
any work (atomic writes live in :mod:`dnaaug.atomic`).

Readers call :func:`iter_lines` so that every I/O failure (missing file, binary data, truncated
gzip) becomes one :class:`DatasetError` line that names the file, never a traceback.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dnaaug.errors import DatasetError, InputError

GZIP_MAGIC = b"\x1f\x8b"
WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE (UTF-32 LE too), UTF-32 BE


def is_gzip(path: str | os.PathLike) -> bool:
    """True when the file starts with the gzip magic bytes (the extension is not trusted)."""
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def strip_compression_suffix(name: str) -> str:
    """``"x.fa.gz"`` -> ``"x.fa"``; other names unchanged."""
    return name[:-3] if name.lower().endswith(".gz") else name


def file_stem(path: str | os.PathLike) -> str:
    """File name without the format extension and a ``.gz``: ``data/x.csv.gz`` -> ``x``."""
    return Path(strip_compression_suffix(Path(path).name)).stem


def check_readable_file(path: str | os.PathLike) -> Path:
    """Return ``path`` as a Path, or raise DatasetError if it is missing or not a file."""
    p = Path(path)
    if not p.exists():
        raise DatasetError(f"{p}: no such file")
    if p.is_dir():
        raise DatasetError(f"{p}: is a folder, expected a file")
    if not os.access(p, os.R_OK):
        raise DatasetError(f"{p}: permission denied")
    return p


def check_text_start(path: str | os.PathLike, first_line: bytes) -> None:
    """Refuse UTF-16/UTF-32 text and binary data from the first line, with a hint; without this
    check they surface later as a confusing 'not FASTA' or 'no sequence column' message."""
    if first_line.startswith(WIDE_BOMS):
        raise DatasetError(f"{path}: UTF-16 or UTF-32 text; dnaaug reads UTF-8 or ASCII (convert it, "
                           f"e.g. iconv -f UTF-16 -t UTF-8 {Path(path).name} > converted)")
    if b"\x00" in first_line:
        raise DatasetError(f"{path} line 1: NUL bytes: a binary file, or UTF-16 text without a byte-order "
                           "mark? (dnaaug reads UTF-8 or ASCII text)")


def check_output_file(path: str | os.PathLike) -> Path:
    """Fail before any heavy work when the output file cannot be written (InputError, exit 2):
    its folder must exist, be a folder and be writable, and the path must not be a folder."""
    out = Path(path)
    parent = out.parent
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give an output file name")
    if not parent.exists():
        raise InputError(f"{out}: output folder {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"{out}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{out}: output folder {parent} is not writable")
    return out


def check_output_folder(path: str | os.PathLike) -> Path:
    """Fail before any heavy work when the output folder cannot be created or written (InputError):
    an existing path must be a writable folder, else its nearest existing parent must be one."""
    out = Path(path)
    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{out}: cannot create the output folder: {probe} is a file")
    if not os.access(probe, os.W_OK | os.X_OK):
        where = "" if probe == out else f" (cannot create it in {probe})"
        raise InputError(f"{out}: output folder is not writable{where}")
    return out


def open_binary(path: str | os.PathLike) -> IO[bytes]:
    """Open a file for binary reading, transparently gunzipping gzip content."""
    p = check_readable_file(path)
    return gzip.open(p, "rb") if is_gzip(p) else open(p, "rb")


def iter_lines(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for every line, 1-based, without the line ending.

    CRLF and LF both work; a UTF-8 byte-order mark on the first line is dropped.
    Raises DatasetError for undecodable (binary) content and for truncated or corrupt gzip.
    """
    lineno = 0
    try:
        with open_binary(path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                if lineno == 1:
                    check_text_start(path, raw)
                text = raw.decode("utf-8").rstrip("\r\n")
                if lineno == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                yield lineno, text
    except UnicodeDecodeError:
        raise DatasetError(f"{path} line {lineno}: not UTF-8 text (a binary file?)") from None
    except EOFError:
        raise DatasetError(f"{path}: truncated gzip file (ends after line {lineno})") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise DatasetError(f"{path}: corrupt gzip data after line {lineno} ({err})") from None
