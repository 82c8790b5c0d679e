"""Label preservation of positive views: exact values with hand-made judges, the matched-identity
comparison, and the benchmark script end to end on a tiny GUE-style folder and a smoke DiffAug run."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scripts import load_benchmark_script

from dnaaug.augment import parse
from dnaaug.data.records import Record
from dnaaug.errors import InputError
from dnaaug.evaluate.label_preservation import (label_preservation, matched_identity, matched_identity_table,
                                                plot_label_preservation, preservation_at_identity,
                                                preservation_table)

POS = 5  # the motif judge looks at this position
L = 24


def random_onehot(n: int, length: int, gen: torch.Generator) -> torch.Tensor:
    return F.one_hot(torch.randint(0, 4, (n, length), generator=gen), 4).float().permute(0, 2, 1).contiguous()


def motif_judge(x, mask):
    """Class 1 when the base at POS is A (channel 0), else 0."""
    return (x[:, 0, POS] > 0.5).long()


def flip_motif(x, mask, g):
    """One view per anchor, differing at POS only, with the judge's label flipped."""
    out = x.clone()
    is_a = x[:, 0, POS] > 0.5
    out[:, :, POS] = 0
    out[is_a, 1, POS] = 1.0  # A -> C
    out[~is_a, 0, POS] = 1.0  # anything else -> A
    return out


@pytest.fixture
def anchors(gen):
    x = random_onehot(40, L, gen)
    x[:20, :, POS] = 0
    x[:20, 0, POS] = 1  # half the anchors carry the motif
    return x


def test_exact_preservation_with_a_motif_judge(anchors, gen):
    mask = torch.ones(40, L, dtype=torch.bool)
    makers = {"copy": lambda x, m, g: x.clone(), "flip": flip_motif,
              "both:k=2": lambda x, m, g: torch.stack([x, flip_motif(x, m, g)], dim=1).reshape(-1, 4, L)}
    state = gen.get_state()
    rows = label_preservation(motif_judge, anchors, mask, makers, gen, labels=motif_judge(anchors, mask))
    assert torch.equal(gen.get_state(), state)  # forks only
    by = {r["name"]: r for r in rows}
    assert [r["name"] for r in rows] == list(makers)
    assert by["copy"]["identity"] == 1.0 and by["copy"]["label_preservation"] == 1.0
    assert by["flip"]["label_preservation"] == 0.0 and by["flip"]["label_preservation_true"] == 0.0
    assert by["flip"]["identity"] == pytest.approx((L - 1) / L)
    assert by["both:k=2"]["label_preservation"] == 0.5 and by["both:k=2"]["views_per_anchor"] == 2
    assert by["both:k=2"]["n_views"] == 80 and by["both:k=2"]["family"] == "both"
    assert by["both:k=2"]["identity"] == pytest.approx((1 + (L - 1) / L) / 2)
    assert all(r["seconds"] >= 0 for r in rows)


def test_true_labels_and_judge_labels_differ(anchors, gen):
    labels = motif_judge(anchors, None)
    labels[:10] = 1 - labels[:10]  # the judge is wrong on a quarter of the anchors
    rows = label_preservation(motif_judge, anchors, None, {"copy": lambda x, m, g: x.clone(), "flip": flip_motif},
                              gen, labels=labels)
    assert rows[0]["label_preservation"] == 1.0 and rows[0]["label_preservation_true"] == 0.75
    assert rows[1]["label_preservation"] == 0.0 and rows[1]["label_preservation_true"] == 0.25
    assert label_preservation(motif_judge, anchors, None, {"copy": lambda x, m, g: x.clone()},
                              gen)[0]["label_preservation_true"] is None


