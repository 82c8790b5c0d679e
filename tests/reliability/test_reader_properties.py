"""Property-based tests of the readers: any bytes at all give records or a DnaaugError, never another
exception; valid DNA survives write -> read -> one-hot / k-mer -> decode unchanged."""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnaaug.data.dataset import read_inputs
from dnaaug.data.fasta import read_fasta, write_fasta
from dnaaug.data.records import Record
from dnaaug.data.tabular import read_table
from dnaaug.errors import DnaaugError
from dnaaug.tokenize import KmerTokenizer, OneHotTokenizer
from dnaaug.tokenize.alphabet import ONEHOT_TABLE

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ROUND_TRIP = settings(SETTINGS, max_examples=50)

# characters that make readers take unusual paths: separators, quotes, line ends, BOMs, NUL, non-ASCII
TRICKY = list(">ACGTNacgtnRYrykm \t\r\n,;|=\"'#0123456789-_.:") + ["label", "sequence", "seq", "id", "name",
                                                                    "\x00", "\ufeff", "\u00e9", "\ufffe", "\u2028"]
tricky_text = st.lists(st.sampled_from(TRICKY), max_size=120).map("".join)

# near-valid files reach deeper code than random bytes: a real header, then rows / records made of
# DNA letters mixed with separators, quotes, stray carriage returns, NUL and non-ASCII characters
row_text = st.text(alphabet="ACGTNacgt,\t\r\"';| x\x00\u00e9>", max_size=40)
table_like = st.builds(lambda header, rows: header + "\n" + "\n".join(rows),
                       st.sampled_from(["sequence", "sequence,label", "id,sequence,label", "seq\tlabel"]),
                       st.lists(row_text, min_size=1, max_size=5))
fasta_like = st.lists(st.tuples(tricky_text, row_text), min_size=1, max_size=5).map(
    lambda recs: "".join(f">{h}\n{s}\n" for h, s in recs))
texts = st.one_of(st.text(max_size=200), tricky_text, table_like, fasta_like)
any_bytes = st.one_of(st.binary(max_size=400), texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
                      texts.map(lambda t: t.encode("utf-16")))
EXTENSIONS = (".fa", ".fasta", ".csv", ".tsv", ".txt", ".dat")


def _consume(reader) -> None:
    try:
        for record in reader:
            assert isinstance(record, Record) and record.sequence and record.id
    except DnaaugError:
        pass  # an error of ours is the right answer to hostile input: the CLI turns it into one line


@SETTINGS
@given(data=any_bytes, compressed=st.booleans(), ext=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes_raise_only_dnaaug_errors(data, compressed, ext):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{ext}{'.gz' if compressed else ''}"
        path.write_bytes(gzip.compress(data) if compressed else data)
        _consume(read_fasta(path))
        _consume(read_table(path))
        _consume(read_inputs([path]))
        _consume(read_inputs([path], label_from="label"))


@SETTINGS
@given(text=st.one_of(table_like, fasta_like), ext=st.sampled_from([".csv", ".tsv", ".fa"]))
def test_near_valid_files_raise_only_dnaaug_errors(text, ext):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{ext}"
        path.write_bytes(text.encode("utf-8"))
        _consume(read_inputs([path]))
        _consume(read_table(path, require_label=True))


@SETTINGS
@given(data=any_bytes, cut=st.integers(1, 60))
def test_truncated_gzip_raises_only_dnaaug_errors(data, cut):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.fa.gz"
        path.write_bytes(gzip.compress(data)[:-cut])
        _consume(read_fasta(path))
        _consume(read_table(path))


@SETTINGS
@given(lines=st.lists(tricky_text, max_size=12))
def test_bed_lines_raise_only_dnaaug_errors(lines):
    with tempfile.TemporaryDirectory() as folder:
        genome = Path(folder) / "g.fa"
        genome.write_text(">chr1\nACGTACGTACNNNNacgtRY\n>chr2\nACGT\n")
        bed = Path(folder) / "r.bed"
        bed.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        _consume(read_inputs([bed], genome=genome))


dna_alphabet = "ACGTNRYSWKMBDHVacgtnryswkmbdhv"
dna = st.text(alphabet=dna_alphabet, min_size=1, max_size=300)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.|:-", min_size=1, max_size=12)
records = st.lists(st.tuples(ids, dna, st.one_of(st.none(), st.sampled_from(["0", "1", "enh", "bg"]))),
                   min_size=1, max_size=12, unique_by=lambda r: r[0])


@ROUND_TRIP
@given(recs=records, width=st.sampled_from([0, 1, 7, 60]), crlf=st.booleans(), compressed=st.booleans())
def test_fasta_write_read_round_trip(recs, width, crlf, compressed):
    expected = [Record(i, s, label) for i, s, label in recs]
    buffer = io.StringIO()
    write_fasta(expected, buffer, width=width)
    text = buffer.getvalue().replace("\n", "\r\n") if crlf else buffer.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.fa.gz"
        path.write_bytes(gzip.compress(text.encode()) if compressed else text.encode())
        if all(label is not None for *_, label in recs):
            assert list(read_fasta(path, label_from="label")) == expected
        assert [(r.id, r.sequence) for r in read_fasta(path)] == [(i, s) for i, s, _ in recs]


@ROUND_TRIP
@given(recs=records, sep=st.sampled_from([",", "\t"]), ext=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_table_write_read_round_trip(recs, sep, ext):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(["id", "sequence", "label"])
    writer.writerows([(i, s, "x" if label is None else label) for i, s, label in recs])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{ext}"
        path.write_text(buffer.getvalue())
        got = list(read_table(path))
    assert got == [Record(i, s, "x" if label is None else label) for i, s, label in recs]


@ROUND_TRIP
@given(seqs=st.lists(dna, min_size=1, max_size=8))
def test_read_then_onehot_round_trip(seqs):
    """ACGTN in any case decode back to the upper-case letters; IUPAC columns are the alphabet's fractions."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.fa"
        path.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(seqs)))
        read = [r.sequence for r in read_fasta(path)]
    assert read == seqs
    x, mask = OneHotTokenizer().encode(read)
    assert x.shape == (len(seqs), 4, max(map(len, seqs))) and mask.sum(1).tolist() == [len(s) for s in seqs]
    for row, s in zip(x, read):
        expected = torch.from_numpy(ONEHOT_TABLE[list(s.encode())]).T
        assert torch.equal(row[:, :len(s)], expected) and not row[:, len(s):].any()
    decoded = OneHotTokenizer().decode(x, mask)
    for s, d in zip(read, decoded):
        plain = [(a, b) for a, b in zip(s.upper(), d) if a in "ACGTN"]
        assert all(a == b for a, b in plain) and len(d) == len(s)


@ROUND_TRIP
@given(seqs=st.lists(st.text(alphabet="ACGTacgt", min_size=8, max_size=200), min_size=1, max_size=8),
       k=st.integers(1, 8))
def test_read_then_kmer_round_trip(seqs, k):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_text("sequence\n" + "".join(f"{s}\n" for s in seqs))
        read = [r.sequence for r in read_table(path)]
    assert read == seqs
    tokenizer = KmerTokenizer(k=k)
    ids, mask = tokenizer.encode(read)
    assert (mask.sum(1) == torch.tensor([len(s) - k + 1 for s in seqs])).all()
    assert tokenizer.decode(ids, mask) == [s.upper() for s in seqs]
