"""The loss registry: names, parameters and errors."""

from __future__ import annotations

import pytest

from dnaaug.errors import ConfigError
from dnaaug.losses import LOSSES, InfoNCELoss, SoftContrastiveLoss, make_loss


def test_names_build_their_class_with_parameters():
    soft = make_loss("soft", nu_q=0.1, p_bandwidth=4)
    assert isinstance(soft, SoftContrastiveLoss) and soft.nu_q == 0.1 and soft.p_bandwidth == 4.0
    nce = make_loss("InfoNCE", temperature=0.2)
    assert isinstance(nce, InfoNCELoss) and nce.temperature == 0.2
    assert set(LOSSES) == {"soft", "infonce"}


def test_defaults():
    assert isinstance(make_loss("soft"), SoftContrastiveLoss)
    assert make_loss("infonce").temperature == 0.1


@pytest.mark.parametrize("name", ["ntxent", "", None, 3])
def test_unknown_name(name):
    with pytest.raises(ConfigError, match="unknown loss"):
        make_loss(name)


def test_unknown_parameter_is_named():
    with pytest.raises(ConfigError, match="temprature"):
        make_loss("infonce", temprature=0.1)
    with pytest.raises(ConfigError, match="temperature"):
        make_loss("soft", temperature=0.1)


@pytest.mark.parametrize("name,params", [
    ("soft", {"nu_q": 0}), ("soft", {"nu_p": -1}), ("soft", {"p_bandwidth": float("nan")}),
    ("soft", {"normalize": "yes"}), ("soft", {"eps": 0.9}), ("infonce", {"temperature": 0}),
])
def test_invalid_values(name, params):
    with pytest.raises(ConfigError, match=next(iter(params))):
        make_loss(name, **params)
