"""The chunked FASTA reader against the plain line-by-line rule it replaced, on tricky files and at
tiny block sizes (so records and CRLF pairs straddle block boundaries): the same records, then the
same error (type and message) at the same point."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnaaug.data import fasta
from dnaaug.data.fasta import header_field, read_fasta
from dnaaug.data.records import Record
from dnaaug.data.textio import check_text_start
from dnaaug.errors import DatasetError, DnaaugError

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_read(path: Path, label_from: str | None = None):
    """Line by line: strip each line, skip blank ones, a line starting with '>' opens a record;
    errors name the line (the sequence's own check is the shared ``fasta._checked_sequence``)."""
    source, data = str(path), path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = data.split(b"\n")  # binary files split at LF only
    check_text_start(path, lines[0])
    if lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    seen: dict[str, int] = {}
    rid = rlabel = None
    rline, parts, part_lines = 0, [], []
    for lineno, raw in enumerate(lines, start=1):
        if raw[:1] == b">":
            if rid is not None:
                if not parts:
                    raise DatasetError(f"{source} line {rline}: record {rid!r} has no sequence")
                yield Record(rid, fasta._checked_sequence(parts, part_lines, source, rid), rlabel)
            try:
                header = raw[1:].decode("utf-8").strip()
            except UnicodeDecodeError:
                raise DatasetError(f"{source} line {lineno}: not UTF-8 text (a binary file?)") from None
            if not header.split():
                raise DatasetError(f"{source} line {lineno}: header without an id")
            rid, rline, parts, part_lines = header.split()[0], lineno, [], []
            if seen.setdefault(rid, lineno) != lineno:
                raise DatasetError(f"{source} line {lineno}: duplicate record id {rid!r} "
                                   f"(first at line {seen[rid]})")
            if label_from is not None:
                rlabel = header_field(header, label_from)
                if rlabel is None:
                    raise DatasetError(f"{source} line {lineno}: record {rid!r} has no "
                                       f"'{label_from}=VALUE' field in its header")
        elif raw.strip():
            if rid is None:
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise DatasetError(f"{source} line {lineno}: not UTF-8 text (a binary file?)") from None
                raise DatasetError(f"{source} line {lineno}: text before the first '>' header "
                                   "(not a FASTA file?)")
            parts.append(raw.strip())
            part_lines.append(lineno)
    if rid is None:
        raise DatasetError(f"{source}: empty file (no FASTA records)")
    if not parts:
        raise DatasetError(f"{source} line {rline}: record {rid!r} has no sequence")
    yield Record(rid, fasta._checked_sequence(parts, part_lines, source, rid), rlabel)


def outcome(records):
    """(records read before any error, the error as (type name, message) or None)."""
    got = []
    try:
        for record in records:
            got.append(record)
    except DnaaugError as err:
        return got, (type(err).__name__, str(err))
    return got, None


# sequence lines: mostly DNA, sometimes blank, padded, CRLF/CR-ended, or holding a bad character
letters = st.text(alphabet="ACGTNacgtnRYkmU", min_size=1, max_size=30)
odd = st.sampled_from(["", " ", "  \t", "AC GT", "ACXGT", "AC\rGT", "AC\u00e9", "\u00e9", ">", " >x",
                       "acgt\r"])
seq_line = st.one_of(letters, letters, letters, odd)
header = st.one_of(st.sampled_from(["a", "b", "c label=x", "d label=y;k=1", "a dup", " ", "", "e|f label=z"]),
                   st.text(alphabet="abc =|;\t\u00e9", max_size=8))
record = st.tuples(header, st.lists(seq_line, max_size=4))
ending = st.sampled_from(["\n", "\r\n"])


@st.composite
def fasta_bytes(draw) -> bytes:
    prelude = draw(st.sampled_from(["", "", "\n", " \n\n", "\ufeff", "note\n"]))
    nl = draw(ending)
    records = draw(st.lists(record, max_size=6))
    body = "".join(">" + h + nl + "".join(s + nl for s in seqs) for h, seqs in records)
    data = (prelude + body).encode("utf-8")
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")  # no final line end
    if draw(st.integers(0, 9)) == 0:
        data = data.replace(b"\xc3\xa9", b"\xff", 1)  # a byte that is not UTF-8
    return data


@SETTINGS
@given(data=fasta_bytes(), block=st.sampled_from([1, 2, 5, 16, 64, 1 << 18]), compressed=st.booleans(),
       label_from=st.sampled_from([None, "label"]))
def test_chunked_reader_matches_the_line_by_line_rule(data, block, compressed, label_from):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.fa"
        path.write_bytes(gzip.compress(data) if compressed else data)
        with mock.patch.object(fasta, "BLOCK_BYTES", block):
            fast = outcome(read_fasta(path, label_from=label_from))
        assert fast == outcome(reference_read(path, label_from))


def test_a_record_longer_than_many_blocks(tmp_path):
    sequence = "ACGTN" * 10_000
    path = tmp_path / "long.fa"
    lines = "\n".join(sequence[i:i + 70] for i in range(0, len(sequence), 70))
    path.write_text(f">a\n{lines}\n>b\nAC\n")
    with mock.patch.object(fasta, "BLOCK_BYTES", 1000):
        assert list(read_fasta(path)) == [Record("a", sequence), Record("b", "AC")]
