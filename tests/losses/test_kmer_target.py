"""The k-mer target head: its spectra equal the benchmark's k-mer spectrum, they are canonical
(a window and its reverse complement share them), standardised with the statistics it was fitted
on, its loss is a plain mean squared error, and in training it is off by default (nothing changes)
and, when on, resumes and learns the composition."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny import random_records, tiny_config

from dnaaug.augment.functional import reverse_complement
from dnaaug.errors import ConfigError, InputError
from dnaaug.evaluate.kmer_features import kmer_spectrum
from dnaaug.losses.kmer_target import KmerTargetHead, canonical_spectrum, kmer_frequencies
from dnaaug.tokenize.onehot import OneHotTokenizer
from dnaaug.train import TrainConfig, train
from dnaaug.train.checkpoint import load_checkpoint

SEQS = ["ACGTACGTNNACGGT", "acgtTTTTGGGGCC", "ACG", "GATTACAGATTACA"]


def _batch(seqs, length):
    b = OneHotTokenizer(length=length).encode(seqs)
    return b.tensor, b.mask


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_frequencies_equal_the_kmer_spectrum_block(k):
    # an N, lowercase bases, and windows shorter than the model window (padding)
    x, mask = _batch(SEQS, 16)
    np.testing.assert_allclose(kmer_frequencies(x, mask, k).numpy(), kmer_spectrum(SEQS, (k,)), atol=1e-6)


def test_a_window_without_a_valid_kmer_is_all_zero():
    x, mask = _batch(["NNNNNN", "AC"], 8)
    f = kmer_frequencies(x, mask, 3)
    assert f.shape == (2, 64) and float(f.abs().sum()) == 0.0


def test_canonical_spectrum_is_the_mean_with_the_reverse_complement_and_strand_free():
    seqs = ["AACGTTTGCA", "GGGATCCAAT"]
    rc = ["TGCAAACGTT", "ATTGGATCCC"]
    x, mask = _batch(seqs, 10)
    xr, mask_r = _batch(rc, 10)
    expected = 0.5 * (kmer_spectrum(seqs, (1, 2, 3)) + kmer_spectrum(rc, (1, 2, 3)))
    np.testing.assert_allclose(canonical_spectrum(x, mask, 3).numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(canonical_spectrum(x, mask, 3), canonical_spectrum(xr, mask_r, 3), atol=1e-6)
    # and the one-hot reverse complement of the augmenters gives the same row
    np.testing.assert_allclose(canonical_spectrum(reverse_complement(x), mask, 3), canonical_spectrum(x, mask, 3),
                               atol=1e-6)


def test_targets_are_standardised_with_the_fitted_statistics():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(64)]
    x, mask = _batch(seqs, 30)
    head = KmerTargetHead(4, max_k=2)
    head.fit([(x[:20], mask[:20]), (x[20:], mask[20:])])  # streaming: two batches
    t = head.targets(x, mask).numpy()
    spectrum = canonical_spectrum(x, mask, 2).numpy().astype(np.float64)
    std = spectrum.std(0)
    np.testing.assert_allclose(t, np.where(std > 1e-8, (spectrum - spectrum.mean(0)) / np.where(std > 0, std, 1), 0),
                               atol=1e-4)
    assert np.allclose(t.mean(0), 0, atol=1e-5)


def test_loss_is_the_mean_squared_error_of_the_linear_head():
    torch.manual_seed(0)
    head = KmerTargetHead(5, max_k=2)
    h, targets = torch.randn(3, 5), torch.randn(3, 20)
    expected = ((h @ head.linear.weight.T + head.linear.bias - targets) ** 2).mean()
    assert float(head(h, targets).detach()) == pytest.approx(float(expected.detach()), rel=1e-6)


def test_bad_shapes_and_settings_are_named():
    head = KmerTargetHead(4, max_k=2)
    with pytest.raises(InputError, match=r"h of shape \(N, 4\)"):
        head(torch.zeros(2, 3), torch.zeros(2, 20))
    with pytest.raises(InputError, match=r"targets of shape \(N=2, 20\)"):
        head(torch.zeros(2, 4), torch.zeros(2, 19))
    with pytest.raises(InputError, match="one-hot anchors"):
        head.targets(torch.zeros(2, 5, 8), None)
    with pytest.raises(InputError, match="no windows"):
        head.fit([])
    with pytest.raises(ConfigError, match="max_k"):
        KmerTargetHead(4, max_k=9)
    with pytest.raises(ConfigError, match=r"^kmer_loss must be >= 0"):
        TrainConfig(kmer_loss=-1.0)
    with pytest.raises(ConfigError, match=r"^kmer_loss_k must be in 1..8"):
        TrainConfig(kmer_loss_k=0)


def test_off_leaves_training_unchanged_and_on_trains_the_head(tmp_path):
    records = random_records()
    train(records, tmp_path / "off", tiny_config(), device="cpu", progress=False)
    train(records, tmp_path / "off0", tiny_config(kmer_loss=0.0, kmer_loss_k=3), device="cpu", progress=False)
    result = train(records, tmp_path / "on", tiny_config(kmer_loss=0.05, kmer_loss_k=3, epochs=4), device="cpu",
                   progress=False)
    off = load_checkpoint(tmp_path / "off" / "checkpoints" / "last.pt")
    off0 = load_checkpoint(tmp_path / "off0" / "checkpoints" / "last.pt")
    on = load_checkpoint(tmp_path / "on" / "checkpoints" / "last.pt")
    assert off["kmer_head"] is None
    assert all(torch.equal(off["model"][k], v) for k, v in off0["model"].items())
    # the head and its standardisation are saved, and the trunk trained differently (the loss reaches it)
    assert on["kmer_head"]["linear.weight"].shape == (4 + 16 + 64, 16 * 2)
    assert on["kmer_head"]["scale"].shape == (84,) and float(on["kmer_head"]["scale"].max()) > 0
    assert any(not torch.equal(off["model"][k], v) for k, v in on["model"].items())
    values = [m["kmer_loss"] for m in result.metrics if m["event"] == "step"]
    assert len(values) >= 8 and all(np.isfinite(values))
    assert np.mean(values[-3:]) < np.mean(values[:3])  # the head learns the composition
