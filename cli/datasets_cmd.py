"""``dnaaug datasets``: list the known datasets (manifests) and show one."""

from __future__ import annotations

import json

import click

from dnaaug.data.manifest import get_manifest, list_manifests

KIND_LABEL = {"genomic_benchmarks": "GB", "gue": "GUE", "synthetic": "built-in"}


def _count(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "-"


def _length(manifest: dict) -> str:
    length = manifest.get("length")
    if not length:
        nominal = manifest.get("nominal_length")
        return f"~{nominal:,}" if nominal else "-"
    lo, hi = length["min"], length["max"]
    return f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"


def _row(m: dict) -> list[str]:
    if m["kind"] == "gue":
        tasks = m.get("tasks", {})
        return [m["name"], KIND_LABEL["gue"], m.get("short_name") or "",
                f"{len(tasks)} task{'s' if len(tasks) != 1 else ''}", "-", "-", _length(m)]
    splits = m.get("splits", {})
    totals = {s: sum(c.values()) for s, c in splits.items()}
    return [m["name"], KIND_LABEL.get(m["kind"], m["kind"]), m.get("short_name") or "",
            str(len(m.get("classes", []))), _count(totals.get("train")), _count(totals.get("test")),
            _length(m)]


def _table(rows: list[list[str]], header: list[str], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]

    def fmt(r):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]).rstrip()


def _show(m: dict) -> str:
    lines = [f"{m['name']}  ({KIND_LABEL.get(m['kind'], m['kind'])}"
             + (f", short name {m['short_name']})" if m.get("short_name") else ")")]
    if m.get("description"):
        lines.append(f"  {m['description']}")
    for key in ("species", "version", "format", "metric", "source", "licence", "citation", "notes"):
        if m.get(key) not in (None, ""):
            lines.append(f"  {key + ':':<10} {m[key]}")
    if m.get("length"):
        lines.append(f"  {'length:':<10} {_length(m)} bp")
    if m.get("splits"):
        splits = list(m["splits"])
        rows = [[c] + [_count(m["splits"][s].get(c)) for s in splits] for c in m["classes"]]
        rows.append(["total"] + [_count(sum(m["splits"][s].values())) for s in splits])
        lines += ["", _table(rows, ["class"] + splits, set(range(1, len(splits) + 1)))]
    if m.get("tasks"):
        rows = []
        for task, t in m["tasks"].items():
            counts = t.get("splits", {})
            length = t.get("length")
            sizes = [_count(sum(counts[s].values())) if s in counts else "-" for s in ("train", "dev", "test")]
            rows.append([task, t.get("path_in_gue", ""), str(t.get("num_classes", "-"))] + sizes
                        + [f"{length['min']}" if length else "-"])
        lines += ["", _table(rows, ["task", "GUE path", "classes", "train", "dev", "test", "length"],
                             {2, 3, 4, 5, 6})]
    return "\n".join(lines)


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the manifests as JSON.")
@click.pass_context
def datasets(ctx: click.Context, as_json: bool) -> None:
    """List the known datasets: Genomic Benchmarks (GB), GUE task families and the built-in demo.

    Counts are sequences per split summed over classes; GB datasets are checked against them
    when loaded. Any local folder or file also works as a dataset (see `dnaaug benchmark`).

    \b
    Examples:
      dnaaug datasets
      dnaaug datasets show human_nontata_promoters
      dnaaug datasets show mouse_0            # a GUE task shows its family
      dnaaug datasets --json > manifests.json
    """
    if ctx.invoked_subcommand is not None:
        return
    manifests = list_manifests()
    if as_json:
        click.echo(json.dumps(manifests, indent=2, ensure_ascii=False))
        return
    header = ["name", "kind", "short", "classes", "train", "test", "length (bp)"]
    click.echo(_table([_row(m) for m in manifests], header, {3, 4, 5, 6}))


@datasets.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def show(name: str, as_json: bool) -> None:
    """Print one dataset's manifest: classes and counts per split, length, source, licence, citation.

    \b
    Examples:
      dnaaug datasets show demo_human_or_worm
      dnaaug datasets show gue_mouse_tf --json
    """
    manifest = get_manifest(name)
    click.echo(json.dumps(manifest, indent=2, ensure_ascii=False) if as_json else _show(manifest))
