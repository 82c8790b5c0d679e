"""I/O: a file of sequences -> (N, 4, L) float32 one-hot, dnaaug against what a competent user writes.

Every pipeline reads the same seeded sequences from disk and returns the same C-contiguous (N, 4, L)
float32 array (checked equal before timing). The peers are Biopython ``SimpleFastaParser`` and
``SeqIO.parse``, pyfaidx, pandas (pyarrow and C engines) and the csv module, each followed by one
numpy lookup table; the plain-Python one-hot this script used to compare with stays as one labelled
row. Inputs: FASTA, FASTA.gz (gzip; pyfaidx needs a BGZF copy, which dnaaug reads too), BED + genome,
CSV, and strings in memory. All rows are timed in one run, on one thread, in interleaved rounds
(median of ``--rounds``), so the ratios within the table hold under background load; the load
average is recorded.

Before and after issue 31, in the same run: ``embed_records`` (``dnaaug embed``) over the same
records with today's encoding and with the encoding dnaaug had before (kept below as reference
functions), and the other paths that encode (training batches, k-mer ids, the DiffAug bank).

    python benchmarks/bench_io.py [--n 5000] [--length 1000] [--rounds 5] [--embed-n 512]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy and torch start their thread pools

import argparse  # noqa: E402
import contextlib  # noqa: E402
import csv  # noqa: E402
import gc  # noqa: E402
import gzip  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from _report import publish  # noqa: E402
from dnaaug.data.bed import read_bed  # noqa: E402
from dnaaug.data.fasta import read_fasta  # noqa: E402
from dnaaug.data.tabular import read_table  # noqa: E402
from dnaaug.tokenize import OneHotTokenizer  # noqa: E402
from dnaaug.tokenize.alphabet import ONEHOT_TABLE, as_bytes  # noqa: E402
from dnaaug.tokenize.packed import PAD_CODE, PackedSequences  # noqa: E402

GENOME = "genome.fa"  # beside the BED file
LUT = np.zeros((256, 4), dtype=np.float32)
for _k, _base in enumerate(b"ACGT"):
    LUT[_base, _k] = LUT[_base | 0x20, _k] = 1.0


# ---------------------------------------------------------------- the inputs

def write_inputs(folder: Path, n: int, length: int, seed: int = 0) -> dict[str, Path]:
    """n random sequences as FASTA (80 letters a line) with gzip and BGZF copies, as CSV (id,sequence),
    and as n '+' intervals of a BED file over a genome that holds them in random order."""
    rng = np.random.default_rng(seed)
    rows = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (n, length))]
    seqs = [row.tobytes().decode() for row in rows]
    text = "".join(f">seq{i}\n" + "\n".join(s[j:j + 80] for j in range(0, length, 80)) + "\n"
                   for i, s in enumerate(seqs))
    paths = {"fasta": folder / "bench.fa", "gz": folder / "bench.fa.gz", "bgzf": folder / "bench.bgzf.fa.gz",
             "csv": folder / "bench.csv", "bed": folder / "bench.bed"}
    paths["fasta"].write_text(text)
    paths["gz"].write_bytes(gzip.compress(text.encode(), compresslevel=6))
    write_bgzf(paths["bgzf"], text.encode())
    paths["csv"].write_text("id,sequence\n" + "".join(f"seq{i},{s}\n" for i, s in enumerate(seqs)))
    chrom = rows[rng.permutation(n)].tobytes().decode()
    lines = "\n".join(chrom[j:j + 60] for j in range(0, len(chrom), 60))
    (folder / GENOME).write_text(f">chr1\n{lines}\n")
    starts = np.sort(rng.integers(0, len(chrom) - length, n))
    paths["bed"].write_text("".join(f"chr1\t{s}\t{s + length}\tr{i}\t0\t+\n" for i, s in enumerate(starts)))
    return paths


def write_bgzf(path: Path, data: bytes) -> None:
    """BGZF blocks that end at record ends: pyfaidx 0.8 fails on a sequence starting at a block's end."""
    from Bio import bgzf

    with bgzf.BgzfWriter(str(path), "wb") as fh:
        block: list[bytes] = []
        for record in data.split(b"\n>"):
            if block and sum(map(len, block)) + len(record) > 60_000:
                fh.write(b"\n>".join(block) + b"\n>")
                fh.flush()
                block = []
            block.append(record)
        fh.write(b"\n>".join(block))


