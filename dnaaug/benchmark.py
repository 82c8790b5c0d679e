"""The benchmark: for each dataset x method x seed, train without labels, embed, probe, cluster.

Methods are augmenter specs (``rc``, ``translocation``, ``insertion``, ``mixup``, ``none``, any
registry spec such as ``rc+mutation:rate=0.05``) and ``diffaug``; every row uses the same encoder,
loss, window, epoch budget and seeds; only the augmenter changes. Reference rows, standard in
self-supervised papers: ``random-init`` (the same encoder, untrained: what training adds),
``masked-lm`` (the masked generator's denoiser trained alone as a masked language model, the
standard label-free competitor), ``kmer-spectrum`` (label-free, non-neural: normalised k-mer counts,
k = 1..6: what a bag of k-mers already gives) and ``supervised`` (the same trunk trained with labels and cross-entropy).

Every finished cell is written atomically to ``OUT/cells/<dataset>/<method>/seed<k>.json`` and
skipped on re-run; a cell interrupted mid-training resumes from its run folder's checkpoint.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from dnaaug.data.labeled import LabeledDataset
from dnaaug.errors import InputError
from dnaaug.evaluate.clustering import cluster_metrics
from dnaaug.evaluate.kmer_features import kmer_spectrum
from dnaaug.evaluate.probe import linear_probe
from dnaaug.evaluate.results import CellResult
from dnaaug.train.api import load_encoder, train
from dnaaug.atomic import atomic_write_text
from dnaaug.train.config import TrainConfig
from dnaaug.train.dataclass_io import merge
from dnaaug.train.device import describe_compute, resolve_device
from dnaaug.train.presets import preset as preset_overrides

log = logging.getLogger(__name__)

DEFAULT_METHODS = ("diffaug", "rc", "translocation", "insertion", "mixup", "none")
REFERENCE_ROWS = ("random-init", "masked-lm", "kmer-spectrum", "supervised")
# paper's comparison rows -> registry specs (the registry's defaults give the parameters)
METHOD_SPECS = {"rc": "rc", "reverse_complement": "rc", "translocation": "translocation", "insertion": "insertion",
                "mixup": "mixup", "none": "none"}


def split_methods(text: str | Iterable[str]) -> list[str]:
    """``"diffaug,rc+mutation:rate=0.05,p=0.5,mixup"`` -> methods; a piece holding ``=`` but no
    ``:`` continues the previous spec's parameters. Several texts (``-a X -a Y,Z``) are split one
    by one and joined: order kept, a method given twice kept once (its first place)."""
    texts = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for one in texts:
        methods: list[str] = []
        for piece in (p.strip() for p in one.split(",")):
            if not piece:
                continue
            if methods and "=" in piece and ":" not in piece and "+" not in piece:
                methods[-1] += "," + piece
            else:
                methods.append(piece)
        out.extend(methods)
    return list(dict.fromkeys(out))


def slug(text: str) -> str:
    """A file-system-safe name for a dataset or method."""
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", text).strip("_") or "x"


@dataclass
class BenchmarkSpec:
    """What to run. ``preset`` names the budget; ``overrides`` are extra TrainConfig keys."""

    datasets: list[str]
    out: Path
    methods: list[str] = field(default_factory=lambda: list(DEFAULT_METHODS))
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    preset: str = "cpu-small"
    supervised: bool = False
    kmer_floor: bool = True
    random_init: bool = True
    masked_lm: bool = True
    overrides: dict = field(default_factory=dict)
    gb_cache: str | None = None
    device: str = "auto"
    progress: bool = True
    max_train: int | None = None
    strands: str = "both"
    regions: int = 3


def cell_config(spec: BenchmarkSpec, method: str, seed: int) -> TrainConfig:
    """The TrainConfig of one cell: preset + overrides, the method's augmenter, the seed."""
    data = merge(preset_overrides(spec.preset), spec.overrides)
    augment = "diffaug" if method == "diffaug" else METHOD_SPECS.get(method, method)
    data = merge(data, {"augment": augment, "seed": seed})
    return TrainConfig.from_dict(data)


