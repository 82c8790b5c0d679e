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

import numpy as np

from dnaaug.data.idindex import IdIndex
from dnaaug.data.records import Record
from dnaaug.data.textio import check_text_start, open_binary
from dnaaug.data.validation import DNA_BYTES, is_dna_bytes
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


BLOCK_BYTES = 1 << 18
"""Read size: 256 KiB pieces stay in the CPU cache through the passes over them (4 MiB ran 20 % slower)."""


def _first_header(fh, path: str | os.PathLike) -> tuple[bytes, int]:
    """Read up to the first header line: (that line, its 1-based number).

    Only blank lines may come before it, so a file that is not FASTA fails at its first line of text
    without being read further. The first line is checked for UTF-16 or binary data and loses a
    UTF-8 byte-order mark. Raises DatasetError for text before the header or an empty file.
    """
    raw = fh.readline()
    check_text_start(path, raw)
    if raw.startswith(b"\xef\xbb\xbf"):  # UTF-8 byte-order mark
        raw = raw[3:]
    line = 1
    while raw and not raw.strip():
        raw, line = fh.readline(), line + 1
    if not raw:
        raise DatasetError(f"{path}: empty file (no FASTA records)")
    if raw[:1] != b">":
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DatasetError(f"{path} line {line}: not UTF-8 text (a binary file?)") from None
        raise DatasetError(f"{path} line {line}: text before the first '>' header (not a FASTA file?)")
    return raw, line


def _chunks(path: str | os.PathLike) -> Iterator[tuple[int, bytes]]:
    """``(line number of the first byte, bytes)`` pieces of the file from its first header on, each
    starting with ``>`` and ending where the next piece's header begins, so no record is split.

    Reading a block at a time instead of line by line is what lets the reader run near memory speed.
    gzip and I/O failures become DatasetError (see :func:`_first_header` for the start of the file).
    """
    try:
        with open_binary(path) as fh:
            first, line = _first_header(fh, path)
            pending = [first]
            while block := fh.read(BLOCK_BYTES):
                cut = block.rfind(b"\n>")
                if cut < 0:  # a record longer than a block: gather its pieces, joined once (linear time)
                    pending.append(block)
                    continue
                pending.append(block[:cut + 1])
                chunk = b"".join(pending)
                yield line, chunk
                line += chunk.count(b"\n")
                pending = [block[cut + 1:]]
            yield line, b"".join(pending)
    except EOFError:
        raise DatasetError(f"{path}: truncated gzip file") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise DatasetError(f"{path}: corrupt gzip data ({err})") from None


