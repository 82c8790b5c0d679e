"""Apply an augmenter to records and write the views as FASTA (for looking at what it does)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import torch
from tqdm.auto import tqdm

from dnaaug.data.records import Record
from dnaaug.errors import InputError
from dnaaug.tokenize.onehot import codes_to_onehot, onehot_to_strings
from dnaaug.tokenize.packed import PackedSequences
from dnaaug.atomic import atomic_write_text


def write_views(path: str | Path, records: Iterable[Record], augmenter, *, k: int, length: int | None,
                batch_size: int = 128, seed: int = 0, progress: bool = False,
                device: str | torch.device = "cpu") -> int:
    """K views per record (centre window of ``length``, or the whole sequence) -> FASTA at ``path``.

    Views that are not one-hot (mixup, Gaussian noise) are written by argmax. Returns the count.
    An augmenter with a ``positives(x, mask, k=, generator=)`` method (the diffusion augmenter)
    draws the K views of a batch in one call, grouped by sequence, exactly as the training bank
    does: the same anchors, batching and seed give the bank's positives.
    """
    if k < 1:
        raise InputError(f"-n must be >= 1, got {k}")
    gen = torch.Generator().manual_seed(seed)
    lines: list[str] = []
    it = iter(records)
    with tqdm(unit="seq", desc="augmenting", disable=not progress) as bar:
        while chunk := list(itertools.islice(it, batch_size)):
            packed = PackedSequences.from_strings([r.sequence for r in chunk], [r.id for r in chunk])
            window = length or int(packed.lengths.max())
            codes, mask = packed.window(torch.arange(len(chunk)).numpy(), window, "center")
            x, mask = codes_to_onehot(codes).to(device), mask.to(device)
            if hasattr(augmenter, "positives"):
                grouped = onehot_to_strings(augmenter.positives(x, mask, k=k, generator=gen),
                                            mask.repeat_interleave(k, dim=0))
                views = [grouped[j::k] for j in range(k)]
            else:
                views = [onehot_to_strings(augmenter(x, generator=gen, mask=mask), mask) for _ in range(k)]
            lines.extend(f">{r.id}|gen={j}\n{views[j][i]}\n" for i, r in enumerate(chunk) for j in range(k))
            bar.update(len(chunk))
    atomic_write_text(path, "".join(lines))
    return len(lines)
