"""The manifests ship inside the package: they load from a built, non-editable wheel.

Guards against the regression where the manifests folder was mapped into the package only by
the wheel build (``package-dir``), so importing ``dnaaug`` from the source tree found none.
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

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_DIR = ROOT / "dnaaug" / "data_manifests"


def test_source_tree_holds_the_manifests_package():
    names = sorted(p.name for p in MANIFEST_DIR.glob("*.json"))
    assert "demo.json" in names and len(names) >= 10
    assert (MANIFEST_DIR / "__init__.py").is_file()


@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None
                    or importlib.util.find_spec("wheel") is None,
                    reason="needs setuptools and wheel (the test extra) to build a wheel offline")
def test_manifests_load_from_an_installed_wheel(tmp_path):
    # build from a copy so the source tree gets no build/ or egg-info litter
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "dnaaug", src / "dnaaug", ignore=ignore)
    shutil.copytree(ROOT / "cli", src / "cli", ignore=ignore)
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
        zf.extractall(tmp_path / "site")

    # a clean interpreter, outside the repository, that sees the wheel's files first
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tmp_path / "site")
    probe = ("import json, dnaaug; from dnaaug.data.manifest import manifest_names, get_manifest; "
             "print(json.dumps({'file': dnaaug.__file__, 'names': manifest_names(), "
             "'demo': get_manifest('demo')['name']}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    info = json.loads(out.stdout)
    assert info["file"].startswith(str(tmp_path / "site"))
    assert info["demo"] == "demo"
    expected = {json.loads(p.read_text(encoding="utf-8"))["name"] for p in MANIFEST_DIR.glob("*.json")}
    assert sorted(info["names"]) == sorted(expected)
