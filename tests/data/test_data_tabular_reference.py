"""The table reader's ``str.split`` shortcut against csv.reader on every line (its reference): the
same records, then the same error (type and message), on tricky CSV/TSV text."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from dnaaug.data import tabular
from dnaaug.data.tabular import read_table
from dnaaug.errors import DnaaugError

SETTINGS = settings(max_examples=300, deadline=None)

odd = ["", " ", "x", "1", "enh", '"AC,GT"', '"a""b"', 'AC"GT', '"ACGT', "AC\rGT", "AC\x00", "\u00e9",
       "\t", ","]
cell = st.one_of(st.text(alphabet="ACGTNacgtRY", max_size=12), st.sampled_from(odd))
rows = st.lists(st.lists(cell, min_size=0, max_size=4), max_size=6)
headers = st.sampled_from(["sequence", "id,sequence,label", "sequence,label", "seq\tlabel", "name\tseq",
                           "id,sequence", '"sequence",label'])


def outcome(path: Path, **kwargs):
    """(records read before any error, the error as (type name, message) or None)."""
    got = []
    try:
        for record in read_table(path, **kwargs):
            got.append(record)
    except DnaaugError as err:
        return got, (type(err).__name__, str(err))
    return got, None


@SETTINGS
@given(header=headers, body=rows, sep=st.sampled_from([",", "\t"]),
       ext=st.sampled_from([".csv", ".tsv", ".txt"]), crlf=st.booleans())
def test_split_shortcut_matches_csv_reader(header, body, sep, ext, crlf):
    end = "\r\n" if crlf else "\n"
    text = header + end + "".join(sep.join(r) + end for r in body)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t{ext}"
        path.write_bytes(text.encode("utf-8"))
        fast = outcome(path)
        with mock.patch.object(tabular, "_needs_csv", lambda line: True):
            assert fast == outcome(path)
