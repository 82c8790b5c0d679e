"""BED intervals cut from an indexed genome FASTA (pyfaidx), strand-aware, streaming.

The genome is never loaded: pyfaidx seeks through its ``.fai`` index (built beside the
FASTA on first use). BED coordinates are 0-based, end-exclusive; strand ``-`` yields the
reverse complement.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from dnaaug.data.records import Record
from dnaaug.data.textio import check_readable_file, iter_lines
from dnaaug.data.validation import check_dna
from dnaaug.errors import DatasetError, InputError
from dnaaug.tokenize.alphabet import reverse_complement


def open_genome(genome_fasta: str | os.PathLike):
    """Open a genome FASTA with pyfaidx, building its ``.fai`` index when missing.

    Returns a ``pyfaidx.Fasta`` (use it as a context manager). Raises DatasetError when the
    index cannot be built (read-only folder, plain-gzip genome, malformed FASTA).
    """
    import pyfaidx  # imported here: only BED input needs it

    genome = check_readable_file(genome_fasta)
    fai = Path(f"{genome}.fai")
    writable = os.access(genome.parent, os.W_OK)
    if not fai.exists() and not writable:
        raise DatasetError(
            f"{genome}: no index {fai.name} and the folder is not writable to build one; run "
            f"'samtools faidx {genome}' where you can write, or copy the genome to a writable folder")
    try:
        return pyfaidx.Fasta(str(genome), as_raw=True, sequence_always_upper=False,
                             rebuild=writable, build_index=True)
    except pyfaidx.UnsupportedCompressionFormat:
        raise DatasetError(f"{genome}: gzip genomes must be compressed with bgzip "
                           "(or decompress it) to be indexed") from None
    except (pyfaidx.FastaIndexingError, ValueError) as err:
        raise DatasetError(f"{genome}: cannot index genome FASTA ({err})") from None
    except OSError as err:
        raise DatasetError(f"{genome}: cannot build or read index {fai.name} "
                           f"({err.strerror or err})") from None


def _parse_int(text: str, what: str, where: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise DatasetError(f"{where}: {what} {text!r} is not an integer") from None
    if value < 0:
        raise DatasetError(f"{where}: {what} {value} is negative")
    return value


def read_bed(bed_path: str | os.PathLike, genome_fasta: str | os.PathLike, *,
             label_column: int | None = None) -> Iterator[Record]:
    """Yield one :class:`Record` per BED interval, its sequence cut from ``genome_fasta``.

    bed_path:     BED3+ file (plain or gzip); ``#``, ``track`` and ``browser`` lines and blank
                  lines are skipped. Column 4 (name) is the id when present and not ``.``,
                  else ``chrom:start-end(strand)``; a repeated name gets the coordinates appended.
    genome_fasta: genome FASTA (plain or bgzip); its ``.fai`` is built if missing.
    label_column: 1-based column number holding the label (as ``cut -f`` counts; 4 = name).

    Raises DatasetError naming the BED line for: malformed line, start >= end, unknown
    chromosome, interval past the chromosome end, missing label column; InvalidSequence for
    non-DNA characters in the genome.
    """
    if label_column is not None and label_column < 1:
        raise InputError(f"label_column must be a 1-based column number, got {label_column}")
    source = str(bed_path)
    seen: set[str] = set()
    with open_genome(genome_fasta) as genome:
        index = genome.faidx.index
        any_interval = False
        for lineno, line in iter_lines(bed_path):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            where = f"{source} line {lineno}"
            fields = line.rstrip().split("\t")
            if len(fields) < 3:
                fields = line.split()  # tolerate space-separated BED
            if len(fields) < 3:
                raise DatasetError(f"{where}: expected at least 3 columns (chrom, start, end), "
                                   f"found {len(fields)}")
            chrom = fields[0]
            start = _parse_int(fields[1], "start", where)
            end = _parse_int(fields[2], "end", where)
            if start >= end:
                raise DatasetError(f"{where}: start {start} is not before end {end}")
            strand = fields[5] if len(fields) > 5 else "+"
            if strand not in ("+", "-", "."):
                raise DatasetError(f"{where}: strand {strand!r} is not '+', '-' or '.'")
            if chrom not in index:
                known = ", ".join(list(index)[:5]) + (", ..." if len(index) > 5 else "")
                raise DatasetError(f"{where}: chromosome {chrom!r} is not in genome {genome_fasta} "
                                   f"(it has: {known})")
            chrom_len = index[chrom].rlen
            if end > chrom_len:
                raise DatasetError(f"{where}: interval {chrom}:{start}-{end} runs past the end of "
                                   f"{chrom} (length {chrom_len:,})")
            coords = f"{chrom}:{start}-{end}({strand})"
            name = fields[3] if len(fields) > 3 and fields[3] not in ("", ".") else None
            rid = coords if name is None else name
            if rid in seen:
                rid = f"{name}|{coords}"
            seen.add(rid)
            label = None
            if label_column is not None:
                if len(fields) < label_column or not fields[label_column - 1].strip():
                    raise DatasetError(f"{where}: no label in column {label_column}")
                label = fields[label_column - 1].strip()
            sequence = str(genome[chrom][start:end])
            check_dna(sequence, source=f"{genome_fasta} ({where})", record=rid)
            if strand == "-":
                sequence = reverse_complement(sequence)
            any_interval = True
            yield Record(rid, sequence, label)
        if not any_interval:
            raise DatasetError(f"{source}: empty BED file (no intervals)")
