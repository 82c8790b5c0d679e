"""The candidate filter inside sample_positives (the semantic estimator as a filter), and classifier-free
guidance reachable from the run config."""

from __future__ import annotations

import json

import pytest
import torch
from test_diffusion_augmenter import batch, condition, make_model

from dnaaug.augment import parse
from dnaaug.diffusion.augmenter import DiffusionAugmenter
from dnaaug.diffusion.candidate_filter import FilterStats, candidate_cosines
from dnaaug.diffusion.sampling import sample_positives
from dnaaug.diffusion.settings import DEFAULTS, SamplingConfig
from dnaaug.errors import ConfigError
from dnaaug.train import TrainConfig
from dnaaug.train.config import load_config_file


def _sample(model, x, mask, seed: int, *, k: int, stats=None, **settings):
    return sample_positives(model, x, mask, condition=condition, settings=SamplingConfig(steps=4, **settings),
                            generator=torch.Generator().manual_seed(seed), k=k, stats=stats)


def test_default_is_off():
    assert DEFAULTS.candidates == 1 and TrainConfig().diffaug.candidates == 1
    assert TrainConfig().diffaug.sampling().candidates == 1


@pytest.mark.parametrize("k,candidates", [(1, 3), (2, 2)])
def test_keeps_the_closest_of_the_same_draws(gen, k, candidates):
    model = make_model()
    x, mask = batch(gen)
    n, length = x.shape[0], x.shape[2]
    stats = FilterStats()
    kept = _sample(model, x, mask, 5, k=k, candidates=candidates, strength=1.0, stats=stats)
    assert kept.shape == (n * k, 4, length)
    # the filter draws exactly what an unfiltered call with k * candidates positives draws
    every = _sample(model, x, mask, 5, k=k * candidates, strength=1.0).reshape(n, k * candidates, 4, length)
    m = mask.repeat_interleave(k * candidates, dim=0)
    cos = candidate_cosines(condition(every.reshape(-1, 4, length), m).reshape(n, k * candidates, -1),
                            condition(x, mask))
    best = cos.topk(k, dim=1).indices
    expected = every.gather(1, best[:, :, None, None].expand(-1, -1, 4, length)).reshape(n * k, 4, length)
    torch.testing.assert_close(kept, expected)
    assert torch.all(kept.sum(dim=1)[~mask.repeat_interleave(k, dim=0)] == 0)  # padding stays empty
    summary = stats.summary()
    assert summary["filter_drawn"] == n * k * candidates and summary["filter_kept"] == n * k
    assert summary["filter_cos_kept"] >= summary["filter_cos_all"] and summary["filter_seconds"] >= 0


def test_candidates_one_draws_and_embeds_nothing_more(gen):
    model = make_model()
    x, mask = batch(gen)
    calls = []

    def counting(xs, ms):
        calls.append(xs.shape[0])
        return condition(xs, ms)

    stats = FilterStats()
    out = sample_positives(model, x, mask, condition=counting, settings=SamplingConfig(steps=4),
                           generator=torch.Generator().manual_seed(1), k=2, stats=stats)
    assert calls == [x.shape[0]] and stats.total == 0 and out.shape[0] == 2 * x.shape[0]


def test_augmenter_and_spec_use_the_filter(gen):
    model = make_model()
    x, mask = batch(gen)
    aug = parse("diffaug:steps=4,candidates=3", context={"model": model, "condition_fn": condition})
    assert aug.settings.candidates == 3 and str(aug).endswith("candidates=3")
    plain = DiffusionAugmenter(model, condition, steps=4)
    assert "candidates" not in str(plain)  # default specs read as before
    out = aug(x, generator=torch.Generator().manual_seed(2), mask=mask)
    expected = _sample(model, x, mask, 2, k=1, candidates=3)
    torch.testing.assert_close(out, expected)
    with pytest.raises(ConfigError, match="candidates"):
        DiffusionAugmenter(model, condition, candidates=0)
    with pytest.raises(ConfigError, match="diffaug.candidates"):
        TrainConfig().updated({"diffaug": {"candidates": 100}})


def test_guidance_from_the_config_file(tmp_path, gen):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"augment": "diffaug", "diffaug": {"guidance": 2.5, "candidates": 2}}))
    config = TrainConfig().updated(load_config_file(path))
    assert config.diffaug.sampling() == SamplingConfig(guidance=2.5, candidates=2, strength=config.diffaug.strength)
    model = make_model()
    x, mask = batch(gen)
    guided = _sample(model, x, mask, 3, k=1, guidance=2.5, strength=1.0)
    plain = _sample(model, x, mask, 3, k=1, guidance=1.0, strength=1.0)
    assert not torch.equal(guided, plain)


def test_guidance_one_is_the_conditional_branch(gen):
    """w = 1 samples exactly as a network whose unconditional pass is never used."""
    model = make_model()
    x, mask = batch(gen)
    plain = _sample(model, x, mask, 4, k=1, guidance=1.0, strength=1.0)
    with torch.no_grad():
        model.denoiser.null_cond.add_(100.0)  # a different null changes only the unconditional branch
    torch.testing.assert_close(_sample(model, x, mask, 4, k=1, guidance=1.0, strength=1.0), plain)
    assert not torch.equal(_sample(model, x, mask, 4, k=1, guidance=2.0, strength=1.0),
                           _sample(make_model(), x, mask, 4, k=1, guidance=2.0, strength=1.0))
