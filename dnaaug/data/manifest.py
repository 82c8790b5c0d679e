"""Dataset manifests: one JSON file per known dataset in the repository's ``data_manifests/`` folder.

An installed dnaaug (wheel or ``pip install -e .``) has the folder as the package
``dnaaug.data_manifests`` (a package-dir mapping in pyproject.toml, like ``cli/`` ->
``dnaaug_cli``); a source checkout used without installing (``PYTHONPATH=.``) has no such package,
and the folder beside the ``dnaaug`` package is read instead (:func:`manifest_root`).

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
from pathlib import Path
from typing import TYPE_CHECKING

from dnaaug.errors import DatasetError

if TYPE_CHECKING:  # importlib.abc.Traversable moves to importlib.resources.abc in Python 3.12
    from importlib.abc import Traversable

MANIFEST_PACKAGE = "dnaaug.data_manifests"
SOURCE_TREE_DIR = Path(__file__).resolve().parents[2] / "data_manifests"
"""``data_manifests/`` beside the ``dnaaug`` package: where a source checkout keeps them."""
REQUIRED_KEYS = ("name", "kind", "source", "licence", "citation")


def _has_json(root: Traversable) -> bool:
    try:
        return root.is_dir() and any(e.name.endswith(".json") for e in root.iterdir())
    except OSError:
        return False


def manifest_root() -> Traversable:
    """The folder the manifests are read from.

    The package ``dnaaug.data_manifests`` when installed (wheel or editable install); else
    :data:`SOURCE_TREE_DIR`, for a checkout run without installing. A package that holds no
    manifest (e.g. a stale ``dnaaug/data_manifests/`` left in a checkout, which imports as an
    empty namespace package) does not count. Raises DatasetError when neither has any.
    """
    try:
        root = resources.files(MANIFEST_PACKAGE)
    except (ImportError, TypeError):  # not installed (a bare checkout), or not a package
        root = None
    if root is not None and _has_json(root):
        return root
    if _has_json(SOURCE_TREE_DIR):
        return SOURCE_TREE_DIR
    raise DatasetError(f"no dataset manifests found: neither the package {MANIFEST_PACKAGE} nor "
                       f"{SOURCE_TREE_DIR} holds any (reinstall dnaaug, or run from a complete checkout)")


@lru_cache(maxsize=1)
def _load_all() -> dict[str, dict]:
    manifests: dict[str, dict] = {}
    for entry in sorted(manifest_root().iterdir(), key=lambda e: e.name):
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
