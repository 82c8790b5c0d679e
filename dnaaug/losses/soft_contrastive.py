"""Soft contrastive loss (Zang et al. 2023; DiffAug's A-step loss), as DIFFAUG.md specifies.

For a batch of N anchors with two views (view 1 = anchor side, view 2 = positive view):

- Kernel: the Student-t kernel normalised by its value at d = 0,
  ``k_nu(d) = (1 + d / nu) ** -(nu + 1)`` on squared distances ``d`` (k_nu(0) = 1; the
  Gamma-function constants of a t density are dropped, so similarities live in (0, 1]).
- Targets P (N, N): from the first view's encoder embeddings ``h1`` (detached, so the targets
  do not move with the step), a large ``nu_p`` (default 100: close to a Gaussian kernel, i.e.
  only pairs that are really close get a noticeable target) on the squared distances rescaled by
  the batch's median off-diagonal squared distance: ``d~_ij = p_bandwidth * d_ij / median(d)``.
  The diagonal (each anchor with its own positive view) is set to 1.
- Similarities Q (N, N): between the projections of view 1 and view 2, ``Q_ij =
  k_nu_q(q_scale * |z1_i - z2_j|^2)`` with z L2-normalised, a small ``nu_q`` (heavy tail). This
  is the N x N cross-view formulation, so the positives are exactly the diagonal.
- ``loss = mean_ij -[P_ij log Q_ij + (1 - P_ij) log(1 - Q_ij)]`` with both logarithms clamped
  at ``log(eps)``.

Scaling, which decides whether the loss trains:

- P: squared distances of raw ``h`` depend on the width and the scale of the encoder, and with
  ``nu_p = 100`` the kernel is ~exp(-d): unscaled, every off-diagonal target would be 0 (hard
  InfoNCE-like targets) or 1 (collapse). Dividing by the batch median makes P invariant to the
  scale and width of h; a typical pair gets ``P ~ exp(-p_bandwidth)`` and a pair at a quarter of
  the typical squared distance ``exp(-p_bandwidth / 4)``. The original code feeds batch-normalised
  features with raw distances (typical d ~ 2D with D in the hundreds), which makes its P almost
  the identity; the median rescaling keeps that regime reachable (large ``p_bandwidth``) while
  making the softness a knob that does not depend on D.
- Q: z on the unit sphere bounds ``d`` to [0, 4] (d = 2 - 2 cos). For small nu the kernel is
  ``-log Q ~ log(1 + d/nu_q)`` for a positive and ``-log(1 - Q) ~ log(1 + nu_q/d)`` for a far
  negative: ``nu_q`` is the squared distance at which a pair switches from "matched" to
  "separated". With the default ``nu_q = 0.1`` that is cos ~ 0.95, and Q spans 1 (d = 0), 0.035
  (orthogonal) and 0.017 (antipodal): targets above ~0.02 (pairs closer than about half the
  typical distance in h) are reachable and attract, smaller ones push apart as far as the sphere
  allows (the uniformity of InfoNCE). The original ``nu = 0.01`` was chosen for a 2-D
  visualisation space; on a 128-D sphere it only rewards near-identical positives (cos > 0.995)
  and barely pushes negatives. ``q_scale`` is nearly redundant with ``nu_q`` for small nu
  (only nu_q / q_scale matters) and is kept for unnormalised z. Loss values are small (the N
  positives are 1/N of the N^2 averaged pairs); Adam is insensitive to that scale.
- Defaults were chosen on a planted-motif toy task (4 classes, 101 bp, mutation + shift views,
  150 steps, 2 seeds, linear probe on h): nu_q = 0.1 gave 60.0% vs 56.8% for nu_q = 0.01,
  55-57% for 0.3 and 1, and 58.1% for InfoNCE (T = 0.1); p_bandwidth 3 < 8 ~ 30 at nu_q = 0.01.
  Small and noisy: re-tune on real data.

Asymmetry: P comes from view 1 only. Since P is symmetric and Q(z2, z1) = Q(z1, z2)^T, swapping
``z1`` and ``z2`` with the same ``h1`` gives the same loss; passing ``h2`` as well makes the loss
symmetric in the views (mean of the loss with P from h1 and with P from h2).

Differences from the reference code (read, not copied; zangzelin/code_diffaug ``LossManifold``):
it keeps Gamma-function constants in the kernel (so Q never reaches 1 for small nu), does not
detach P, adds 1e-5 inside the logarithms, and uses raw squared distances of batch-normalised
2-D projections.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dnaaug.errors import ConfigError
from dnaaug.losses._checks import check_embeddings, check_pair

__all__ = ["SoftContrastiveLoss", "student_t_log_kernel", "squared_distances", "two_way_divergence"]


def student_t_log_kernel(d: Tensor, nu: float) -> Tensor:
    """log k_nu(d) = -(nu + 1) * log(1 + d / nu), for squared distances d >= 0 (any shape)."""
    return -(nu + 1.0) * torch.log1p(d / nu)


def squared_distances(a: Tensor, b: Tensor) -> Tensor:
    """|a_i - b_j|^2 for a (N, E), b (M, E) -> (N, M), clamped at 0 (no sqrt: smooth at 0)."""
    d = a.pow(2).sum(1, keepdim=True) + b.pow(2).sum(1)[None, :] - 2.0 * (a @ b.T)
    return d.clamp_min(0.0)


def two_way_divergence(p: Tensor, log_q: Tensor, eps: float = 1e-7) -> Tensor:
    """mean -[P log Q + (1 - P) log(1 - Q)] for P (N, N) in [0, 1] and log Q (N, N) <= 0.

    Both logarithms are clamped at log(eps); log(1 - Q) is computed as log(-expm1(log Q)), which
    stays accurate for Q near 1 (positives) and near 0 (negatives). For fixed P the minimum over
    Q is Q = P (elementwise binary cross-entropy).
    """
    log_1mq = torch.log((-torch.expm1(log_q)).clamp_min(eps))
    return -(p * log_q.clamp_min(math.log(eps)) + (1.0 - p) * log_1mq).mean()


def _positive_number(owner: str, name: str, value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) \
            or value <= 0:
        raise ConfigError(f"{owner}: {name}={value!r} must be a finite number > 0")
    return float(value)


class SoftContrastiveLoss(nn.Module):
    """Soft contrastive loss with Student-t kernels (see the module docstring for the maths).

    Parameters: ``nu_p`` (targets' degrees of freedom, large), ``nu_q`` (projections', small),
    ``p_bandwidth`` (typical pair's target is ~exp(-p_bandwidth)), ``q_scale`` (multiplies the
    squared distances of the normalised projections), ``normalize`` (L2-normalise z; without it
    the scale of z is free and ``q_scale`` must be tuned by hand), ``eps`` (log clamp).

    ``forward(z1, z2, *, h1=None, h2=None)``: z1, z2 float (N, E) projections of view 1 and 2;
    h1 float (N, D) encoder embeddings of view 1 (targets; if None, the detached z1 is used);
    h2 (N, D) optional, makes the loss symmetric. Returns a scalar.
    ``targets(h)`` (N, N) and ``similarities(z1, z2)`` (N, N) expose P and Q.
    """

    needs_embeddings = True

    def __init__(self, nu_p: float = 100.0, nu_q: float = 0.1, p_bandwidth: float = 8.0,
                 q_scale: float = 1.0, normalize: bool = True, eps: float = 1e-7):
        super().__init__()
        owner = "SoftContrastiveLoss"
        self.nu_p = _positive_number(owner, "nu_p", nu_p)
        self.nu_q = _positive_number(owner, "nu_q", nu_q)
        self.p_bandwidth = _positive_number(owner, "p_bandwidth", p_bandwidth)
        self.q_scale = _positive_number(owner, "q_scale", q_scale)
        if not isinstance(normalize, bool):
            raise ConfigError(f"{owner}: normalize={normalize!r} must be true or false")
        self.normalize = normalize
        self.eps = _positive_number(owner, "eps", eps)
        if self.eps >= 0.5:
            raise ConfigError(f"{owner}: eps={eps!r} must be < 0.5")

    def targets(self, h: Tensor) -> Tensor:
        """P (N, N) from embeddings h (N, D), detached, diagonal 1.

        The rescaling uses torch's median of the N(N-1) off-diagonal squared distances (the
        lower of the two middle values); all rows identical (median 0) give P = 1 everywhere.
        """
        h = h.detach().float()
        d = squared_distances(h, h)
        n = d.shape[0]
        off = ~torch.eye(n, dtype=torch.bool, device=d.device)
        scale = d[off].median().clamp_min(1e-12)
        p = student_t_log_kernel(d * (self.p_bandwidth / scale), self.nu_p).exp()
        return p.masked_fill(~off, 1.0)

    def log_similarities(self, z1: Tensor, z2: Tensor) -> Tensor:
        """log Q (N, N) between the rows of z1 and z2 (unclamped)."""
        z1, z2 = z1.float(), z2.float()
        if self.normalize:
            z1, z2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
        d = squared_distances(z1, z2)
        # the positives' distances go to 0, where the expanded form |a|^2 + |b|^2 - 2ab loses all
        # precision (a floor of ~1e-7 is Q ~ 0.99999 for nu_q = 0.01): compute them directly
        d = torch.diagonal_scatter(d, (z1 - z2).pow(2).sum(1))
        return student_t_log_kernel(self.q_scale * d, self.nu_q)

    def similarities(self, z1: Tensor, z2: Tensor) -> Tensor:
        """Q (N, N) in (0, 1]."""
        return self.log_similarities(z1, z2).exp()

    def _one_way(self, z1: Tensor, z2: Tensor, h1: Tensor) -> Tensor:
        return two_way_divergence(self.targets(h1), self.log_similarities(z1, z2), self.eps)

    def forward(self, z1: Tensor, z2: Tensor, *,
                h1: Tensor | None = None, h2: Tensor | None = None) -> Tensor:
        """z1, z2 (N, E); h1, h2 (N, D) or None -> scalar loss."""
        owner = "SoftContrastiveLoss"
        check_pair(z1, z2, owner)
        n = z1.shape[0]
        if h1 is None:
            h1 = z1
        check_embeddings(h1, n, "h1", owner)
        loss = self._one_way(z1, z2, h1)
        if h2 is not None:
            check_embeddings(h2, n, "h2", owner)
            loss = 0.5 * (loss + self._one_way(z2, z1, h2))
        return loss

    def extra_repr(self) -> str:
        return (f"nu_p={self.nu_p}, nu_q={self.nu_q}, p_bandwidth={self.p_bandwidth}, "
                f"q_scale={self.q_scale}, normalize={self.normalize}, eps={self.eps}")