# ---------------------------------------------------------------- dnaaug

def dnaaug_onehot(records, length: int) -> np.ndarray:
    records = list(records)
    tokenizer = OneHotTokenizer(length, "start")
    return tokenizer.encode([r.sequence for r in records], ids=[r.id for r in records]).tensor.numpy()


def dnaaug_fasta(path: Path, length: int) -> np.ndarray:
    return dnaaug_onehot(read_fasta(path), length)


def dnaaug_bed(path: Path, length: int) -> np.ndarray:
    return dnaaug_onehot(read_bed(path, path.with_name(GENOME)), length)


def dnaaug_table(path: Path, length: int) -> np.ndarray:
    return dnaaug_onehot(read_table(path), length)


def dnaaug_strings(sequences: list[str], length: int) -> np.ndarray:
    return OneHotTokenizer(length, "start").encode(sequences).tensor.numpy()


# ---------------------------------------------------------------- what a competent user writes

def lut_onehot(sequences: list[str], length: int) -> np.ndarray:
    """Each sequence's bytes through the (256, 4) table, transposed into its (4, L) slot."""
    out = np.zeros((len(sequences), 4, length), dtype=np.float32)
    for i, seq in enumerate(sequences):
        codes = np.frombuffer(seq[:length].encode("ascii"), dtype=np.uint8)
        out[i, :, :codes.size] = LUT[codes].T
    return out


def _text(path: Path):
    return gzip.open(path, "rt") if path.suffix == ".gz" else open(path)


def simple_fasta_parser(path: Path, length: int) -> np.ndarray:
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    with _text(path) as fh:
        return lut_onehot([seq for _, seq in SimpleFastaParser(fh)], length)


def seqio_parse(path: Path, length: int) -> np.ndarray:
    from Bio import SeqIO

    with _text(path) as fh:
        return lut_onehot([str(r.seq) for r in SeqIO.parse(fh, "fasta")], length)


def pyfaidx_fasta(path: Path, length: int) -> np.ndarray:
    """The .fai index is built before timing (a user indexes once)."""
    import pyfaidx

    with pyfaidx.Fasta(str(path), as_raw=True, sequence_always_upper=False) as fa:
        return lut_onehot([fa[name][:] for name in fa.keys()], length)


def pyfaidx_bed(path: Path, length: int) -> np.ndarray:
    """BED lines split by hand, each interval sliced from the pyfaidx genome (all on '+')."""
    import pyfaidx

    with pyfaidx.Fasta(str(path.with_name(GENOME)), as_raw=True, sequence_always_upper=False) as fa:
        intervals = [line.split("\t")[:3] for line in path.read_text().splitlines()]
        return lut_onehot([fa[chrom][int(start):int(end)] for chrom, start, end in intervals], length)


def pandas_csv(engine: str) -> Callable[[Path, int], np.ndarray]:
    def pipeline(path: Path, length: int) -> np.ndarray:
        import pandas as pd

        return lut_onehot(pd.read_csv(path, engine=engine)["sequence"].tolist(), length)
    return pipeline


def csv_module(path: Path, length: int) -> np.ndarray:
    with open(path, newline="") as fh:
        rows = csv.reader(fh)
        column = next(rows).index("sequence")
        return lut_onehot([row[column] for row in rows], length)


def plain_python_onehot(path: Path, length: int) -> np.ndarray:
    """SeqIO, then a Python loop over every letter: the baseline this benchmark used to compare with."""
    from Bio import SeqIO

    index = {"A": 0, "C": 1, "G": 2, "T": 3}
    seqs = [str(r.seq) for r in SeqIO.parse(str(path), "fasta")]
    out = np.zeros((len(seqs), 4, length), dtype=np.float32)
    for i, seq in enumerate(seqs):
        for j, base in enumerate(seq[:length]):
            k = index.get(base.upper())
            if k is not None:
                out[i, k, j] = 1.0
    return out


