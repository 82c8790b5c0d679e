"""Streaming embeddings: records -> h (N, D) from a trained trunk, in bounded memory.

Records are read in chunks of ``batch_size``; each chunk is cut into windows of the model's
length (``policy="tile"``: every window at ``stride`` for longer sequences, their embeddings
mean-pooled into one; ``"center"``: the centre window only), encoded, and yielded. Nothing
holds more than one chunk, so peak memory does not grow with the number of sequences.

Strands (``strands``): ``"both"`` (the default) encodes every window as read and as its reverse
complement and concatenates the two: h (N, 2D) = [h(x), h(rc x)]. A probe on it can read
strand-symmetric signal (h(x) + h(rc x)) as well as orientation (h(x) - h(rc x)). ``"mean"`` keeps
only the symmetric half, (N, D); ``"forward"`` the strand as given, (N, D). On the cpu-small runs
(3 seeds each, docs/ablations.md "Reading both strands") "both" beat "forward" by +1.0 on average over
8 trained rows and was never more than 0.3 below it; "mean" helped a strand-symmetric task (mouse_0 TF binding) but cost 3 to 6 points on
an oriented one (prom_300_tata promoters), so it is not the default.

Regions (``regions``, default 3): each strand's h also gets the mean of the trunk's final feature
map over ``regions`` equal parts of the window (C channels each), so a strand is E = D + regions x C
wide. Aligned windows (TSS, peak summits) carry signal in *where* a feature is; on prom_300_tata the
3 region means added 5 to 7 points for every row, untrained trunk included, and they were neutral
to slightly positive on the three other tasks (docs/ablations.md "Where along the window: region means").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import torch
from tqdm.auto import tqdm

from dnaaug.data.records import Record
from dnaaug.data.validation import check_kmer_lengths
from dnaaug.augment.functional import reverse_complement
from dnaaug.errors import InputError
from dnaaug.tokenize.kmer import KmerTokenizer
from dnaaug.tokenize.onehot import codes_to_onehot
from dnaaug.tokenize.packed import PackedSequences
from dnaaug.train.api import TrainedEncoder
from dnaaug.encoding import encoder_input


def parse_shard(spec: str | None) -> tuple[int, int]:
    """``"i/n"`` (0-based i) -> (i, n); None -> (0, 1)."""
    if spec is None:
        return 0, 1
    try:
        i, n = (int(v) for v in spec.split("/"))
    except ValueError:
        raise InputError(f"--shard {spec!r}: expected I/N, e.g. 0/4") from None
    if n < 1 or not 0 <= i < n:
        raise InputError(f"--shard {spec!r}: need 0 <= I < N")
    return i, n


def shard_records(records: Iterable[Record], shard: tuple[int, int]) -> Iterator[Record]:
    """Every n-th record starting at i: shards of one input are disjoint and cover it."""
    i, n = shard
    return itertools.islice(records, i, None, n) if n > 1 else iter(records)


STRANDS = ("both", "mean", "forward")
DEFAULT_REGIONS = 3  # region means per strand (5' flank, centre, 3' flank); see encode_windows


def check_strands(strands: str) -> str:
    """Validate a ``strands`` setting ("both", "mean" or "forward")."""
    if strands not in STRANDS:
        raise InputError(f"strands must be one of {', '.join(STRANDS)}, got {strands!r}")
    return strands


def encode_windows(model: TrainedEncoder, x: torch.Tensor, mask: torch.Tensor, strands: str = "both",
                   regions: int = DEFAULT_REGIONS) -> torch.Tensor:
    """One-hot windows x (B, 4, L), mask (B, L) (real bases first) -> h float32 on the CPU:
    (B, 2E) for ``strands="both"``, (B, E) otherwise, with E = ``model.encoder.readout_dim(regions)``.

    The reverse complement is taken of the real bases only, so padding stays at the end and both
    strands see the same positions (its regions run 5' to 3' of the reverse strand).
    """
    h = model.encoder(*encoder_input(model.tokenizer, x, mask), regions=regions).float()
    if strands != "forward":
        h_rc = model.encoder(*encoder_input(model.tokenizer, reverse_complement(x, mask.sum(1)), mask),
                             regions=regions).float()
        h = torch.cat([h, h_rc], dim=1) if strands == "both" else 0.5 * (h + h_rc)
    return h.cpu()


def strands_dim(model: TrainedEncoder, strands: str = "both", regions: int = DEFAULT_REGIONS) -> int:
    """Width of the exported embedding: E = D + regions x C per strand; 2E for "both", else E."""
    return model.encoder.readout_dim(regions) * (2 if check_strands(strands) == "both" else 1)


def _windows(packed: PackedSequences, length: int, stride: int, policy: str
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All windows of a chunk: codes (W, L), mask (W, L), owner (W,) index of the sequence in the chunk."""
    long_ = np.flatnonzero(packed.lengths > length) if policy == "tile" else np.zeros(0, dtype=np.int64)
    short = np.setdiff1d(np.arange(len(packed)), long_)
    codes, mask = packed.window(short, length, "center")
    parts_c, parts_m, owners = [codes], [mask], [torch.as_tensor(short)]
    for i in long_:
        c, m = packed.tiles(int(i), length, stride)
        parts_c.append(c)
        parts_m.append(m)
        owners.append(torch.full((len(c),), int(i)))
    return torch.cat(parts_c), torch.cat(parts_m), torch.cat(owners).long()


