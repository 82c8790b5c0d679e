"""The DiffAug loop's condition-use diagnostic and candidate filter: logged, plotted, and neither moves
the training random streams."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny import random_records, tiny_config

from dnaaug.diffusion.diagnostics import plot_diagnostics
from dnaaug.train import train
from dnaaug.train.api import load_diffusion_augmenter


def _events(result, name: str) -> list[dict]:
    return [m for m in result.metrics if m.get("event") == name]


@pytest.mark.parametrize("generator,axis,points", [("gaussian", "levels", 10), ("masked", "rates", 3)])
def test_condition_gap_logged_plotted_and_rng_neutral(tmp_path, generator, axis, points):
    records = random_records(n=24, length=40, seed=4)
    on = train(records, tmp_path / "on", tiny_config(augment="diffaug", diffaug={"rounds": 2, "generator": generator}),
               device="cpu", progress=False)
    gaps = _events(on, "condition_gap")
    assert [g["round"] for g in gaps] == [1, 2] and all(g["phase"] == f"generator-r{g['round']}" for g in gaps)
    for g in gaps:
        assert len(g[axis]) == points and len(g["ratio_shuffled"]) == points and len(g["ratio_null"]) == points
        assert g["n_sequences"] == 24 and g["seconds"] >= 0 and "ratio_shuffled" in g["medium"]
    assert gaps[0][axis] == gaps[1][axis]
    assert (tmp_path / "on" / "diagnostics.png").stat().st_size > 0
    off = train(records, tmp_path / "off",
                tiny_config(augment="diffaug",
                            diffaug={"rounds": 2, "condition_gap_sample": 0, "generator": generator}),
                device="cpu", progress=False)
    assert not _events(off, "condition_gap")
    np.testing.assert_array_equal(np.load(tmp_path / "on" / "bank.npy"), np.load(tmp_path / "off" / "bank.npy"))
    a = torch.load(tmp_path / "on" / "checkpoints" / "last.pt", weights_only=True)["encoder"]
    b = torch.load(tmp_path / "off" / "checkpoints" / "last.pt", weights_only=True)["encoder"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_filter_and_conditioning_options_in_the_loop(tmp_path):
    records = random_records(n=24, length=40, seed=5)
    config = tiny_config(augment="diffaug", diffaug={"generator": "gaussian", "candidates": 2,
                                                     "cond_mode": "film+input+block",
                                                     "cond_norm": "layer", "guidance": 1.5})
    result = train(records, tmp_path / "run", config, device="cpu", progress=False)
    (gen_line,) = _events(result, "generate")
    assert gen_line["candidates"] == 2 and gen_line["filter_drawn"] == 2 * gen_line["filter_kept"]
    assert gen_line["filter_kept"] == 24 * config.diffaug.positives
    assert gen_line["filter_cos_kept"] >= gen_line["filter_cos_all"] and gen_line["filter_seconds"] >= 0
    aug, _ = load_diffusion_augmenter(tmp_path / "run")
    assert aug.settings.candidates == 2 and aug.settings.guidance == 1.5
    assert aug.model.denoiser.config.cond_mode == "film+input+block"


def test_plot_with_condition_gaps(tmp_path):
    rounds = [{"round": 1, "kmer_js": {"1": 0.1}, "identity_mean": 0.5, "gc_bins": [0.0, 0.5, 1.0],
               "gc_hist_real": [1, 2], "gc_hist_gen": [2, 1]}]
    gaps = [{"round": 1, "abar": [0.9, 0.5, 0.1], "ratio_shuffled": [1.0, 0.9, None], "ratio_null": [1.0, 0.8, 0.95]}]
    path = plot_diagnostics(rounds, tmp_path / "d.png", condition_gaps=gaps)
    assert path.stat().st_size > 0