# ---------------------------------------------------------------- dnaaug's encoding before issue 31

_OLD_ONEHOT = torch.from_numpy(ONEHOT_TABLE)


def old_from_strings(cls, sequences, ids=None, *, source=None):
    """Each sequence checked and converted on its own, then concatenated."""
    seqs = list(sequences)
    ids = [str(i) for i in range(len(seqs))] if ids is None else [str(i) for i in ids]
    arrays = [as_bytes(s, source=source, record=i) for s, i in zip(seqs, ids)]
    lengths = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
    offsets = np.zeros(len(arrays), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    codes = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint8)
    return cls(codes=codes, offsets=offsets, lengths=lengths, ids=ids)


def old_window(self, index, length, policy="center", *, generator=None):
    """Windows gathered through an (N, L) int64 index."""
    idx = torch.as_tensor(np.asarray(index), dtype=torch.long)
    lengths, offsets = torch.from_numpy(self.lengths)[idx], torch.from_numpy(self.offsets)[idx]
    spare = (lengths - length).clamp(min=0)
    if policy == "random":
        u = torch.rand(idx.shape[0], generator=generator, dtype=torch.float64)
        start = torch.floor(u * (spare + 1).double()).long().clamp(max=spare)
    else:
        start = spare // 2 if policy == "center" else torch.zeros_like(spare)
    pos = torch.arange(length).unsqueeze(0)
    mask = pos < lengths.clamp(max=length).unsqueeze(1)
    flat = torch.where(mask, (offsets + start).unsqueeze(1) + pos, torch.zeros_like(pos))
    codes = torch.from_numpy(self.codes)[flat]
    return torch.where(mask, codes, torch.full_like(codes, PAD_CODE)), mask


def old_codes_to_onehot(codes: torch.Tensor) -> torch.Tensor:
    """A (256, 4) table gather to (N, L, 4), then a transposing copy to (N, 4, L)."""
    return _OLD_ONEHOT[codes.long()].permute(0, 2, 1).contiguous()


def old_kmer_ids(base: torch.Tensor, mask: torch.Tensor, k: int) -> torch.Tensor:
    """k-mer ids (stride 1) from base indices by an (N, L', k) unfold reduced along k."""
    windows = base.long().unfold(1, k, 1)
    valid = mask.unfold(1, k, 1).all(dim=2)
    ids = (windows.clamp(max=3) * 4 ** torch.arange(k - 1, -1, -1)).sum(dim=2) + 2
    ids = torch.where((windows >= 4).any(dim=2), torch.full_like(ids, 1), ids)
    return torch.where(valid, ids, torch.zeros_like(ids))


def old_base_index(x: torch.Tensor) -> torch.Tensor:
    """argmax over the channel axis, 4 for all-zero columns."""
    idx = x.argmax(dim=1)
    return torch.where(x.abs().sum(dim=1) == 0, torch.full_like(idx, 4), idx)


def old_bank_onehot(positives: np.ndarray, index, pick, lengths, length: int) -> torch.Tensor:
    """Bank indices through a (5, 4) table, transposed, then multiplied by the mask."""
    table = torch.cat([torch.eye(4), torch.zeros(1, 4)])
    x = table[torch.from_numpy(positives[index, pick].astype(np.int64))].permute(0, 2, 1).contiguous()
    real = torch.from_numpy(np.minimum(lengths[index], length))
    return x * (torch.arange(length).unsqueeze(0) < real.unsqueeze(1))[:, None, :]


@contextlib.contextmanager
def encoding_before_issue_31():
    """dnaaug's packing, windows and one-hot as they were, for before/after rows in the same run."""
    with mock.patch.object(PackedSequences, "from_strings", classmethod(old_from_strings)), \
            mock.patch.object(PackedSequences, "window", old_window), \
            mock.patch("dnaaug.embed.codes_to_onehot", old_codes_to_onehot), \
            mock.patch("dnaaug.tokenize.onehot.codes_to_onehot", old_codes_to_onehot):
        yield


