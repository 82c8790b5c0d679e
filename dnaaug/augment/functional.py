"""Deterministic sequence edits with explicit parameters, vectorised over the batch.

The augmenters of :mod:`dnaaug.augment.baselines` draw the parameters (shifts, positions,
lengths, random bases) and call these functions; tests and users can call them directly with
known parameters. Every function takes x (N, 4, L) and ``lengths`` (N,) int64 or None (None: the
whole window is real), edits only the real prefix of each row, returns a new tensor of the same
shape, device and dtype, and keeps padding columns as they are (all-zero by convention).

How the length-changing edits stay fast without a Python loop over sequences: most of an
output row is a copy of its input row shifted by a constant, so rows are cut into blocks of
``B`` columns and each block is copied as one window of the flattened batch (``index_select``
on an ``unfold`` view, memcpy speed). The few columns where that bulk copy is wrong (the block
holding the cut point, inserted or filled segments, wrap-around and padding edges) are then
recomputed exactly from a per-column source map and scattered in. When L has no convenient
divisor, or the edit is large, the whole map is applied with one ``gather`` instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import torch
from torch import Tensor

from dnaaug.errors import InputError

from .base import one_hot_bases

__all__ = ["reverse_complement", "translocate", "insert", "delete", "invert", "substitute"]

# A source map: (cols (R, C) int64, rows: slice of the batch) -> (src (R, C), complement (R, C) bool | None).
# src < L reads that column of the same row of x; src >= L reads column src - L of ``extra``.
SourceMap = Callable[[Tensor, slice], tuple[Tensor, Tensor | None]]
ALL = slice(None)


# --------------------------------------------------------------------------- checks

def _lengths(x: Tensor, lengths: Tensor | None) -> Tensor:
    """Real lengths (N,) int64 on x's device (L for every row when None)."""
    n, _, length = x.shape
    if lengths is None:
        return torch.full((n,), length, dtype=torch.int64, device=x.device)
    if not isinstance(lengths, Tensor) or lengths.shape != (n,):
        raise InputError(f"lengths must be a tensor of shape (N,) = ({n},)")
    lengths = lengths.to(device=x.device, dtype=torch.int64)
    if n and (int(lengths.min()) < 0 or int(lengths.max()) > length):
        raise InputError(f"lengths must be in [0, L] = [0, {length}]")
    return lengths


def _per_row(name: str, value: Tensor, x: Tensor) -> Tensor:
    """A per-sequence integer parameter (N,) as int64 on x's device."""
    value = torch.as_tensor(value)
    if value.shape != (x.shape[0],) or value.is_floating_point() or value.dtype == torch.bool:
        raise InputError(f"{name} must be an integer tensor of shape (N,) = ({x.shape[0]},), "
                         f"got {value.dtype} {tuple(value.shape)}")
    return value.to(device=x.device, dtype=torch.int64)


def _segments(name: str, value: Tensor, x: Tensor) -> Tensor:
    """Per-sequence one-hot columns (N, 4, M) in x's dtype and device."""
    if not isinstance(value, Tensor) or value.dim() != 3 or value.shape[:2] != (x.shape[0], 4):
        raise InputError(f"{name} must be a tensor of shape (N, 4, M) with N = {x.shape[0]}")
    return value.to(device=x.device, dtype=x.dtype)


def _require(ok: Tensor, message: str) -> None:
    if ok.numel() and not bool(ok.all()):
        raise InputError(message)


# --------------------------------------------------------------------------- the bulk engine

def _select(cond: Tensor, a: Tensor, b: Tensor) -> Tensor:
    """``torch.where(cond, a, b)`` for finite float tensors, as ``lerp`` with a 0/1 weight.

    Exact (lerp returns ``b`` for weight 0 and ``a`` for weight 1) and about 4x faster than
    ``torch.where`` on CPU, which dominated the small fixes here.
    """
    return torch.lerp(b, a, cond.to(a.dtype))


