"""The Augmenter contract, checked the same way for every augmenter (ARCHITECTURE.md, habit 3).

    from contract import check_augmenter_contract
    out = check_augmenter_contract(aug, x, mask)

Checks: output shape, device and dtype; input and mask untouched; a new tensor (no shared
storage); same seed gives the same output, ``generator=None`` equals a seed-0 generator on
x's device, a CPU generator works for any device; different seeds differ (stochastic
augmenters); finite values; global torch/numpy random state untouched; padding columns all-zero
when a mask is given; one-hot in gives one-hot out when ``aug.preserves_one_hot``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def is_one_hot(x: Tensor) -> bool:
    """Every value is 0 or 1 and every column sums to 0 or 1 (x (N, 4, L))."""
    values_ok = bool(((x == 0) | (x == 1)).all())
    sums = x.sum(dim=1)
    return values_ok and bool(((sums == 0) | (sums == 1)).all())


def _real(mask: Tensor | None, x: Tensor) -> Tensor:
    if mask is None:
        return torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
    return mask


def check_augmenter_contract(aug, x: Tensor, mask: Tensor | None = None, *,
                             seeds: tuple[int, ...] = (0, 1, 2, 3)) -> Tensor:
    """Assert the Augmenter protocol for ``aug`` on the batch ``x`` (N, 4, L); return the seed-0 output."""
    x_before = x.clone()
    mask_before = None if mask is None else mask.clone()
    torch_state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()

    def gen(seed: int, device=x.device) -> torch.Generator:
        return torch.Generator(device=device).manual_seed(seed)

    out = aug(x, generator=gen(seeds[0]), mask=mask)
    label = f"{aug!s}"
    assert isinstance(out, Tensor), f"{label}: returned {type(out).__name__}"
    assert out.shape == x.shape, f"{label}: shape {tuple(out.shape)} != {tuple(x.shape)}"
    assert out.device == x.device, f"{label}: device {out.device} != {x.device}"
    assert out.dtype == x.dtype, f"{label}: dtype {out.dtype} != {x.dtype}"
    assert torch.equal(x, x_before), f"{label}: modified its input"
    if mask is not None:
        assert torch.equal(mask, mask_before), f"{label}: modified the mask"
    if x.numel():
        assert out.untyped_storage().data_ptr() != x.untyped_storage().data_ptr(), \
            f"{label}: output shares memory with the input"
    assert bool(torch.isfinite(out).all()), f"{label}: non-finite values"

    # determinism
    assert torch.equal(out, aug(x, generator=gen(seeds[0]), mask=mask)), f"{label}: same seed, other output"
    assert torch.equal(aug(x, mask=mask), aug(x, generator=gen(0), mask=mask)), \
        f"{label}: generator=None is not seed 0 on x.device"
    cpu_out = aug(x, generator=gen(seeds[0], "cpu"), mask=mask)
    assert torch.equal(cpu_out, aug(x, generator=gen(seeds[0], "cpu"), mask=mask)), \
        f"{label}: CPU generator not deterministic"
    assert cpu_out.device == x.device
    if aug.stochastic and x.numel():
        others = [aug(x, generator=gen(s), mask=mask) for s in seeds[1:]]
        assert any(not torch.equal(out, o) for o in others), f"{label}: different seeds give the same output"
    assert torch.equal(torch.random.get_rng_state(), torch_state), f"{label}: touched the global torch RNG"
    assert np.array_equal(np.random.get_state()[1], numpy_state), f"{label}: touched the global numpy RNG"
    assert torch.equal(x, x_before), f"{label}: modified its input"

    real = _real(mask, x)
    if mask is not None:
        padding = out.masked_select(~real[:, None, :].expand_as(out))
        assert bool((padding == 0).all()), f"{label}: padding columns are not all-zero"

    if aug.preserves_one_hot and is_one_hot(x):
        assert is_one_hot(out), f"{label}: one-hot input gave a non-one-hot output"
        in_sums, out_sums = x.sum(dim=1), out.sum(dim=1)
        if bool((in_sums[real] == 1).all()):
            assert bool((out_sums[real] == 1).all()), f"{label}: a real column lost its base"
    return out