def old_strings(sequences: list[str], length: int) -> np.ndarray:
    with encoding_before_issue_31():
        return dnaaug_strings(sequences, length)


# ---------------------------------------------------------------- timing

def interleaved(pipelines: dict, rounds: int) -> dict:
    """Median wall and CPU seconds of every pipeline, one call of each per round, after a warm-up;
    every other round runs in reverse order, so no pipeline always follows the same one."""
    for fn in pipelines.values():
        fn()
    wall: dict = {k: [] for k in pipelines}
    cpu: dict = {k: [] for k in pipelines}
    for i in range(rounds):
        for name, fn in (list(pipelines.items())[::-1] if i % 2 else pipelines.items()):
            gc.collect()
            w, c = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - w)
    return {k: {"seconds": float(np.median(wall[k])), "cpu_seconds": float(np.median(cpu[k]))}
            for k in pipelines}


SECTIONS = {
    "FASTA": ("fasta", {"dnaaug read_fasta + OneHotTokenizer.encode": dnaaug_fasta,
                        "Biopython SimpleFastaParser + numpy LUT": simple_fasta_parser,
                        "Biopython SeqIO.parse + numpy LUT": seqio_parse,
                        "pyfaidx + numpy LUT": pyfaidx_fasta,
                        "Biopython SeqIO + plain-Python one-hot (loop per letter)": plain_python_onehot}),
    "FASTA.gz": ("gz", {"dnaaug read_fasta + OneHotTokenizer.encode": dnaaug_fasta,
                        "Biopython SimpleFastaParser + numpy LUT": simple_fasta_parser,
                        "Biopython SeqIO.parse + numpy LUT": seqio_parse}),
    "FASTA.gz (BGZF)": ("bgzf", {"dnaaug read_fasta + OneHotTokenizer.encode": dnaaug_fasta,
                                 "pyfaidx + numpy LUT": pyfaidx_fasta}),
    "BED + genome": ("bed", {"dnaaug read_bed + OneHotTokenizer.encode": dnaaug_bed,
                             "pyfaidx intervals + numpy LUT": pyfaidx_bed}),
    "CSV": ("csv", {"dnaaug read_table + OneHotTokenizer.encode": dnaaug_table,
                    "pandas read_csv (pyarrow engine) + numpy LUT": pandas_csv("pyarrow"),
                    "pandas read_csv (C engine) + numpy LUT": pandas_csv("c"),
                    "csv module + numpy LUT": csv_module}),
}


def measure(paths: dict[str, Path], length: int, rounds: int) -> list[dict]:
    """Every section's pipelines, checked equal to dnaaug's array on that input, then timed together."""
    seqs = [r.sequence for r in read_fasta(paths["fasta"])]
    pipelines = {(section, name): (lambda fn=fn, path=paths[key]: fn(path, length))
                 for section, (key, rows) in SECTIONS.items() for name, fn in rows.items()}
    memory = {"dnaaug OneHotTokenizer.encode": dnaaug_strings, "numpy LUT": lut_onehot,
              "dnaaug OneHotTokenizer.encode, encoding before issue 31": old_strings}
    pipelines.update({("strings in memory", name): (lambda fn=fn: fn(seqs, length))
                      for name, fn in memory.items()})
    first: dict[str, np.ndarray] = {}
    for (section, name), fn in pipelines.items():
        assert np.array_equal(first.setdefault(section, fn()), fn()), name
    timed = interleaved(pipelines, rounds)
    return [{"input": section, "pipeline": name, **timed[(section, name)]} for section, name in pipelines]


