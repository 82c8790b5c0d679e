"""Streaming CSV/TSV reader: one sequence per row, optional label and id columns.

The delimiter comes from the extension (``.csv`` comma, ``.tsv`` tab) or, for anything else
(``.txt``), from the header line; a header that only splits with the other delimiter wins
over the extension (with a log warning), since a mislabelled ``.csv`` full of tabs is common.
"""

from __future__ import annotations

import csv
import itertools
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from dnaaug.data.idindex import IdIndex
from dnaaug.data.records import Record
from dnaaug.data.textio import file_stem, iter_lines, strip_compression_suffix
from dnaaug.data.validation import check_dna
from dnaaug.errors import DatasetError

log = logging.getLogger(__name__)

# csv's default cell limit (128 KiB) is shorter than many genomic sequences
FIELD_SIZE_LIMIT = 2**31 - 1

SEQUENCE_COLUMNS = ("sequence", "seq")
ID_COLUMNS = ("id", "name")
TABLE_EXTENSIONS = (".csv", ".tsv", ".txt")


def _delimiter(path: Path, header: str) -> str:
    ext = Path(strip_compression_suffix(path.name)).suffix.lower()
    guess = {".csv": ",", ".tsv": "\t"}.get(ext)
    if guess is None:
        return "\t" if header.count("\t") >= max(header.count(","), 1) else ","
    other = "\t" if guess == "," else ","
    if guess not in header and other in header:
        log.warning("%s: header has no %r but has %r; reading it as %s-separated", path,
                    guess, other, "tab" if other == "\t" else "comma")
        return other
    return guess


def _find_column(columns: list[str], wanted: str | None, defaults: tuple[str, ...]) -> int | None:
    """Index of the column named ``wanted`` (exact, then case-insensitive) or of the first default."""
    lowered = [c.strip().lower() for c in columns]
    names = (wanted,) if wanted is not None else defaults
    for name in names:
        if name in columns:
            return columns.index(name)
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def _missing_column_message(path: Path, what: str, columns: list[str], delimiter: str) -> str:
    shown = ", ".join(repr(c) for c in columns[:20]) + (", ..." if len(columns) > 20 else "")
    message = f"{path}: no {what}; columns seen: {shown}"
    if len(columns) == 1:
        found = [name for ch, name in ((",", "comma"), ("\t", "tab"), (";", "semicolon"), ("|", "pipe"))
                 if ch != delimiter and ch in columns[0]]
        if found:
            message += (f" (the header is one column containing a {found[0]}: wrong delimiter? "
                        "name comma-separated files .csv and tab-separated files .tsv)")
    return message


def _rows(reader, source: str, current: list[int]) -> Iterator[list[str]]:
    """The csv reader's rows, its format errors (a stray carriage return, ...) as DatasetError."""
    try:
        yield from reader
    except csv.Error as err:
        why = str(err)
        if "new-line character" in why:  # csv's own wording points at open() modes, not at the file
            why = "a carriage return inside a field; old Mac line endings? convert them to LF"
        raise DatasetError(f"{source} line {current[0]}: malformed CSV/TSV row ({why})") from None


def _needs_csv(text: str) -> bool:
    """True when csv.reader may read the line differently from ``str.split``: a quote (quoted
    fields), a carriage return (csv's error) or NUL (an error on Python 3.10)."""
    return '"' in text or "\r" in text or "\x00" in text


def _split_rows(lines: Iterator[tuple[int, str]], delimiter: str, source: str, current: list[int]
                ) -> Iterator[list[str]]:
    """Fields of every row; ``current[0]`` is the line number of the row's last line.

    A line that does not :func:`_needs_csv` is split with ``str.split``, which is what csv.reader
    makes of it, at C speed: csv's state machine costs about 5 ns per character, the bulk of the
    time on long sequence fields. Any other line goes to csv.reader, which may pull further lines
    for a quoted field.
    """
    def numbered(first: str) -> Iterator[str]:
        yield first
        for n, t in lines:
            current[0] = n
            yield t

    for lineno, text in lines:
        current[0] = lineno
        if _needs_csv(text):
            reader = csv.reader(numbered(text), delimiter=delimiter)
            yield from _rows(itertools.islice(reader, 1), source, current)
        else:
            yield text.split(delimiter)


