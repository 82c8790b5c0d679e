"""benchmarks/cells_from_record.py: recorded cells go back where the benchmark looks for them."""

from __future__ import annotations

import json

import pytest
from scripts import load_benchmark_script

from dnaaug.evaluate import CellResult


def _load():
    return load_benchmark_script("cells_from_record")


def _cell(dataset: str, method: str, seed: int, accuracy: float) -> dict:
    return CellResult(dataset=dataset, method=method, seed=seed, accuracy=accuracy, mcc=0.1, macro_f1=0.5,
                      auroc=0.6, nmi=0.0, ari=0.0, cluster_acc=0.5, train_seconds=10.0, embed_seconds=1.0,
                      n_train=100, n_test=20, notes="embedding strands: both; embedding regions: 3").to_dict()


def test_ablation_row_cells_land_at_the_benchmark_cell_paths(tmp_path):
    script = _load()
    record = tmp_path / "abl.json"
    record.write_text(json.dumps({"base+wd": {"vs": "base", "seeds": [0, 1], "cells": [
        _cell("mouse_0", "rc+mutation:rate=0.05", 0, 0.75), _cell("mouse_0", "rc+mutation:rate=0.05", 1, 0.74)]}}))
    out = tmp_path / "out"
    assert script.main([str(record), "--row", "base+wd", "--out", str(out)]) == 0
    path = out / "cells" / "mouse_0" / "rc+mutation_rate=0.05" / "seed1.json"
    cell = CellResult.from_dict(json.loads(path.read_text()))
    assert cell.accuracy == 0.74 and cell.notes.endswith(f"cell from {record.as_posix()} row base+wd")
    # a cell already in OUT is never overwritten (a retrained one wins)
    path.write_text(json.dumps(dict(_cell("mouse_0", "rc+mutation:rate=0.05", 1, 0.70))))
    assert script.write_cells(script.record_cells(record, "base+wd"), out, "again") == 0
    assert CellResult.from_dict(json.loads(path.read_text())).accuracy == 0.70


def test_list_record_filters_by_method_and_dataset(tmp_path):
    script = _load()
    record = tmp_path / "final.json"
    record.write_text(json.dumps([_cell("a", "random-init", 0, 0.6), _cell("a", "diffaug", 0, 0.7),
                                  _cell("b", "random-init", 0, 0.65)]))
    out = tmp_path / "out"
    assert script.write_cells(script.record_cells(record, None), out, "r", methods={"random-init"},
                              datasets={"a"}) == 1
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.json")] == ["cells/a/random-init/seed0.json"]


def test_a_row_must_be_named_for_an_ablation_record(tmp_path):
    script = _load()
    record = tmp_path / "abl.json"
    record.write_text(json.dumps({"row1": {"cells": []}}))
    with pytest.raises(ValueError, match="row1"):
        script.record_cells(record, None)
    with pytest.raises(ValueError, match="drop --row"):
        (tmp_path / "l.json").write_text("[]")
        script.record_cells(tmp_path / "l.json", "row1")


@pytest.mark.parametrize("text", ["{not json", json.dumps([{"dataset": "a"}]), json.dumps(3)])
def test_a_bad_record_is_a_one_line_error_with_exit_code_2(tmp_path, capsys, text):
    script = _load()
    record = tmp_path / "bad.json"
    record.write_text(text)
    assert script.main([str(record), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"cells_from_record: {record}") and "\n" not in err
    assert not (tmp_path / "out").exists()
    assert script.main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "out")]) == 2