def test_gc_judge_and_common_random_numbers(gen):
    x = random_onehot(64, 40, gen)
    mask = torch.ones(64, 40, dtype=torch.bool)
    mask[:8, 30:] = False
    x[:8, :, 30:] = 0

    def gc_judge(v, m):
        gc = (v[:, 1] + v[:, 2]) * m
        return (gc.sum(1) / m.sum(1) > 0.5).long()

    mutation = parse("mutation:rate=0.2")
    makers = {"mutation:rate=0.2": lambda v, m, g: mutation(v, generator=g, mask=m),
              "again": lambda v, m, g: mutation(v, generator=g, mask=m),
              "complement": lambda v, m, g: v.flip(1)}  # A<->T, C<->G: GC content kept exactly
    rows = label_preservation(gc_judge, x, mask, makers, gen, families={"again": "mutation"})
    assert rows[0]["family"] == rows[1]["family"] == "mutation"
    assert {k: v for k, v in rows[0].items() if k not in ("name", "seconds")} == \
        {k: v for k, v in rows[1].items() if k not in ("name", "seconds")}
    assert 0.7 < rows[0]["identity"] < 0.9 and rows[0]["label_preservation"] < 1.0
    assert rows[2]["label_preservation"] == 1.0 and rows[2]["identity"] == 0.0


def test_validation(anchors, gen):
    ok = {"copy": lambda x, m, g: x.clone()}
    with pytest.raises(InputError, match="judge_fn must return"):
        label_preservation(lambda x, m: torch.zeros(x.shape[0]), anchors, None, ok, gen)  # float labels
    with pytest.raises(InputError, match="judge_fn must return"):
        label_preservation(lambda x, m: torch.zeros(3, dtype=torch.long), anchors, None, ok, gen)
    with pytest.raises(InputError, match="view maker 'bad'"):
        label_preservation(motif_judge, anchors, None, {"bad": lambda x, m, g: x[:7]}, gen)
    with pytest.raises(InputError, match="at least one view maker"):
        label_preservation(motif_judge, anchors, None, {}, gen)
    with pytest.raises(InputError, match="explicit torch.Generator"):
        label_preservation(motif_judge, anchors, None, ok, None)
    with pytest.raises(InputError, match="labels must be"):
        label_preservation(motif_judge, anchors, None, ok, gen, labels=torch.zeros(5, dtype=torch.long))
    with pytest.raises(InputError):
        label_preservation(motif_judge, anchors[:, :3], None, ok, gen)


ROWS = [
    {"name": "mutation:rate=0", "family": "mutation", "identity": 1.0, "label_preservation": 1.0,
     "label_preservation_true": 0.8},
    {"name": "mutation:rate=0.1", "family": "mutation", "identity": 0.9, "label_preservation": 0.9,
     "label_preservation_true": 0.7},
    {"name": "mutation:rate=0.3", "family": "mutation", "identity": 0.7, "label_preservation": 0.7,
     "label_preservation_true": 0.6},
    {"name": "base:a", "family": "base", "identity": 0.4, "label_preservation": 0.85, "label_preservation_true": 0.7},
    {"name": "base:b", "family": "base", "identity": 0.6, "label_preservation": 0.95, "label_preservation_true": 0.75},
    {"name": "gen:strength=0.3", "family": "gen", "identity": 0.8, "label_preservation": 0.9,
     "label_preservation_true": 0.7},
    {"name": "gen:strength=0.5", "family": "gen", "identity": 0.5, "label_preservation": 0.8,
     "label_preservation_true": 0.65},
]


def test_interpolation():
    assert preservation_at_identity(ROWS, "mutation", 0.8) == pytest.approx(0.8)
    assert preservation_at_identity(ROWS, "mutation", 0.95) == pytest.approx(0.95)
    assert preservation_at_identity(ROWS, "mutation", 1.0) == pytest.approx(1.0)
    assert preservation_at_identity(ROWS, "mutation", 0.8, key="label_preservation_true") == pytest.approx(0.65)
    assert preservation_at_identity(ROWS, "mutation", 0.5) is None  # outside 0.7-1.0
    assert preservation_at_identity(ROWS, "nope", 0.8) is None
    assert preservation_at_identity(ROWS, "mutation", float("nan")) is None


