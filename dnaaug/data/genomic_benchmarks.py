"""Genomic Benchmarks datasets: a local folder in the package's layout, or fetched into a cache.

Layout (``genomic-benchmarks`` 1.0): ``<root>/<name>/{train,test}/<class>/<id>.txt``, one
sequence per file, no header; the class is the folder name and classes sort alphabetically.
Every load is checked against the dataset's manifest (classes and per-class counts per split)
so that an interrupted download is an error, not a silently smaller benchmark. The
``genomic_benchmarks`` package is imported only when a download is needed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from dnaaug.data.labeled import LabeledDataset, build_dataset
from dnaaug.data.manifest import get_manifest, manifest_names
from dnaaug.data.records import Record
from dnaaug.data.validation import check_dna
from dnaaug.errors import DatasetError, DownloadError

log = logging.getLogger(__name__)

GB_CACHE_ENV = "DNAAUG_GB_CACHE"
GB_SPLITS = ("train", "test")
DownloadFn = Callable[..., object]


def default_gb_cache() -> Path:
    """The cache folder: ``$DNAAUG_GB_CACHE`` if set, else ``~/.genomic_benchmarks`` (the package's own)."""
    env = os.environ.get(GB_CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".genomic_benchmarks"


def is_gb_folder(path: str | os.PathLike) -> bool:
    """True when ``path`` has ``train/`` and ``test/`` subfolders that hold class folders."""
    p = Path(path)
    return all((p / s).is_dir() and any(c.is_dir() for c in (p / s).iterdir()) for s in GB_SPLITS)


def _sort_key(stem: str) -> tuple[int, int | str]:
    return (0, int(stem)) if stem.isdigit() else (1, stem)


def read_gb_split(split_dir: str | os.PathLike) -> list[Record]:
    """All records of one split folder (``<class>/<id>.txt``), classes alphabetically, files by id.

    Record ids are ``<class>/<file stem>`` (file ids repeat across classes in the package).
    """
    split_path = Path(split_dir)
    records: list[Record] = []
    for class_dir in sorted((d for d in split_path.iterdir() if d.is_dir()), key=lambda d: d.name):
        files = [e for e in os.scandir(class_dir) if e.name.endswith(".txt") and e.is_file()]
        for entry in sorted(files, key=lambda e: _sort_key(e.name[:-4])):
            with open(entry.path, "rb") as fh:
                raw = fh.read()
            try:
                sequence = raw.decode("ascii").strip()
            except UnicodeDecodeError:
                raise DatasetError(f"{entry.path}: not a plain-text sequence file") from None
            if not sequence:
                raise DatasetError(f"{entry.path}: empty sequence file")
            rid = f"{class_dir.name}/{entry.name[:-4]}"
            check_dna(sequence, source=entry.path, record=rid)
            records.append(Record(rid, sequence, class_dir.name))
    return records


def check_against_manifest(dataset: LabeledDataset, manifest: dict, folder: str | os.PathLike) -> None:
    """Raise DatasetError unless classes and per-class counts per split equal the manifest's."""
    name = manifest["name"]
    hint = (f"the copy at {folder} is incomplete or not version {manifest.get('version', 0)}; "
            f"delete it and download again, or point at a complete copy ({local_copy_hint(name)})")
    if dataset.classes != list(manifest["classes"]):
        raise DatasetError(f"{name}: expected classes {', '.join(manifest['classes'])}, found "
                           f"{', '.join(dataset.classes)}; {hint}")
    for split, expected in manifest["splits"].items():
        if split not in dataset.splits:
            raise DatasetError(f"{name}: split {split!r} missing; {hint}")
        found = dataset.class_counts(split)
        for cls, count in expected.items():
            if found.get(cls, 0) != count:
                raise DatasetError(f"{name}: split {split!r} class {cls!r}: expected {count:,} "
                                   f"sequences, found {found.get(cls, 0):,}; {hint}")


def read_gb_folder(folder: str | os.PathLike, *, name: str | None = None,
                   manifest: dict | None = None, check: bool = True) -> LabeledDataset:
    """Load one dataset folder (``<folder>/{train,test}/<class>/<id>.txt``).

    name:     dataset name (default: the folder name); used to find the manifest.
    manifest: check against this manifest instead of the one named ``name``.
    check:    compare with the manifest (skipped with a note when ``name`` has none).
    """
    path = Path(folder)
    name = name or path.name
    if not is_gb_folder(path):
        raise DatasetError(f"{path}: not a Genomic Benchmarks folder (expected train/ and test/ "
                           "subfolders with one folder per class)")
    splits = {s: read_gb_split(path / s) for s in GB_SPLITS}
    dataset = build_dataset(name, splits, source=str(path))
    if check:
        if manifest is None and name in manifest_names("genomic_benchmarks"):
            manifest = get_manifest(name)
        if manifest is not None:
            check_against_manifest(dataset, manifest, path)
            dataset.notes.append(f"checked against manifest {manifest['name']} "
                                 f"(version {manifest.get('version', 0)}): classes and counts match")
        else:
            dataset.notes.append(f"no manifest for {name!r}: counts not checked")
    return dataset


def _default_download(name: str, version: int, dest_path: str) -> object:
    from genomic_benchmarks.loc2seq import download_dataset  # slow import, only when needed

    return download_dataset(name, version=version, dest_path=dest_path)


def _one_line(err: BaseException, limit: int = 160) -> str:
    text = " ".join(str(err).split()) or "no message"
    return f"{type(err).__name__}: {text if len(text) <= limit else text[:limit] + '...'}"


def local_copy_hint(name: str) -> str:
    """How to use a local copy instead of a download: the ``--gb-cache`` option, the
    ``DNAAUG_GB_CACHE`` variable, or the dataset folder itself."""
    return (f"to use a local copy, give --gb-cache DIR or set {GB_CACHE_ENV}=DIR (DIR holding "
            f"{name}/train and {name}/test), or pass the dataset folder path itself")


def _is_network_error(err: BaseException) -> bool:
    """True when ``err`` or an error it was raised from is an OSError: no route, DNS, refused,
    timeout (``requests``' and ``urllib``'s errors are OSErrors too)."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, OSError):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


def load_genomic_benchmark(name: str, *, cache_dir: str | os.PathLike | None = None,
                           download: bool = True, download_fn: DownloadFn | None = None,
                           manifest: dict | None = None) -> LabeledDataset:
    """Load a Genomic Benchmarks dataset by name from the cache, downloading it when missing.

    name:        a dataset with a manifest (``dnaaug datasets``), e.g. ``human_nontata_promoters``.
    cache_dir:   folder holding ``<name>/train`` and ``<name>/test``; default
                 :func:`default_gb_cache` (env ``DNAAUG_GB_CACHE``).
    download:    fetch when not cached (else DatasetError).
    download_fn: ``fn(name, version=, dest_path=)`` used instead of
                 ``genomic_benchmarks.loc2seq.download_dataset`` (tests pass a fake).
    manifest:    check against this manifest instead of the packaged one.

    Any failure of the download becomes a one-line DownloadError (exit code 2) that names the
    local-copy options, ``--gb-cache DIR`` and ``DNAAUG_GB_CACHE`` (:func:`local_copy_hint`).
    """
    if manifest is None:
        if name not in manifest_names("genomic_benchmarks"):
            raise DatasetError(f"unknown Genomic Benchmarks dataset {name!r}; known: "
                               f"{', '.join(manifest_names('genomic_benchmarks'))}")
        manifest = get_manifest(name)
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_gb_cache()
    folder = cache / name
    if not is_gb_folder(folder):
        how = local_copy_hint(name)
        if not download:
            raise DatasetError(f"Genomic Benchmarks dataset {name!r} is not in {cache}; {how}")
        version = manifest.get("version", 0)
        log.info("downloading Genomic Benchmarks dataset %s (version %s) into %s", name, version, cache)
        fn = download_fn or _default_download
        try:
            # the package prints progress on stdout, which belongs to results: send it to stderr
            with contextlib.redirect_stdout(sys.stderr):
                returned = fn(name, version=version, dest_path=str(cache))
        except (Exception, SystemExit) as err:  # noqa: BLE001 - any failure of a third-party download alike
            # the way out first, the third-party detail (often a long URL) last, so that it survives
            # a narrow terminal
            why = "no network?" if _is_network_error(err) else "the download failed"
            raise DownloadError(f"could not download Genomic Benchmarks dataset {name!r} into {cache} "
                                f"({why}); {how} [{_one_line(err)}]") from err
        if not is_gb_folder(folder) and returned is not None and is_gb_folder(Path(str(returned))):
            folder = Path(str(returned))
        if not is_gb_folder(folder):
            raise DownloadError(f"download of Genomic Benchmarks dataset {name!r} left no dataset "
                                f"folder at {folder}; {how}")
    return read_gb_folder(folder, name=name, manifest=manifest)
