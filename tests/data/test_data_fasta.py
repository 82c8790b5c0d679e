"""FASTA reader: golden records on tiny files, and one exact error per kind of bad input."""

from __future__ import annotations

import gzip

import pytest
from fixtures import write_text

from dnaaug.data.fasta import read_fasta
from dnaaug.data.records import Record
from dnaaug.errors import DatasetError, InputError, InvalidSequence

MULTI = ">r1 first record\nACGT\nacgtn\n\n>r2\nRYKM\nNNAC\n>r3 x=1\nG\n"
GOLDEN = [Record("r1", "ACGTacgtn"), Record("r2", "RYKMNNAC"), Record("r3", "G")]


def test_plain_multiline_keeps_case_and_iupac(tmp_path):
    path = write_text(tmp_path / "a.fa", MULTI)
    assert list(read_fasta(path)) == GOLDEN


@pytest.mark.parametrize("name", ["a.fa.gz", "a.fa", "noext"])
def test_gzip_detected_by_content_not_extension(tmp_path, name):
    path = write_text(tmp_path / name, MULTI, gz=True)
    assert list(read_fasta(path)) == GOLDEN


def test_gz_extension_on_plain_text_still_reads(tmp_path):
    path = write_text(tmp_path / "plain.fa.gz", MULTI)
    assert list(read_fasta(path)) == GOLDEN


def test_crlf_line_endings(tmp_path):
    path = write_text(tmp_path / "crlf.fa", MULTI, crlf=True)
    records = list(read_fasta(path))
    assert records == GOLDEN
    assert all("\r" not in r.sequence and "\r" not in r.id for r in records)


def test_crlf_gzip_and_bom(tmp_path):
    path = write_text(tmp_path / "x.fa.gz", "\ufeff" + MULTI, gz=True, crlf=True)
    assert list(read_fasta(path)) == GOLDEN


def test_label_from_header_key(tmp_path):
    path = write_text(tmp_path / "l.fa", ">a label=enh\nAC\n>b foo=1 label=bg;x=2\nGT\n>c|label=enh\nTT\n")
    assert [(r.id, r.label) for r in read_fasta(path, label_from="label")] == [
        ("a", "enh"), ("b", "bg"), ("c|label=enh", "enh")]


def test_label_from_missing_key_names_record_and_line(tmp_path):
    path = write_text(tmp_path / "l.fa", ">a label=x\nAC\n>b other=1\nGT\n")
    with pytest.raises(DatasetError, match=r"l\.fa line 3: record 'b' has no 'label=VALUE'"):
        list(read_fasta(path, label_from="label"))


def test_constant_label_and_conflict(tmp_path):
    path = write_text(tmp_path / "c.fa", ">a\nAC\n")
    assert list(read_fasta(path, label="pos")) == [Record("a", "AC", "pos")]
    with pytest.raises(InputError):
        list(read_fasta(path, label="pos", label_from="label"))


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file(tmp_path, text):
    path = write_text(tmp_path / "empty.fa", text)
    with pytest.raises(DatasetError, match=r"empty\.fa: empty file") as err:
        list(read_fasta(path))
    assert err.value.exit_code == 2


def test_no_header(tmp_path):
    path = write_text(tmp_path / "raw.fa", "ACGT\nACGT\n")
    with pytest.raises(DatasetError, match=r"raw\.fa line 1: text before the first '>' header"):
        list(read_fasta(path))


def test_text_before_first_header(tmp_path):
    path = write_text(tmp_path / "pre.fa", "\nsome note\n>a\nAC\n")
    with pytest.raises(DatasetError, match=r"pre\.fa line 2: text before the first '>' header"):
        list(read_fasta(path))


@pytest.mark.parametrize("text, line, rid", [(">a\n>b\nAC\n", 1, "a"), (">a\nAC\n>b\n", 3, "b"),
                                             (">a\nAC\n>b\n\n\n>c\nG\n", 3, "b")])
def test_empty_record(tmp_path, text, line, rid):
    path = write_text(tmp_path / "e.fa", text)
    with pytest.raises(DatasetError, match=rf"e\.fa line {line}: record '{rid}' has no sequence"):
        list(read_fasta(path))


def test_header_without_id(tmp_path):
    path = write_text(tmp_path / "h.fa", ">a\nAC\n> \nGT\n")
    with pytest.raises(DatasetError, match=r"h\.fa line 3: header without an id"):
        list(read_fasta(path))


def test_duplicate_ids(tmp_path):
    path = write_text(tmp_path / "d.fa", ">a\nAC\n>b\nGG\n>a x\nTT\n")
    with pytest.raises(DatasetError, match=r"d\.fa line 5: duplicate record id 'a' \(first at line 1\)"):
        list(read_fasta(path))
    assert len(list(read_fasta(path, check_duplicates=False))) == 3


def test_illegal_character_names_file_line_record_position(tmp_path):
    path = write_text(tmp_path / "bad.fa", ">ok\nACGT\n>r2\nACGTA\nCCXGA\n")
    with pytest.raises(InvalidSequence) as err:
        list(read_fasta(path))
    message = str(err.value)
    assert f"{path} line 5, record 'r2', position 8: character 'X' is not DNA" in message
    assert (err.value.record, err.value.position, err.value.exit_code) == ("r2", 8, 2)


def test_internal_space_is_illegal(tmp_path):
    path = write_text(tmp_path / "sp.fa", ">a\nAC GT\n")
    with pytest.raises(InvalidSequence, match=r"position 3: character ' '"):
        list(read_fasta(path))


def test_binary_garbage(tmp_path):
    path = tmp_path / "bin.fa"
    path.write_bytes(b">a\nACGT\n\xff\xfe\x00\x81garbage\n")
    with pytest.raises(DatasetError, match=r"bin\.fa line 3: not UTF-8 text"):
        list(read_fasta(path))


def test_truncated_gzip(tmp_path):
    data = gzip.compress((">a\n" + "ACGT" * 5000 + "\n").encode())
    path = tmp_path / "cut.fa.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=r"cut\.fa\.gz: truncated gzip file"):
        list(read_fasta(path))


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        list(read_fasta(tmp_path / "nope.fa"))


def test_streams_lazily(tmp_path):
    path = write_text(tmp_path / "s.fa", ">a\nAC\n>b\nGT\n>a\nTT\n")
    it = read_fasta(path)
    assert next(it) == Record("a", "AC")  # the duplicate at the end is not read yet
    assert next(it) == Record("b", "GT")
    with pytest.raises(DatasetError):
        next(it)
