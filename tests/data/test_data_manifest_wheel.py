"""The manifests live in the top-level ``data_manifests/`` folder and load three ways.

* from a built, non-editable wheel (the folder installs as ``dnaaug/data_manifests/``);
* from an editable install (``pip install -e .``: setuptools' finder maps the package
  ``dnaaug.data_manifests`` onto the folder);
* from the source tree without any install (``PYTHONPATH=.``: the loader reads the folder beside
  the ``dnaaug`` package).

Guards against the regression where the folder was mapped into the package only by the wheel
build (``package-dir``), so importing ``dnaaug`` from the source tree found none.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dnaaug.data import manifest as manifest_module
from dnaaug.errors import DatasetError

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_DIR = ROOT / "data_manifests"
EXPECTED = sorted(json.loads(p.read_text(encoding="utf-8"))["name"] for p in MANIFEST_DIR.glob("*.json"))

needs_build_tools = pytest.mark.skipif(
    importlib.util.find_spec("setuptools") is None or importlib.util.find_spec("wheel") is None,
    reason="needs setuptools and wheel (the test extra) to build offline")

# run in a clean interpreter: where dnaaug, the manifests package and the manifests came from
PROBE = ("import importlib.util, json, dnaaug; "
         "from dnaaug.data.manifest import manifest_names, manifest_root, get_manifest; "
         "spec = importlib.util.find_spec('dnaaug.data_manifests'); "
         "print(json.dumps({'file': dnaaug.__file__, 'root': str(manifest_root()), "
         "'package': spec.origin if spec else None, 'names': manifest_names(), "
         "'demo': get_manifest('demo')['name']}))")


def _copy_source(dest: Path) -> Path:
    """The files a build needs, copied so the checkout gets no build/ or egg-info litter."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("dnaaug", "cli", "data_manifests"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)
    return dest


def _probe(python: str | Path, cwd: Path, env: dict, *flags: str) -> dict:
    out = subprocess.run([str(python), *flags, "-c", PROBE], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    info = json.loads(out.stdout)
    assert info["demo"] == "demo"
    assert sorted(info["names"]) == EXPECTED
    return info


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_manifests_folder_is_top_level():
    names = sorted(p.name for p in MANIFEST_DIR.glob("*.json"))
    assert "demo.json" in names and len(names) >= 10
    assert (MANIFEST_DIR / "__init__.py").is_file()
    assert not list((ROOT / "dnaaug").glob("data_manifests/*.json"))  # one copy, at the top level


def test_pyproject_maps_the_folder_like_cli():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dnaaug_cli = "cli"' in text
    assert '"dnaaug.data_manifests" = "data_manifests"' in text


def test_loader_falls_back_to_the_folder_beside_the_package(monkeypatch):
    monkeypatch.setattr(manifest_module, "MANIFEST_PACKAGE", "dnaaug_no_such_manifest_package")
    assert Path(str(manifest_module.manifest_root())) == MANIFEST_DIR


def test_no_manifests_anywhere_is_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setattr(manifest_module, "MANIFEST_PACKAGE", "dnaaug_no_such_manifest_package")
    monkeypatch.setattr(manifest_module, "SOURCE_TREE_DIR", tmp_path)
    with pytest.raises(DatasetError, match="no dataset manifests found") as err:
        manifest_module.manifest_root()
    assert "\n" not in str(err.value)


def test_manifests_load_from_the_source_tree(tmp_path):
    """PYTHONPATH=checkout, no install: ``python -S`` keeps every site-packages (and so every
    installed or editable dnaaug) out of the way. A stale, empty ``dnaaug/data_manifests/`` (an
    old checkout's __pycache__) imports as a namespace package and must not hide the folder."""
    src = _copy_source(tmp_path / "src")
    (src / "dnaaug" / "data_manifests" / "__pycache__").mkdir(parents=True)
    env = _clean_env()
    env["PYTHONPATH"] = str(src)
    info = _probe(sys.executable, tmp_path, env, "-S")
    assert info["file"] == str(src / "dnaaug" / "__init__.py")
    assert info["root"] == str(src / "data_manifests")


@needs_build_tools
def test_manifests_load_from_an_installed_wheel(tmp_path):
    src = _copy_source(tmp_path / "src")
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(wheels), str(src)],
        capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("dnaaug-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "dnaaug/data_manifests/demo.json" in names
        assert "dnaaug/data_manifests/__init__.py" in names
        assert not [n for n in names if n.startswith(("data_manifests/", "cli/"))]  # no generic top level
        zf.extractall(tmp_path / "site")

    # a clean interpreter, outside the repository, that sees the wheel's files first
    env = _clean_env()
    env["PYTHONPATH"] = str(tmp_path / "site")
    info = _probe(sys.executable, tmp_path, env)
    site = tmp_path / "site"
    assert info["file"] == str(site / "dnaaug" / "__init__.py")
    assert info["root"] == str(site / "dnaaug" / "data_manifests")


@needs_build_tools
def test_manifests_load_from_an_editable_install(tmp_path):
    """``pip install -e`` into a fresh venv (with the system site-packages for setuptools and the
    dependencies): the package ``dnaaug.data_manifests`` itself must resolve to the top-level folder
    (setuptools' editable finder), not just the loader's source-tree fallback."""
    src = _copy_source(tmp_path / "src")
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr[-2000:]
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    # the system pip, run by the venv's interpreter, installs into the venv
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-e", str(src)], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    info = _probe(python, tmp_path, _clean_env())
    assert info["file"] == str(src / "dnaaug" / "__init__.py")
    assert info["package"] == str(src / "data_manifests" / "__init__.py")
    assert info["root"] == str(src / "data_manifests")