@torch.no_grad()
def embed_records(model: TrainedEncoder, records: Iterable[Record], *, batch_size: int = 256,
                  stride: int | None = None, policy: str = "tile", progress: bool = False,
                  total: int | None = None, strands: str = "both", regions: int = DEFAULT_REGIONS
                  ) -> Iterator[tuple[list[str], np.ndarray]]:
    """Yield (ids, h float32 (B, 2D) for strands="both", else (B, D)) chunk by chunk.

    stride: tile step for sequences longer than the window (default: half the window)
    policy: "tile" (pool all windows) or "center" (centre window only)
    strands: "both" ([h(x), h(rc x)], 2D wide; the default), "mean" or "forward" (D wide)
    regions: also pool the final feature map's mean over this many equal parts of each window
        (``DEFAULT_REGIONS``; 0 = off). Tiled long sequences average their windows' regions.
    """
    if policy not in ("tile", "center"):
        raise InputError(f"window policy must be tile or center, got {policy!r}")
    check_strands(strands)
    length = model.length
    stride = stride or max(1, length // 2)
    device = next(model.encoder.parameters()).device
    it = iter(records)
    with tqdm(total=total, unit="seq", desc="embedding", disable=not progress, dynamic_ncols=True) as bar:
        while True:
            chunk = list(itertools.islice(it, batch_size))
            if not chunk:
                return
            packed = PackedSequences.from_strings([r.sequence for r in chunk], [r.id for r in chunk])
            if isinstance(model.tokenizer, KmerTokenizer):
                check_kmer_lengths(packed.lengths, packed.ids, model.tokenizer.k)
            codes, mask, owner = _windows(packed, length, stride, policy)
            out = torch.zeros(len(chunk), strands_dim(model, strands, regions))
            count = torch.zeros(len(chunk))
            for s in range(0, len(codes), batch_size):
                x = codes_to_onehot(codes[s:s + batch_size]).to(device)
                m = mask[s:s + batch_size].to(device)
                h = encode_windows(model, x, m, strands, regions)
                out.index_add_(0, owner[s:s + batch_size], h)
                count.index_add_(0, owner[s:s + batch_size], torch.ones(len(h)))
            bar.update(len(chunk))
            yield [r.id for r in chunk], (out / count[:, None]).numpy()


def embed_array(model: TrainedEncoder, sequences: list[str], *, batch_size: int = 256,
                policy: str = "tile", strands: str = "both", regions: int = DEFAULT_REGIONS) -> np.ndarray:
    """Convenience: a list of strings -> (N, D) float32 array."""
    records = (Record(str(i), s) for i, s in enumerate(sequences))
    parts = [h for _, h in embed_records(model, records, batch_size=batch_size, policy=policy,
                                         strands=strands, regions=regions)]
    return np.concatenate(parts) if parts else np.zeros((0, strands_dim(model, strands, regions)), np.float32)