def _header_spans(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Header lines of a chunk's bytes ``arr`` (N,) uint8 that starts with ``>``: ``starts`` (R,) of
    their ``>``, ``ends`` (R,) of their newline (or N), and ``nl_before`` (R,), the newlines before them."""
    nl = np.flatnonzero(arr == 10)
    after = nl[nl + 1 < arr.size] + 1
    starts = np.concatenate([[0], after[arr[after] == 62]])             # '>' at a line start
    nl_before = np.searchsorted(nl, starts)
    return starts, np.append(nl, arr.size)[nl_before], nl_before


def _chunk_records(chunk: bytes, line: int) -> tuple[list[int], list[bytes], list[str | bytes]]:
    """The records of one chunk (it starts with ``>``): header line numbers, header bytes after
    ``>``, and sequences.

    A sequence is a str when every byte of its lines is a DNA letter (the common case), or the raw
    bytes of its lines (newlines kept) when the exact line-by-line rule must decide: blank, padded
    or bad lines, lone carriage returns, no letters at all.

    Whole-chunk passes replace a Python step per line: numpy finds the header lines, one
    ``bytes.replace`` drops every newline, one ``bytes.translate`` checks every letter, and one
    decode makes the text that each sequence is sliced from.
    """
    text = chunk.replace(b"\r\n", b"\n") if b"\r" in chunk else chunk  # CRLF ends: strip() drops them
    starts, ends, nl_before = _header_spans(np.frombuffer(text, dtype=np.uint8))
    joined = text.replace(b"\n", b"")                   # ">header" + letters, record after record
    seq_start = ends - nl_before                        # in joined: just after a header
    seq_stop = np.append((starts - nl_before)[1:], len(joined))
    starts_l, ends_l = starts.tolist(), ends.tolist()
    headers = [text[s + 1:e] for s, e in zip(starts_l, ends_l)]
    letters = joined.decode("latin-1")  # one character per byte, so byte offsets slice it; DNA is ASCII
    sequences: list[str | bytes] = [letters[a:b] for a, b in zip(seq_start.tolist(), seq_stop.tolist())]
    # every letter is DNA exactly when the only bytes the DNA filter leaves are the headers' own and '>'
    left_by_headers = len(starts_l) + len(b"".join(headers).translate(None, DNA_BYTES))
    slow = np.flatnonzero(seq_stop == seq_start).tolist()
    if len(joined.translate(None, DNA_BYTES)) != left_by_headers:
        slow = [r for r, seq in enumerate(sequences) if not seq or not is_dna_bytes(seq.encode("latin-1"))]
    for r in slow:  # the exact rule decides: give it the record's raw lines
        stop = starts_l[r + 1] if r + 1 < len(starts_l) else len(text)
        sequences[r] = text[ends_l[r] + 1:stop]
    return (nl_before + line).tolist(), headers, sequences


def _header_texts(headers: list[bytes]) -> list[str | None]:
    """Headers decoded as UTF-8 (one decode for the chunk), None for one that is not UTF-8."""
    try:
        return b"\n".join(headers).decode("utf-8").split("\n")
    except UnicodeDecodeError:
        texts: list[str | None] = []
        for raw in headers:
            try:
                texts.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(None)
        return texts


def _sequence_by_lines(body: bytes, line: int, source: str, rid: str) -> str:
    """The exact rule, line by line: each line stripped, blank lines skipped, then validated with
    errors that name the line; a record without letters is an error at its header ``line``."""
    parts: list[bytes] = []
    part_lines: list[int] = []
    for lineno, raw in enumerate(body.split(b"\n"), start=line + 1):
        text = raw.strip()
        if text:
            parts.append(text)
            part_lines.append(lineno)
    if not parts:
        raise DatasetError(f"{source} line {line}: record {rid!r} has no sequence")
    return _checked_sequence(parts, part_lines, source, rid)


def _raise_header_error(text: str | None, line: int, source: str) -> None:
    """Raise the DatasetError for a header that is not UTF-8 (None) or holds no id."""
    if text is None:
        raise DatasetError(f"{source} line {line}: not UTF-8 text (a binary file?)")
    raise DatasetError(f"{source} line {line}: header without an id")


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
    Errors come in file order: a record's header is checked before its sequence.
    """
    if label_from is not None and label is not None:
        raise InputError("read_fasta: give either label_from or label, not both")
    source = str(path)
    seen = IdIndex()
    for chunk_line, chunk in _chunks(path):
        lines, headers, sequences = _chunk_records(chunk, chunk_line)
        texts = _header_texts(headers)
        for line, text, body in zip(lines, texts, sequences):
            words = text.split(None, 1) if text is not None else None
            if not words:
                _raise_header_error(text, line, source)
            rid = words[0]
            if check_duplicates:
                first = seen.setdefault(rid, line)
                if first != line:
                    raise DatasetError(
                        f"{source} line {line}: duplicate record id {rid!r} (first at line {first})")
            rlabel = label
            if label_from is not None:
                rlabel = header_field(text.strip(), label_from)
                if rlabel is None:
                    raise DatasetError(f"{source} line {line}: record {rid!r} has no "
                                       f"'{label_from}=VALUE' field in its header")
            sequence = body if isinstance(body, str) else _sequence_by_lines(body, line, source, rid)
            yield Record(rid, sequence, rlabel)


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
