"""Behaviour pin for refactors: the same seed gives the same bank, embeddings and generated views.

The golden values were computed with the code as it was before issue 11 (one home for diffusion)
moved things around; a refactor must keep them. The smoke preset is copied here (frozen) so that
tuning the real preset does not move the pin. If a change is *meant* to alter training (new
defaults, a new architecture), recompute the values with ``python tests/train/test_behaviour_pin.py``
and say so in the commit.

Bank and view hashes are exact (argmax outputs); embeddings are compared with a small tolerance
(float summation order may differ between CPUs).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dnaaug.train import TrainConfig, load_encoder, train

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
from tiny import random_records  # noqa: E402

# the smoke preset as of issue 11 (dnaaug/train/presets.py), frozen, with the conditioning default of
# that time (plain FiLM; the default became film+input+block / layer in issue 13) and its generator
# (Gaussian at strength 0.4; the default became the masked generator in issue 33)
SMOKE = {"batch_size": 32, "val_size": 0, "encoder": {"width": 32, "depth": 2}, "projection_dim": 32,
         "diffaug": {"warmup_epochs": 1, "rounds": 1, "generator_epochs": 1, "contrastive_epochs": 1,
                     "positives": 1, "sampling_steps": 4, "denoiser_channels": 16, "denoiser_depth": 2,
                     "diagnostics_sample": 64, "cond_mode": "film", "cond_norm": "none",
                     "generator": "gaussian", "strength": 0.4}}
# the same with two positives per anchor, DDPM, pure-noise start and guidance
VARIANT = {"diffaug": {"positives": 2, "sampler": "ddpm", "strength": 1.0, "guidance": 2.0}}

CASES = {
    "smoke": {},
    "variant": VARIANT,
}

GOLDEN = {
    "smoke": {"bank": "2a242cf468457604380c3a03536b198341d0fb4aed23e1685f3b8142361e8b86",
              "views": "bfc5b2afb755acf3963c60699501201ad5b38b470a0a83e6c06d21c2b4a16724",
              "emb_sum": 3886.81298828125, "emb_abs": 3968.30859375,
              "emb_head": [-0.04915, 0.061257, 0.19258, 0.828325, 1.534828, -0.112855,
                           -0.094834, 0.089071, 0.210959, 0.811287, 0.88458, 0.091437]},
    "variant": {"bank": "68a492f0f00549610c4cacaf5eecf9e4b3a3f86436d479e45e80d149db2628ae",
                "views": "c2419a801b592d1b65447f138e8f1bc06749622b971fa42e101034b64b87ccf8",
                "emb_sum": 3875.23583984375, "emb_abs": 3957.465087890625,
                "emb_head": [-0.043985, 0.057382, 0.192374, 0.865497, 1.518659, -0.112245,
                             -0.091509, 0.085433, 0.201272, 0.854865, 0.870833, 0.095075]},
    "supervised": {"emb_sum": 3765.439697265625, "emb_abs": 3848.386962890625,
                   "emb_head": [0.230528, -0.006382, 0.354411, -0.033998, -0.141622, 1.269954,
                                0.305851, -0.087616, 0.417072, -0.035184, -0.121001, 1.34457]},
}


def _config(case: str) -> TrainConfig:
    return (TrainConfig().updated(SMOKE).updated({"length": 32, "augment": "diffaug", "epochs": 3, "seed": 3})
            .updated(CASES[case]))


def _records():
    return random_records(n=64, length=40, seed=1, vary=True)


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _embedding_stats(h: np.ndarray) -> dict:
    return {"emb_sum": float(h.sum()), "emb_abs": float(np.abs(h).sum()),
            "emb_head": [round(float(v), 6) for v in h[:2, :6].ravel()]}


def measure_run(case: str, root: Path) -> dict:
    """Train the pinned config into ``root`` and return bank hash, augmenter-view hash, embedding stats."""
    from dnaaug.embed import embed_array
    from dnaaug.tokenize.packed import PackedSequences
    from dnaaug.tokenize.onehot import codes_to_onehot
    from dnaaug.train.api import load_diffusion_augmenter

    records = _records()
    train(records, root / case, _config(case), device="cpu", progress=False)
    bank = np.load(root / case / "bank.npy")
    # the forward strand: the pin is of training, not of the export's strand handling
    h = embed_array(load_encoder(root / case), [r.sequence for r in records], strands="forward", regions=0)
    aug, trained = load_diffusion_augmenter(root / case)
    packed = PackedSequences.from_strings([r.sequence for r in records[:16]], [r.id for r in records[:16]])
    codes, mask = packed.window(np.arange(16), trained.length, "center")
    views = aug(codes_to_onehot(codes), generator=torch.Generator().manual_seed(7), mask=mask)
    view_codes = torch.where(mask, views.argmax(dim=1), torch.full_like(mask, 4, dtype=torch.long))
    return {"bank": _sha(bank), "views": _sha(view_codes.to(torch.uint8).numpy()), **_embedding_stats(h)}


def measure_supervised() -> dict:
    from dnaaug.embed import embed_array
    from dnaaug.train.supervised import train_supervised

    records = _records()
    labels = np.array([int(r.label) for r in records], dtype=np.int64)
    config = TrainConfig().updated(SMOKE).updated({"length": 32, "epochs": 2, "seed": 5})
    model, _ = train_supervised(records, labels, config, device=torch.device("cpu"))
    return _embedding_stats(embed_array(model, [r.sequence for r in records], strands="forward", regions=0))


def _check(got: dict, want: dict) -> None:
    for key in ("bank", "views"):
        if key in want:
            assert got[key] == want[key], f"{key} changed"
    assert got["emb_sum"] == pytest.approx(want["emb_sum"], rel=1e-4, abs=1e-3)
    assert got["emb_abs"] == pytest.approx(want["emb_abs"], rel=1e-4, abs=1e-3)
    np.testing.assert_allclose(got["emb_head"], want["emb_head"], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_seed_same_bank_embeddings_and_views(tmp_path, case):
    _check(measure_run(case, tmp_path), GOLDEN[case])


def test_supervised_same_seed_same_embeddings():
    _check(measure_supervised(), GOLDEN["supervised"])


if __name__ == "__main__":  # print fresh golden values
    import pprint
    import tempfile

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        out = {case: measure_run(case, Path(tmp)) for case in sorted(CASES)}
    out["supervised"] = measure_supervised()
    pprint.pprint(out, width=110)
