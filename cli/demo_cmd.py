"""``dnaaug demo-data``: write the seeded synthetic demo dataset."""

from __future__ import annotations

import click

from dnaaug.data.synthetic import MIN_LENGTH, write_synthetic


@click.command("demo-data")
@click.argument("out_dir", type=click.Path(file_okay=False, writable=True))
@click.option("--n-train", type=click.IntRange(min=2), default=2000, show_default=True,
              help="Training sequences (half positive).")
@click.option("--n-test", type=click.IntRange(min=2), default=500, show_default=True,
              help="Test sequences (half positive).")
@click.option("--length", type=click.IntRange(min=MIN_LENGTH), default=200, show_default=True,
              help="Sequence length in bp.")
@click.option("--format", "fmt", type=click.Choice(["csv", "fasta", "both"]), default="both",
              show_default=True, help="csv: train.csv/test.csv; fasta: train.fa/test.fa (label= headers).")
@click.pass_context
def demo_data(ctx: click.Context, out_dir: str, n_train: int, n_test: int, length: int, fmt: str) -> None:
    """Write the synthetic demo dataset (real TF motifs planted by rules) into OUT_DIR.

    Positive sequences hold at least one active motif module (SP1 + E-box together, an
    E-box/GATA composite at 7-8 bp, or a convergent CTCF pair); negatives hold only decoys.
    The global --seed picks the dataset; the same seed writes the same files. It is a demo,
    not a benchmark: runs need no network.

    \b
    Examples:
      dnaaug demo-data demo/
      dnaaug --seed 1 demo-data demo_s1/ --n-train 5000 --format csv
      dnaaug demo-data big/ --length 500 --format fasta
    """
    seed = (ctx.obj or {}).get("seed", 0)
    written = write_synthetic(out_dir, fmt=fmt, n_train=n_train, n_test=n_test, length=length, seed=seed)
    if not (ctx.obj or {}).get("quiet"):
        for path in written:
            click.echo(f"wrote {path}")
        click.echo(f"{n_train:,} train / {n_test:,} test sequences of {length} bp, seed {seed}")
