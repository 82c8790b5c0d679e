"""Dataset manifests: one JSON file per known dataset in the ``dnaaug.data_manifests`` package.

A manifest states what a dataset must look like (classes, per-class counts per split, length
range, version) and where it comes from (source, licence, citation); loaders check real data
against it. ``kind`` is ``genomic_benchmarks``, ``gue`` (a task family with ``tasks``) or
``synthetic``.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources

from dnaaug.errors import DatasetError

MANIFEST_PACKAGE = "dnaaug.data_manifests"
REQUIRED_KEYS = ("name", "kind", "source", "licence", "citation")


@lru_cache(maxsize=1)
def _load_all() -> dict[str, dict]:
    manifests: dict[str, dict] = {}
    for entry in sorted(resources.files(MANIFEST_PACKAGE).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise DatasetError(f"manifest {entry.name}: invalid JSON ({err})") from None
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise DatasetError(f"manifest {entry.name}: missing keys {', '.join(missing)}")
        manifests[data["name"]] = data
    return manifests


def manifest_names(kind: str | None = None) -> list[str]:
    """Sorted names of all manifests, or of one ``kind``."""
    return sorted(n for n, m in _load_all().items() if kind is None or m["kind"] == kind)


def list_manifests(kind: str | None = None) -> list[dict]:
    """All manifests (copies), sorted by name; only those of ``kind`` when given."""
    return [copy.deepcopy(_load_all()[n]) for n in manifest_names(kind)]


def get_manifest(name: str) -> dict:
    """The manifest called ``name`` (a copy); a GUE task name (``mouse_0``) gives its family.

    Raises DatasetError listing the known names when there is none.
    """
    manifests = _load_all()
    if name in manifests:
        return copy.deepcopy(manifests[name])
    family = gue_family_of(name)
    if family is not None:
        return copy.deepcopy(manifests[family])
    raise DatasetError(f"unknown dataset {name!r}; known: {', '.join(manifest_names())}")


def gue_family_of(task: str) -> str | None:
    """Name of the GUE family manifest listing ``task`` (e.g. ``mouse_0`` -> ``gue_mouse_tf``)."""
    for name, manifest in _load_all().items():
        if manifest["kind"] == "gue" and task in manifest.get("tasks", {}):
            return name
    return None


def split_totals(manifest: dict) -> dict[str, int]:
    """Sequences per split summed over classes, for a manifest with per-class ``splits``."""
    return {split: sum(counts.values()) for split, counts in manifest.get("splits", {}).items()}