@lru_cache(maxsize=256)
def _block_size(length: int, target: int = 48) -> int:
    """Block width for the windowed copy: a divisor of L near ``target``, or L when there is none.

    Smaller blocks make the exact fix of the block holding a cut cheaper, larger ones make the
    bulk copy cheaper (fewer windows): 40-64 measured best for insertion and deletion at
    L = 1000 on CPU, and larger blocks for a plain shift (no cut)."""
    divisors = [b for b in range(32, length // 2 + 1) if length % b == 0]
    if not divisors:
        return length
    return min(divisors, key=lambda b: abs(math.log(b / target)))


def _windows(x: Tensor, starts: Tensor, width: int) -> Tensor:
    """Rows of ``width`` consecutive values of the flattened x (contiguous) at flat offsets
    ``starts`` (any shape S, clamped into range): returns S + (width,)."""
    windows = x.reshape(-1).unfold(0, width, 1)  # a view: row r = flat[r : r + width]
    flat = starts.reshape(-1).clamp(0, windows.shape[0] - 1)
    return windows.index_select(0, flat).view(*starts.shape, width)


def _window_copy(x: Tensor, cut: Tensor, shift_lo: Tensor, shift_hi: Tensor, block: int) -> Tensor:
    """Blockwise shifted copy: out[i, :, j] = x[i, :, j - s] with s = shift_lo[i] left of cut[i] and
    shift_hi[i] from cut[i] on. Wrong (for the caller to fix) where j - s falls outside the row, and
    in the first block of the first row and the last block of the last row (clamped windows).
    Needs |shift| <= block. x contiguous (N, 4, L)."""
    n, c, length = x.shape
    n_blocks = length // block
    row_starts = torch.arange(n * c, device=x.device).view(n, c, 1) * length
    block_starts = torch.arange(n_blocks, device=x.device) * block
    shift = torch.where(block_starts[None, :] >= cut[:, None], shift_hi[:, None], shift_lo[:, None])
    out = _windows(x, row_starts + (block_starts[None, :] - shift)[:, None, :], block)
    out = out.view(n, c, length)
    if not torch.equal(shift_lo, shift_hi):
        # the block holding the cut mixes both shifts: two windows and a select
        b = (cut // block).clamp(0, n_blocks - 1)
        start = b * block
        lo = _windows(x, row_starts + (start - shift_lo)[:, None, None], block).view(n, c, block)
        hi = _windows(x, row_starts + (start - shift_hi)[:, None, None], block).view(n, c, block)
        left = (start[:, None] + torch.arange(block, device=x.device)) < cut[:, None]
        # out as (N * 4 * n_blocks, block) rows: block b[i] of row (i, ch) is (i * 4 + ch) * n_blocks + b[i]
        target = (torch.arange(n * c, device=x.device).view(n, c) * n_blocks + b[:, None]).reshape(-1)
        out.view(-1, block).index_copy_(0, target, _select(left[:, None, :], lo, hi).view(-1, block))
    return out


def _column_values(x: Tensor, src: Tensor, comp: Tensor | None, extra: Tensor | None) -> Tensor:
    """Values (R, 4, C) of source columns src (R, C) (see SourceMap), complemented where comp."""
    length = x.shape[2]
    vals = x.gather(2, src.clamp(max=length - 1)[:, None, :].expand(-1, 4, -1))
    if extra is not None and extra.shape[2] > 0:
        idx = (src - length).clamp(0, extra.shape[2] - 1)
        from_extra = extra.gather(2, idx[:, None, :].expand(-1, 4, -1))
        vals = _select((src >= length)[:, None, :], from_extra, vals)
    if comp is not None:
        # channel order A, C, G, T: reversing the channels complements the base
        vals = _select(comp[:, None, :], vals.flip(1), vals)
    return vals


def _fix(out: Tensor, x: Tensor, cols: Tensor, src_map: SourceMap, extra: Tensor | None,
         rows: slice = ALL) -> None:
    """Overwrite out[rows, :, cols] with their exact values (cols clamped into the row; duplicate
    columns carry identical values, so the scatter order does not matter)."""
    cols = cols.clamp(0, x.shape[2] - 1)
    src, comp = src_map(cols, rows)
    vals = _column_values(x[rows], src, comp, None if extra is None else extra[rows])
    out[rows].scatter_(2, cols[:, None, :].expand(-1, 4, -1), vals)


def _scatter_values(out: Tensor, cols: Tensor, vals: Tensor, valid: Tensor) -> None:
    """out[i, :, cols[i, t]] = vals[i, :, t] where valid[i, t]; one scatter, no loop.

    Slots that are not valid repeat the first valid slot of their row (same column, same value),
    or rewrite column 0 with its current value when the row has none. Valid columns of a row
    must be distinct and inside [0, L). Shapes: out (N, 4, L), cols/valid (N, G), vals (N, 4, G).
    """
    if cols.shape[1] == 0:
        return
    first = valid.to(torch.uint8).argmax(dim=1, keepdim=True)
    has_valid = valid.any(dim=1, keepdim=True)
    first_col = torch.where(has_valid, cols.gather(1, first), 0)
    first_val = _select(has_valid[:, :, None], vals.gather(2, first[:, None, :].expand(-1, 4, -1)),
                        out[:, :, :1])
    cols = torch.where(valid, cols, first_col).clamp(0, out.shape[2] - 1)
    vals = _select(valid[:, None, :], vals, first_val)
    out.scatter_(2, cols[:, None, :].expand(-1, 4, -1), vals)


def _remap(x: Tensor, src_map: SourceMap, *, cut: Tensor | None, shift_lo: Tensor | None,
           shift_hi: Tensor | None, width: int, exact: list[Tensor] = (),
           values: list[tuple[Tensor, Tensor, Tensor]] = (), extra: Tensor | None = None,
           block: int | None = None) -> Tensor:
    """out[i, :, j] = the column src_map gives for (i, j): a bulk copy, then fixes.

    Bulk: x itself when shift_lo is None, else the blockwise shifted copy (see
    :func:`_window_copy`; ``width`` bounds |shift|), or one gather of src_map when no block fits.
    Fixes: ``exact`` (N, C) columns recomputed from src_map (wrap-around, reads past a row's end;
    not needed after the one gather), then ``values`` (cols, vals, valid) written as given
    (inserted or filled segments, zeros); every column read from ``extra`` must be among them.
    """
    n, _, length = x.shape
    x = x.contiguous()
    block = _block_size(length) if block is None else block
    if shift_lo is None:
        out = x.clone()
    elif width > block or block >= length:
        cols = torch.arange(length, device=x.device).expand(n, length)
        src, _ = src_map(cols, ALL)  # exact but for the columns read from extra: the value fixes
        out = x.gather(2, src.clamp(max=length - 1)[:, None, :].expand(-1, 4, -1))
        exact = ()
    else:
        out = _window_copy(x, cut, shift_lo, shift_hi, block)
        # windows clamped at the ends of the flat batch: a right shift read in the first block of
        # the first row, a left shift read in the last block of the last row
        in_block = torch.arange(block, device=x.device)[None, :]
        lo, hi, first_cut, last_cut = (int(v) for v in (shift_lo[0], shift_hi[0], cut[0], cut[-1]))
        if (hi > 0 and first_cut < block) or (lo > 0 and first_cut > 0):
            _fix(out, x, in_block, src_map, extra, slice(0, 1))
        lo, hi = int(shift_lo[-1]), int(shift_hi[-1])
        if (hi < 0 and last_cut < length) or (lo < 0 and last_cut > length - block):
            _fix(out, x, length - block + in_block, src_map, extra, slice(n - 1, n))
    if exact:
        _fix(out, x, torch.cat(list(exact), dim=1), src_map, extra)
    for cols, vals, valid in values:
        _scatter_values(out, cols, vals, valid)
    return out


def _band(start: Tensor, width: int) -> Tensor:
    """Columns start[i] + 0..width-1 for each row: (N, width)."""
    return start[:, None] + torch.arange(width, device=start.device)


# --------------------------------------------------------------------------- public edits

def reverse_complement(x: Tensor, lengths: Tensor | None = None) -> Tensor:
    """Reverse complement of every sequence's real region: (N, 4, L) -> (N, 4, L)."""
    if lengths is None:
        return x.flip((1, 2))
    lengths = _lengths(x, lengths)
    ar = torch.arange(x.shape[2], device=x.device)
    src = torch.where(ar < lengths[:, None], lengths[:, None] - 1 - ar, ar)
    return x.gather(2, src[:, None, :].expand(-1, 4, -1)).flip(1)


def translocate(x: Tensor, shifts: Tensor, lengths: Tensor | None = None, *,
                _block: int | None = None) -> Tensor:
    """Circular shift of each real region: out[i, :, j] = x[i, :, (j - shifts[i]) mod len_i], j < len_i.

    Shape: x (N, 4, L), shifts (N,) integers (any sign, any size), lengths (N,) or None.
    A positive shift moves bases to the right (like ``torch.roll``).
    """
    lr = _lengths(x, lengths)
    return _translocate(x, _per_row("shifts", shifts, x), lr, lengths is not None, _block)


def _translocate(x: Tensor, shifts: Tensor, lr: Tensor, masked: bool, block: int | None = None) -> Tensor:
    n, _, length = x.shape
    if n == 0 or length == 0:
        return x.clone()
    lr1 = lr.clamp(min=1)
    s = shifts.remainder(lr1)
    s = torch.where(2 * s > lr1, s - lr1, s)  # the equivalent shift of smallest size: |s| <= len/2
    width = int(s.abs().max())
    if width == 0:
        return x.clone()

    def src_map(cols: Tensor, rows: slice) -> tuple[Tensor, None]:
        s_r, lr_r = s[rows, None], lr[rows, None]
        src = cols - s_r  # in (-len/2, 3 len/2) for real columns: one wrap at most
        src = torch.where(src < 0, src + lr_r, torch.where(src >= lr_r, src - lr_r, src))
        return torch.where(cols < lr_r, src, cols), None

    ar = torch.arange(width, device=x.device)
    ends = torch.cat([ar, ar + (length - width)])[None, :]  # the columns that wrap around
    block = _block_size(length, 256) if block is None else block
    if 2 * width > block:
        block = length  # a wide wrap band costs more than one gather
    if block >= length:  # one gather of the whole map
        src, _ = src_map(torch.arange(length, device=x.device).expand(n, length), ALL)
        return x.gather(2, src[:, None, :].expand(-1, 4, -1))
    if masked:
        exact = [ends.expand(n, 2 * width)]
        if masked:  # wrap inside the real region, spill into the padding
            exact.append(_band(lr - width, 2 * width))
        return _remap(x, src_map, cut=torch.zeros_like(s), shift_lo=s, shift_hi=s, width=2 * width,
                      exact=exact, block=block)
    out = _remap(x, src_map, cut=torch.zeros_like(s), shift_lo=s, shift_hi=s, width=2 * width, block=block)
    # Whole window real: the first s columns (s > 0) are x[L - s + t], the last -s columns (s < 0)
    # are x[t - width - s]; two windows per row and a 0/1 blend, exact except in the first and last
    # rows of the flat batch, whose windows may be clamped and are fixed exactly afterwards.
    rows = torch.arange(n * 4, device=x.device).view(n, 4, 1) * length
    head = _windows(x, rows + (length - s)[:, None, None], width)
    tail = _windows(x, rows - (width + s)[:, None, None], width)
    wraps_right = (ar < s[:, None]).to(x.dtype)[:, None, :]
    wraps_left = (ar >= width + s[:, None]).to(x.dtype)[:, None, :]
    out[:, :, :width].lerp_(head.view(n, 4, width), wraps_right)
    out[:, :, length - width:].lerp_(tail.view(n, 4, width), wraps_left)
    _fix(out, x, ends, src_map, None, slice(0, 1))
    _fix(out, x, ends, src_map, None, slice(n - 1, n))
    return out


def insert(x: Tensor, positions: Tensor, segments: Tensor, seg_lengths: Tensor,
           lengths: Tensor | None = None, *, _block: int | None = None) -> Tensor:
    """Insert segments[i, :, :seg_lengths[i]] before column positions[i] of row i, then crop the
    real region back to its length (bases pushed past the end are lost; the left part is kept).

    Shape: x (N, 4, L), positions (N,) in [0, len_i], segments (N, 4, M), seg_lengths (N,) in [0, M].
    """
    lr = _lengths(x, lengths)
    pos = _per_row("positions", positions, x)
    k = _per_row("seg_lengths", seg_lengths, x)
    segments = _segments("segments", segments, x)
    _require((pos >= 0) & (pos <= lr), "positions must be in [0, length of the sequence]")
    _require((k >= 0) & (k <= segments.shape[2]), f"seg_lengths must be in [0, M] = [0, {segments.shape[2]}]")
    return _insert(x, pos, segments, k, lr, lengths is not None, _block)


def _insert(x: Tensor, pos: Tensor, segments: Tensor, k: Tensor, lr: Tensor, masked: bool,
            block: int | None = None) -> Tensor:
    n, _, length = x.shape
    width = int(k.max()) if n and length else 0
    if width == 0:
        return x.clone()

    def src_map(cols: Tensor, rows: slice) -> tuple[Tensor, None]:
        p, kk, lr_r = pos[rows, None], k[rows, None], lr[rows, None]
        src = torch.where(cols < p, cols, torch.where(cols < p + kk, length + cols - p, cols - kk))
        return torch.where(cols < lr_r, src, cols), None

    slot = torch.arange(width, device=x.device)
    values = [(pos[:, None] + slot, segments[:, :, :width], slot < torch.minimum(k, lr - pos)[:, None])]
    if masked:  # columns just past the real end received real bases from the shift
        spill = lr[:, None] + slot
        values.append((spill, x.new_zeros((n, 4, width)), (slot < k[:, None]) & (spill < length)))
    return _remap(x, src_map, cut=pos + k, shift_lo=torch.zeros_like(k), shift_hi=k, width=width,
                  values=values, extra=segments, block=block)


def delete(x: Tensor, positions: Tensor, del_lengths: Tensor, fill: Tensor,
           lengths: Tensor | None = None, *, _block: int | None = None) -> Tensor:
    """Remove columns [positions[i], positions[i] + del_lengths[i]) of row i; the rest of the real
    region moves left and its freed tail is filled with fill[i, :, :del_lengths[i]].

    Shape: x (N, 4, L), positions (N,), del_lengths (N,) with positions + del_lengths <= len_i,
    fill (N, 4, M) with del_lengths <= M.
    """
    lr = _lengths(x, lengths)
    pos = _per_row("positions", positions, x)
    d = _per_row("del_lengths", del_lengths, x)
    fill = _segments("fill", fill, x)
    _require((pos >= 0) & (d >= 0) & (pos + d <= lr),
             "positions and del_lengths must satisfy 0 <= position <= position + del_length <= length")
    _require(d <= fill.shape[2], f"del_lengths must be <= M = {fill.shape[2]} (the width of fill)")
    return _delete(x, pos, d, fill, lr, lengths is not None, _block)


def _delete(x: Tensor, pos: Tensor, d: Tensor, fill: Tensor, lr: Tensor, masked: bool,
            block: int | None = None) -> Tensor:
    n, _, length = x.shape
    width = int(d.max()) if n and length else 0
    if width == 0:
        return x.clone()

    def src_map(cols: Tensor, rows: slice) -> tuple[Tensor, None]:
        p, dd, lr_r = pos[rows, None], d[rows, None], lr[rows, None]
        tail = lr_r - dd
        src = torch.where(cols < tail, cols + dd, length + cols - tail)
        return torch.where((cols < p) | (cols >= lr_r), cols, src), None

    slot = torch.arange(width, device=x.device)
    if masked:
        values = [((lr - d)[:, None] + slot, fill[:, :, :width], slot < d[:, None])]
        # the last columns of a row read past its end in the bulk copy
        exact = [(slot + (length - width)).expand(n, width)]
        return _remap(x, src_map, cut=pos, shift_lo=torch.zeros_like(d), shift_hi=-d, width=width,
                      exact=exact, values=values, extra=fill, block=block)
    out = _remap(x, src_map, cut=pos, shift_lo=torch.zeros_like(d), shift_hi=-d, width=width,
                 extra=fill, block=block)
    # whole window real: the freed tail is column L - width + t for t >= width - d, a 0/1 blend of
    # the last width columns with the fill moved right by width - d
    in_tail = slot >= (width - d)[:, None]
    moved = fill.gather(2, (slot - (width - d)[:, None]).clamp(min=0)[:, None, :].expand(-1, 4, -1))
    out[:, :, length - width:].lerp_(moved, in_tail.to(x.dtype)[:, None, :])
    return out


def invert(x: Tensor, positions: Tensor, inv_lengths: Tensor, lengths: Tensor | None = None) -> Tensor:
    """Reverse-complement columns [positions[i], positions[i] + inv_lengths[i]) of row i in place.

    Shape: x (N, 4, L), positions (N,), inv_lengths (N,) with positions + inv_lengths <= len_i.
    """
    lr = _lengths(x, lengths)
    pos = _per_row("positions", positions, x)
    v = _per_row("inv_lengths", inv_lengths, x)
    _require((pos >= 0) & (v >= 0) & (pos + v <= lr),
             "positions and inv_lengths must satisfy 0 <= position <= position + inv_length <= length")
    return _invert(x, pos, v)


def _invert(x: Tensor, pos: Tensor, v: Tensor) -> Tensor:
    n, _, length = x.shape
    width = int(v.max()) if n and length else 0
    out = x.clone()
    if width == 0:
        return out
    # slot t of row i writes column pos + t with the complement of column pos + v - 1 - t; slots
    # past the segment repeat slot 0 (an empty segment rewrites column pos with itself)
    t = torch.arange(width, device=x.device)
    t = torch.where(t < v[:, None], t, 0)
    cols = (pos[:, None] + t).clamp(max=length - 1)
    has_segment = (v > 0)[:, None]
    src = torch.where(has_segment, (pos + v - 1)[:, None] - t, cols)
    vals = x.gather(2, src[:, None, :].expand(-1, 4, -1))
    vals = _select(has_segment[:, :, None], vals.flip(1), vals)  # reversed channels = complement
    return out.scatter_(2, cols[:, None, :].expand(-1, 4, -1), vals)


def substitute(x: Tensor, columns: Tensor, bases: Tensor, valid: Tensor | None = None) -> Tensor:
    """Set column columns[i, t] of row i to the one-hot of base bases[i, t] (0..3 = A, C, G, T)
    wherever valid[i, t] (default: everywhere). Valid columns of a row must be distinct.

    Shape: x (N, 4, L), columns (N, G) int64 in [0, L), bases (N, G) int64, valid (N, G) bool.
    """
    n, _, length = x.shape
    columns = torch.as_tensor(columns, device=x.device)
    bases = torch.as_tensor(bases, device=x.device)
    if columns.dim() != 2 or columns.shape[0] != n or bases.shape != columns.shape:
        raise InputError(f"columns and bases must be integer tensors of the same shape (N, G) with N = {n}")
    if columns.numel() == 0 or length == 0:
        return x.clone()
    valid = torch.ones_like(columns, dtype=torch.bool) if valid is None else valid.to(x.device)
    _require(~valid | ((columns >= 0) & (columns < length)), f"columns must be in [0, L) = [0, {length})")
    _require(~valid | ((bases >= 0) & (bases < 4)), "bases must be in 0..3 (A, C, G, T)")
    return _substitute(x, columns.to(torch.int64), bases.to(torch.int64).clamp(0, 3), valid)


def _substitute(x: Tensor, columns: Tensor, bases: Tensor, valid: Tensor) -> Tensor:
    out = x.clone()
    _scatter_values(out, columns, one_hot_bases(bases, x.dtype), valid)
    return out
