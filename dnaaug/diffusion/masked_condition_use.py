"""Does the masked generator use its condition? Cross-entropy with the true, a shuffled and the null h.

The masked counterpart of :mod:`dnaaug.diffusion.condition_use`: at fixed mask rates (0.5, 0.75,
0.9 by default), the same scattered masks are scored with

- ``true``: each sequence's own condition;
- ``shuffled``: the condition of another sequence of the batch (a derangement);
- ``null``: the learned null condition (the unconditional pass of guidance).

The ratio true / shuffled is the number the issue's gate reads at rate 0.75 (``medium``): below 1 the
generator predicts a sequence's hidden bases better from its own h than from another's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from dnaaug.errors import InputError

from .checks import check_batch, check_cond, check_mask
from .condition_use import _ratio, derangement, fmt

DEFAULT_RATES = (0.5, 0.75, 0.9)
GATE_RATE = 0.75


@torch.no_grad()
def masked_condition_gap(model, x_onehot: torch.Tensor, cond: torch.Tensor, mask: torch.Tensor | None = None,
                         *, rates: Sequence[float] = DEFAULT_RATES, generator: torch.Generator, repeats: int = 1,
                         batch_size: int = 256) -> dict:
    """Masked cross-entropy with the true, a shuffled and the null condition, per mask rate.

    Args:
        model: a :class:`~dnaaug.diffusion.masked.MaskedGenerator` (normally the EMA copy).
        x_onehot: (N, 4, L) sequences (N >= 2); cond: (N, C) their raw conditions; mask: (N, L).
        rates: mask rates in (0, 1]; the summary ``medium`` is the one at 0.75 (or the middle rate).
        generator: every draw (per rate and repeat: the derangement, then the masks).
        repeats: mask draws per rate; batch_size: sequences per pass (three variants each).
    Returns:
        Plain data: ``family`` "masked", ``rates``, ``loss_true``, ``loss_shuffled``, ``loss_null``
        (mean CE per masked base, averaged over sequences), ``ratio_shuffled``, ``ratio_null``,
        ``gap_shuffled_se`` (standard error of the paired per-sequence difference), ``medium``
        {rate, loss_true, loss_shuffled, loss_null, ratio_shuffled, ratio_null}, ``n_sequences``, ``repeats``.
    """
    if generator is None:
        raise InputError("masked_condition_gap needs an explicit torch.Generator")
    check_batch(x_onehot, "x_onehot")
    n, _, length = x_onehot.shape
    if n < 2:
        raise InputError(f"masked_condition_gap needs at least 2 sequences (a shuffled condition), got {n}")
    check_cond(cond, n)
    check_mask(mask, n, length)
    rates = [float(r) for r in rates]
    if not rates or any(not (0.0 < r <= 1.0) for r in rates):
        raise InputError(f"rates must be mask rates in (0, 1], got {rates}")
    if not isinstance(repeats, int) or repeats < 1:
        raise InputError(f"repeats must be a positive integer, got {repeats!r}")
    device = model.cond_mean.device
    x_all, cond_all = x_onehot.float().to(device), cond.float().to(device)
    mask_all = None if mask is None else mask.to(device)
    out = {key: [] for key in ("rates", "loss_true", "loss_shuffled", "loss_null", "ratio_shuffled",
                               "ratio_null", "gap_shuffled_se")}
    for rate in rates:
        per = {"true": [], "shuffled": [], "null": []}
        for _ in range(repeats):
            other = derangement(n, generator).to(device)
            hide_all = model.training_hide(x_all, mask_all, generator, rate=rate)
            for start in range(0, n, batch_size):
                sl = slice(start, min(start + batch_size, n))
                b = sl.stop - sl.start
                m = None if mask_all is None else mask_all[sl].repeat(3, 1)
                conds = torch.cat([cond_all[sl], cond_all[other[sl]], cond_all[sl]])
                drop = torch.cat([torch.zeros(2 * b, dtype=torch.bool), torch.ones(b, dtype=torch.bool)]).to(device)
                ce, count = model.masked_ce(x_all[sl].repeat(3, 1, 1), hide_all[sl].repeat(3, 1), conds, m, drop)
                has = (count[:b] > 0).cpu()
                ce = ce.cpu()
                per["true"].append(ce[:b][has])
                per["shuffled"].append(ce[b:2 * b][has])
                per["null"].append(ce[2 * b:][has])
        values = {k: torch.cat(v).double() for k, v in per.items()}
        means = {k: float(v.mean()) if v.numel() else float("nan") for k, v in values.items()}
        diff = values["shuffled"] - values["true"]
        se = float(diff.std(unbiased=True) / math.sqrt(diff.numel())) if diff.numel() > 1 else float("nan")
        out["rates"].append(rate)
        for key in ("true", "shuffled", "null"):
            out[f"loss_{key}"].append(means[key])
        out["ratio_shuffled"].append(_ratio(means["true"], means["shuffled"]))
        out["ratio_null"].append(_ratio(means["true"], means["null"]))
        out["gap_shuffled_se"].append(se)
    i = rates.index(GATE_RATE) if GATE_RATE in rates else len(rates) // 2
    out["medium"] = {"rate": rates[i], **{k: out[k][i] for k in ("loss_true", "loss_shuffled", "loss_null",
                                                                  "ratio_shuffled", "ratio_null")}}
    out.update(family="masked", n_sequences=n, repeats=repeats)
    return out


def format_masked_condition_gap(gap: dict) -> str:
    """The result of :func:`masked_condition_gap` as a Markdown table, one row per mask rate."""

    lines = ["| mask rate | CE true | CE shuffled | CE null | true / shuffled | true / null |",
             "|---:|---:|---:|---:|---:|---:|"]
    for i, rate in enumerate(gap["rates"]):
        lines.append(f"| {rate:g} | {fmt(gap['loss_true'][i])} | {fmt(gap['loss_shuffled'][i])} | "
                     f"{fmt(gap['loss_null'][i])} | {fmt(gap['ratio_shuffled'][i], '.3f')} | "
                     f"{fmt(gap['ratio_null'][i], '.3f')} |")
    return "\n".join(lines + ["", f"({gap['n_sequences']} sequences x {gap['repeats']} mask draw(s) per rate)"])
