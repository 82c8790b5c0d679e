"""The DNA alphabet as lookup tables: one place that says which letters are DNA.

Channel order is A, C, G, T. ``N`` is an all-zero column; IUPAC ambiguity codes are
fractional columns over the bases they allow; lowercase (soft-masked) letters are the
same bases. Every other byte is invalid.
"""

from __future__ import annotations

import numpy as np

from dnaaug.errors import InvalidSequence

BASES = "ACGT"
COMPLEMENT = str.maketrans("ACGTNacgtnRYSWKMBDHVryswkmbdhv", "TGCANtgcanYRSWMKVHDByrswmkvhdb")

IUPAC: dict[str, str] = {
    "A": "A", "C": "C", "G": "G", "T": "T", "U": "T",
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "",
}


def _build_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    onehot = np.zeros((256, 4), dtype=np.float32)
    valid = np.zeros(256, dtype=bool)
    # index 0..3 for A,C,G,T; 4 for anything else that is valid (N, IUPAC); 255 invalid
    index = np.full(256, 255, dtype=np.uint8)
    for letter, allowed in IUPAC.items():
        for code in (ord(letter), ord(letter.lower())):
            valid[code] = True
            index[code] = BASES.index(allowed) if len(allowed) == 1 else 4
            for base in allowed:
                onehot[code, BASES.index(base)] = 1.0 / len(allowed)
    return onehot, valid, index


ONEHOT_TABLE, VALID_TABLE, INDEX_TABLE = _build_tables()
"""ONEHOT_TABLE (256, 4) float32; VALID_TABLE (256,) bool; INDEX_TABLE (256,) uint8 (4 = N/IUPAC, 255 = invalid)."""

VALID_BYTES = bytes(np.flatnonzero(VALID_TABLE).tolist())
"""Every byte the alphabet accepts (ACGT, N, IUPAC codes, U; both cases), for ``bytes.translate`` checks."""


def as_bytes(sequence: str, *, source: str | None = None, record: str | None = None) -> np.ndarray:
    """Return the sequence as a uint8 array (L,), checking every character is DNA.

    Raises InvalidSequence naming the source, record and 1-based position of the first
    bad character.
    """
    try:
        raw = np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as err:
        raise InvalidSequence(
            f"non-ASCII character {sequence[err.start]!r} is not DNA "
            "(allowed: ACGT, N, IUPAC codes, any case)",
            source=source, record=record, position=err.start + 1) from None
    bad = ~VALID_TABLE[raw]
    if bad.any():
        pos = int(np.argmax(bad))
        raise InvalidSequence(
            f"character {chr(raw[pos])!r} is not DNA (allowed: ACGT, N, IUPAC codes, any case)",
            source=source, record=record, position=pos + 1)
    return raw


def validate(sequence: str, *, source: str | None = None, record: str | None = None) -> str:
    """Check a sequence and return it unchanged (see :func:`as_bytes`)."""
    as_bytes(sequence, source=source, record=record)
    return sequence


def reverse_complement(sequence: str) -> str:
    """Reverse complement of a DNA string, keeping case and IUPAC codes."""
    return sequence.translate(COMPLEMENT)[::-1]
