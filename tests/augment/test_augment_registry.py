"""Spec strings: parsing, aliases, round trips, errors, composition and context factories."""

from __future__ import annotations

import pytest
import torch

from dnaaug.augment import (Augmenter, Compose, Identity, Insertion, Mutation, RandomChoice,
                            ReverseComplement, Translocation, aliases, available, build, parse, register)
from dnaaug.augment import registry
from dnaaug.errors import ConfigError


@pytest.fixture
def clean_registry(monkeypatch):
    """Registrations made by a test disappear after it."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_ALIASES", dict(registry._ALIASES))


def test_available_and_aliases():
    names = available()
    expected = ["none", "rc", "translocation", "insertion", "deletion", "inversion", "mutation", "noise",
                "mixup", "crop"]
    assert set(expected) <= set(names)
    assert aliases()["reverse_complement"] == "rc" and aliases()["shift"] == "translocation"
    assert names == sorted(names)


def test_parse_values_and_aliases():
    assert parse("rc") == ReverseComplement()
    assert parse("reverse_complement:p=1") == ReverseComplement(p=1.0)
    assert parse("shift:shift=7") == Translocation(shift=7)
    assert parse(" Translocation : shift = 7 , p = 0.5 ") == Translocation(shift=7, p=0.5)
    assert parse("mutation:rate=1e-2") == Mutation(rate=0.01)
    assert registry._value("true") is True and registry._value("False") is False
    assert registry._value("-3") == -3 and registry._value("2.5") == 2.5 and registry._value("ab") == "ab"


def test_compose_and_choice():
    aug = parse("rc+translocation:shift=20")
    assert aug == Compose([ReverseComplement(), Translocation(shift=20)])
    assert aug.preserves_one_hot and aug.stochastic
    assert not parse("rc+noise").preserves_one_hot
    choice = parse("rc|mutation:rate=0.1+insertion")
    assert choice == Compose([RandomChoice([ReverseComplement(), Mutation(rate=0.1)]), Insertion()])
    nested = parse("(rc+shift)|none")
    assert nested == RandomChoice([Compose([ReverseComplement(), Translocation()]), Identity()])
    assert Compose([Compose([Identity(), Identity()]), Identity()]).augmenters == (Identity(),) * 3


@pytest.mark.parametrize("spec", [
    "rc", "rc:p=1.0", "translocation:shift=20", "rc+translocation:shift=20", "mutation:rate=0.05,p=0.5",
    "insertion:max_len=5|deletion:max_len=3", "(rc+translocation:shift=3)|none+mixup:alpha=0.5",
    "noise:std=0.1", "inversion:max_len=30",
])
def test_round_trip(spec):
    aug = parse(spec)
    assert parse(str(aug)) == aug
    assert str(parse(str(aug))) == str(aug)


def test_compose_applies_in_order():
    x = torch.zeros(3, 4, 6)
    x[:, 0, :3] = 1.0  # AAANNN... as one-hot: AAA then N (zero) columns
    x[:, 2, 3:] = 1.0  # AAAGGG
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    composed = parse("rc:p=1+translocation:shift=2")(x, generator=g1)
    by_hand = Translocation(shift=2)(ReverseComplement(p=1)(x, generator=g2), generator=g2)
    assert torch.equal(composed, by_hand)


def test_choice_picks_one_per_sequence():
    x = torch.zeros(200, 4, 5)
    x[:, 0] = 1.0  # AAAAA
    out = parse("rc:p=1|none")(x, generator=torch.Generator().manual_seed(0))
    flipped = (out[:, 3] == 1).all(1)  # TTTTT
    assert bool((flipped | (out[:, 0] == 1).all(1)).all())
    assert 60 < int(flipped.sum()) < 140


@pytest.mark.parametrize("spec,match", [
    ("bogus", r"unknown augmenter 'bogus'; available: .*translocation"),
    ("translocation:shfit=3", r"no parameter 'shfit'; parameters: p, shift"),
    ("translocation:shift=abc", "shift must be an integer"),
    ("translocation:shift=-2", "shift must be >= 0"),
    ("rc:p=2", r"p must be in \[0.0, 1.0\]"),
    ("rc:p", "expected key=value"),
    ("rc:p=0.5,p=0.4", "given twice"),
    ("rc++shift", "name is missing"),
    ("rc+", "ends early"),
    ("", "empty augmenter spec"),
    ("(rc", r"missing '\)'"),
    ("rc)", r"unexpected '\)'"),
    (":p=1", "empty augmenter name"),
])
def test_errors_name_the_problem(spec, match):
    with pytest.raises(ConfigError, match=match):
        parse(spec)


def test_parse_rejects_non_strings_and_build_passes_augmenters():
    with pytest.raises(ConfigError):
        parse(3)  # type: ignore[arg-type]
    aug = Mutation()
    assert build(aug) is aug and build("mutation") == aug


class _NeedsModel(Augmenter):
    name = "needs_model"

    def __init__(self, model, strength: float = 0.5, p: float = 1.0):
        self.model = model
        super().__init__(p=p, params={"strength": strength})

    def forward(self, x, *, lengths, generator, apply):
        return x * self.model


def test_context_factories(clean_registry):
    register("needs_model", _NeedsModel, context=("model",))
    assert "needs_model" in available()
    with pytest.raises(ConfigError, match="needs 'model' in its context"):
        parse("needs_model")
    with pytest.raises(ConfigError, match="model comes from the context"):
        parse("needs_model:model=3", context={"model": 2.0})
    with pytest.raises(ConfigError, match="no parameter 'size'"):
        parse("needs_model:size=3", context={"model": 2.0})
    aug = parse("rc+needs_model:strength=0.4", context={"model": 2.0, "unused": object()})
    assert aug.augmenters[1].model == 2.0 and str(aug) == "rc+needs_model:strength=0.4"
    assert parse("translocation", context={"model": 1}) == Translocation()  # extra context ignored


def test_factories_with_kwargs_and_bad_returns(clean_registry):
    register("anything", lambda **kw: Identity(), aliases=("whatever",))
    assert parse("whatever:a=1,b=x") == Identity()
    register("broken", lambda: "not an augmenter")
    with pytest.raises(ConfigError, match="not an Augmenter"):
        parse("broken")
    with pytest.raises(ValueError, match="already registered"):
        register("rc", Identity)
    with pytest.raises(ValueError, match="must match"):
        register("Bad Name", Identity)
    register("rc", Identity, replace=True)
    assert parse("rc") == Identity()
