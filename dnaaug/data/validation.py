"""Fast DNA validation for readers: a C-level pass over the alphabet's own table, with
:func:`dnaaug.tokenize.alphabet.as_bytes` building the error (file, record, 1-based position).

Per-record numpy calls cost microseconds each, which dominates on short records; deleting the
valid bytes with ``bytes.translate`` and checking nothing is left costs a fraction of that.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dnaaug.errors import InputError
from dnaaug.tokenize.alphabet import VALID_BYTES as DNA_BYTES, as_bytes


def is_dna_bytes(data: bytes) -> bool:
    """True when every byte of ``data`` is a DNA letter."""
    return not data.translate(None, DNA_BYTES)


def check_dna(sequence: str, *, source: str | None = None, record: str | None = None) -> str:
    """Return ``sequence`` unchanged if it is DNA, else raise InvalidSequence naming
    ``source``, ``record`` and the 1-based position of the first bad character."""
    if sequence.isascii() and is_dna_bytes(sequence.encode("ascii")):
        return sequence
    as_bytes(sequence, source=source, record=record)  # raises with the exact position
    return sequence  # pragma: no cover - as_bytes and the table agree


def check_kmer_lengths(lengths: np.ndarray, ids: Sequence[str], k: int, *, source: str | None = None) -> None:
    """Raise InputError when a sequence is shorter than ``k``: it holds no k-mer, so a k-mer model
    would see only padding (a constant embedding and a zero loss) instead of failing visibly.

    lengths: (N,) sequence lengths; ids: the N record ids.
    """
    short = np.flatnonzero(np.asarray(lengths) < k)
    if short.size:
        i = int(short[0])
        where = f"{source}: " if source else ""
        raise InputError(f"{where}record {ids[i]!r} is {int(lengths[i])} bp, shorter than k = {k} of the k-mer "
                         f"tokenizer ({short.size} of {len(ids)} sequences are); it has no k-mer: use a smaller "
                         "k, or remove the short sequences")
