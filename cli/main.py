"""Entry point: the ``dnaaug`` click group, global options and the one place errors become messages.

Each command lives in its own module of this package and is loaded lazily, so ``dnaaug --help``
stays fast and one broken command cannot break the others.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

import dnaaug
from dnaaug.errors import DnaaugError

# command name -> "module:attribute" inside this package
COMMANDS: dict[str, str] = {
    "datasets": "datasets_cmd:datasets",
    "demo-data": "demo_cmd:demo_data",
    "train": "train_cmd:train",
    "embed": "embed_cmd:embed",
    "augment": "augment_cmd:augment",
    "benchmark": "benchmark_cmd:benchmark",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ModuleNotFoundError as err:
            if err.name and err.name.endswith(module_name):
                return None  # command not built yet
            raise
        return getattr(module, attr)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DnaaugError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(dnaaug.__version__, "--version", prog_name="dnaaug")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for every random operation.")
@click.option("--device", default="auto", show_default=True,
              help="auto, cpu, cuda or cuda:i. auto takes the first GPU when one is present.")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for debug logs).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no progress bars.")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, seed: int, device: str, verbose: int, quiet: bool, debug: bool) -> None:
    """dnaaug: label-free DNA embeddings by contrastive learning with diffusion-generated views.

    \b
    Examples:
      dnaaug demo-data demo/                      # write the synthetic demo dataset
      dnaaug train demo/train.fa --out runs/rc --augment rc+translocation:shift=10
      dnaaug embed runs/rc demo/test.fa -o emb.parquet
      dnaaug benchmark --dataset demo/ --preset smoke --out bench/
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose + 1, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.ensure_object(dict)
    ctx.obj.update(seed=seed, device=device, verbose=verbose, quiet=quiet, debug=debug)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dnaaug")


if __name__ == "__main__":
    main()
