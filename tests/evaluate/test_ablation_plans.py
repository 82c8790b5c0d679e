"""Every shipped ablation plan (benchmarks/plans/*.json) builds valid benchmark cells.

docs/ablations.md's tables name these plans as the way to rerun their rows; a typo in a config key
or an augmenter spec would only surface minutes into a long run. Building each row's cell config the
way `dnaaug benchmark` does (preset + the row's config, checked keys) catches it here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dnaaug.augment.registry import parse
from dnaaug.benchmark import BenchmarkSpec, cell_config
from dnaaug.errors import ConfigError

PLANS = sorted((Path(__file__).resolve().parents[2] / "benchmarks" / "plans").glob("*.json"))


def test_plans_are_found():
    assert len(PLANS) >= 5


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.stem)
def test_plan_rows_build_cell_configs(plan):
    rows = json.loads(plan.read_text())
    assert isinstance(rows, list) and rows, plan
    names = [r["name"] for r in rows]
    assert len(set(names)) == len(names), f"{plan.name}: duplicate row names"
    for row in rows:
        # an empty augmenter is a reference-rows-only row (random-init, kmer-spectrum): config only
        method = row.get("augment") or "diffaug"
        spec = BenchmarkSpec(datasets=["x"], out=Path("unused"), methods=[method],
                             preset=row.get("preset", "cpu-small"), overrides=row.get("config", {}))
        config = cell_config(spec, method, seed=0)
        if method != "diffaug":
            parse(config.augment)
        else:
            parse(config.diffaug.base_augment)


def test_a_bad_plan_key_is_caught():
    spec = BenchmarkSpec(datasets=["x"], out=Path("unused"), overrides={"weight_decayy": 0.05})
    with pytest.raises(ConfigError):
        cell_config(spec, "diffaug", seed=0)
