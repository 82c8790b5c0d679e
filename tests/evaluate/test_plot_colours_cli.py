"""``dnaaug benchmark`` draws a method in one colour in accuracy.png and training_curves.png, also for
a spec with parameters (whose run folder has another name: ``translocation_shift=3``)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_eval_plots import _capture, bar_colours, line_colours

from dnaaug.data.synthetic import write_synthetic
from dnaaug.evaluate.plots import method_colour
from dnaaug_cli.main import cli

TINY = {"length": 48, "batch_size": 16, "val_size": 0, "log_every": 5, "projection_dim": 8, "epochs": 2,
        "encoder": {"width": 16, "depth": 1, "kernel": 3, "stem_kernel": 5}}


def test_benchmark_plots_share_method_colours(tmp_path, monkeypatch):
    write_synthetic(tmp_path / "demo", fmt="csv", n_train=60, n_test=30, length=160, seed=0)
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    figures = _capture(monkeypatch)
    methods = ["translocation:shift=3", "rc", "none"]
    result = CliRunner().invoke(cli, ["-q", "--device", "cpu", "benchmark", "--dataset", str(tmp_path / "demo"),
                                      "-a", ",".join(methods), "--seeds", "0", "--preset", "smoke", "--config",
                                      str(cfg), "--out", str(tmp_path / "bench")])
    assert result.exit_code == 0, result.output
    bars = bar_colours(figures["accuracy.png"])
    lines = line_colours(figures["training_curves.png"])
    assert set(methods) | {"random-init", "kmer-spectrum"} <= set(bars)
    assert {f"demo/{m}" for m in methods} <= set(lines)  # labelled as in the table, not by folder name
    for label, colour in lines.items():
        method = label.split("/", 1)[1]
        assert colour == bars[method] == method_colour(method), label
    assert bars["rc"] != bars["none"] != bars["translocation:shift=3"]
