"""Normalised k-mer spectra: the label-free, non-neural floor of the benchmark.

A learned encoder whose linear probe does not beat a probe on plain k-mer frequencies is
not learning anything beyond composition; the ``kmer-spectrum`` row shows that honestly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dnaaug.errors import InputError, InvalidSequence
from dnaaug.tokenize.alphabet import INDEX_TABLE

DEFAULT_KS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)

# Sequences are processed in blocks of rows so that the per-position work arrays stay
# cache-sized and the (rows x 4^k) float64 bincount buffer stays under ~32 MiB.
_COUNT_BUDGET = 1 << 22
_POSITION_BUDGET = 1 << 18


def kmer_dim(ks: Sequence[int] = DEFAULT_KS) -> int:
    """Width of :func:`kmer_spectrum`'s output: sum of 4^k (5,460 for k = 1..6)."""
    return int(sum(4 ** k for k in ks))


def kmer_names(ks: Sequence[int] = DEFAULT_KS) -> list[str]:
    """Column names of :func:`kmer_spectrum`'s output, in order (blocks in ``ks`` order,
    k-mers in lexicographic ACGT order)."""
    names = []
    for k in ks:
        ids = np.arange(4 ** k)
        digits = (ids[:, None] // 4 ** np.arange(k - 1, -1, -1)) % 4
        names.extend("".join("ACGT"[d] for d in row) for row in digits)
    return names


def _encode(sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All sequences concatenated as base indices (T,) uint8 (0..3 = ACGT, 4 = N/IUPAC),
    and row start offsets (N + 1,) int64."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    try:
        raw = np.frombuffer("".join(sequences).encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as err:
        row = int(np.searchsorted(offsets, err.start, side="right") - 1)
        raise InvalidSequence(f"non-ASCII character {err.object[err.start]!r} is not DNA",
                              record=str(row), position=int(err.start - offsets[row] + 1)) from None
    codes = INDEX_TABLE[raw]
    bad = codes == 255
    if bad.any():
        pos = int(np.argmax(bad))
        row = int(np.searchsorted(offsets, pos, side="right") - 1)
        raise InvalidSequence(f"character {chr(raw[pos])!r} is not DNA (allowed: ACGT, N, IUPAC codes)",
                              record=str(row), position=pos - int(offsets[row]) + 1)
    return codes, offsets


def _block_spectrum(codes: np.ndarray, offsets: np.ndarray, ks: tuple[int, ...],
                    out: np.ndarray) -> None:
    """Fill ``out`` (n, sum 4^k) with the spectra of one block of rows: ``codes`` (T,) are
    the block's concatenated base indices, ``offsets`` (n + 1,) its row starts (from 0)."""
    n, total = offsets.shape[0] - 1, codes.shape[0]
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    room = offsets[1:][row_of] - np.arange(total)  # (T,) letters left in the row from here
    # k-mer starting at p: id_k[p] = id_{k-1}[p] * 4 + codes[p + k - 1]; it is skipped if
    # any of its letters is N/IUPAC or it runs past the end of its row.
    kmer_id = np.zeros(total, dtype=np.int64)
    bad = np.zeros(total, dtype=bool)
    is_n = codes == 4
    base = np.minimum(codes, 3).astype(np.int64)
    col = dict(zip(ks, np.cumsum([0] + [4 ** k for k in ks])[:-1].tolist()))  # blocks in ks order
    for k in range(1, max(ks) + 1):
        j = k - 1
        kmer_id[: total - j] = kmer_id[: total - j] * 4 + base[j:]
        bad[: total - j] |= is_n[j:]
        bad[total - j:] = True
        if k not in ks:
            continue
        valid = ~bad & (room >= k)
        rows = row_of[valid]
        # weighting each k-mer by 1 / (valid k-mers in its row) makes bincount return
        # frequencies directly: one pass instead of count, divide
        per_row = np.bincount(rows, minlength=n)
        weights = (1.0 / np.maximum(per_row, 1))[rows]
        width = 4 ** k
        freqs = np.bincount(rows * width + kmer_id[valid], weights=weights, minlength=n * width)
        out[:, col[k]: col[k] + width] = freqs.reshape(n, width)


def kmer_spectrum(sequences: Sequence[str], ks: Sequence[int] = DEFAULT_KS) -> np.ndarray:
    """Per-sequence k-mer frequencies for every k in ``ks``: float32 (N, sum 4^k).

    For each k the block holds counts / (number of valid k-mers in that sequence), so it
    sums to 1 (or is all zero when the sequence has no valid k-mer). A k-mer touching any
    non-ACGT letter (N, IUPAC) is skipped; case is ignored, U counts as T. Blocks follow
    ``ks`` order, k-mers within a block in lexicographic order (see :func:`kmer_names`).
    Sequences may differ in length. Raises InvalidSequence on a non-DNA character (record
    = 0-based row index) and InputError on a bad ``ks``.
    """
    if isinstance(sequences, str):
        raise InputError("kmer_spectrum takes a list of sequences, not a single string")
    ks = tuple(int(k) for k in ks)
    if not ks or min(ks) < 1 or max(ks) > 12 or len(set(ks)) != len(ks):
        raise InputError(f"k-mer sizes must be distinct values in 1..12, got {ks}")
    n = len(sequences)
    out = np.zeros((n, kmer_dim(ks)), dtype=np.float32)
    if n == 0:
        return out
    codes, offsets = _encode(sequences)
    # block boundaries: at most _COUNT_BUDGET / 4^kmax rows and about _POSITION_BUDGET letters
    max_rows = max(1, _COUNT_BUDGET // 4 ** max(ks))
    r0 = 0
    while r0 < n:
        r1 = int(np.searchsorted(offsets, offsets[r0] + _POSITION_BUDGET, side="right")) - 1
        r1 = min(max(r1, r0 + 1), r0 + max_rows, n)
        block = offsets[r0: r1 + 1]
        _block_spectrum(codes[block[0]: block[-1]], block - block[0], ks, out[r0:r1])
        r0 = r1
    return out