def _subsample(records, max_n: int | None, seed: int):
    if max_n is None or len(records) <= max_n:
        return records
    keep = np.sort(np.random.default_rng(seed).choice(len(records), max_n, replace=False))
    return [records[i] for i in keep]


class BenchmarkRunner:
    """Runs cells and collects CellResults; ``load_dataset`` is injectable for tests."""

    def __init__(self, spec: BenchmarkSpec, load_dataset: Callable[..., LabeledDataset] | None = None):
        if load_dataset is None:
            from dnaaug.data import load_dataset
        self.spec, self._load = spec, load_dataset
        from dnaaug.augment.registry import parse

        cell_config(spec, "diffaug", 0)  # fail fast on bad preset or overrides
        for m in spec.methods:
            if m != "diffaug":
                parse(METHOD_SPECS.get(m, m))  # fail fast on a bad method spec
        self.embeddings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def rows(self) -> list[str]:
        rows = list(self.spec.methods)
        if self.spec.random_init:
            rows.append("random-init")
        if self.spec.masked_lm:
            rows.append("masked-lm")
        if self.spec.kmer_floor:
            rows.append("kmer-spectrum")
        if self.spec.supervised:
            rows.append("supervised")
        return rows

    def run(self) -> list[CellResult]:
        spec = self.spec
        spec.out.mkdir(parents=True, exist_ok=True)
        datasets = [self._load(d, gb_cache=spec.gb_cache, seed=0) for d in spec.datasets]
        cells_todo = [(ds, m, s) for ds in datasets for m in self.rows() for s in spec.seeds]
        results: list[CellResult] = []
        with tqdm(total=len(cells_todo), desc="benchmark cells", unit="cell", disable=not spec.progress,
                  position=0, dynamic_ncols=True) as bar:
            for ds, method, seed in cells_todo:
                path = self.cell_path(ds.name, method, seed)
                if path.exists():
                    cell = CellResult.from_dict(json.loads(path.read_text()))
                    self._check_readout(cell, path)
                    results.append(cell)
                else:
                    bar.set_postfix_str(f"{ds.name} / {method} / seed {seed}")
                    cell = self.run_cell(ds, method, seed)
                    atomic_write_text(path, json.dumps(cell.to_dict(), indent=2) + "\n")
                    results.append(cell)
                bar.update(1)
        return results

    def _check_readout(self, cell: CellResult, path: Path) -> None:
        """A finished neural cell must have been embedded as this run asks; cells written before
        ``--strands`` / ``--regions`` existed carry no note and were embedded forward / without regions."""
        if cell.method == "kmer-spectrum":
            return
        found = re.search(r"embedding strands: (\w+)", cell.notes)
        strands = found.group(1) if found else "forward"
        found = re.search(r"embedding regions: (\d+)", cell.notes)
        regions = int(found.group(1)) if found else 0
        for flag, had, wants in (("--strands", strands, self.spec.strands), ("--regions", regions, self.spec.regions)):
            if had != wants:
                raise InputError(f"{path}: this cell was embedded with {flag} {had}, not {wants}; "
                                 "use another --out, or benchmarks/reembed.py to re-embed its runs")

    def cell_path(self, dataset: str, method: str, seed: int) -> Path:
        return self.spec.out / "cells" / slug(dataset) / slug(method) / f"seed{seed}.json"

    def run_dir(self, dataset: str, method: str, seed: int) -> Path:
        return self.spec.out / "runs" / slug(dataset) / slug(method) / f"seed{seed}"

    def run_cell(self, ds: LabeledDataset, method: str, seed: int) -> CellResult:
        train_recs = _subsample(ds.splits["train"], self.spec.max_train, seed)
        test_recs = ds.splits["test"]
        index = {c: i for i, c in enumerate(ds.classes)}
        y_train = np.array([index[r.label] for r in train_recs])
        y_test = np.array([index[r.label] for r in test_recs])
        notes = list(ds.notes)
        if method == "kmer-spectrum":
            started = time.perf_counter()
            x_train = kmer_spectrum([r.sequence for r in train_recs])
            x_test = kmer_spectrum([r.sequence for r in test_recs])
            embed_s, train_s = time.perf_counter() - started, float("nan")
        else:
            x_train, x_test, train_s, embed_s = self._neural(ds, method, seed, train_recs, y_train, test_recs)
            notes.append(f"embedding strands: {self.spec.strands}")
            notes.append(f"embedding regions: {self.spec.regions}")
            # retraining on another CPU type or thread count moves a cell by up to ~3 points: say where
            notes.append(f"computed with {describe_compute(resolve_device(self.spec.device))}")
        self.embeddings[(ds.name, method)] = (x_test, y_test)
        probe = linear_probe(x_train, y_train, x_test, y_test, seed=seed)
        clusters = cluster_metrics(x_test, y_test, seed=seed)
        return CellResult(dataset=ds.name, method=method, seed=seed, accuracy=probe.accuracy, mcc=probe.mcc,
                          macro_f1=probe.macro_f1, auroc=probe.auroc, nmi=clusters["nmi"], ari=clusters["ari"],
                          cluster_acc=clusters["cluster_acc"], train_seconds=train_s, embed_seconds=embed_s,
                          n_train=len(train_recs), n_test=len(test_recs), notes="; ".join(notes))

    def _neural(self, ds, method, seed, train_recs, y_train, test_recs):
        from dnaaug.embed import embed_array

        reference = method in ("supervised", "random-init", "masked-lm")
        config = cell_config(self.spec, "none" if reference else method, seed)
        if method == "random-init":  # the same encoder and seed, zero epochs: the untrained trunk
            config = config.updated({"epochs": 0})
        started = time.perf_counter()
        if method == "supervised":
            from dnaaug.train.supervised import train_supervised

            model, _ = train_supervised(train_recs, y_train, config, device=resolve_device(self.spec.device),
                                        progress=self.spec.progress)
        elif method == "masked-lm":
            from dnaaug.train.masked_lm import train_masked_lm

            model, _ = train_masked_lm(train_recs, config, device=resolve_device(self.spec.device),
                                       progress=self.spec.progress)
        else:
            run_dir = self.run_dir(ds.name, method, seed)
            resume = (run_dir / "checkpoints" / "last.pt").exists()
            train(train_recs, run_dir, config, device=self.spec.device, resume=resume,
                  progress=self.spec.progress, inputs=[f"{ds.source} (train split)"])
            model = load_encoder(run_dir, device=self.spec.device)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        readout = {"strands": self.spec.strands, "regions": self.spec.regions}
        x_train = embed_array(model, [r.sequence for r in train_recs], **readout)
        x_test = embed_array(model, [r.sequence for r in test_recs], **readout)
        return x_train, x_test, train_s, time.perf_counter() - started


def parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` or ``"0-4"`` -> seeds."""
    try:
        if "-" in text and "," not in text:
            a, b = text.split("-")
            return list(range(int(a), int(b) + 1))
        return [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--seeds {text!r}: expected e.g. 0,1,2 or 0-4") from None


def training_curves(out: Path) -> dict[str, list[tuple[int, float]]]:
    """Per dataset/method (seed 0 run): (global_step, epoch loss) of the contrastive epochs."""
    curves = {}
    for metrics in sorted((out / "runs").glob("*/*/seed*/metrics.jsonl")):
        ds, method, seed = metrics.parts[-4], metrics.parts[-3], metrics.parts[-2]
        if seed != sorted(p.name for p in metrics.parent.parent.iterdir())[0]:
            continue
        points = []
        for line in metrics.read_text().splitlines():
            try:
                m = json.loads(line)
            except json.JSONDecodeError:
                continue
            if m.get("event") == "epoch" and "val_retrieval" in m and m.get("loss") is not None:
                points.append((int(m["global_step"]), float(m["loss"])))
        if points:
            curves[f"{ds}/{method}"] = points
    return curves


__all__ = ["BenchmarkRunner", "BenchmarkSpec", "DEFAULT_METHODS", "cell_config", "parse_seeds", "split_methods",
           "training_curves"]