def test_matched_identity_and_tables(tmp_path):
    items = {it["name"]: it for it in matched_identity(ROWS, references=("mutation", "base"))}
    assert set(items) == {"gen:strength=0.3", "gen:strength=0.5"}
    hi, lo = items["gen:strength=0.3"], items["gen:strength=0.5"]
    assert hi["mutation"] == pytest.approx(0.8) and hi["mutation_advantage"] == pytest.approx(10.0)
    assert hi["base"] is None and hi["base_advantage"] is None and hi["base_range"] == (0.4, 0.6)
    assert lo["mutation"] is None and lo["mutation_range"] == (0.7, 1.0)
    assert lo["base"] == pytest.approx(0.9) and lo["base_advantage"] == pytest.approx(-10.0)
    assert matched_identity(ROWS, families=["nope"]) == []
    table = matched_identity_table(ROWS, references=("mutation", "base"))
    assert "| `gen:strength=0.3` | 0.800 | 0.900 | 0.800 | +10.0 | not covered (0.400-0.600) | - |" in table
    assert "not covered (0.700-1.000)" in table and "-10.0" in table
    assert "base at same identity" not in matched_identity_table(ROWS[:3] + ROWS[5:], references=("mutation", "base"))
    full = preservation_table(ROWS)
    assert full.count("\n") == len(ROWS) + 1 and "true label kept" in full
    assert "| `mutation:rate=0.1` | mutation | 0.900 | 0.900 | 0.700 |" in full
    path = plot_label_preservation(ROWS, tmp_path / "lp.png", title="t")
    assert path.stat().st_size > 0
    with pytest.raises(InputError):
        plot_label_preservation([], tmp_path / "x.png")


# -- the benchmark script ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bench():
    return load_benchmark_script("bench_label_preservation")


def _motif_records(n: int, seed: int, prefix: str) -> list[Record]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        seq = list("ACGT"[j] for j in rng.integers(0, 4, 36))
        label = i % 2
        if label:
            seq[14:20] = "TATAAA"
        out.append(Record(f"{prefix}{i}", "".join(seq), str(label)))
    return out


def _write_csv(path, records):
    path.write_text("sequence,label\n" + "".join(f"{r.sequence},{r.label}\n" for r in records))


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    """A tiny GUE-style folder and a smoke-preset DiffAug run trained on its (unlabelled) training split."""
    from dnaaug.train import train
    from dnaaug.train.config import TrainConfig
    from dnaaug.train.presets import preset

    root = tmp_path_factory.mktemp("lp")
    data = root / "toy_task"
    data.mkdir()
    train_records = _motif_records(64, 0, "tr")
    _write_csv(data / "train.csv", train_records)
    _write_csv(data / "test.csv", _motif_records(24, 1, "te"))
    config = TrainConfig().updated(preset("smoke")).updated({"augment": "diffaug", "length": 32, "val_size": 0})
    unlabelled = [Record(r.id, r.sequence, None) for r in train_records]
    train(unlabelled, root / "run", config, device="cpu", progress=False)
    return root, data, root / "run"


def test_weaker_specs_and_chunks(bench):
    assert bench.weaker_specs(bench.BASE) == [
        "rc+mutation:rate=0.02", "rc+mutation:rate=0.05", "rc+translocation:shift=3+mutation:rate=0.02",
        "rc+translocation:shift=3+mutation:rate=0.05", "rc+translocation:shift=10+mutation:rate=0.02", bench.BASE]
    assert bench.weaker_specs("rc") == ["rc"]
    assert bench.chunks(257, 256) == [(0, 128), (128, 257)] and bench.chunks(1, 8) == [(0, 1)]


def test_shuffled_condition_is_a_derangement(bench):
    cond = bench.shuffled_condition(lambda x, m: torch.arange(x.shape[0], dtype=torch.float32)[:, None],
                                    torch.Generator().manual_seed(0))
    got = cond(torch.zeros(9, 4, 8), None)[:, 0].long()
    assert sorted(got.tolist()) == list(range(9)) and bool((got != torch.arange(9)).all())