def path_rows(packed: PackedSequences, length: int, rounds: int, batch: int = 256, k: int = 6) -> list[dict]:
    """The other paths that encode, per call on one training-size batch: today's against before."""
    from dnaaug.tokenize import KmerTokenizer, codes_to_onehot, onehot_to_kmer_ids
    from dnaaug.tokenize.alphabet import INDEX_TABLE
    from dnaaug.train import bank

    batch = min(batch, len(packed))
    index = np.arange(batch)
    codes, mask = packed.window(index, length, "start")
    x = codes_to_onehot(codes)
    positives = np.random.default_rng(0).integers(0, 5, (batch, 2, length)).astype(np.uint8)
    pick, lengths = np.zeros(batch, dtype=np.int64), packed.lengths[:batch]
    kmer = KmerTokenizer(k=k, length=length)

    def batch_today():
        seeded = torch.Generator().manual_seed(0)
        return codes_to_onehot(packed.window(index, length, "random", generator=seeded)[0])

    def batch_before():
        seeded = torch.Generator().manual_seed(0)
        return old_codes_to_onehot(old_window(packed, index, length, "random", generator=seeded)[0])

    chunk = [packed.sequence(i) for i in index]

    def embed_today():
        return codes_to_onehot(PackedSequences.from_strings(chunk).window(index, length, "center")[0])

    def embed_before():
        return old_codes_to_onehot(old_window(old_from_strings(PackedSequences, chunk), index, length)[0])

    cases = {
        "`dnaaug embed` chunk: pack strings + centre windows + one-hot": (embed_today, embed_before),
        "training batch: random windows + one-hot": (batch_today, batch_before),
        f"k-mer ids (k = {k}) from ASCII codes": (
            lambda: kmer.from_codes(codes, mask)[0],
            lambda: old_kmer_ids(torch.from_numpy(INDEX_TABLE)[codes.long()], mask, k)),
        f"k-mer ids (k = {k}) from a one-hot (k-mer encoders' input)": (
            lambda: onehot_to_kmer_ids(x, mask, k)[0], lambda: old_kmer_ids(old_base_index(x), mask, k)),
        "DiffAug bank positives to one-hot": (
            lambda: bank.to_onehot(positives, index, pick, lengths, length)[0],
            lambda: old_bank_onehot(positives, index, pick, lengths, length)),
    }
    for name, (today, before) in cases.items():
        assert torch.equal(today(), before()), name
    timed = interleaved({(name, when): fn for name, fns in cases.items()
                         for when, fn in zip(("today", "before"), fns)}, rounds)
    return [{"path": name, "batch": batch, "length": length,
             "ms_today": 1e3 * timed[(name, "today")]["seconds"],
             "ms_before": 1e3 * timed[(name, "before")]["seconds"]} for name in cases]


def embed_model(length: int):
    """An untrained encoder of the demo preset (weights do not change the cost)."""
    from dnaaug.encoding import build_encoder
    from dnaaug.train.api import TrainedEncoder
    from dnaaug.train.config import TrainConfig
    from dnaaug.train.presets import preset

    torch.manual_seed(0)
    config = TrainConfig.from_dict({**preset("demo"), "seed": 0})
    encoder, tokenizer = build_encoder(config, length)
    return TrainedEncoder(encoder.eval(), tokenizer, length, config, source=None)


def embed_rows(path: Path, n: int, length: int, rounds: int) -> dict:
    """``embed_records`` (both strands, 3 regions) on n records: today's encoding and the one before."""
    from dnaaug.embed import embed_records

    model = embed_model(length)
    records = list(read_fasta(path))[:n]

    def today():
        return np.concatenate([h for _, h in embed_records(model, records)])

    def before():
        with encoding_before_issue_31():
            return today()

    assert np.array_equal(today(), before())
    return interleaved({"today": today, "before": before}, rounds)


# ---------------------------------------------------------------- the table

def add_ratios(rows: list[dict], mbases: float) -> None:
    """Mbases/s, and each row's time over dnaaug's on the same input (dnaaug's speed-up over it)."""
    ours = {r["input"]: r for r in rows
            if r["pipeline"].startswith("dnaaug") and "before" not in r["pipeline"]}
    for r in rows:
        r["mbases_per_s"] = mbases / r["seconds"]
        r["dnaaug_speedup"] = r["seconds"] / ours[r["input"]]["seconds"]
        r["dnaaug_speedup_cpu"] = r["cpu_seconds"] / ours[r["input"]]["cpu_seconds"]


def fastest_peer(rows: list[dict], section: str) -> dict:
    """The fastest lookup-table peer on an input (the plain-Python loop is not one)."""
    peers = [r for r in rows if r["input"] == section and "LUT" in r["pipeline"]]
    return min(peers, key=lambda r: r["seconds"])


