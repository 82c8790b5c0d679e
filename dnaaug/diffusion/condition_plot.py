"""Drawing the condition-use diagnostic (:mod:`dnaaug.diffusion.condition_use`) into matplotlib axes."""

from __future__ import annotations

import math


def _values(values) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def draw_condition_gap(ax_shuffled, ax_null, gaps: list[dict]) -> None:
    """Loss ratios vs noise level, one line per round: true / shuffled into ``ax_shuffled``, true / null
    into ``ax_null``, each with a dashed line at 1 (the condition ignored).

    gaps: results of :func:`~dnaaug.diffusion.condition_use.condition_gap` (or "condition_gap" metrics
    lines), each with ``abar``, ``ratio_shuffled``, ``ratio_null`` and optionally ``round``.
    The x axis is the noise share 1 - abar_t (0 = clean, 1 = pure noise), or for the masked generator
    (gaps with ``rates``) the mask rate.
    """
    masked = any("rates" in gap for gap in gaps)
    for ax, key, title in ((ax_shuffled, "ratio_shuffled", "condition use: loss true / shuffled condition"),
                           (ax_null, "ratio_null", "condition use: loss true / null condition")):
        finite = []
        for i, gap in enumerate(gaps):
            label = f"round {gap.get('round') if gap.get('round') is not None else i}"
            noise = ([float(r) for r in gap.get("rates", [])] if masked
                     else [1.0 - float(a) for a in gap.get("abar", [])])
            ratios = _values(gap.get(key, []))
            finite += [r for r in ratios if math.isfinite(r)]
            ax.plot(noise, ratios, marker="o", label=label)
        ax.axhline(1.0, color="0.4", linestyle="--", linewidth=1)
        # at least [0.8, 1.05] on the y axis, no offset: a flat line at 1 must look flat
        ax.set_ylim(min([0.8, *finite]) - 0.02, max([1.05, *finite]) + 0.02)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.set(title=title, xlabel="mask rate" if masked else "noise level 1 - abar_t",
               ylabel="loss ratio (< 1: condition used)", xlim=(0, 1))
        if gaps:
            ax.legend(fontsize=8)
