"""Every registered augmenter (and the combinators) against the one Augmenter contract."""

from __future__ import annotations

import pytest
import torch
from contract import check_augmenter_contract

from dnaaug.augment import available, parse

# the diffusion augmenter needs a network; its own tests run this contract with one
NAMES = [name for name in available() if name != "diffaug"]
SPECS = NAMES + [f"{name}:p=0.5" for name in NAMES] + [
    "rc+translocation:shift=20", "insertion|deletion:max_len=5", "(rc+mutation:rate=0.2)|inversion",
    "translocation:shift=300",  # larger than the block: the one-gather path
]


def _one_hot(n: int, length: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    bases = torch.randint(0, 4, (n, length), generator=g)
    return torch.nn.functional.one_hot(bases, 4).float().transpose(1, 2).contiguous()


def _masked(n: int, length: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = _one_hot(n, length, seed)
    g = torch.Generator().manual_seed(seed + 1)
    lengths = torch.randint(0, length + 1, (n,), generator=g)
    lengths[:5] = torch.tensor([0, 1, 2, length - 1, length])[: min(5, n)]
    mask = torch.arange(length) < lengths[:, None]
    return x * mask[:, None, :], mask


def _iupac(n: int, length: int, seed: int) -> torch.Tensor:
    x = _one_hot(n, length, seed)
    x[:, :, 3] = 0.0  # N
    x[:, :, 7] = torch.tensor([0.5, 0.0, 0.5, 0.0])  # R = A/G
    return x


BATCHES = {
    "onehot_L256": lambda: (_one_hot(12, 256, 0), None),      # blocked copy, 2 blocks
    "masked_L256": lambda: _masked(12, 256, 10),
    "iupac_L101": lambda: (_iupac(8, 101, 20), None),          # L prime: one-gather path
    "masked_L1000": lambda: _masked(6, 1000, 30),             # blocks of 125
}


@pytest.mark.parametrize("batch", sorted(BATCHES))
@pytest.mark.parametrize("spec", SPECS)
def test_contract(spec, batch, device):
    x, mask = BATCHES[batch]()
    x = x.to(device)
    mask = None if mask is None else mask.to(device)
    check_augmenter_contract(parse(spec), x, mask)


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
@pytest.mark.parametrize("spec", NAMES)
def test_contract_other_dtypes(spec, dtype):
    x, mask = _masked(6, 128, 40)
    check_augmenter_contract(parse(spec), x.to(dtype), mask)


@pytest.mark.parametrize("spec", NAMES)
def test_empty_and_single(spec):
    aug = parse(spec)
    for shape in [(0, 4, 50), (3, 4, 0), (1, 4, 1)]:
        x = torch.zeros(shape)
        if shape == (1, 4, 1):
            x[0, 2, 0] = 1.0
        out = aug(x, generator=torch.Generator().manual_seed(0))
        assert out.shape == x.shape and out.dtype == x.dtype


def test_non_contiguous_input():
    x = _one_hot(8, 256, 50)
    view = x.transpose(0, 0)[:, :, :]  # same data
    strided = torch.cat([x, x], dim=2)[:, :, ::2]  # non-contiguous
    for spec in NAMES:
        aug = parse(spec)
        a = aug(strided, generator=torch.Generator().manual_seed(1))
        b = aug(strided.contiguous(), generator=torch.Generator().manual_seed(1))
        assert torch.equal(a, b), spec
    assert torch.equal(view, x)
