"""Figures are written as PNG files, atomically, without leftovers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_rgba

from dnaaug.errors import InputError
from dnaaug.evaluate.plots import method_colour, plot_bars, plot_embedding_map, plot_training_curves
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


def _capture(monkeypatch):
    """Replace the PNG writer: keep each figure by file name, to read its artists' colours."""
    from dnaaug.evaluate import plots

    figures = {}

    def keep(fig, path):
        figures[Path(path).name] = fig
        return Path(path)

    monkeypatch.setattr(plots, "_save", keep)
    return figures


def bar_colours(fig) -> dict:
    """label -> facecolour of each bar group of a plot_bars figure."""
    return {c.get_label(): tuple(c.patches[0].get_facecolor()) for c in fig.axes[0].containers
            if hasattr(c, "patches")}


def line_colours(fig) -> dict:
    """label -> colour of each line of a plot_training_curves figure."""
    return {line.get_label(): to_rgba(line.get_color()) for line in fig.axes[0].get_lines()}


def test_method_colour_is_fixed_for_known_methods_and_stable_otherwise():
    known = ["none", "rc", "translocation", "insertion", "deletion", "inversion", "mutation", "noise", "mixup",
             "crop", "diffaug", "base", "random-init", "kmer-spectrum", "supervised", "masked-lm"]
    colours = [method_colour(m) for m in known]
    assert len(set(colours)) == len(known)  # no two known methods alike
    assert method_colour("rc") == tuple(colormaps["tab20"](2))
    assert method_colour("reverse_complement") == method_colour("rc")  # registry aliases share it
    assert method_colour("shift") == method_colour("translocation")
    assert method_colour("rc+translocation:shift=10+mutation:rate=0.05") == method_colour("base")  # DiffAug's base
    other = method_colour("translocation:shift=20")
    assert other == method_colour("translocation:shift=20") and other not in colours
    assert all(0 <= v <= 1 for v in other) and len(other) == 4
    # the same in a fresh interpreter (no per-process hash seed)
    out = subprocess.run([sys.executable, "-c", "from dnaaug.evaluate.plots import method_colour; "
                          "print(repr(method_colour('translocation:shift=20')))"],
                         capture_output=True, text=True, timeout=120, check=True)
    assert eval(out.stdout) == other


def test_a_method_has_one_colour_in_bars_and_curves(tmp_path, monkeypatch):
    figures = _capture(monkeypatch)
    methods = ["diffaug", "translocation:shift=20", "rc", "none"]
    cells = [CellResult(d, m, 0, accuracy=0.6 + 0.01 * i) for d in ("d1", "d2") for i, m in enumerate(methods)]
    cells.append(CellResult("d1", "kmer-spectrum", 0, accuracy=0.5))
    plot_bars(summarise(cells), "accuracy", tmp_path / "accuracy.png")
    # another order and a subset: colours follow the method, not its place
    plot_training_curves({f"{d}/{m}": [(0, 2.0), (5, 1.0)] for d in ("d1", "d2") for m in ("rc", "none",
                                                                                             "translocation:shift=20")},
                         tmp_path / "training_curves.png")
    bars, lines = bar_colours(figures["accuracy.png"]), line_colours(figures["training_curves.png"])
    assert set(bars) == set(methods) | {"kmer-spectrum"}
    for label, colour in lines.items():
        assert colour == bars[label.split("/", 1)[1]] == method_colour(label.split("/", 1)[1])
    styles = {line.get_label(): line.get_linestyle() for line in figures["training_curves.png"].axes[0].get_lines()}
    assert styles["d1/rc"] == styles["d1/none"] != styles["d2/rc"]  # datasets told apart by line style


def test_frontier_curves_use_the_method_colours(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from dnaaug.evaluate.frontier import plot_frontier

    drawn = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: (drawn.append(fig), real(fig, *a, **k))[1])
    rows = [{"name": n, "family": f, "identity": i, "semantic_consistency": 0.5, "rank_consistency": 0.5}
            for n, f, i in [("base", "base", 0.9), ("mutation:rate=0.1", "mutation", 0.9),
                            ("mutation:rate=0.3", "mutation", 0.7), ("diffaug:strength=0.4", "diffaug", 0.8)]]
    plot_frontier(rows, tmp_path / "frontier.png")
    (fig,) = drawn
    for ax in fig.axes:
        colours = {line.get_label(): to_rgba(line.get_color()) for line in ax.get_lines()}
        assert colours == {f: method_colour(f) for f in ("base", "mutation", "diffaug")}
