"""``dnaaug train``: contrastive training of an encoder on unlabelled sequences."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from dnaaug_cli.common import add_options, input_options, parse_classes, progress_enabled

# option name -> config key (nested keys with dots)
OPTION_KEYS = {
    "augment": "augment", "loss": "loss.name", "tokenizer": "tokenizer", "length": "length",
    "epochs": "epochs", "batch_size": "batch_size", "lr": "lr", "save_every_epoch": "save_every_epoch",
}


def _recorded_inputs(run_dir: Path) -> tuple[str, ...]:
    """The input paths a run folder recorded in inputs.json (empty when it has none)."""
    from dnaaug.errors import InputError

    path = run_dir / "inputs.json"
    if not path.exists():
        return ()
    try:
        return tuple(json.loads(path.read_text(encoding="utf-8"))["inputs"])
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path}: unreadable (not the JSON dnaaug writes); give the INPUT files again") from None


def _remove_if_empty_run(run_dir: Path, created: bool) -> None:
    """After a failure, remove the run folder this command created if it holds no checkpoint yet
    (a failure before training started leaves nothing behind; a run with a checkpoint is kept)."""
    if created and run_dir.is_dir() and not (run_dir / "checkpoints" / "last.pt").exists():
        shutil.rmtree(run_dir, ignore_errors=True)


def _nest(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


@click.command("train")
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Run folder to create (absent, empty or a run folder; else see --force).")
@click.option("--force", is_flag=True,
              help="Write the run into a non-empty --out that is not a run folder: its run files are "
                   "replaced (stderr says which), everything else is left.")
@click.option("--augment", "-a", help="Augmenter spec (e.g. rc+translocation:shift=20) or 'diffaug'.")
@click.option("--loss", type=click.Choice(["soft", "infonce"]), help="A-step loss.  [default: soft]")
@click.option("--tokenizer", help="onehot or kmer:k=K[,stride=S].  [default: onehot]")
@click.option("--length", type=int, help="Model window in bp.  [default: median input length, max 1024]")
@click.option("--epochs", type=int, help="Encoder epochs of a baseline-augmenter run.")
@click.option("--batch-size", type=int, help="Sequences per step.")
@click.option("--lr", type=float, help="Learning rate (AdamW).")
@click.option("--preset", type=click.Choice(["smoke", "demo", "cpu-small", "paper"]),
              help="Named budget (see README); options and --config override it.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="JSON file with the same keys as the options (options win).")
@click.option("--save-every-epoch", is_flag=True, default=None, help="Keep a checkpoint per epoch.")
@click.option("--resume", type=click.Path(exists=True, file_okay=False),
              help="Continue the run in this folder from its last checkpoint.")
@add_options(input_options)
@click.pass_context
def train(ctx, inputs, out, force, augment, loss, tokenizer, length, epochs, batch_size, lr, preset, config_file,
          save_every_epoch, resume, label_from, classes, genome):
    """Train an encoder without labels on INPUT files (FASTA[.gz], CSV/TSV, BED with --genome).

    The run folder gets config.json, metrics.jsonl and checkpoints/{last,best}.pt. Ctrl-C saves a
    checkpoint; --resume RUN_DIR continues it. --out into a non-empty folder that is not a run
    folder is refused unless --force.

    \b
    Examples:
      dnaaug train demo/train.fa --out runs/rc --augment rc+translocation:shift=20 --epochs 10
      dnaaug train demo/train.csv --out runs/diffaug --augment diffaug --preset cpu-small
      dnaaug train regions.bed --genome hg38.fa --out runs/bed --length 500
      dnaaug train --resume runs/diffaug
    """
    from dnaaug.data import read_inputs
    from dnaaug.data.textio import check_output_folder
    from dnaaug.train import TrainConfig, preset as preset_overrides, train as run_train
    from dnaaug.train.api import read_run_config
    from dnaaug.train.config import load_config_file
    from dnaaug.train.dataclass_io import merge
    from dnaaug.train.run_dir import check_new_run_folder, clear_run_files, force_notice

    obj = ctx.obj or {}
    if resume and force:
        raise click.UsageError("--force goes with --out (a new run); --resume continues a run folder as it is")
    if resume:
        run_dir = Path(resume)
        read_run_config(run_dir)  # a clear error for a folder that is not a run
        if not inputs:
            inputs = _recorded_inputs(run_dir)
        config = None
    else:
        if not out:
            raise click.UsageError("--out RUN_DIR is required (or --resume RUN_DIR)")
        run_dir = Path(out)
        data: dict = {"seed": obj.get("seed", 0)}
        if preset:
            data = merge(data, preset_overrides(preset))
        if config_file:
            data = merge(data, load_config_file(config_file))
        given = {OPTION_KEYS[k]: v for k, v in dict(augment=augment, loss=loss, tokenizer=tokenizer, length=length,
                                                     epochs=epochs, batch_size=batch_size, lr=lr,
                                                     save_every_epoch=save_every_epoch).items() if v is not None}
        data = merge(data, _nest(given))
        config = TrainConfig.from_dict(data)
    if not inputs:
        raise click.UsageError("give at least one INPUT file")
    forced = None  # --force into a folder that is not a run folder: the run files it replaces
    if not resume:
        check_output_folder(run_dir)
        forced = check_new_run_folder(run_dir, force=force)
    # read and check every input before the run folder is created: bad input leaves nothing behind
    records = list(read_inputs(list(inputs), label_from=label_from, classes=parse_classes(classes), genome=genome))
    if forced is not None:
        click.echo(force_notice(run_dir, forced), err=True)
        clear_run_files(run_dir, forced)
    created = not run_dir.exists()
    try:
        result = run_train(records, run_dir, config, device=obj.get("device", "auto"), resume=bool(resume),
                           progress=progress_enabled(ctx), inputs=[str(p) for p in inputs])
    except BaseException:
        _remove_if_empty_run(run_dir, created)
        raise
    epochs_done = [m for m in result.metrics if m.get("event") == "epoch" and "val_retrieval" in m]
    summary = f"done: {result.run_dir}/checkpoints/last.pt"
    if epochs_done:
        summary += f" (final loss {epochs_done[-1]['loss']:.4f}, val_retrieval {epochs_done[-1]['val_retrieval']:.3f})"
    click.echo(summary, err=True)
