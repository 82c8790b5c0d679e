"""``dnaaug embed``: export embeddings h of a trained encoder."""

from __future__ import annotations

import click

from dnaaug_cli.common import add_options, input_options, parse_classes, progress_enabled


@click.command("embed")
@click.argument("model", type=click.Path(exists=True))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file: .npy (plus OUTPUT.ids.txt), .parquet, .csv or .tsv.")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True,
              help="Which checkpoint of a run folder.")
@click.option("--batch-size", type=int, default=256, show_default=True)
@click.option("--window", type=click.Choice(["tile", "center"]), default="tile", show_default=True,
              help="Sequences longer than the model window: pool tiled windows, or take the centre one.")
@click.option("--stride", type=int, help="Tile step in bp.  [default: half the window]")
@click.option("--strands", type=click.Choice(["both", "mean", "forward"]), default="both", show_default=True,
              help="both: [h(x), h(reverse complement of x)], twice the model's width; mean: their mean "
                   "(strand-symmetric); forward: the strand as given.")
@click.option("--regions", type=click.IntRange(min=0), default=3, show_default=True,
              help="Also export the mean of the final feature map over this many equal parts of each window "
                   "(5' to 3'), per strand: where along the window a feature sits, not only whether. 0: off.")
@click.option("--shard", metavar="I/N", help="Embed only records I, I+N, I+2N, ... (0-based) for parallel jobs.")
@add_options(input_options)
@click.pass_context
def embed(ctx, model, inputs, output, checkpoint, batch_size, window, stride, strands, regions, shard, label_from, classes, genome):
    """Embed INPUT sequences with the encoder trunk of MODEL (a run folder or a checkpoint file).

    Streams: memory does not grow with the number of sequences. The output is written to a
    temporary file and renamed when complete.

    \b
    Examples:
      dnaaug embed runs/rc demo/test.fa -o emb.parquet
      dnaaug embed runs/rc/checkpoints/best.pt reads.fa.gz -o emb.npy --batch-size 1024
      dnaaug embed runs/rc big.fa -o part0.npy --shard 0/4     # then 1/4, 2/4, 3/4
      dnaaug embed runs/rc stranded.fa -o emb.npy --strands forward
      dnaaug embed runs/rc reads.fa -o emb.npy --regions 0      # global pooling only: 2 x 2C wide
    """
    from dnaaug.data import read_inputs
    from dnaaug.embed import embed_records, parse_shard, shard_records, strands_dim
    from dnaaug.embed_writers import check_writable, write_embeddings
    from dnaaug.train import load_encoder

    check_writable(output)
    part = parse_shard(shard)
    trained = load_encoder(model, which=checkpoint, device=(ctx.obj or {}).get("device", "auto"))
    records = read_inputs(list(inputs), label_from=label_from, classes=parse_classes(classes), genome=genome)
    chunks = embed_records(trained, shard_records(records, part), batch_size=batch_size, stride=stride,
                           policy=window, progress=progress_enabled(ctx), strands=strands,
                           regions=regions)
    n = write_embeddings(output, chunks)
    click.echo(f"wrote {n} embeddings of dimension {strands_dim(trained, strands, regions)} to {output}", err=True)
