"""How much does the generator use its condition? The conditional-vs-shuffled denoising-loss gap.

A conditional generator that ignores its condition cannot give positives that keep their anchor's
meaning. This diagnostic asks the trained denoiser directly: at fixed noise levels t, compare its
eps-prediction loss (the B-step loss, :meth:`ConditionalGenerator.loss`) given

- ``true``: each sequence's own condition;
- ``shuffled``: the condition of another sequence of the batch (a derangement, so never its own);
- ``null``: the learned null condition (the unconditional pass of classifier-free guidance).

The three variants see the same x0, the same noise eps and the same t (a paired comparison), so
the ratios ``true / shuffled`` and ``true / null`` have low variance even on a few hundred
sequences. A ratio near 1 means the condition is ignored; a working conditional generator has a
ratio clearly below 1 at medium and high noise (at low noise x0 is visible in x_t, the condition
has nothing to add and every ratio tends to 1).

"Medium noise" (:data:`MEDIUM_ABAR`) is the band of levels whose signal share abar_t lies in
[0.2, 0.8]: there x_t carries a part of x0 but not all of it, which is where the SDEdit starts
used for positives (strength 0.3 .. 0.7 under the cosine schedule) lie and where the condition can
help the most. The summary over that band is a ratio of summed losses (not a mean of ratios).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from dnaaug.errors import InputError

from .checks import check_batch, check_cond, check_mask, randn

MEDIUM_ABAR = (0.2, 0.8)  # abar_t band called "medium noise" in the summary
DEFAULT_LEVELS = 10


def level_timesteps(num_train_steps: int, levels: int) -> list[int]:
    """``levels`` timesteps at the centres of equal bins over [0, T): floor((i + 1/2) T / levels)."""
    if not isinstance(levels, int) or not (1 <= levels <= num_train_steps):
        raise InputError(f"levels must be an integer in [1, {num_train_steps}], got {levels!r}")
    return [int((i + 0.5) * num_train_steps / levels) for i in range(levels)]


def derangement(n: int, generator: torch.Generator) -> torch.Tensor:
    """A permutation (n,) long with no fixed point, drawn from ``generator`` (needs n >= 2).

    A random cyclic order: sequence perm[i] takes the condition of perm[i + 1]. (A single n-cycle,
    not uniform over all derangements; enough for "the condition of a random other sequence".)
    """
    if n < 2:
        raise InputError(f"a derangement needs at least 2 items, got {n}")
    perm = torch.randperm(n, generator=generator, device=generator.device).cpu()
    out = torch.empty(n, dtype=torch.long)
    out[perm] = perm.roll(-1)
    return out


def _per_sequence_mse(eps_hat: torch.Tensor, noise: torch.Tensor, keep: torch.Tensor | None) -> torch.Tensor:
    """Mean squared error (N,) over the 4 channels of the real positions of each sequence."""
    err = (eps_hat.float() - noise.float()).pow(2)
    if keep is None:
        return err.mean(dim=(1, 2))
    return (err * keep).sum(dim=(1, 2)) / (keep.sum(dim=(1, 2)) * 4).clamp(min=1.0)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 and math.isfinite(a) and math.isfinite(b) else None


@torch.no_grad()
def condition_gap(generator_model, x_onehot: torch.Tensor, cond: torch.Tensor,
                  mask: torch.Tensor | None = None, *, levels: int | Sequence[int] = DEFAULT_LEVELS,
                  generator: torch.Generator, repeats: int = 1, batch_size: int = 256,
                  medium: tuple[float, float] = MEDIUM_ABAR) -> dict:
    """Denoising loss with the true, a shuffled and the null condition, per noise level.

    Args:
        generator_model: a :class:`ConditionalGenerator` (normally the EMA copy), or any module with
            a ``schedule`` (:class:`NoiseSchedule`) called as
            ``model(x_t, t, cond, mask=, drop_cond=) -> eps_hat (N, 4, L)``.
        x_onehot: (N, 4, L) one-hot sequences (N >= 2); x0 = 2 * onehot - 1 as in training.
        cond: (N, C) their conditions (the frozen encoder's normalised embeddings).
        mask: (N, L) bool, True = real base; padding is left out of the loss.
        levels: the number of levels, evenly spread over [0, T) (see :func:`level_timesteps`), or
            the timesteps themselves.
        generator: every draw (per level and repeat: the derangement, then the noise) comes from it.
        repeats: noise draws per level (more: lower variance, proportionally slower).
        batch_size: sequences per forward pass (each pass runs the three variants together).
        medium: the abar_t band summarised as "medium noise".
    Returns:
        Plain data: ``levels`` (t), ``abar``, ``loss_true``, ``loss_shuffled``, ``loss_null`` (means
        over sequences and repeats), ``ratio_shuffled`` = true / shuffled and ``ratio_null`` =
        true / null, ``gap_shuffled_se`` (standard error of the paired per-sequence difference
        shuffled - true), one entry per level; ``medium`` {abar_range, levels, loss_true,
        loss_shuffled, loss_null, ratio_shuffled, ratio_null} (ratios of the losses summed over the
        band; None where no level falls in it); ``n_sequences``, ``repeats``.
    """
    if generator is None:
        raise InputError("condition_gap needs an explicit torch.Generator")
    check_batch(x_onehot, "x_onehot")
    n, _, length = x_onehot.shape
    if n < 2:
        raise InputError(f"condition_gap needs at least 2 sequences (a shuffled condition), got {n}")
    check_cond(cond, n)
    check_mask(mask, n, length)
    if not isinstance(repeats, int) or repeats < 1:
        raise InputError(f"repeats must be a positive integer, got {repeats!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive integer, got {batch_size!r}")
    lo, hi = medium
    if not (0.0 <= lo <= hi <= 1.0):
        raise InputError(f"medium must be an abar band 0 <= low <= high <= 1, got {medium}")
    schedule = getattr(generator_model, "schedule", None)
    if schedule is None:
        raise InputError("generator_model must have a noise schedule (a ConditionalGenerator)")
    num_steps = schedule.num_train_steps
    timesteps = (level_timesteps(num_steps, levels) if isinstance(levels, int)
                 else [int(t) for t in levels])
    if not timesteps or any(not (0 <= t < num_steps) for t in timesteps):
        raise InputError(f"levels must be timesteps in [0, {num_steps}), got {timesteps}")

    try:
        device = next(generator_model.parameters()).device
    except (AttributeError, StopIteration):
        device = x_onehot.device
    x0_all = (2.0 * x_onehot.float() - 1.0).to(device)
    cond_all = cond.float().to(device)
    mask_all = None if mask is None else mask.to(device)
    keep_all = None if mask is None else mask_all[:, None, :].float()
    if keep_all is not None:
        x0_all = x0_all * keep_all  # padding columns are all-zero one-hot: keep them at 0
    abar_table = schedule.alphas_cumprod.detach().cpu()

    out = {key: [] for key in ("levels", "abar", "loss_true", "loss_shuffled", "loss_null",
                               "ratio_shuffled", "ratio_null", "gap_shuffled_se")}
    sums = {"true": [], "shuffled": [], "null": []}
    for t_level in timesteps:
        per = {"true": [], "shuffled": [], "null": []}
        for _ in range(repeats):
            other = derangement(n, generator).to(device)
            noise_all = randn((n, 4, length), generator, device)
            if keep_all is not None:
                noise_all = noise_all * keep_all
            for start in range(0, n, batch_size):
                sl = slice(start, min(start + batch_size, n))
                b = sl.stop - sl.start
                x0, noise = x0_all[sl], noise_all[sl]
                t = torch.full((b,), t_level, dtype=torch.long, device=device)
                x_t = schedule.add_noise(x0, noise, t)
                keep = None if keep_all is None else keep_all[sl]
                m = None if mask_all is None else mask_all[sl]
                # one pass over [true | shuffled | null]: same x_t and t for the three variants
                conds = torch.cat([cond_all[sl], cond_all[other[sl]], cond_all[sl]])
                drop = torch.cat([torch.zeros(2 * b, dtype=torch.bool), torch.ones(b, dtype=torch.bool)])
                eps = generator_model(x_t.repeat(3, 1, 1), t.repeat(3), conds,
                                      mask=None if m is None else m.repeat(3, 1), drop_cond=drop.to(device))
                k3 = None if keep is None else keep.repeat(3, 1, 1)
                mse = _per_sequence_mse(eps, noise.repeat(3, 1, 1), k3).cpu()
                per["true"].append(mse[:b])
                per["shuffled"].append(mse[b:2 * b])
                per["null"].append(mse[2 * b:])
        values = {k: torch.cat(v).double() for k, v in per.items()}
        means = {k: float(v.mean()) for k, v in values.items()}
        diff = values["shuffled"] - values["true"]
        se = float(diff.std(unbiased=True) / math.sqrt(diff.numel())) if diff.numel() > 1 else float("nan")
        out["levels"].append(int(t_level))
        out["abar"].append(float(abar_table[t_level]))
        out["loss_true"].append(means["true"])
        out["loss_shuffled"].append(means["shuffled"])
        out["loss_null"].append(means["null"])
        out["ratio_shuffled"].append(_ratio(means["true"], means["shuffled"]))
        out["ratio_null"].append(_ratio(means["true"], means["null"]))
        out["gap_shuffled_se"].append(se)
        for k, values_k in sums.items():
            values_k.append(means[k])

    band = [i for i, a in enumerate(out["abar"]) if lo <= a <= hi]
    summed = {k: sum(sums[k][i] for i in band) for k in sums}
    out["medium"] = {
        "abar_range": [lo, hi], "levels": [out["levels"][i] for i in band],
        "loss_true": summed["true"] / len(band) if band else None,
        "loss_shuffled": summed["shuffled"] / len(band) if band else None,
        "loss_null": summed["null"] / len(band) if band else None,
        "ratio_shuffled": _ratio(summed["true"], summed["shuffled"]) if band else None,
        "ratio_null": _ratio(summed["true"], summed["null"]) if band else None,
    }
    out["n_sequences"] = n
    out["repeats"] = repeats
    return out


def fmt(v, spec: str = ".4f") -> str:
    """A table cell: ``v`` formatted, or "n/a" for None and non-finite values."""
    return "n/a" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def format_condition_gap(gap: dict) -> str:
    """The result of :func:`condition_gap` as a Markdown table, one row per level, plus the summary."""

    lines = ["| t | abar | loss true | loss shuffled | loss null | true / shuffled | true / null |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for i, t in enumerate(gap["levels"]):
        lines.append(f"| {t} | {fmt(gap['abar'][i], '.3f')} | {fmt(gap['loss_true'][i])} | "
                     f"{fmt(gap['loss_shuffled'][i])} | {fmt(gap['loss_null'][i])} | "
                     f"{fmt(gap['ratio_shuffled'][i], '.3f')} | {fmt(gap['ratio_null'][i], '.3f')} |")
    m = gap["medium"]
    lo, hi = m["abar_range"]
    summary = (f"Medium noise (abar in [{lo}, {hi}], t = {m['levels']}): true / shuffled "
               f"{fmt(m['ratio_shuffled'], '.3f')}, true / null {fmt(m['ratio_null'], '.3f')} "
               f"({gap['n_sequences']} sequences x {gap['repeats']} noise draw(s) per level).")
    lines += ["", summary]
    return "\n".join(lines)
