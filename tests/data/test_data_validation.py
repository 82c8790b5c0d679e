"""The readers' fast DNA check agrees with the alphabet's as_bytes on every input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnaaug.data.validation import check_dna
from dnaaug.errors import InvalidSequence
from dnaaug.tokenize.alphabet import as_bytes

LETTERS = "ACGTNacgtnRYSWKMBDHVryswkmbdhvUu"


def outcome(fn, seq):
    try:
        fn(seq, source="f.fa", record="r")
        return None
    except InvalidSequence as err:
        return str(err)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(LETTERS), max_size=30)
       | st.text(max_size=30)
       | st.tuples(st.text(alphabet=st.sampled_from(LETTERS), max_size=20), st.characters(),
                   st.text(alphabet=st.sampled_from(LETTERS), max_size=5)).map("".join))
def test_check_dna_matches_as_bytes(seq):
    assert outcome(check_dna, seq) == outcome(as_bytes, seq)


@pytest.mark.parametrize("seq, position", [("ACGX", 4), ("é", 1), ("AC GT", 3), ("ACG\x00", 4)])
def test_check_dna_positions(seq, position):
    with pytest.raises(InvalidSequence) as err:
        check_dna(seq, source="f.fa", record="r")
    assert (err.value.position, err.value.record) == (position, "r")
