"""Packaged manifests: golden shapes from DATASETS.md and the GUE counts, lookups and errors."""

from __future__ import annotations

import pytest

from dnaaug.data.manifest import get_manifest, gue_family_of, list_manifests, manifest_names, split_totals
from dnaaug.errors import DatasetError

# name: (short name, classes, train per class, test per class, min length, max length)
GB = {
    "dummy_mouse_enhancers_ensembl": ("MoEnEc", ["negative", "positive"], [484, 484], [121, 121], 331, 4776),
    "demo_coding_vs_intergenomic_seqs": ("Colin", ["coding_seqs", "intergenomic_seqs"], [37500, 37500],
                                         [12500, 12500], 200, 200),
    "demo_human_or_worm": ("HuWo", ["human", "worm"], [37500, 37500], [12500, 12500], 200, 200),
    "human_nontata_promoters": (None, ["negative", "positive"], [12355, 14742], [4119, 4915], 251, 251),
    "human_enhancers_cohn": (None, ["negative", "positive"], [10422, 10421], [3474, 3474], 500, 500),
    "human_enhancers_ensembl": (None, ["negative", "positive"], [61936, 61936], [15485, 15485], 2, 573),
    "human_ocr_ensembl": (None, ["negative", "positive"], [69902, 69902], [17476, 17476], 71, 593),
    "human_ensembl_regulatory": (None, ["enhancer", "ocr", "promoter"], [85512, 69902, 75934],
                                 [21378, 17476, 18859], 71, 802),
    "drosophila_enhancers_stark": (None, ["negative", "positive"], [2592, 2592], [865, 865], 236, 3237),
}
GUE = {"mouse_0": (6478, 810, 810), "prom_300_tata": (4904, 613, 613), "tf_0": (32378, 1000, 1000),
       "prom_core_notata": (42452, 5307, 5307)}


@pytest.mark.parametrize("name", sorted(GB))
def test_genomic_benchmarks_manifest(name):
    short, classes, train, test, lo, hi = GB[name]
    m = get_manifest(name)
    assert m["kind"] == "genomic_benchmarks" and m["version"] == 0
    assert m["short_name"] == short and m["classes"] == classes
    assert m["splits"] == {"train": dict(zip(classes, train)), "test": dict(zip(classes, test))}
    assert m["length"] == {"min": lo, "max": hi}
    assert m["licence"] == "Apache-2.0"
    assert "BMC Genomic Data" in m["citation"] and "2023" in m["citation"]


def test_exactly_nine_gb_datasets():
    assert manifest_names("genomic_benchmarks") == sorted(GB)


@pytest.mark.parametrize("task", sorted(GUE))
def test_gue_task_counts(task):
    family = gue_family_of(task)
    m = get_manifest(task)
    assert m["name"] == family and m["kind"] == "gue" and "DNABERT-2" in m["citation"]
    assert tuple(split_totals(m["tasks"][task]).values()) == GUE[task]


def test_gue_families_and_tasks():
    assert gue_family_of("mouse_3") == "gue_mouse_tf" and gue_family_of("nope") is None
    families = manifest_names("gue")
    assert {"gue_mouse_tf", "gue_human_tf", "gue_prom_300", "gue_prom_core", "gue_emp"} <= set(families)


def test_demo_manifest():
    m = get_manifest("demo")
    assert m["kind"] == "synthetic" and split_totals(m) == {"train": 2000, "test": 500}


def test_lookup_errors_and_copies():
    with pytest.raises(DatasetError, match="unknown dataset 'x'; known: demo, demo_coding"):
        get_manifest("x")
    m = get_manifest("demo")
    m["classes"].append("mutated")
    assert get_manifest("demo")["classes"] == ["negative", "positive"]
    assert [x["name"] for x in list_manifests()] == manifest_names()
