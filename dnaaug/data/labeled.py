"""A labelled dataset held in memory: named splits of records plus the class order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from dnaaug.data.records import Record
from dnaaug.errors import DatasetError

SPLITS = ("train", "dev", "test")


def sort_classes(labels: Iterable[str]) -> list[str]:
    """Distinct labels in class-index order: numerically when all are integers ("2" < "10"),
    alphabetically otherwise (the Genomic Benchmarks convention)."""
    distinct = set(labels)
    try:
        return sorted(distinct, key=int)
    except ValueError:
        return sorted(distinct)


@dataclass
class LabeledDataset:
    """Records per split with string labels; ``classes[i]`` is the label with index ``i``.

    name:    dataset name (manifest name, folder or file stem)
    splits:  ``{"train": [...], "test": [...], "dev": [...]}`` (dev optional)
    classes: sorted class labels; label index = position in this list
    source:  where it was read from (path, cache folder, ``synthetic``)
    notes:   what the loader did that a user should know (hold-out split, checks)
    """

    name: str
    splits: dict[str, list[Record]]
    classes: list[str]
    source: str
    notes: list[str] = field(default_factory=list)

    def _split(self, split: str) -> list[Record]:
        try:
            return self.splits[split]
        except KeyError:
            raise DatasetError(f"dataset {self.name!r} has no split {split!r} "
                               f"(it has: {', '.join(self.splits)})") from None

    def labels(self, split: str) -> np.ndarray:
        """Class indices (N,) int64 of a split's records, in record order."""
        index = {c: i for i, c in enumerate(self.classes)}
        records = self._split(split)
        try:
            return np.fromiter((index[r.label] for r in records), dtype=np.int64, count=len(records))
        except KeyError as err:
            raise DatasetError(f"dataset {self.name!r} split {split!r}: label {err.args[0]!r} is not "
                               f"one of the classes {self.classes}") from None

    def sequences(self, split: str) -> list[str]:
        """The split's sequences, in record order."""
        return [r.sequence for r in self._split(split)]

    def ids(self, split: str) -> list[str]:
        """The split's record ids, in record order."""
        return [r.id for r in self._split(split)]

    def class_counts(self, split: str) -> dict[str, int]:
        """Records per class in a split, every class listed (0 when absent)."""
        counts = Counter(r.label for r in self._split(split))
        return {c: counts.get(c, 0) for c in self.classes}

    def summary(self) -> str:
        """One line: name, classes and per-split sizes."""
        sizes = ", ".join(f"{s} {len(r):,}" for s, r in self.splits.items())
        return f"{self.name}: {len(self.classes)} classes ({', '.join(self.classes)}); {sizes}"


def build_dataset(name: str, splits: dict[str, list[Record]], source: str,
                  notes: list[str] | None = None) -> LabeledDataset:
    """Make a LabeledDataset, checking every record is labelled and that dev/test hold no
    label unseen in train (classes come from train)."""
    if "train" not in splits or not splits["train"]:
        raise DatasetError(f"dataset {name!r} ({source}): no training records")
    for split, records in splits.items():
        for r in records:
            if r.label is None:
                raise DatasetError(f"dataset {name!r} ({source}): record {r.id!r} in {split} has no label")
    classes = sort_classes(r.label for r in splits["train"])
    known = set(classes)
    for split, records in splits.items():
        extra = sort_classes(r.label for r in records if r.label not in known)
        if extra:
            raise DatasetError(f"dataset {name!r} ({source}): {split} split has label(s) "
                               f"{', '.join(map(repr, extra))} not seen in train (train classes: "
                               f"{', '.join(classes)})")
    ordered = {s: splits[s] for s in SPLITS if s in splits}
    ordered.update({s: r for s, r in splits.items() if s not in ordered})
    return LabeledDataset(name=name, splits=ordered, classes=classes, source=source, notes=list(notes or []))
