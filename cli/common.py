"""Helpers shared by the command modules (options, input reading, progress flag)."""

from __future__ import annotations

import click


def progress_enabled(ctx: click.Context) -> bool:
    """Progress bars unless -q was given."""
    return not (ctx.obj or {}).get("quiet", False)


def parse_classes(values: tuple[str, ...]) -> dict[str, str] | None:
    """``("pos=a.fa", "neg=b.fa")`` -> {"pos": "a.fa", "neg": "b.fa"} (class -> file)."""
    if not values:
        return None
    out: dict[str, str] = {}
    for item in values:
        name, eq, path = item.partition("=")
        if not eq or not name or not path:
            raise click.BadParameter(f"{item!r}: expected NAME=FILE", param_hint="--class")
        if name in out:
            raise click.BadParameter(f"class {name!r} given twice", param_hint="--class")
        out[name] = path
    return out


input_options = [
    click.option("--label-from", metavar="KEY", help="Take labels from FASTA headers '>id KEY=VALUE'."),
    click.option("--class", "classes", multiple=True, metavar="NAME=FILE",
                 help="Give every record of FILE the label NAME (repeatable)."),
    click.option("--genome", type=click.Path(exists=True, dir_okay=False),
                 help="Indexed genome FASTA to cut BED intervals from."),
]


def add_options(options):
    def decorator(f):
        for option in reversed(options):
            f = option(f)
        return f
    return decorator
