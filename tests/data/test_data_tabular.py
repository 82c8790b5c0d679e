"""CSV/TSV reader: columns, ids, delimiters, gzip, and exact errors."""

from __future__ import annotations

import pytest
from fixtures import write_text

from dnaaug.data.records import Record
from dnaaug.data.tabular import read_table
from dnaaug.errors import DatasetError, InvalidSequence


def test_csv_with_id_and_label(tmp_path):
    path = write_text(tmp_path / "t.csv", "id,sequence,label\ns1,ACGT,1\ns2, acgn ,0\n")
    assert list(read_table(path)) == [Record("s1", "ACGT", "1"), Record("s2", "acgn", "0")]


def test_tsv_seq_column_ids_from_stem(tmp_path):
    path = write_text(tmp_path / "test.tsv", "seq\tlabel\nAAA\tpos\n\nCCC\tneg\n")
    assert list(read_table(path)) == [Record("test:1", "AAA", "pos"), Record("test:2", "CCC", "neg")]


def test_gzip_crlf_csv_and_name_column(tmp_path):
    path = write_text(tmp_path / "g.csv.gz", "Name,Sequence\nx,AC\ny,GT\n", gz=True, crlf=True)
    assert list(read_table(path)) == [Record("x", "AC"), Record("y", "GT")]


def test_txt_delimiter_sniffed_from_header(tmp_path):
    path = write_text(tmp_path / "t.txt", "sequence\tlabel\nAC\ta\n")
    assert list(read_table(path)) == [Record("t:1", "AC", "a")]


def test_csv_extension_with_tabs_falls_back(tmp_path):
    path = write_text(tmp_path / "wrong.csv", "sequence\tlabel\nAC\ta\n")
    assert list(read_table(path)) == [Record("wrong:1", "AC", "a")]


def test_quoted_fields_and_explicit_columns(tmp_path):
    path = write_text(tmp_path / "q.csv", 'key,dna,cls,extra\n"k,1",ACGT,"a b",x\n')
    records = list(read_table(path, sequence_column="dna", label_column="cls", id_column="key"))
    assert records == [Record("k,1", "ACGT", "a b")]


def test_no_label_column_means_unlabelled(tmp_path):
    path = write_text(tmp_path / "u.csv", "sequence\nAC\n")
    assert list(read_table(path)) == [Record("u:1", "AC", None)]
    with pytest.raises(DatasetError, match=r"no label column 'label'; columns seen: 'sequence'"):
        list(read_table(path, require_label=True))


def test_missing_sequence_column_lists_columns(tmp_path):
    path = write_text(tmp_path / "m.csv", "dna,label\nAC,1\n")
    with pytest.raises(DatasetError) as err:
        list(read_table(path))
    assert str(err.value) == (f"{path}: no sequence column ('sequence' or 'seq'); "
                              "columns seen: 'dna', 'label'")
    assert err.value.exit_code == 2


def test_missing_sequence_column_hints_delimiter(tmp_path):
    path = write_text(tmp_path / "semi.csv", "sequence;label\nAC;1\n")
    with pytest.raises(DatasetError, match=r"columns seen: 'sequence;label' \(the header is one column "
                                           r"containing a semicolon: wrong delimiter\?"):
        list(read_table(path))


def test_explicit_label_column_missing(tmp_path):
    path = write_text(tmp_path / "m.csv", "sequence,y\nAC,1\n")
    with pytest.raises(DatasetError, match=r"no label column 'class'; columns seen: 'sequence', 'y'"):
        list(read_table(path, label_column="class"))


def test_empty_label_cell_names_row(tmp_path):
    path = write_text(tmp_path / "e.csv", "sequence,label\nAC,1\nGT,\nTT,0\n")
    with pytest.raises(DatasetError, match=r"e\.csv line 3 \(row 2\): empty value in label column 'label'"):
        list(read_table(path))


def test_empty_sequence_cell(tmp_path):
    path = write_text(tmp_path / "e.csv", "sequence,label\n ,1\n")
    with pytest.raises(DatasetError, match=r"line 2 \(row 1\): empty sequence in column 'sequence'"):
        list(read_table(path))


def test_short_row(tmp_path):
    path = write_text(tmp_path / "s.csv", "id,sequence,label\na,AC,1\nb,GT\n")
    with pytest.raises(DatasetError, match=r"s\.csv line 3: 2 field\(s\), expected 3"):
        list(read_table(path))


def test_illegal_character_names_line_record_position(tmp_path):
    path = write_text(tmp_path / "i.tsv", "id\tseq\na\tACGT\nb\tACZ\n")
    with pytest.raises(InvalidSequence, match=r"i\.tsv line 3, record 'b', position 3: character 'Z'"):
        list(read_table(path))


def test_duplicate_ids(tmp_path):
    path = write_text(tmp_path / "d.csv", "id,seq\na,AC\na,GT\n")
    with pytest.raises(DatasetError, match=r"line 3 \(row 2\): duplicate id 'a'"):
        list(read_table(path))


@pytest.mark.parametrize("text, message", [("", "empty file"), ("\n \n", "empty file"),
                                           ("sequence,label\n", "no data rows")])
def test_empty_inputs(tmp_path, text, message):
    path = write_text(tmp_path / "z.csv", text)
    with pytest.raises(DatasetError, match=message):
        list(read_table(path))
