"""Writers for embeddings: .npy (+ ids file), .parquet, .csv; streamed and atomic.

Each writer takes chunks (ids, h (B, D)) and writes to a temporary file beside the output,
renamed into place only when all chunks are in: an interrupted run leaves no partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from dnaaug.data.textio import check_output_file
from dnaaug.errors import InputError

FORMATS = (".npy", ".parquet", ".csv", ".tsv")


def output_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: unknown output format {suffix or '(none)'}; use one of {', '.join(FORMATS)}")
    return suffix


def check_writable(path: str | Path) -> None:
    """Fail before any heavy work when the output cannot be written."""
    output_format(path)
    check_output_file(path)


def _tmp(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o644)  # mkstemp makes 0600 files; outputs are meant to be shared (as dnaaug.atomic does)
    return Path(name)


def write_embeddings(path: str | Path, chunks: Iterable[tuple[list[str], np.ndarray]]) -> int:
    """Write all chunks to ``path`` (format from the suffix); returns the number of rows.

    .npy also writes ``<path>.ids.txt`` (one id per line, same order).
    """
    path = Path(path)
    fmt = output_format(path)
    tmp = _tmp(path)
    extra: list[tuple[Path, Path]] = []
    try:
        if fmt == ".npy":
            n = _write_npy(tmp, path, chunks, extra)
        elif fmt == ".parquet":
            n = _write_parquet(tmp, chunks)
        else:
            n = _write_text(tmp, chunks, "," if fmt == ".csv" else "\t")
        for src, dst in extra:
            os.replace(src, dst)
        os.replace(tmp, path)
        return n
    except BaseException:
        for p in [tmp, *(s for s, _ in extra)]:
            p.unlink(missing_ok=True)
        raise


def _write_npy(tmp: Path, path: Path, chunks, extra) -> int:
    raw = _tmp(path)
    ids_tmp = _tmp(path)
    extra.append((ids_tmp, Path(str(path) + ".ids.txt")))
    n, dim = 0, None
    try:
        with open(raw, "wb") as fh, open(ids_tmp, "w", encoding="utf-8") as ids_fh:
            for ids, h in chunks:
                h = np.ascontiguousarray(h, dtype=np.float32)
                dim = h.shape[1]
                fh.write(h.tobytes())
                ids_fh.write("".join(f"{i}\n" for i in ids))
                n += len(ids)
        with open(tmp, "wb") as out, open(raw, "rb") as src:
            header = {"descr": "<f4", "fortran_order": False, "shape": (n, dim or 0)}
            np.lib.format.write_array_header_1_0(out, header)
            while block := src.read(1 << 24):
                out.write(block)
    finally:
        raw.unlink(missing_ok=True)
    return n


def _write_parquet(tmp: Path, chunks) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer, n = None, 0
    try:
        for ids, h in chunks:
            cols = {"id": pa.array(ids, pa.string())}
            cols.update({f"h{j}": pa.array(h[:, j].astype(np.float32)) for j in range(h.shape[1])})
            table = pa.table(cols)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
            n += len(ids)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pq.write_table(pa.table({"id": pa.array([], pa.string())}), tmp)
    return n


def _write_text(tmp: Path, chunks, sep: str) -> int:
    n, header = 0, False
    with open(tmp, "w", encoding="utf-8") as fh:
        for ids, h in chunks:
            if not header:
                fh.write(sep.join(["id", *(f"h{j}" for j in range(h.shape[1]))]) + "\n")
                header = True
            for i, row in zip(ids, h):
                fh.write(str(i) + sep + sep.join(f"{v:.6g}" for v in row) + "\n")
            n += len(ids)
    return n
