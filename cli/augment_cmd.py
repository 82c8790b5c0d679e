"""``dnaaug augment``: write augmented or generated views of sequences to FASTA, to look at them."""

from __future__ import annotations

import click

from dnaaug_cli.common import progress_enabled


@click.command("augment")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-n", "--num", "k", type=int, default=1, show_default=True, help="Views per input sequence.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output FASTA.")
@click.option("--augment", "spec", help="Apply this registered augmenter instead of a run's generator.")
@click.option("--length", type=int, help="Window for --augment (default: each batch's longest sequence).")
@click.option("--batch-size", type=int, default=128, show_default=True)
@click.pass_context
def augment(ctx, paths, k, output, spec, length, batch_size):
    """Write K views per sequence of INPUT as FASTA with ids '<id>|gen=<k>'.

    With a DiffAug run folder: RUN_DIR INPUT (the run's EMA generator, conditioned on its encoder,
    sampled with the run's settings through the same route as its positive bank: K views per
    sequence in one draw).
    With --augment SPEC: INPUT only (any registered augmenter, e.g. rc+mutation:rate=0.1).

    \b
    Examples:
      dnaaug augment runs/diffaug demo/test.fa -n 4 -o generated.fa
      dnaaug augment demo/test.fa --augment insertion:max_len=20 -n 2 -o inserted.fa
    """
    from dnaaug.augment_io import write_views
    from dnaaug.data import read_inputs
    from dnaaug.data.textio import check_output_file

    obj = ctx.obj or {}
    check_output_file(output)
    if spec:
        if len(paths) != 1:
            raise click.UsageError("with --augment give exactly one INPUT")
        from dnaaug.augment.registry import parse

        augmenter, window, device = parse(spec), length, "cpu"
        inputs = paths
    else:
        if len(paths) != 2:
            raise click.UsageError("give RUN_DIR INPUT (or INPUT with --augment SPEC)")
        from dnaaug.train.api import load_diffusion_augmenter

        augmenter, trained = load_diffusion_augmenter(paths[0], device=obj.get("device", "auto"))
        window, device = trained.length, next(trained.encoder.parameters()).device
        inputs = paths[1:]
    records = read_inputs(list(inputs))
    n = write_views(output, records, augmenter, k=k, length=window, batch_size=batch_size, seed=obj.get("seed", 0),
                    progress=progress_enabled(ctx), device=device)
    click.echo(f"wrote {n} sequences to {output}", err=True)
