"""Streaming FASTA reader (plain or gzip, detected by content).

Strict on purpose: an empty file, text before the first header, a header without sequence,
a repeated id or a non-DNA character is an error that names the file, the record and the
line, instead of a silently different dataset. Sequences keep their case and IUPAC codes.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate

from dnaaug.data.idindex import IdIndex
from dnaaug.data.records import Record
from dnaaug.data.textio import check_text_start, open_binary
from dnaaug.data.validation import is_dna_bytes
from dnaaug.errors import DatasetError, InputError, InvalidSequence
from dnaaug.tokenize.alphabet import as_bytes

FASTA_EXTENSIONS = (".fa", ".fasta", ".fna", ".ffn", ".fas", ".mfa")


def header_field(description: str, key: str) -> str | None:
    """Value of ``key=value`` in a header (fields split by whitespace, ``;`` or ``|``), else None."""
    match = re.search(rf"(?:^|[\s;|]){re.escape(key)}=([^\s;|]+)", description)
    return match.group(1) if match else None


def _checked_sequence(parts: list[bytes], part_lines: list[int], source: str, record: str) -> str:
    """Join a record's sequence lines, decode and validate them with the alphabet's table;
    on a bad character :func:`as_bytes` builds the error, which then names the line."""
    joined = b"".join(parts)
    if is_dna_bytes(joined):
        return joined.decode("ascii")
    try:
        sequence = joined.decode("ascii")
    except UnicodeDecodeError as err:
        line = part_lines[bisect_right(list(accumulate(len(p) for p in parts)), err.start)]
        try:
            sequence = joined.decode("utf-8")  # non-ASCII text: as_bytes below names the character
        except UnicodeDecodeError:
            raise DatasetError(f"{source} line {line}: not UTF-8 text (a binary file?)") from None
    try:
        as_bytes(sequence, source=source, record=record)
    except InvalidSequence as err:
        # find the line holding the bad character so the message points at it exactly
        ends = list(accumulate(len(p.decode("utf-8")) for p in parts))
        line = part_lines[bisect_right(ends, err.position - 1)]
        core = str(err).partition(f"position {err.position}: ")[2] or str(err)
        raise InvalidSequence(core, source=f"{source} line {line}", record=record,
                              position=err.position) from None
    return sequence


def _lines(path: str | os.PathLike) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw bytes)`` with gzip and I/O failures turned into DatasetError."""
    try:
        with open_binary(path) as fh:
            first = fh.readline()
            check_text_start(path, first)
            if first.startswith(b"\xef\xbb\xbf"):  # UTF-8 byte-order mark
                first = first[3:]
            if first:
                yield 1, first
            yield from enumerate(fh, start=2)
    except EOFError:
        raise DatasetError(f"{path}: truncated gzip file") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise DatasetError(f"{path}: corrupt gzip data ({err})") from None


def read_fasta(path: str | os.PathLike, *, label_from: str | None = None, label: str | None = None,
               check_duplicates: bool = True) -> Iterator[Record]:
    """Yield one :class:`Record` per FASTA entry, streaming.

    path:        FASTA file, plain or gzip (detected from the magic bytes); LF or CRLF lines;
                 sequences may span many lines.
    label_from:  take each record's label from ``key=value`` in its header
                 (``>seq1 label=enhancer`` with ``label_from="label"``); a record without the
                 key is an error.
    label:       give every record this label (one file per class).
    check_duplicates: keep the ids seen so far to reject repeats (memory grows with the
                 number of records; turn off for very large unlabelled inputs).

    The id is the first word of the header. Raises DatasetError (empty file, text before
    the first header, header without id or sequence, duplicate id, missing label key,
    binary or truncated-gzip input) or InvalidSequence (file, line, record, 1-based position).
    """
    if label_from is not None and label is not None:
        raise InputError("read_fasta: give either label_from or label, not both")
    source = str(path)
    seen = IdIndex()
    rid: str | None = None
    rlabel: str | None = None
    rline = 0
    parts: list[bytes] = []
    part_lines: list[int] = []
    for lineno, raw in _lines(path):
        if raw[:1] == b">":
            if rid is not None:
                if not parts:
                    raise DatasetError(f"{source} line {rline}: record {rid!r} has no sequence")
                yield Record(rid, _checked_sequence(parts, part_lines, source, rid), rlabel)
            try:
                header = raw[1:].decode("utf-8").strip()
            except UnicodeDecodeError:
                raise DatasetError(f"{source} line {lineno}: not UTF-8 text (a binary file?)") from None
            words = header.split(None, 1)
            if not words:
                raise DatasetError(f"{source} line {lineno}: header without an id")
            rid, rline = words[0], lineno
            parts, part_lines = [], []
            if check_duplicates:
                first = seen.setdefault(rid, lineno)
                if first != lineno:
                    raise DatasetError(
                        f"{source} line {lineno}: duplicate record id {rid!r} (first at line {first})")
            if label_from is not None:
                rlabel = header_field(header, label_from)
                if rlabel is None:
                    raise DatasetError(f"{source} line {lineno}: record {rid!r} has no "
                                       f"'{label_from}=VALUE' field in its header")
            else:
                rlabel = label
        else:
            text = raw.strip()
            if not text:
                continue
            if rid is None:
                try:
                    text.decode("utf-8")
                except UnicodeDecodeError:
                    raise DatasetError(f"{source} line {lineno}: not UTF-8 text (a binary file?)") from None
                raise DatasetError(f"{source} line {lineno}: text before the first '>' header "
                                   "(not a FASTA file?)")
            parts.append(text)
            part_lines.append(lineno)
    if rid is None:
        raise DatasetError(f"{source}: empty file (no FASTA records)")
    if not parts:
        raise DatasetError(f"{source} line {rline}: record {rid!r} has no sequence")
    yield Record(rid, _checked_sequence(parts, part_lines, source, rid), rlabel)


def write_fasta(records, fh, *, width: int = 0) -> None:
    """Write records to an open text file as FASTA; ``label=NAME`` goes in the header when set.

    width: wrap sequence lines at this many letters (0 = one line per sequence).
    """
    for rec in records:
        header = f">{rec.id}" if rec.label is None else f">{rec.id} label={rec.label}"
        seq = rec.sequence
        if width > 0:
            seq = "\n".join(seq[i:i + width] for i in range(0, len(seq), width))
        fh.write(f"{header}\n{seq}\n")
