"""Writers for tiny on-disk fixtures (FASTA, tables, genomes, Genomic Benchmarks folders).

Tests write their inputs into ``tmp_path`` with these; nothing is read from outside the test.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np


def write_text(path: Path, text: str, *, gz: bool = False, crlf: bool = False) -> Path:
    """Write ``text`` to ``path`` (gzip-compressed when ``gz``; CRLF line endings when ``crlf``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def random_dna(n: int, length: int, seed: int = 0) -> list[str]:
    """``n`` seeded uniform ACGT strings of ``length``."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, (n, length))
    return ["".join("ACGT"[c] for c in row) for row in codes]


def write_gb_folder(root: Path, name: str, counts: dict[str, dict[str, int]], *, length: int = 12,
                    seed: int = 0) -> Path:
    """Write ``<root>/<name>/<split>/<class>/<i>.txt`` with ``counts[split][class]`` sequences each.

    Returns the dataset folder. Sequences are seeded random ACGT of ``length``.
    """
    folder = Path(root) / name
    k = 0
    for split, per_class in counts.items():
        for cls, n in per_class.items():
            d = folder / split / cls
            d.mkdir(parents=True, exist_ok=True)
            for i, seq in enumerate(random_dna(n, length, seed + k)):
                (d / f"{i}.txt").write_text(seq)
            k += 1
    return folder


def fake_gb_manifest(name: str, counts: dict[str, dict[str, int]]) -> dict:
    """A minimal Genomic Benchmarks manifest for a fixture made by :func:`write_gb_folder`."""
    classes = sorted({c for per_class in counts.values() for c in per_class})
    return {"name": name, "kind": "genomic_benchmarks", "version": 0, "classes": classes,
            "splits": counts, "source": "test", "licence": "test", "citation": "test"}