def read_table(path: str | os.PathLike, *, sequence_column: str | None = None,
               label_column: str | None = "label", id_column: str | None = None,
               require_label: bool = False) -> Iterator[Record]:
    """Yield one :class:`Record` per data row of a CSV/TSV file (plain or gzip), streaming.

    sequence_column: the sequence column; by default ``sequence`` or ``seq`` (any case).
    label_column:    the label column (default ``label``); when it is absent the records are
                     unlabelled, unless ``require_label`` or a non-default name was given.
                     ``None`` ignores labels.
    id_column:       the id column; by default ``id`` or ``name`` if present, else ids are
                     ``<file-stem>:<row>`` with 1-based data rows.

    Raises DatasetError naming the file and line for: empty file, no data rows, missing
    sequence/label/id column (listing the columns seen), a row with too few fields, an empty
    sequence or label cell, a duplicate id; InvalidSequence for non-DNA characters.
    """
    p = Path(path)
    lines = iter_lines(p)
    header = None
    for lineno, text in lines:
        if text.strip():
            header = text
            break
    if header is None:
        raise DatasetError(f"{p}: empty file (no header, no rows)")
    delimiter = _delimiter(p, header)
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    try:
        columns = [c.strip() for c in next(csv.reader([header], delimiter=delimiter))]
    except csv.Error as err:
        raise DatasetError(f"{p} line {lineno}: malformed header ({err})") from None

    seq_i = _find_column(columns, sequence_column, SEQUENCE_COLUMNS)
    if seq_i is None:
        what = (f"sequence column {sequence_column!r}" if sequence_column
                else "sequence column ('sequence' or 'seq')")
        raise DatasetError(_missing_column_message(p, what, columns, delimiter))
    label_i = None
    if label_column is not None:
        label_i = _find_column(columns, label_column, ())
        if label_i is None and (require_label or label_column != "label"):
            raise DatasetError(_missing_column_message(p, f"label column {label_column!r}", columns,
                                                       delimiter))
    id_i = _find_column(columns, id_column, ID_COLUMNS)
    if id_i is None and id_column is not None:
        raise DatasetError(_missing_column_message(p, f"id column {id_column!r}", columns, delimiter))

    stem = file_stem(p)
    source = str(p)
    needed = max(i for i in (seq_i, label_i, id_i) if i is not None) + 1
    current = [0]  # line number of the row being read (a quoted field may span several lines)
    seen = IdIndex()
    row = 0
    for fields in _split_rows(lines, delimiter, source, current):
        if not fields or all(not f.strip() for f in fields):
            continue
        row += 1
        line = current[0]
        if len(fields) < needed:
            raise DatasetError(f"{source} line {line}: {len(fields)} field(s), expected {len(columns)} "
                               f"(columns: {', '.join(columns)})")
        rid = fields[id_i].strip() if id_i is not None else f"{stem}:{row}"
        if not rid:
            raise DatasetError(f"{source} line {line} (row {row}): empty id in column {columns[id_i]!r}")
        if id_i is not None:
            if seen.setdefault(rid, line) != line:
                raise DatasetError(f"{source} line {line} (row {row}): duplicate id {rid!r}")
        sequence = fields[seq_i].strip()
        if not sequence:
            raise DatasetError(f"{source} line {line} (row {row}): empty sequence in column "
                               f"{columns[seq_i]!r}")
        check_dna(sequence, source=f"{source} line {line}", record=rid)
        label = None
        if label_i is not None:
            label = fields[label_i].strip()
            if not label:
                raise DatasetError(f"{source} line {line} (row {row}): empty value in label column "
                                   f"{columns[label_i]!r}")
        yield Record(rid, sequence, label)
    if row == 0:
        raise DatasetError(f"{source}: no data rows (only a header)")
