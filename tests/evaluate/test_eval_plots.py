"""Figures are written as PNG files, atomically, without leftovers."""

from __future__ import annotations

import numpy as np
import pytest

from dnaaug.errors import InputError
from dnaaug.evaluate.plots import plot_bars, plot_embedding_map, plot_training_curves
from dnaaug.evaluate.results import CellResult, summarise

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_bars(tmp_path):
    cells = [CellResult(d, m, s, accuracy=0.6 + 0.05 * i + 0.01 * s)
             for i, (d, m) in enumerate([("d1", "A"), ("d1", "B"), ("d2", "A"), ("d2", "B")])
             for s in (0, 1)] + [CellResult("d2", "kmer-spectrum", 0, accuracy=0.7)]
    out = plot_bars(summarise(cells), "accuracy", tmp_path / "plots" / "bars.png",
                    method_order=["kmer-spectrum"])
    assert_png(out)
    with pytest.raises(InputError):
        plot_bars(summarise(cells), "nmi", tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()


def test_embedding_map_subsamples_and_handles_string_labels(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3500, 6))
    y = np.where(rng.random(3500) < 0.5, "human", "worm")
    assert_png(plot_embedding_map(X, y, tmp_path / "map.png", title="test", seed=1))
    assert_png(plot_embedding_map(X[:50, :1], y[:50], tmp_path / "map1d.png"))
    with pytest.raises(InputError):
        plot_embedding_map(X, y[:10], tmp_path / "bad.png")


def test_training_curves(tmp_path):
    curves = {"diffaug": [(0, 5.0), (10, 4.0), (20, 3.5)], "rc": [(0, 5.0), (10, 4.5)], "none": []}
    path = tmp_path / "curves.png"
    path.write_bytes(b"old")  # replaced, not appended to
    assert_png(plot_training_curves(curves, path, logy=True))
    with pytest.raises(InputError):
        plot_training_curves({"a": []}, tmp_path / "x.png")
    with pytest.raises(InputError):
        plot_training_curves({"a": [1, 2, 3]}, tmp_path / "x.png")
