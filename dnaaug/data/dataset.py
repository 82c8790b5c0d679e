"""One entry point from what a user types to data: ``load_dataset(spec)`` and ``read_inputs(paths)``.

``load_dataset`` resolves a spec to a labelled train/(dev)/test :class:`LabeledDataset`:

* ``demo``: the built-in synthetic dataset (:mod:`dnaaug.data.synthetic`), generated in memory;
* a Genomic Benchmarks name (``dnaaug datasets``): cache or download, checked against its manifest;
* a folder in the Genomic Benchmarks layout (``train/<class>/*.txt``, ``test/<class>/*.txt``);
* a GUE-style folder: ``train.csv``, ``test.csv``, optional ``dev.csv`` (or ``.tsv``);
* a folder with ``train.fa`` / ``test.fa`` (``.fasta``, ``.fna``, gzip allowed) whose headers
  carry ``label=NAME``;
* a single CSV/TSV with a label column, or a FASTA with ``label=`` headers: a stratified,
  seeded 20 % test split is held out (and recorded in ``notes``).

``read_inputs`` streams unlabelled or labelled records from files of any supported format
for training and embedding.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from dnaaug.data.bed import read_bed
from dnaaug.data.fasta import FASTA_EXTENSIONS, read_fasta
from dnaaug.data.genomic_benchmarks import DownloadFn, is_gb_folder, load_genomic_benchmark, read_gb_folder
from dnaaug.data.labeled import LabeledDataset, build_dataset, sort_classes
from dnaaug.data.manifest import get_manifest, gue_family_of, manifest_names
from dnaaug.data.idindex import IdIndex
from dnaaug.data.records import Record
from dnaaug.data.tabular import read_table
from dnaaug.data.textio import check_readable_file, file_stem, iter_lines, strip_compression_suffix
from dnaaug.errors import DatasetError, InputError

__all__ = ["LabeledDataset", "load_dataset", "read_inputs", "read_records", "detect_format",
           "stratified_holdout", "load_split_folder"]

log = logging.getLogger(__name__)

HOLDOUT_FRACTION = 0.2
TABLE_SUFFIXES = (".csv", ".tsv")
LAYOUTS = ("a GUE-style folder (train.csv, test.csv, optional dev.csv)",
           "a Genomic Benchmarks folder (train/<class>/*.txt, test/<class>/*.txt)",
           "a folder with train.fa and test.fa whose headers carry label=NAME")


def detect_format(path: str | os.PathLike) -> str:
    """``"fasta"``, ``"table"`` or ``"bed"`` from the extension (``.gz`` ignored), else from the content."""
    p = check_readable_file(path)
    suffix = Path(strip_compression_suffix(p.name)).suffix.lower()
    if suffix in FASTA_EXTENSIONS:
        return "fasta"
    if suffix in TABLE_SUFFIXES:
        return "table"
    if suffix == ".bed":
        return "bed"
    for _, line in iter_lines(p):
        if line.strip():
            if line.lstrip().startswith(">"):
                return "fasta"
            if "," in line or "\t" in line:
                return "table"
            break
    raise DatasetError(f"{p}: cannot tell the format; use .fa/.fasta/.fna, .csv/.tsv or .bed "
                       "(optionally .gz)")


def read_records(path: str | os.PathLike, *, label_from: str | None = None, label: str | None = None,
                 genome: str | os.PathLike | None = None) -> Iterator[Record]:
    """Stream the records of one file of any supported format.

    label_from: FASTA header key (``>id key=VALUE``) or table column holding the label.
    label:      give every record this label instead.
    genome:     genome FASTA, needed for BED input.
    """
    fmt = detect_format(path)
    if fmt == "fasta":
        yield from read_fasta(path, label_from=label_from, label=label)
        return
    if fmt == "bed":
        if genome is None:
            raise InputError(f"{path}: BED input needs a genome FASTA (--genome FILE)")
        if label_from is not None:
            raise InputError(f"{path}: label_from does not apply to BED input")
        records = read_bed(path, genome)
    else:
        records = read_table(path, label_column="label" if label_from is None else label_from)
    for rec in records:
        yield rec if label is None else rec._replace(label=label)


def read_inputs(paths: str | os.PathLike | Iterable[str | os.PathLike] = (), *, label_from: str | None = None,
                classes: Mapping[str, str | os.PathLike] | None = None,
                genome: str | os.PathLike | None = None) -> Iterator[Record]:
    """Stream records from input files, dispatching each by extension or content.

    paths:      FASTA (``.fa``/``.fasta``/``.fna``, gzip ok), CSV/TSV, or BED (with ``genome``).
    label_from: labels from FASTA headers ``key=VALUE`` or from that table column.
    classes:    ``{class name: file}`` (the CLI's repeatable ``--class NAME=FILE``): every
                record of the file gets that label.
    genome:     genome FASTA for BED inputs.

    Record ids must be unique across all inputs (DatasetError naming both files otherwise).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    jobs = [(p, None) for p in paths] + [(f, name) for name, f in (classes or {}).items()]
    if not jobs:
        raise InputError("no input files given")
    if classes and label_from is not None:
        raise InputError("give labels either by class files (--class NAME=FILE) or from the "
                         "headers (--label-from KEY), not both")
    # record id -> index of the input that had it first; each reader already rejects repeats
    # inside its own file, so one input needs no second index
    first_seen = IdIndex() if len(jobs) > 1 else None
    for i, (path, name) in enumerate(jobs):
        if name is not None and not str(name).strip():
            raise InputError(f"empty class name for {path}")
        for rec in read_records(path, label_from=label_from if name is None else None,
                                label=name, genome=genome):
            first = i if first_seen is None else first_seen.setdefault(rec.id, i)
            if first != i:
                raise DatasetError(f"{path}: record id {rec.id!r} also occurs in {jobs[first][0]}; "
                                   "ids must be unique across inputs")
            yield rec


def stratified_holdout(records: list[Record], fraction: float = HOLDOUT_FRACTION,
                       seed: int = 0) -> tuple[list[Record], list[Record]]:
    """Split labelled records into (train, test), holding out ``fraction`` of each class.

    Seeded (numpy Generator); a class with one record stays in train; each class with two
    or more keeps at least one record on each side. Record order is kept within each side.
    """
    rng = np.random.default_rng(seed)
    labels = np.array([r.label for r in records], dtype=object)
    in_test = np.zeros(len(records), dtype=bool)
    for cls in sort_classes(labels):
        idx = np.flatnonzero(labels == cls)
        k = min(max(int(round(fraction * idx.size)), 1), idx.size - 1) if idx.size >= 2 else 0
        in_test[rng.choice(idx, size=k, replace=False)] = True
    return ([r for r, t in zip(records, in_test) if not t], [r for r, t in zip(records, in_test) if t])


def _find_split_file(folder: Path, split: str, suffixes: tuple[str, ...]) -> Path | None:
    for suffix in suffixes:
        for candidate in (folder / f"{split}{suffix}", folder / f"{split}{suffix}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _read_labelled(path: Path, kind: str) -> list[Record]:
    if kind == "fasta":
        return list(read_fasta(path, label_from="label"))
    return list(read_table(path, require_label=True))


def _gue_counts_note(dataset: LabeledDataset) -> None:
    """Compare a GUE folder whose name is a known task with the manifest counts (a note, not an error:
    users keep subsets under the same name)."""
    family = gue_family_of(dataset.name)
    task = get_manifest(family)["tasks"][dataset.name] if family else None
    if not task or "splits" not in task:
        return
    found = {s: dataset.class_counts(s) for s in dataset.splits}
    if found == task["splits"]:
        dataset.notes.append(f"counts match GUE task {dataset.name} ({family})")
    else:
        message = f"counts differ from the published GUE task {dataset.name}: {task['splits']} expected"
        log.warning("%s: %s", dataset.source, message)
        dataset.notes.append(message)


def load_split_folder(folder: str | os.PathLike, *, seed: int = 0) -> LabeledDataset | None:
    """Load a folder of ``train``/``test``/``dev`` tables or FASTA files; None when it has none.

    With ``train`` but no ``test``, a stratified 20 % test split is held out.
    """
    path = Path(folder)
    for kind, suffixes in (("table", TABLE_SUFFIXES), ("fasta", FASTA_EXTENSIONS)):
        files = {s: _find_split_file(path, s, suffixes) for s in ("train", "dev", "test")}
        if files["train"] is None:
            continue
        splits = {s: _read_labelled(f, kind) for s, f in files.items() if f is not None}
        notes = [f"read {'GUE-style tables' if kind == 'table' else 'FASTA files'} "
                 f"{', '.join(f.name for f in files.values() if f is not None)}"]
        if "test" not in splits:
            splits["train"], splits["test"] = stratified_holdout(splits["train"], seed=seed)
            notes.append(_holdout_note(files["train"], splits, seed))
        dataset = build_dataset(path.resolve().name, splits, source=str(path), notes=notes)
        if kind == "table":
            _gue_counts_note(dataset)
        return dataset
    return None


def _holdout_note(path: Path, splits: dict[str, list[Record]], seed: int) -> str:
    return (f"no test split in {path}: held out {HOLDOUT_FRACTION:.0%} per class as test "
            f"(seed {seed}): {len(splits['train']):,} train / {len(splits['test']):,} test")


def _file_dataset_name(path: Path) -> str:
    """The file stem, prefixed by its folder when the stem is only a split name
    (``x/test.tsv`` -> ``x_test``)."""
    stem = file_stem(path)
    if stem.lower() in ("train", "dev", "test", "data"):
        return f"{path.resolve().parent.name}_{stem}"
    return stem


def _load_demo() -> LabeledDataset:
    from dnaaug.data.synthetic import make_synthetic

    manifest = get_manifest("demo")
    gen = manifest["generator"]
    dataset = make_synthetic(gen["n_train"], gen["n_test"], gen["length"], gen["seed"], name="demo")
    for split, expected in manifest["splits"].items():
        if dataset.class_counts(split) != expected:  # the generator drifted from its manifest
            raise DatasetError(f"demo: split {split!r} has {dataset.class_counts(split)}, "
                               f"manifest says {expected}")
    return dataset


def load_dataset(spec: str | os.PathLike, *, gb_cache: str | os.PathLike | None = None, seed: int = 0,
                 download_fn: DownloadFn | None = None) -> LabeledDataset:
    """Resolve ``spec`` (built-in name, Genomic Benchmarks name, folder or file) to a dataset.

    gb_cache:    Genomic Benchmarks cache folder (default env ``DNAAUG_GB_CACHE`` or
                 ``~/.genomic_benchmarks``).
    seed:        seed of the hold-out split for inputs without a test split. The ``demo``
                 dataset is fixed (its manifest's seed), so runs with other seeds compare.
    download_fn: replaces the Genomic Benchmarks download (tests pass a fake).

    Raises DatasetError for an unknown name (listing the known ones), an unrecognised folder,
    unlabelled records, or a dev/test label that train lacks; DownloadError when a download fails.
    """
    text = str(spec)
    path = Path(text).expanduser()
    if text == "demo" and not path.exists():
        return _load_demo()
    if path.is_dir():
        dataset = load_split_folder(path, seed=seed)
        if dataset is not None:
            return dataset
        if is_gb_folder(path):
            return read_gb_folder(path)
        raise DatasetError(f"{path}: not a dataset folder; expected {'; or '.join(LAYOUTS)}")
    if path.is_file():
        kind = detect_format(path)
        if kind == "bed":
            raise DatasetError(f"{path}: a BED file is not a labelled dataset; use read_inputs with a genome")
        records = _read_labelled(path, kind)
        splits: dict[str, list[Record]] = {}
        splits["train"], splits["test"] = stratified_holdout(records, seed=seed)
        return build_dataset(_file_dataset_name(path), splits, source=str(path),
                             notes=[_holdout_note(path, splits, seed)])
    if text in manifest_names("genomic_benchmarks"):
        return load_genomic_benchmark(text, cache_dir=gb_cache, download_fn=download_fn)
    family = text if text in manifest_names("gue") else gue_family_of(text)
    if family is not None:
        raise DatasetError(f"GUE dataset {text!r} is not downloaded by dnaaug; pass the path of a "
                           "local task folder holding train.csv and test.csv")
    raise DatasetError(f"unknown dataset {text!r}: not a file or folder, and not a known name "
                       f"(known: demo, {', '.join(manifest_names('genomic_benchmarks'))})")
