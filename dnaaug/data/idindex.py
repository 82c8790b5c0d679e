"""A compact id -> number map for duplicate-id checks on inputs of any size.

A Python dict of a million ids costs about 100 MB; this keeps only a 64-bit hash and a 32-bit
value per id in numpy arrays (open addressing, load factor <= 0.75: about 16 bytes per id), so
streaming readers keep their memory flat. Two different ids share a 64-bit hash with
probability ~n^2 / 2^65 (1e-7 for a billion ids), which would be reported as a duplicate.
"""

from __future__ import annotations

import numpy as np

_MASK64 = (1 << 64) - 1


class IdIndex:
    """``setdefault(id, value) -> value stored for id`` (the first one), like ``dict.setdefault``."""

    def __init__(self, capacity: int = 1024):
        size = 1 << max(4, (capacity - 1).bit_length())
        self._set_arrays(size)
        self._count = 0

    def _set_arrays(self, size: int) -> None:
        """New empty tables of ``size`` slots (key 0 = empty), with memoryviews over them: a memoryview
        reads or writes one slot as a plain int faster than numpy's scalar indexing (which was a fifth
        of the FASTA reader's time)."""
        self._keys = np.zeros(size, dtype=np.uint64)
        self._values = np.zeros(size, dtype=np.uint32)
        self._key_slots, self._value_slots = memoryview(self._keys), memoryview(self._values)

    def __len__(self) -> int:
        return self._count

    def setdefault(self, key: str, value: int) -> int:
        h = (hash(key) & _MASK64) or 1
        keys = self._key_slots
        mask = len(keys) - 1
        i = h & mask
        while True:
            found = keys[i]
            if found == 0:
                keys[i] = h
                self._value_slots[i] = value
                self._count += 1
                if self._count * 4 > len(keys) * 3:
                    self._grow()
                return value
            if found == h:
                return self._value_slots[i]
            i = (i + 1) & mask

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        self._set_arrays(2 * len(old_keys))
        keys, values = self._key_slots, self._value_slots
        mask = len(keys) - 1
        for h, v in zip(old_keys[old_keys != 0].tolist(), old_values[old_keys != 0].tolist()):
            i = h & mask
            while keys[i] != 0:
                i = (i + 1) & mask
            keys[i] = h
            values[i] = v
