"""The fast encoders against a plain reference written here, letter by letter, on random and
adversarial inputs: IUPAC codes, lowercase, N, U, empty sequences, padding, invalid letters."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dnaaug.errors import InvalidSequence
from dnaaug.tokenize import (KmerTokenizer, OneHotTokenizer, PackedSequences, codes_to_onehot,
                             onehot_to_kmer_ids)
from dnaaug.tokenize.onehot import base_index
from dnaaug.train import bank

# the alphabet spelled out once more, independently of dnaaug.tokenize.alphabet's tables
ALLOWED = {"A": "A", "C": "C", "G": "G", "T": "T", "U": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT",
           "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": ""}
LETTERS = "".join(ALLOWED) + "".join(ALLOWED).lower()
MESSAGE = "is not DNA (allowed: ACGT, N, IUPAC codes, any case)"
SETTINGS = settings(max_examples=200, deadline=None)


def reference_column(letter: str) -> list[float]:
    """The one-hot column of one letter: 1/n on each of the n bases it allows (N: none)."""
    bases = ALLOWED.get(letter.upper())
    if bases is None:
        return [0.0] * 4
    return [1.0 / len(bases) if b in bases else 0.0 for b in "ACGT"]


def reference_error(sequences: list[str], ids: list[str]) -> str | None:
    """The message for the first record with a letter that is not DNA, or None. Within a record the
    first non-ASCII character is named if there is one (as dnaaug always has), else the first bad one."""
    for seq, rid in zip(sequences, ids):
        non_ascii = [i for i, letter in enumerate(seq) if ord(letter) > 127]
        bad = non_ascii or [i for i, letter in enumerate(seq) if letter not in LETTERS]
        if bad:
            what = "non-ASCII character" if non_ascii else "character"
            return f"record {rid!r}, position {bad[0] + 1}: {what} {seq[bad[0]]!r} {MESSAGE}"
    return None


def reference_onehot(sequences: list[str], length: int, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, 4, L) and mask (N, L), one column at a time: cut centre/start windows, pad with zeros."""
    x = np.zeros((len(sequences), 4, length), dtype=np.float32)
    mask = np.zeros((len(sequences), length), dtype=bool)
    for i, seq in enumerate(sequences):
        start = max(0, len(seq) - length) // 2 if policy == "center" else 0
        for j, letter in enumerate(seq[start:start + length]):
            x[i, :, j] = reference_column(letter)
            mask[i, j] = True
    return x, mask


def reference_kmer_ids(sequence: str, length: int, k: int, stride: int) -> list[int]:
    """ids of the centre window: 0 = PAD (touches padding), 1 = UNK (a non-ACGT letter), else 2 + base 4."""
    start = max(0, len(sequence) - length) // 2
    window = sequence[start:start + length]
    ids = []
    for j in range(0, length - k + 1, stride):
        kmer = window[j:j + k]
        if len(kmer) < k:
            ids.append(0)
        elif all(c.upper() in "ACGTU" for c in kmer):
            digits = ["ACGT".index(ALLOWED[c.upper()]) for c in kmer]
            ids.append(2 + sum(d * 4 ** (k - 1 - p) for p, d in enumerate(digits)))
        else:
            ids.append(1)
    return ids


dna = st.text(alphabet=LETTERS, max_size=60)
adversarial = st.text(alphabet=LETTERS + "X x-*.>0\t\r\n\x00\u00e9\u2028", max_size=60)
sequence_lists = st.lists(st.one_of(dna, dna, adversarial), min_size=1, max_size=8)


@SETTINGS
@given(sequences=sequence_lists, length=st.integers(1, 70), policy=st.sampled_from(["center", "start"]))
def test_onehot_matches_the_reference(sequences, length, policy):
    ids = [f"r{i}" for i in range(len(sequences))]
    expected_error = reference_error(sequences, ids)
    tok = OneHotTokenizer(length, policy)
    if expected_error is not None:
        with pytest.raises(InvalidSequence) as err:
            tok.encode(sequences, ids=ids)
        assert str(err.value) == expected_error
        return
    batch = tok.encode(sequences, ids=ids)
    x, mask = reference_onehot(sequences, length, policy)
    assert batch.tensor.dtype == torch.float32 and batch.tensor.is_contiguous()
    assert np.array_equal(batch.tensor.numpy(), x) and np.array_equal(batch.mask.numpy(), mask)


@SETTINGS
@given(sequences=st.lists(dna, min_size=1, max_size=8), k=st.integers(1, 6), stride=st.integers(1, 4),
       extra=st.integers(0, 10))
