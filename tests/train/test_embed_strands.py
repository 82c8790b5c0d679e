"""Strand and region read-outs of exported embeddings: both = [h(x), h(rc x)], mean, forward; regions."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from dnaaug.embed import embed_array, strands_dim
from dnaaug.errors import InputError
from dnaaug.train import load_encoder, train

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
from tiny import random_records, tiny_config  # noqa: E402

COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _rc(seq: str) -> str:
    return seq.translate(COMPLEMENT)[::-1]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    run = tmp_path_factory.mktemp("strands") / "run"
    train(random_records(n=32, length=32, seed=2), run, tiny_config(epochs=1), device="cpu", progress=False)
    return load_encoder(run)


@pytest.fixture(scope="module")
def sequences():
    # shorter than the window (32) and of different lengths: the padded case, where the reverse
    # complement must be of the real bases only
    return [r.sequence for r in random_records(n=12, length=20, seed=5, vary=True) if len(r.sequence) <= 32]


def test_both_is_forward_then_reverse_complement(model, sequences):
    d = strands_dim(model, "forward")  # per-strand width, regions included
    both = embed_array(model, sequences)
    assert both.shape == (len(sequences), 2 * d) == (len(sequences), strands_dim(model))
    forward = embed_array(model, sequences, strands="forward")
    of_rc = embed_array(model, [_rc(s) for s in sequences], strands="forward")
    np.testing.assert_allclose(both[:, :d], forward, atol=1e-5)
    np.testing.assert_allclose(both[:, d:], of_rc, atol=1e-5)
    assert not np.allclose(forward, of_rc, atol=1e-3)  # the untrained trunk is not strand-symmetric


def test_mean_is_strand_symmetric(model, sequences):
    mean = embed_array(model, sequences, strands="mean")
    d = strands_dim(model, "mean")
    assert mean.shape == (len(sequences), d)
    np.testing.assert_allclose(mean, embed_array(model, [_rc(s) for s in sequences], strands="mean"), atol=1e-5)
    both = embed_array(model, sequences)
    np.testing.assert_allclose(mean, 0.5 * (both[:, :d] + both[:, d:]), atol=1e-5)


def test_unknown_strands_is_an_input_error(model, sequences):
    with pytest.raises(InputError, match="strands must be one of both, mean, forward"):
        embed_array(model, sequences, strands="reverse")


def test_regions_append_positional_means_after_the_pooled_h(model, sequences):
    d, c = model.embedding_dim, model.encoder.config.width
    plain = embed_array(model, sequences, strands="forward", regions=0)
    assert plain.shape == (len(sequences), d)
    for k in (1, 3):
        h = embed_array(model, sequences, strands="forward", regions=k)
        assert h.shape == (len(sequences), d + k * c) == (len(sequences), strands_dim(model, "forward", k))
        np.testing.assert_allclose(h[:, :d], plain, atol=1e-5)  # the pooled h is unchanged
    # one region is the whole sequence: the masked mean, which is the mean half of meanmax
    np.testing.assert_allclose(embed_array(model, sequences, strands="forward", regions=1)[:, d:],
                               plain[:, :c], atol=1e-5)
    # three regions of one sequence average to the global mean when they have equal sizes
    s = [q for q in sequences if len(q) % 6 == 0][:1] or ["ACGTAC" * 4]
    three = embed_array(model, s, strands="forward", regions=3)[:, d:].reshape(1, 3, c)
    np.testing.assert_allclose(three.mean(1), embed_array(model, s, strands="forward", regions=0)[:, :c],
                               atol=1e-5)


def test_regions_do_not_see_padding(model):
    short = "ACGGTCATTGACCAGT"  # 16 bp in a 32 bp window: padded on the right
    a = embed_array(model, [short], regions=3)
    b = embed_array(model, [short, short + "ACGTACGTACGTACGT"], batch_size=2, regions=3)[:1]
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_negative_regions_is_a_config_error(model, sequences):
    from dnaaug.errors import ConfigError

    with pytest.raises(ConfigError, match="regions must be an int >= 0"):
        embed_array(model, sequences, regions=-1)