def markdown(rows: list[dict], embed: dict, paths: list[dict], args, load: list[float]) -> str:
    table = ["| input | pipeline | seconds | Mbases/s | dnaaug speed-up | speed-up (CPU time) |",
             "|---|---|---:|---:|---:|---:|"]
    table += [f"| {r['input']} | {r['pipeline']} | {r['seconds']:.3f} | {r['mbases_per_s']:.1f} | "
              f"{r['dnaaug_speedup']:.2f}x | {r['dnaaug_speedup_cpu']:.2f}x |" for r in rows]
    best = {s: fastest_peer(rows, s) for s in SECTIONS}
    peers = "; ".join(f"{s} {p['dnaaug_speedup']:.2f}x ({p['pipeline']})" for s, p in best.items())
    today, before = embed["today"]["seconds"], embed["before"]["seconds"]
    header = f"| path, per call on {paths[0]['batch']} windows | ms today | ms before issue 31 | speed-up |"
    paths_table = [header,
                   "|---|---:|---:|---:|"]
    paths_table += [f"| {p['path']} | {p['ms_today']:.2f} | {p['ms_before']:.2f} | "
                    f"{p['ms_before'] / p['ms_today']:.1f}x |" for p in paths]
    return "\n".join([
        f"{args.n:,} random sequences x {args.length:,} bp ({args.n * args.length / 1e6:.1f} Mbases) to a "
        f"(N, 4, L) float32 array; 1 thread; median of {args.rounds} interleaved rounds; every pipeline's "
        "array checked equal to dnaaug's. 'dnaaug speed-up' is the row's time over dnaaug's on the same "
        "input.",
        "",
        *table, "", f"dnaaug against the fastest lookup-table peer: {peers}.", "",
        f"`dnaaug embed` ({args.embed_n:,} x {args.length:,} bp, demo-preset encoder, both strands, median "
        f"of {2 * args.rounds + 1} interleaved rounds): {args.embed_n / today:.0f} sequences/s today, "
        f"{args.embed_n / before:.0f} with the encoding before issue 31 (time ratio before/today "
        f"{before / today:.3f}); the encoder's forward pass is nearly all of it, the encoding alone is in "
        "the first row below.", "",
        *paths_table, "", f"Load average (1, 5, 15 min) before and after the run: {load} (shared machine)."])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--length", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--embed-n", type=int, default=512)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with contextlib.suppress(ImportError):
        import pyarrow

        pyarrow.set_cpu_count(1)
        pyarrow.set_io_thread_count(1)
    import pyfaidx

    load = [round(v, 2) for v in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_inputs(Path(tmp), args.n, args.length)
        for fasta in (paths["fasta"], paths["bgzf"], Path(tmp) / GENOME):  # indexes built outside the timing
            pyfaidx.Fasta(str(fasta)).close()
        rows = measure(paths, args.length, args.rounds)
        packed = PackedSequences.from_strings(r.sequence for r in read_fasta(paths["fasta"]))
        encoding_paths = path_rows(packed, args.length, args.rounds)
        # the encoder's forward is most of embed's time and varies with the load: twice the rounds
        embed = embed_rows(paths["fasta"], args.embed_n, args.length, 2 * args.rounds + 1)
    load += [round(v, 2) for v in os.getloadavg()]
    mbases = args.n * args.length / 1e6
    add_ratios(rows, mbases)
    md = markdown(rows, embed, encoding_paths, args, load)
    print(md)
    publish("io", {"n": args.n, "length": args.length, "mbases": mbases, "rounds": args.rounds, "threads": 1,
                   "load_average_before_after": load, "results": rows,
                   "fastest_peer_speedup": {s: fastest_peer(rows, s)["dnaaug_speedup"] for s in SECTIONS},
                   "embed": {"n": args.embed_n, "preset": "demo", "rounds": 2 * args.rounds + 1,
                             **embed},
                   "encoding_paths": encoding_paths}, md)


if __name__ == "__main__":
    main()
