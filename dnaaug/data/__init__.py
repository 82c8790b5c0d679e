"""Readers and datasets: every input format becomes a stream of ``Record(id, sequence, label)``.

``read_inputs`` streams records from FASTA/CSV/TSV/BED files; ``load_dataset`` turns a name,
folder or file into a labelled train/(dev)/test :class:`LabeledDataset`; manifests describe the
known datasets; :mod:`dnaaug.data.synthetic` makes the offline demo data.

Names are imported on first use, so ``dnaaug datasets`` (manifests only) stays quick.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Record": "records", "LabeledDataset": "labeled", "read_fasta": "fasta", "read_table": "tabular",
    "read_bed": "bed", "read_records": "dataset", "read_inputs": "dataset", "load_dataset": "dataset",
    "load_genomic_benchmark": "genomic_benchmarks", "read_gb_folder": "genomic_benchmarks",
    "list_manifests": "manifest", "get_manifest": "manifest", "make_synthetic": "synthetic",
    "write_synthetic": "synthetic",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'dnaaug.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dnaaug.data.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