def test_kmer_ids_match_the_reference(sequences, k, stride, extra):
    length = k + extra
    batch = KmerTokenizer(k=k, stride=stride, length=length).encode(sequences)
    assert batch.tensor.tolist() == [reference_kmer_ids(s, length, k, stride) for s in sequences]
    assert torch.equal(batch.mask, batch.tensor != 0)
    x = OneHotTokenizer(length).encode(sequences)
    from_onehot = onehot_to_kmer_ids(x.tensor, x.mask, k, stride)[0]
    # from a one-hot, IUPAC columns are soft and read as their argmax: compare on ACGT-only windows
    plain = [all(c.upper() in "ACGTN" for c in s) for s in sequences]
    assert from_onehot[plain].tolist() == batch.tensor[plain].tolist()


@SETTINGS
@given(st.binary(min_size=0, max_size=300), st.integers(1, 30))
def test_codes_to_onehot_gives_every_byte_its_reference_column(data, width):
    data = data[: len(data) // width * width]
    codes = torch.tensor(list(data), dtype=torch.uint8).reshape(-1, width)
    expected = [[reference_column(chr(c)) for c in row] for row in codes.tolist()]
    x = codes_to_onehot(codes)
    assert x.shape == (codes.shape[0], 4, width)
    expected = np.array(expected, dtype=np.float32).reshape(-1, width, 4)
    assert np.array_equal(x.permute(0, 2, 1).numpy(), expected)


@SETTINGS
@given(values=st.lists(st.sampled_from([0.0, 0.0, 1.0, 0.5, 0.25, -1.0, 3.0]), min_size=4, max_size=4 * 12))
def test_base_index_is_the_first_argmax_and_4_for_zero_columns(values):
    x = torch.tensor(values[: len(values) // 4 * 4]).reshape(1, -1, 4).permute(0, 2, 1)
    expected = [4 if not any(col) else col.index(max(col)) for col in x[0].T.tolist()]
    assert base_index(x)[0].tolist() == expected


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(1, 40))
def test_bank_positives_match_the_reference(seed, length):
    rng = np.random.default_rng(seed)
    positives = rng.integers(0, 5, (6, 2, length)).astype(np.uint8)
    lengths = rng.integers(1, 2 * length, 6)
    index, pick = rng.integers(0, 6, 9), rng.integers(0, 2, 9)
    x, mask = bank.to_onehot(positives, index, pick, lengths, length)
    for b, (i, k) in enumerate(zip(index, pick)):
        real = min(lengths[i], length)
        assert mask[b].tolist() == [j < real for j in range(length)]
        for j in range(length):
            code = positives[i, k, j]
            column = [1.0 if c == code else 0.0 for c in range(4)] if j < real else [0.0] * 4
            assert x[b, :, j].tolist() == column
    assert np.array_equal(bank.from_onehot(x), np.where(mask.numpy(), positives[index, pick], 4))


@SETTINGS
@given(sequences=st.lists(dna, min_size=1, max_size=8), length=st.integers(1, 30), seed=st.integers(0, 1000))
def test_random_windows_are_the_documented_draw(sequences, length, seed):
    """start = floor(u * (spare + 1)) with u ~ U[0, 1) float64 from the generator: seeded runs
    (and resumed ones) depend on this exact draw."""
    packed = PackedSequences.from_strings(sequences)
    codes, mask = packed.window(np.arange(len(sequences)), length, "random",
                                generator=torch.Generator().manual_seed(seed))
    seeded = torch.Generator().manual_seed(seed)
    u = torch.rand(len(sequences), generator=seeded, dtype=torch.float64).tolist()
    for row, mrow, seq, ui in zip(codes.tolist(), mask.tolist(), sequences, u):
        spare = max(0, len(seq) - length)
        start = min(int(ui * (spare + 1)), spare)
        window = seq[start:start + length]
        assert bytes(row).decode() == window + "N" * (length - len(window))
        assert mrow == [j < len(window) for j in range(length)]


def test_every_device_gives_the_cpu_encoding(device):
    """The CPU runs numpy kernels, other devices torch ones: both give the same tensors."""
    rng = np.random.default_rng(0)
    alphabet = np.frombuffer(LETTERS.encode(), dtype=np.uint8)
    codes = torch.from_numpy(alphabet[rng.integers(0, len(LETTERS), (9, 40))])
    mask = torch.from_numpy(np.arange(40) < rng.integers(0, 41, 9)[:, None])
    x = codes_to_onehot(codes)
    assert torch.equal(codes_to_onehot(codes.to(device)).cpu(), x)
    assert torch.equal(base_index(x.to(device)).cpu(), base_index(x))
    kmer = KmerTokenizer(k=3, stride=2)
    for got, want in zip(kmer.from_codes(codes.to(device), mask.to(device)), kmer.from_codes(codes, mask)):
        assert torch.equal(got.cpu(), want)
    on_device = onehot_to_kmer_ids(x.to(device), mask.to(device), 4)
    for got, want in zip(on_device, onehot_to_kmer_ids(x, mask, 4)):
        assert torch.equal(got.cpu(), want)
