"""``dnaaug benchmark``: the paper's comparison table on Genomic Benchmarks or local datasets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from dnaaug_cli.common import progress_enabled

DEFAULT_AUGMENT = "diffaug,rc,translocation,insertion,mixup,none"  # dnaaug.benchmark.DEFAULT_METHODS


@click.command("benchmark")
@click.option("--dataset", "-d", "datasets", multiple=True,
              help="Genomic Benchmarks name, GB-layout folder, GUE folder, CSV/TSV, FASTA folder, or 'demo'. "
                   "Repeatable.")
@click.option("--augment", "-a", "methods", multiple=True, metavar="METHODS",
              help="Methods: diffaug and/or augmenter specs, comma-separated. Repeatable (-a X -a Y runs "
                   f"both; order kept, duplicates dropped).  [default: {DEFAULT_AUGMENT}]")
@click.option("--seeds", default="0,1,2", show_default=True, help="Seeds: 0,1,2 or 0-4.")
@click.option("--preset", type=click.Choice(["smoke", "demo", "cpu-small", "paper"]), default="cpu-small",
              show_default=True, help="Named budget shared by every row.")
@click.option("--supervised", is_flag=True, help="Add the supervised CNN reference row (labels, cross-entropy).")
@click.option("--no-kmer-floor", is_flag=True, help="Leave out the label-free k-mer spectrum row.")
@click.option("--no-random-init", is_flag=True,
              help="Leave out the random-init row (the same encoder, untrained).")
@click.option("--no-masked-lm", is_flag=True,
              help="Leave out the masked-lm row (the masked denoiser trained alone as a masked language model).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="JSON with TrainConfig keys applied on top of the preset to every row.")
@click.option("--strands", type=click.Choice(["both", "mean", "forward"]), default="both", show_default=True,
              help="Neural rows' embedding: both = [h(x), h(reverse complement)] (2D wide), mean = their "
                   "mean, forward = the strand as given.")
@click.option("--regions", type=click.IntRange(min=0), default=3, show_default=True,
              help="Neural rows' embedding also holds the mean feature map over this many equal parts of "
                   "each window, per strand (0: global pooling only).")
@click.option("--max-train", type=int, help="Subsample the training split to at most this many sequences.")
@click.option("--gb-cache", type=click.Path(file_okay=False),
              help="Genomic Benchmarks cache folder (holds <name>/train, <name>/test); env DNAAUG_GB_CACHE.")
@click.option("--out", "-o", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--report-only", is_flag=True,
              help="Train nothing: rebuild results.{csv,md,json} from every finished cell in OUT.")
@click.pass_context
def benchmark(ctx, datasets, methods, seeds, preset, supervised, no_kmer_floor, no_random_init, no_masked_lm, config_file, max_train, gb_cache,
              out, report_only, strands, regions):
    """Train each method without labels, probe and cluster frozen embeddings, print the table.

    Writes OUT/results.{csv,md,json}, plots, and one file per finished cell (re-running skips
    finished cells; an interrupted cell resumes from its checkpoint).

    \b
    Examples:
      dnaaug benchmark --dataset demo --preset smoke --seeds 0 --out bench/demo
      dnaaug benchmark -d path/to/gue/mouse_0 -d path/to/gue/prom_300_tata --supervised --out bench/gue
      dnaaug benchmark -d demo -a rc -a translocation:shift=20,mixup --seeds 0 --out bench/rows
      dnaaug benchmark -d dummy_mouse_enhancers_ensembl -d demo_human_or_worm --preset paper --out bench/gb
      dnaaug benchmark --out bench/gue --report-only     # one table from all finished cells
    """
    from dnaaug.benchmark import BenchmarkRunner, BenchmarkSpec, parse_seeds, split_methods
    from dnaaug.data.textio import check_output_folder
    from dnaaug.evaluate.results import write_results
    from dnaaug.atomic import atomic_write_text
    from dnaaug.train.config import load_config_file

    obj = ctx.obj or {}
    methods = methods or (DEFAULT_AUGMENT,)
    if report_only:
        _report_only(Path(out), split_methods(methods))
        return
    if not datasets:
        raise click.UsageError("give at least one --dataset (or --report-only)")
    out_dir = check_output_folder(out)
    created = not out_dir.exists()
    spec = BenchmarkSpec(datasets=list(datasets), out=out_dir, methods=split_methods(methods),
                         seeds=parse_seeds(seeds), preset=preset, supervised=supervised,
                         kmer_floor=not no_kmer_floor, random_init=not no_random_init, masked_lm=not no_masked_lm,
                         overrides=load_config_file(config_file) if config_file else {},
                         gb_cache=gb_cache, device=obj.get("device", "auto"), progress=progress_enabled(ctx),
                         max_train=max_train, strands=strands, regions=regions)
    runner = BenchmarkRunner(spec)
    try:
        cells = runner.run()
    except BaseException:
        if created and out_dir.is_dir() and not any(p.is_file() for p in out_dir.rglob("*")):
            shutil.rmtree(out_dir, ignore_errors=True)  # failed before any file was written: leave nothing
        raise
    order = runner.rows()
    notes = [f"Preset {preset}; every neural row: same encoder, loss, window and epoch budget; "
             "only the augmenter changes.",
             f"Neural rows' embedding strands: {strands}."]
    paths = write_results(cells, out_dir, metrics=("accuracy", "mcc", "macro_f1", "auroc", "nmi", "ari",
                                                   "cluster_acc"),
                          method_order=order, notes=notes)
    _plots(runner, cells, out_dir, order)
    _print_tables(cells, order)
    click.echo(f"results: {paths['md']}  (also {paths['csv'].name}, {paths['json'].name}, plots)", err=True)
    atomic_write_text(out_dir / "spec.json", json.dumps({"datasets": list(datasets), "methods": spec.methods,
                                                         "seeds": spec.seeds, "preset": preset}, indent=2))


def _plots(runner, cells, out_dir: Path, order) -> None:
    from dnaaug.benchmark import slug, training_curves
    from dnaaug.evaluate.plots import plot_bars, plot_embedding_map, plot_training_curves
    from dnaaug.evaluate.results import summarise

    plots = out_dir / "plots"
    plots.mkdir(exist_ok=True)
    summary = summarise(cells)
    plot_bars(summary, "accuracy", plots / "accuracy.png")
    plot_bars(summary, "mcc", plots / "mcc.png")
    for (dataset, method), (x, y) in runner.embeddings.items():
        name = f"map_{dataset}_{method}".replace("/", "_")
        plot_embedding_map(x, y, plots / f"{name}.png", title=f"{method} on {dataset} (test, PCA)", seed=0)
    # curves come keyed by the run folders' names (slugs): label them, and so colour them, as the
    # table does ("translocation:shift=20", not "translocation_shift=20")
    datasets = {slug(d): d for d in dict.fromkeys(summary["dataset"])}
    methods = {slug(m): m for m in order}
    curves = {}
    for key, points in training_curves(out_dir).items():
        d, _, m = key.rpartition("/")
        curves[f"{datasets.get(d, d)}/{methods.get(m, m)}"] = points
    if curves:
        plot_training_curves(curves, plots / "training_curves.png")


def _report_only(out_dir: Path, methods: list[str]) -> None:
    """Rebuild the tables from the cell files already in OUT (no training)."""
    from dnaaug.benchmark import REFERENCE_ROWS
    from dnaaug.errors import InputError
    from dnaaug.evaluate.results import CellResult, write_results

    cells = [CellResult.from_dict(json.loads(p.read_text())) for p in sorted(out_dir.glob("cells/*/*/seed*.json"))]
    if not cells:
        raise InputError(f"{out_dir}: no finished benchmark cells to report")
    present = {c.method for c in cells}
    order = [m for m in methods if m in present] + sorted(present - set(methods) - set(REFERENCE_ROWS)) \
        + [m for m in REFERENCE_ROWS if m in present]
    paths = write_results(cells, out_dir, metrics=("accuracy", "mcc", "macro_f1", "auroc", "nmi", "ari",
                                                   "cluster_acc"), method_order=order)
    _print_tables(cells, order)
    click.echo(f"results: {paths['md']}", err=True)


def _print_tables(cells, order) -> None:
    """The accuracy and MCC tables on stdout (methods as rows, datasets as columns, AVE)."""
    from dnaaug.evaluate.results import render_text, summarise

    summary = summarise(cells)
    click.echo("\nLinear probe accuracy (%), mean ± std over seeds")
    click.echo(render_text(summary, "accuracy", method_order=order))
    click.echo("Linear probe MCC (x100)")
    click.echo(render_text(summary, "mcc", method_order=order))