def test_generator_maker_builds_new_augmenters(bench, task):
    from dnaaug.train.api import load_diffusion_augmenter

    _, _, run = task
    aug, trained = load_diffusion_augmenter(run)
    before = aug.settings
    x = random_onehot(6, trained.length, torch.Generator().manual_seed(0))
    for shuffle in (None, 3):
        views = bench.generator_maker(aug, 0.3, 2, 4, shuffle_seed=shuffle)(x, None, torch.Generator().manual_seed(1))
        assert views.shape == (12, 4, trained.length)
    assert aug.settings is before and aug.settings.strength == before.strength


def test_script_end_to_end_and_judge_cache(bench, task, capsys):
    root, data, run = task
    out, cache = root / "out", root / "judge.pt"
    argv = [str(data), "--run", f"g={run}", "--anchors", "16", "--rates", "0.1,0.3", "--strengths", "0.3,1",
            "--judge-preset", "smoke", "--judge-cache", str(cache), "--out", str(out), "--views", "1"]
    assert bench.main(argv) == 0
    err = capsys.readouterr().err
    assert "training the judge" in err and cache.exists()
    payload = json.loads((out / "label_preservation_toy_task.json").read_text())
    names = [r["name"] for r in payload["rows"]]
    assert names[:3] == ["mutation:rate=0", "mutation:rate=0.1", "mutation:rate=0.3"]
    assert "base:" + bench.BASE in names and len([n for n in names if n.startswith("base:")]) == 6
    assert names[-4:] == ["g:strength=0.3", "g:strength=1", "g+shuffled:strength=0.3", "g+shuffled:strength=1"]
    by = {r["name"]: r for r in payload["rows"]}
    assert by["mutation:rate=0"]["identity"] == 1.0 and by["mutation:rate=0"]["label_preservation"] == 1.0
    assert {r["family"] for r in payload["rows"]} == {"mutation", "base", "g", "g+shuffled"}
    assert all(r["n_views"] == 16 and 0 <= r["label_preservation"] <= 1 for r in payload["rows"])
    assert 0 <= payload["judge"]["test_accuracy"] <= 1 and payload["judge"]["n_test"] == 24
    assert payload["anchors"] == 16 and payload["length"] == 32 and "--run" in payload["command"]
    assert {it["family"] for it in payload["matched_identity"]} == {"g", "g+shuffled"}
    assert "machine" in payload and payload["runs"]["g"]["settings"]["strength"] > 0
    md = (out / "label_preservation_toy_task.md").read_text()
    assert "advantage over mutation (points)" in md and "`g+shuffled:strength=0.3`" in md
    assert (out / "label_preservation_toy_task.png").stat().st_size > 0
    # the second run reloads the judge: same accuracy, same rows (seconds aside)
    assert bench.main(argv + ["--name", "again"]) == 0
    assert "judge reloaded" in capsys.readouterr().err
    again = json.loads((out / "again.json").read_text())
    assert again["judge"]["test_accuracy"] == payload["judge"]["test_accuracy"] and again["judge"]["cached"]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert strip(again["rows"]) == strip(payload["rows"])


def test_script_skips_and_usage_errors(bench, task, tmp_path, capsys):
    root, data, run = task
    assert bench.main([str(tmp_path / "absent"), "--run", f"g={run}"]) == 0
    assert "skipped: data folder" in capsys.readouterr().err
    assert bench.main([str(data), "--run", f"g={tmp_path / 'no_run'}"]) == 0
    assert "skipped: run folder" in capsys.readouterr().err
    for argv in ([str(data)], [str(data), "--run", "nonsense"], [str(data), "--run", f"g={run}", "--rates", "x"],
                 [str(data), "--run", f"g={run}", "--strengths", "0"], [str(data), "--run", f"mutation={run}"],
                 [str(data), "--run", f"g={run}", "--anchors", "1"], [str(data), "--run", f"g={run}", "--base", "zz"],
                 [str(data), "--run", f"g={run}", "--bogus"]):
        assert bench.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("bench_label_preservation: error: ") and err.count("\n") == 1, (argv, err)
