"""One sampling route: the bank, the diffusion augmenter and `dnaaug augment RUN_DIR` agree; sampling
defaults live in one place; the diffusion package stands alone in the import graph."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import numpy as np
import torch
from click.testing import CliRunner

import dnaaug
from dnaaug.diffusion.augmenter import DiffusionAugmenter, diffaug_factory
from dnaaug.diffusion.samplers import ddim_sample
from dnaaug.diffusion.settings import DEFAULTS, FAMILY_STRENGTH, SamplingConfig
from dnaaug.train import DiffAugConfig, train
from dnaaug.train.data import epoch_seed
from dnaaug.train.phases import plan_phases
from dnaaug_cli.main import cli
from tiny import random_records, tiny_config

PACKAGE = Path(dnaaug.__file__).parent


def test_bank_and_augment_command_give_identical_positives(tmp_path):
    records = random_records(n=24, length=40, seed=2)
    config = tiny_config(augment="diffaug")
    train(records, tmp_path / "run", config, device="cpu", progress=False)
    bank = np.load(tmp_path / "run" / "bank.npy")
    fasta = tmp_path / "anchors.fa"
    fasta.write_text("".join(f">{r.id}\n{r.sequence}\n" for r in records))
    # the bank's seed and batching: the generate phase's epoch seed, generator_batch_size // K anchors
    phase_index = [p.kind for p in plan_phases(config)].index("generate")
    seed = epoch_seed(config.seed, phase_index, 0)
    k = config.diffaug.positives
    batch = config.diffaug.generator_batch_size // k
    out = tmp_path / "views.fa"
    result = CliRunner().invoke(cli, ["--seed", str(seed), "--device", "cpu", "-q", "augment",
                                      str(tmp_path / "run"), str(fasta), "-n", str(k), "-o", str(out),
                                      "--batch-size", str(batch)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().split()
    views = lines[1::2]
    assert len(views) == len(records) * k
    decoded = ["".join("ACGTN"[c] for c in row) for row in bank.reshape(-1, bank.shape[2])]
    assert views == decoded


def test_sampling_defaults_live_in_one_place():
    fields = {f.name: f.default for f in dataclasses.fields(DiffAugConfig)}
    assert (fields["sampler"], fields["sampling_steps"], fields["guidance"]) == \
        (DEFAULTS.sampler, DEFAULTS.steps, DEFAULTS.guidance)
    assert fields["strength"] is None  # the family's default, from settings.FAMILY_STRENGTH
    assert DiffAugConfig(generator="gaussian").sampling() == SamplingConfig()
    for family, strength in FAMILY_STRENGTH.items():
        assert DiffAugConfig(generator=family).strength == strength
    assert DiffAugConfig().strength == FAMILY_STRENGTH[DiffAugConfig().generator]
    for fn in (DiffusionAugmenter.__init__, diffaug_factory):
        params = inspect.signature(fn).parameters
        for key in ("steps", "strength", "guidance", "sampler", "eta"):
            assert params[key].default == getattr(DEFAULTS, key), (fn, key)
    params = inspect.signature(ddim_sample).parameters
    assert params["steps"].default == DEFAULTS.steps and params["eta"].default == DEFAULTS.eta
    assert params["guidance"].default == DEFAULTS.guidance


def _imports(path: Path) -> set[str]:
    """Absolute dnaaug module names imported by a file (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.add(name)
    return {n for n in out if n.startswith("dnaaug")}


def test_import_graph_has_no_circle_and_diffusion_stands_alone():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = _imports(path)
    for module, deps in graph.items():
        if module.startswith("dnaaug.diffusion"):
            assert not {d for d in deps if d.startswith(("dnaaug.models", "dnaaug.train"))}, module
        if module.startswith("dnaaug.models"):
            assert not {d for d in deps if d.startswith(("dnaaug.diffusion", "dnaaug.train"))}, module
    # no circle between modules (package __init__ edges to their own submodules excluded)
    edges = {m: {d for d in deps if d in graph and not (m.endswith(("dnaaug",)) or d.startswith(m + "."))}
             for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(m, trail):
        state[m] = 1
        for d in edges[m]:
            if state.get(d) == 1:
                raise AssertionError("import circle: " + " -> ".join(trail + [m, d]))
            if d not in state:
                visit(d, trail + [m])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [])
    source = (PACKAGE / "diffusion" / "__init__.py").read_text()
    assert "__getattr__" not in source


def test_no_global_seeding_in_library_code():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("manual_seed", "manual_seed_all", "seed"):
                owner = node.func.value
                assert not (isinstance(owner, ast.Name) and owner.id == "torch"), f"{path}: torch.{node.func.attr}"
                assert not (isinstance(owner, ast.Attribute) and owner.attr in ("cuda", "random")), \
                    f"{path}: global {node.func.attr}"


def test_augmenter_k_positives_match_the_entry_point():
    from dnaaug.diffusion.generator import ConditionalGenerator
    from dnaaug.diffusion.network import DenoiserConfig
    from dnaaug.diffusion.sampling import sample_positives

    model = ConditionalGenerator.build(4, DenoiserConfig(channels=8, depth=1, kernel=3, time_dim=8)).eval()
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (3, 12), generator=torch.Generator().manual_seed(0)),
                                    4).float().transpose(1, 2)

    def condition(v, m):
        return v.mean(dim=2)

    aug = DiffusionAugmenter(model, condition)
    a = aug.positives(x, None, k=2, generator=torch.Generator().manual_seed(5))
    b = sample_positives(model, x, None, condition=condition, settings=SamplingConfig(), generator=torch.Generator().manual_seed(5), k=2)
    assert torch.equal(a, b)
    single = aug(x, generator=torch.Generator().manual_seed(5))
    assert torch.equal(single, sample_positives(model, x, None, condition=condition, settings=SamplingConfig(),
                                                generator=torch.Generator().manual_seed(5)))
