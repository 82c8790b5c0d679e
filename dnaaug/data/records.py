"""The one record type every reader yields."""

from __future__ import annotations

from typing import NamedTuple


class Record(NamedTuple):
    """One sequence.

    id:        record identifier (FASTA header word, CSV row id, file stem, ...)
    sequence:  DNA letters as read (case and IUPAC codes kept; validation happens here
               in the reader so errors can name the file, record and position)
    label:     class label as a string, or None for unlabelled data
    """

    id: str
    sequence: str
    label: str | None = None
