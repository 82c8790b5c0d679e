"""Tokenizer golden values, round trips, windows and errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dnaaug.errors import ConfigError, InputError, InvalidSequence
from dnaaug.tokenize import (KmerTokenizer, OneHotTokenizer, PackedSequences, onehot_to_kmer_ids,
                             parse_tokenizer, reverse_complement)


def test_golden_onehot_acgtn():
    batch = OneHotTokenizer().encode(["ACGTN"])
    expected = torch.tensor([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]], dtype=torch.float32)
    assert batch.tensor.dtype == torch.float32
    assert torch.equal(batch.tensor[0], expected)
    assert batch.mask.tolist() == [[True] * 5]


def test_golden_onehot_lowercase_and_iupac():
    x = OneHotTokenizer().encode(["acgtRY"]).tensor[0].T
    assert x[:4].tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert x[4].tolist() == [0.5, 0, 0.5, 0]  # R = A/G
    assert x[5].tolist() == [0, 0.5, 0, 0.5]  # Y = C/T


def test_invalid_character_names_record_and_position():
    with pytest.raises(InvalidSequence, match=r"record 'r2', position 3: character 'X'"):
        OneHotTokenizer().encode(["ACGT", "ACXT"], ids=["r1", "r2"])


def test_pad_and_mask_for_short_sequences():
    batch = OneHotTokenizer(length=6).encode(["ACG", "ACGTAC"])
    assert batch.tensor.shape == (2, 4, 6)
    assert batch.mask[0].tolist() == [True, True, True, False, False, False]
    assert batch.tensor[0, :, 3:].abs().sum() == 0


def test_center_crop_and_start_crop():
    assert OneHotTokenizer(4).decode(OneHotTokenizer(4).encode(["AACGTT"]).tensor) == ["ACGT"]
    assert OneHotTokenizer(4, policy="start").decode(OneHotTokenizer(4, "start").encode(["AACGTT"]).tensor) == ["AACG"]


def test_random_crop_is_seeded_and_stays_inside():
    packed = PackedSequences.from_strings(["ACGTACGTAAAA" * 3] * 8)
    a, _ = packed.window(np.arange(8), 5, "random", generator=torch.Generator().manual_seed(1))
    b, _ = packed.window(np.arange(8), 5, "random", generator=torch.Generator().manual_seed(1))
    c, _ = packed.window(np.arange(8), 5, "random", generator=torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    seq = packed.sequence(0)
    for row in a:
        assert row.numpy().tobytes().decode() in seq


def test_tiles_cover_sequence_end():
    packed = PackedSequences.from_strings(["ACGTACGTAC"])
    codes, mask = packed.tiles(0, 4, 3)
    tiles = [r.numpy().tobytes().decode() for r in codes]
    assert tiles == ["ACGT", "TACG", "GTAC"]  # starts 0, 3, 6 (last flush with the end)
    assert mask.all()


def test_golden_kmer_ids():
    batch = KmerTokenizer(k=2).encode(["ACGTA"])
    # AC=1, CG=6, GT=11, TA=12 in base 4, plus 2 for PAD/UNK
    assert batch.tensor.tolist() == [[3, 8, 13, 14]]
    assert KmerTokenizer(k=2).vocab_size == 18


def test_kmer_unknown_and_padding():
    batch = KmerTokenizer(k=2, length=5).encode(["ANCG", "ACGTA"])
    assert batch.tensor[0].tolist() == [1, 1, 8, 0]
    assert batch.mask[0].tolist() == [True, True, True, False]


def test_kmer_stride_and_decode_round_trip():
    tok = KmerTokenizer(k=3, stride=3)
    batch = tok.encode(["ACGTAC"])
    assert batch.tensor.shape == (1, 2)
    assert tok.decode(*batch) == ["ACGTAC"]


def test_kmer_from_onehot_matches_from_strings():
    seqs = ["ACGTTGCA", "TTTTACGN"]
    tok = KmerTokenizer(k=3)
    x = OneHotTokenizer().encode(seqs)
    ids, mask = onehot_to_kmer_ids(x.tensor, x.mask, 3)
    assert torch.equal(ids, tok.encode(seqs).tensor)


def test_window_shorter_than_k_is_an_error():
    with pytest.raises(InputError, match="shorter than k"):
        KmerTokenizer(k=6).encode(["ACG"])


def test_parse_tokenizer():
    assert isinstance(parse_tokenizer("onehot"), OneHotTokenizer)
    tok = parse_tokenizer("kmer:k=4,stride=2", length=100)
    assert (tok.k, tok.stride, tok.length) == (4, 2, 100)
    with pytest.raises(ConfigError):
        parse_tokenizer("kmer:q=3")
    with pytest.raises(ConfigError):
        parse_tokenizer("bpe")
    with pytest.raises(ConfigError):
        KmerTokenizer(k=9)


def test_reverse_complement_keeps_case_and_iupac():
    assert reverse_complement("AACGTn") == "nACGTT"
    assert reverse_complement("RY") == "RY"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="ACGTN", min_size=1, max_size=40), min_size=1, max_size=6))
def test_onehot_round_trip(seqs):
    tok = OneHotTokenizer()
    assert tok.decode(*tok.encode(seqs)) == seqs


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="ACGT", min_size=4, max_size=40), st.integers(1, 4))
def test_kmer_round_trip(seq, k):
    tok = KmerTokenizer(k=k)
    assert tok.decode(*tok.encode([seq])) == [seq]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_only_raises_project_errors(text):
    try:
        OneHotTokenizer().encode([text])
    except InvalidSequence:
        pass
