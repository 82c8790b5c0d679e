"""The vectorised edits against golden strings and a slow per-sequence Python reference."""

from __future__ import annotations

import pytest
import torch

from dnaaug.augment import functional as F
from dnaaug.errors import InputError
from dnaaug.tokenize.alphabet import ONEHOT_TABLE, as_bytes


# ----------------------------------------------------------------------------- helpers

def encode(seqs: list[str], length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Strings -> (N, 4, L) one-hot with zero padding on the right, and lengths (N,)."""
    length = length or max(len(s) for s in seqs)
    x = torch.zeros(len(seqs), 4, length)
    for i, s in enumerate(seqs):
        x[i, :, : len(s)] = torch.from_numpy(ONEHOT_TABLE[as_bytes(s)]).T
    return x, torch.tensor([len(s) for s in seqs])


def decode(x: torch.Tensor, lengths=None) -> list[str]:
    out = []
    for i, row in enumerate(x):
        n = row.shape[1] if lengths is None else int(lengths[i])
        out.append("".join("ACGT"[int(c.argmax())] if float(c.max()) == 1.0 else "N" for c in row.T[:n]))
    return out


def columns(row: torch.Tensor) -> list[tuple[float, ...]]:
    return [tuple(c) for c in row.T.tolist()]


def comp(col: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(reversed(col))


# Slow references: one sequence at a time, on lists of columns (real part first, then padding).

def ref_rc(cols, lr):
    return [comp(c) for c in reversed(cols[:lr])] + cols[lr:]


def ref_roll(cols, s, lr):
    real = cols[:lr]
    return [real[(j - s) % lr] for j in range(lr)] + cols[lr:]


def ref_insert(cols, pos, seg, k, lr):
    real = cols[:lr]
    return (real[:pos] + seg[:k] + real[pos:])[:lr] + cols[lr:]


def ref_delete(cols, pos, d, fill, lr):
    real = cols[:lr]
    return real[:pos] + real[pos + d:] + fill[:d] + cols[lr:]


def ref_invert(cols, pos, v, lr):
    real = cols[:lr]
    return real[:pos] + [comp(c) for c in reversed(real[pos:pos + v])] + real[pos + v:] + cols[lr:]


def random_batch(n: int, length: int, seed: int, masked: bool):
    """Random one-hot batch with some N and IUPAC columns, zero padding, and real lengths."""
    g = torch.Generator().manual_seed(seed)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (n, length), generator=g), 4).float()
    x = x.transpose(1, 2).contiguous()
    x[:, :, torch.randint(0, length, (length // 10,), generator=g)] = 0.0
    iupac_r = torch.tensor([0.5, 0.0, 0.5, 0.0])[None, :, None]
    x[:, :, torch.randint(0, length, (length // 10,), generator=g)] = iupac_r
    if masked:
        lengths = torch.randint(0, length + 1, (n,), generator=g)
        lengths[:4] = torch.tensor([0, 1, length, length - 1])
    else:
        lengths = torch.full((n,), length)
    x = x * (torch.arange(length) < lengths[:, None])[:, None, :]
    return x, lengths, g


def uniform_int(low, high, g):
    """Integers in [low, high] per row (tensors)."""
    return low + (torch.rand(low.shape, generator=g) * (high - low + 1)).floor().long()


# (L, block) pairs: one gather (block = L), two blocks, many small blocks, L = 1000 default (125)
LAYOUTS = [(101, None), (256, None), (256, 32), (1000, None), (60, 30)]


# ----------------------------------------------------------------------------- golden strings

def test_reverse_complement_golden():
    x, lengths = encode(["AACGT", "ACG"], 5)
    assert decode(F.reverse_complement(x[:1])) == ["ACGTT"]
    out = F.reverse_complement(x, lengths)
    assert decode(out, lengths) == ["ACGTT", "CGT"]
    assert torch.equal(out[1, :, 3:], torch.zeros(4, 2))


def test_translocate_golden():
    x, lengths = encode(["ACGTA", "ACGTA", "ACGT"], 6)
    out = F.translocate(x, torch.tensor([1, -1, 1]), lengths)
    assert decode(out, lengths) == ["AACGT", "CGTAA", "TACG"]
    assert torch.equal(out[2, :, 4:], torch.zeros(4, 2))
    # any size, wraps modulo the real length; no lengths = whole window
    assert decode(F.translocate(x[:1, :, :5], torch.tensor([7]))) == ["TAACG"]


def test_insert_golden():
    x, lengths = encode(["AAAAAA", "AAAA"], 6)
    seg, _ = encode(["CGT", "CGT"])
    out = F.insert(x, torch.tensor([2, 3]), seg, torch.tensor([2, 3]), lengths)
    assert decode(out, lengths) == ["AACGAA", "AAAC"]


def test_delete_golden():
    x, lengths = encode(["ACGTAC", "ACGT"], 6)
    fill, _ = encode(["GG", "CC"])
    out = F.delete(x, torch.tensor([1, 0]), torch.tensor([2, 1]), fill, lengths)
    assert decode(out, lengths) == ["ATACGG", "CGTC"]
    assert torch.equal(out[1, :, 4:], torch.zeros(4, 2))


def test_invert_golden():
    x, lengths = encode(["AACCGT", "AACCGT"])
    out = F.invert(x, torch.tensor([1, 0]), torch.tensor([3, 0]), lengths)
    assert decode(out) == ["AGGTGT", "AACCGT"]


def test_substitute_golden():
    x, _ = encode(["AAAA", "CCCC"])
    out = F.substitute(x, torch.tensor([[0, 3], [1, 1]]), torch.tensor([[3, 2], [0, 0]]),
                       torch.tensor([[True, True], [False, False]]))
    assert decode(out) == ["TAAG", "CCCC"]


# ----------------------------------------------------------------------------- vs references

@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("length,block", LAYOUTS)
def test_translocate_matches_reference(length, block, masked):
    x, lengths, g = random_batch(24, length, 1, masked)
    max_shift = 20 if length > 100 else 5
    shifts = torch.randint(-max_shift, max_shift + 1, (24,), generator=g)
    shifts[:3] = torch.tensor([max_shift, -max_shift, 0])
    shifts[3] = length + 3  # larger than the window
    shifts[-1] = -max_shift  # the last row's left shift reads past the end of the batch
    flipped = -shifts  # first row shifted left and last row right, by less than the widest shift
    flipped[0], flipped[-1] = -(max_shift - 3), max_shift - 3
    for shifts in (shifts, flipped):
        out = F.translocate(x, shifts, lengths if masked else None, _block=block)
        for i in range(24):
            lr = int(lengths[i])
            assert columns(out[i]) == ref_roll(columns(x[i]), int(shifts[i]), max(lr, 1))[: length], i


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("length,block", LAYOUTS)
def test_insert_matches_reference(length, block, masked):
    x, lengths, g = random_batch(24, length, 2, masked)
    m = 20
    k = torch.randint(0, m + 1, (24,), generator=g)
    pos = uniform_int(torch.zeros(24, dtype=torch.long), lengths, g)  # 0..len (len: cropped away)
    k[:3] = torch.tensor([m, m, 0])
    pos[0] = 0  # the cut falls in the first block of the batch
    pos[4:6] = torch.stack([torch.tensor(0), lengths[5]])
    seg = torch.nn.functional.one_hot(torch.randint(0, 4, (24, m), generator=g), 4).float().transpose(1, 2)
    out = F.insert(x, pos, seg, k, lengths if masked else None, _block=block)
    for i in range(24):
        ref = ref_insert(columns(x[i]), int(pos[i]), columns(seg[i]), int(k[i]), int(lengths[i]))
        assert columns(out[i]) == ref, i


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("length,block", LAYOUTS)
def test_delete_matches_reference(length, block, masked):
    x, lengths, g = random_batch(24, length, 3, masked)
    m = 20
    d = torch.minimum(torch.randint(0, m + 1, (24,), generator=g), lengths)
    d[:4] = torch.minimum(torch.tensor(m), lengths[:4])
    d[-1] = min(m, int(lengths[-1]))
    pos = uniform_int(torch.zeros(24, dtype=torch.long), lengths - d, g)
    pos[4] = lengths[4] - d[4]
    fill = torch.nn.functional.one_hot(torch.randint(0, 4, (24, m), generator=g), 4).float().transpose(1, 2)
    out = F.delete(x, pos, d, fill, lengths if masked else None, _block=block)
    for i in range(24):
        ref = ref_delete(columns(x[i]), int(pos[i]), int(d[i]), columns(fill[i]), int(lengths[i]))
        assert columns(out[i]) == ref, i


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("length", [101, 256])
def test_invert_and_rc_match_reference(length, masked):
    x, lengths, g = random_batch(24, length, 4, masked)
    v = torch.minimum(torch.randint(0, 31, (24,), generator=g), lengths)
    pos = uniform_int(torch.zeros(24, dtype=torch.long), lengths - v, g)
    out = F.invert(x, pos, v, lengths if masked else None)
    rc = F.reverse_complement(x, lengths if masked else None)
    for i in range(24):
        lr = int(lengths[i])
        assert columns(out[i]) == ref_invert(columns(x[i]), int(pos[i]), int(v[i]), lr), i
        assert columns(rc[i]) == ref_rc(columns(x[i]), lr), i


def test_substitute_matches_reference():
    x, _, g = random_batch(16, 64, 5, False)
    cols = torch.stack([torch.randperm(64, generator=g)[:10] for _ in range(16)])
    bases = torch.randint(0, 4, (16, 10), generator=g)
    valid = torch.rand(16, 10, generator=g) < 0.6
    valid[0] = False
    out = F.substitute(x, cols, bases, valid)
    for i in range(16):
        ref = columns(x[i])
        for c, b, ok in zip(cols[i].tolist(), bases[i].tolist(), valid[i].tolist()):
            if ok:
                ref[c] = tuple(1.0 if j == b else 0.0 for j in range(4))
        assert columns(out[i]) == ref, i


# ----------------------------------------------------------------------------- checks

def test_parameter_errors_name_the_argument():
    x, lengths = encode(["ACGT", "AC"], 4)
    seg = torch.zeros(2, 4, 3)
    with pytest.raises(InputError, match="positions"):
        F.insert(x, torch.tensor([0, 3]), seg, torch.tensor([1, 1]), lengths)
    with pytest.raises(InputError, match="seg_lengths"):
        F.insert(x, torch.tensor([0, 0]), seg, torch.tensor([4, 1]), lengths)
    with pytest.raises(InputError, match="del_length"):
        F.delete(x, torch.tensor([0, 1]), torch.tensor([1, 2]), seg, lengths)
    with pytest.raises(InputError, match="shifts"):
        F.translocate(x, torch.tensor([0.5, 1.0]))
    with pytest.raises(InputError, match="shifts"):
        F.translocate(x, torch.tensor([1, 2, 3]))
    with pytest.raises(InputError, match="lengths"):
        F.translocate(x, torch.tensor([1, 2]), torch.tensor([5, 1]))


@pytest.mark.parametrize("seed", range(12))
def test_random_layouts_match_reference(seed):
    """Small random batches (one row included), lengths, block widths and edit sizes."""
    g = torch.Generator().manual_seed(1000 + seed)
    n = int(torch.randint(1, 7, (1,), generator=g))
    length = int(torch.randint(8, 200, (1,), generator=g))
    divisors = [b for b in range(2, length + 1) if length % b == 0]
    block = divisors[int(torch.randint(0, len(divisors), (1,), generator=g))]
    masked = bool(seed % 2)
    x, lengths, _ = random_batch(n, length, 2000 + seed, False)
    if masked:
        lengths = torch.randint(0, length + 1, (n,), generator=g)
        x = x * (torch.arange(length) < lengths[:, None])[:, None, :]
    m = int(torch.randint(1, 12, (1,), generator=g))
    lens_arg = lengths if masked else None
    k = torch.randint(0, m + 1, (n,), generator=g)
    shifts = torch.randint(-m, m + 1, (n,), generator=g)
    seg = torch.nn.functional.one_hot(torch.randint(0, 4, (n, m), generator=g), 4).float().transpose(1, 2)
    pos = uniform_int(torch.zeros(n, dtype=torch.long), lengths, g)
    d = torch.minimum(k, lengths)
    dpos = uniform_int(torch.zeros(n, dtype=torch.long), lengths - d, g)
    outs = {
        "roll": F.translocate(x, shifts, lens_arg, _block=block),
        "insert": F.insert(x, pos, seg, k, lens_arg, _block=block),
        "delete": F.delete(x, dpos, d, seg, lens_arg, _block=block),
        "invert": F.invert(x, dpos, d, lens_arg),
    }
    for i in range(n):
        cols, lr = columns(x[i]), int(lengths[i])
        refs = {
            "roll": ref_roll(cols, int(shifts[i]), max(lr, 1))[:length],
            "insert": ref_insert(cols, int(pos[i]), columns(seg[i]), int(k[i]), lr),
            "delete": ref_delete(cols, int(dpos[i]), int(d[i]), columns(seg[i]), lr),
            "invert": ref_invert(cols, int(dpos[i]), int(d[i]), lr),
        }
        for name, ref in refs.items():
            assert columns(outs[name][i]) == ref, (name, i, length, block)
