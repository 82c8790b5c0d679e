"""Results schema, summaries and the paper-style tables (golden strings)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from dnaaug.errors import InputError
from dnaaug.evaluate.probe import ProbeResult
from dnaaug.evaluate.results import (
    CellResult,
    cells_from_frame,
    cells_to_frame,
    read_results,
    render_report,
    render_table,
    render_text,
    summarise,
    write_results,
)

ACC = {("d1", "A"): (0.80, 0.82), ("d1", "B"): (0.70, 0.74),
       ("d2", "A"): (0.60, 0.60), ("d2", "B"): (0.65, 0.69)}


def tiny_cells(seeds=(0, 1)):
    return [CellResult(d, m, s, accuracy=ACC[d, m][s], mcc=ACC[d, m][s] - 0.5,
                       train_seconds=10.0 * (s + 1), embed_seconds=1.0, n_train=100, n_test=50)
            for (d, m) in ACC for s in seeds]


def test_summarise_mean_std_n():
    df = summarise(tiny_cells())
    row = df[(df.dataset == "d1") & (df.method == "B") & (df.metric == "accuracy")].iloc[0]
    assert row["mean"] == pytest.approx(0.72) and row["std"] == pytest.approx(np.std([0.7, 0.74], ddof=1))
    assert row["n"] == 2
    wall = df[(df.dataset == "d1") & (df.method == "A") & (df.metric == "wall_seconds")].iloc[0]
    assert wall["mean"] == pytest.approx(16.0)
    nmi = df[(df.metric == "nmi")]
    assert (nmi["n"] == 0).all() and nmi["mean"].isna().all()
    assert list(dict.fromkeys(df.dataset)) == ["d1", "d2"]


def test_duplicate_cells_are_rejected():
    cells = tiny_cells()
    with pytest.raises(InputError, match="duplicate"):
        summarise(cells + cells[:1])


def test_golden_markdown_table():
    expected = (
        "| method | d1 | d2 | AVE |\n"
        "|---|---:|---:|---:|\n"
        "| A | **81.0 ± 1.4** | 60.0 ± 0.0 | **70.5** |\n"
        "| B | 72.0 ± 2.8 | **67.0 ± 2.8** | 69.5 |\n"
    )
    assert render_table(summarise(tiny_cells()), "accuracy") == expected


def test_method_order_labels_missing_and_single_seed():
    cells = [c for c in tiny_cells(seeds=(0,)) if (c.dataset, c.method) != ("d2", "B")]
    out = render_table(summarise(cells), "accuracy", method_order=["B", "ghost"],
                       dataset_labels={"d1": "MoEnEc"})
    assert out == (
        "| method | MoEnEc | d2 | AVE |\n"
        "|---|---:|---:|---:|\n"
        "| B | 70.0 | — | — |\n"
        "| A | **80.0** | 60.0 | 70.0 |\n"
    )


def test_best_min_and_ties_and_no_bold():
    cells = [CellResult("d", "A", 0, train_seconds=5.0), CellResult("d", "B", 0, train_seconds=5.04),
             CellResult("d", "C", 0, train_seconds=9.0)]
    df = summarise(cells)
    out = render_table(df, "train_seconds", scale=1, best="min", decimals=1, average=False)
    assert out.splitlines()[2:] == ["| A | **5.0** |", "| B | **5.0** |", "| C | 9.0 |"]
    assert "**" not in render_table(df, "train_seconds", scale=1, best=None)
    with pytest.raises(InputError):
        render_table(df, "train_seconds", best="median")
    with pytest.raises(InputError):
        render_table(df, "accuracy")  # never measured


def test_golden_text_table():
    expected = (
        "method          d1           d2    AVE\n"
        "---------------------------------------\n"
        "A       81.0 ± 1.4*  60.0 ± 0.0   70.5*\n"
        "B       72.0 ± 2.8   67.0 ± 2.8*  69.5\n"
    )
    assert render_text(summarise(tiny_cells()), "accuracy") == expected
    ascii_text = render_text(summarise(tiny_cells()), "accuracy", ascii_only=True)
    assert "+/-" in ascii_text and ascii_text.isascii()


def test_cell_round_trip_dict_json_frame():
    cell = CellResult("mouse_0", "diffaug", 2, accuracy=0.7, mcc=0.4, auroc=float("nan"),
                      train_seconds=12.5, n_train=6478, n_test=1620, notes="held-out split")
    d = cell.to_dict()
    assert d["auroc"] is None and d["seed"] == 2
    again = CellResult.from_dict(json.loads(json.dumps(d)))
    assert again.to_dict() == d and math.isnan(again.auroc)
    frame = cells_to_frame([cell])
    assert [c.to_dict() for c in cells_from_frame(frame)] == [d]
    with pytest.raises(InputError, match="unknown"):
        CellResult.from_dict({**d, "bogus": 1})
    with pytest.raises(InputError, match="seed"):
        CellResult.from_dict({**d, "seed": None})
    with pytest.raises(InputError):
        CellResult.from_dict({**d, "accuracy": "high"})


def test_from_scores():
    probe = ProbeResult(accuracy=0.9, mcc=0.8, macro_f1=0.85, auroc=0.95, C=1.0, cv_score=0.88,
                        cv_folds=5, fit_seconds=0.1, n_train=10, n_test=4, n_classes=2)
    cell = CellResult.from_scores("d", "m", 1, probe, {"nmi": 0.1, "ari": 0.2, "cluster_acc": 0.6},
                                  embed_seconds=3.0)
    assert (cell.accuracy, cell.nmi, cell.cluster_acc, cell.n_train) == (0.9, 0.1, 0.6, 10)
    assert math.isnan(cell.train_seconds) and cell.embed_seconds == 3.0


def test_write_and_read_results(tmp_path):
    cells = tiny_cells()
    cells[0].notes = "first, with a comma"
    cells[1].auroc = float("nan")
    paths = write_results(cells, tmp_path / "out", title="tiny")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["results.csv", "results.json", "results.md"]  # no temporary files left
    for key in ("csv", "json"):
        back = read_results(paths[key])
        assert [c.to_dict() for c in back] == [c.to_dict() for c in cells]
    md = paths["md"].read_text(encoding="utf-8")
    assert md.startswith("# tiny\n") and "| A | **81.0 ± 1.4** |" in md
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError):
        read_results(bad)


def test_report_sections_and_notes():
    cells = tiny_cells() + [CellResult("d1", "kmer-spectrum", 0, accuracy=0.75, mcc=0.3,
                                       embed_seconds=2.0, notes="k = 1..6")]
    md = render_report(cells, metrics=("accuracy", "mcc", "nmi"), method_order=["kmer-spectrum"],
                       notes=["cpu-small preset"])
    assert "## Linear probe accuracy (%)" in md and "## Linear probe MCC (x100)" in md
    assert "NMI" not in md  # never measured: no empty table
    wall = md.split("## Wall time")[1]
    assert "| kmer-spectrum | **2** | — |" in wall and "AVE" not in wall.split("##")[0]
    assert "- Seeds: 0, 1." in md and "kmer-spectrum on d1: 1" in md
    assert "- kmer-spectrum on d1: k = 1..6" in md and "- cpu-small preset" in md
    # the k-mer row comes first and has no AVE (it misses d2)
    assert "| kmer-spectrum | 75.0 | — | — |" in md.split("## Linear probe accuracy (%)")[1]
    with pytest.raises(InputError):
        render_report([])


def _demo_like_cells(compute_of=lambda method, seed: "cpu AVX2, 2 thread(s)"):
    """The cells of ``dnaaug benchmark --dataset demo``: 7 neural rows and the k-mer row, notes as the
    runner writes them (the dataset's notes, then per-row readout and compute)."""
    dataset_note = "synthetic motif-rule data (seed 0, length 200): positive when SP1 + CACGTG"
    neural = ["diffaug", "rc", "translocation", "insertion", "mixup", "none", "random-init"]
    cells = []
    for seed in (0, 1):
        for m in neural:
            notes = [dataset_note, "embedding strands: both", "embedding regions: 3",
                     f"computed with torch 2.13.0+cpu, {compute_of(m, seed)}"]
            cells.append(CellResult("demo", m, seed, accuracy=0.8, mcc=0.6, notes="; ".join(notes)))
        cells.append(CellResult("demo", "kmer-spectrum", seed, accuracy=0.7, mcc=0.4, notes=dataset_note))
    return cells, dataset_note, neural


def test_report_gives_each_dataset_note_once():
    cells, dataset_note, neural = _demo_like_cells()
    md = render_report(cells, method_order=neural + ["kmer-spectrum"])
    notes = md.split("## Notes")[1]
    assert notes.count(dataset_note) == 1 and notes.count("embedding strands: both") == 1
    assert f"- demo: {dataset_note}\n" in notes
    assert ("- diffaug, rc, translocation, insertion, mixup, none and random-init on demo: embedding strands: "
            "both; embedding regions: 3; computed with torch 2.13.0+cpu, cpu AVX2, 2 thread(s)\n") in notes
    assert "kmer-spectrum on demo" not in notes  # it carries nothing beyond the dataset's notes
    # labels apply to the dataset line too
    assert f"- Demo set: {dataset_note}" in render_report(cells, dataset_labels={"demo": "Demo set"})


def test_report_notes_keep_what_differs_between_rows():
    cells, dataset_note, _ = _demo_like_cells(
        lambda m, seed: "cpu AVX512, 1 thread(s)" if (m, seed) == ("rc", 1) else "cpu AVX2, 2 thread(s)")
    notes = render_report(cells).split("## Notes")[1]
    assert notes.count(dataset_note) == 1
    assert ("- rc on demo: embedding strands: both; embedding regions: 3; computed with torch 2.13.0+cpu, cpu AVX2, "
            "2 thread(s); computed with torch 2.13.0+cpu, cpu AVX512, 1 thread(s)\n") in notes
    assert "- diffaug, translocation, insertion, mixup, none and random-init on demo: embedding strands" in notes
    # two datasets: each dataset's notes once, under its own name
    other = [CellResult("d2", c.method, c.seed, accuracy=0.6, mcc=0.2, notes=c.notes.replace("seed 0", "seed 9"))
             for c in cells]
    notes = render_report(cells + other).split("## Notes")[1]
    assert notes.count(dataset_note) == 1 and notes.count(dataset_note.replace("seed 0", "seed 9")) == 1
    assert notes.index("- demo: ") < notes.index("- d2: ")
