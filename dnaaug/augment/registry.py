"""Names -> augmenters, and the spec strings users write (``--augment rc+translocation:shift=20``).

Grammar::

    spec   := choice ("+" choice)*            apply in order (Compose)
    choice := atom ("|" atom)*                one per sequence, uniformly (RandomChoice)
    atom   := name [":" key "=" value ("," key "=" value)*]  |  "(" spec ")"

Names are case-insensitive; values are read as bool (true/false), int, float, else str.
``str(aug)`` gives back a spec that parses to an equal augmenter.

Factories that need objects rather than values (the diffusion augmenter needs its network)
declare them when registering: ``register("diffaug", make, context=("model",))``. ``parse``
then passes ``model=context["model"]`` to the factory; a missing key is a ConfigError, and a
spec cannot set a context key. Extra context keys are ignored, so a trainer may pass the same
context to any spec::

    aug = parse("rc+diffaug:strength=0.4", context={"model": generator_net})

Registering happens on import of the module that defines an augmenter; the registry imports
``dnaaug.diffusion.augmenter`` (when it exists) before its first lookup so that ``diffaug`` is
known without an explicit import.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dnaaug.errors import ConfigError

from .base import Augmenter
from .baselines import (Crop, Deletion, GaussianNoise, Identity, Insertion, Inversion, Mixup, Mutation, SpanMutation,
                        ReverseComplement, Translocation)
from .compose import Compose, RandomChoice

__all__ = ["register", "available", "aliases", "parse", "build"]

# modules that register augmenters and are imported lazily on first lookup
PLUGIN_MODULES = ("dnaaug.diffusion.augmenter",)


@dataclass(frozen=True)
class _Entry:
    factory: Callable[..., Augmenter]
    context: tuple[str, ...]
    keys: frozenset[str] | None  # accepted spec keys; None = anything (factory takes **kwargs)


_REGISTRY: dict[str, _Entry] = {}
_ALIASES: dict[str, str] = {}
_plugins_loaded = False
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _accepted_keys(factory: Callable[..., Any], context: tuple[str, ...]) -> frozenset[str] | None:
    params = inspect.signature(factory).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(p.name for p in params if p.kind in keyword and p.name not in context)


def register(name: str, factory: Callable[..., Augmenter], *, aliases: Iterable[str] = (),
             context: Iterable[str] = (), replace: bool = False) -> None:
    """Make ``factory`` (an Augmenter class or a function returning one) available as ``name``.

    ``factory`` is called with the spec's key=value pairs as keyword arguments, plus one keyword
    argument per name in ``context`` taken from ``parse(..., context=...)``. Raises ValueError
    for a malformed or already registered name (unless ``replace``).
    """
    names = [name, *aliases]
    for item in names:
        if not _NAME.match(item):
            raise ValueError(f"augmenter name {item!r} must match {_NAME.pattern}")
        if not replace and (item in _REGISTRY or item in _ALIASES):
            raise ValueError(f"augmenter name {item!r} is already registered")
    context = tuple(context)
    _REGISTRY[name] = _Entry(factory, context, _accepted_keys(factory, context))
    _ALIASES.pop(name, None)
    for alias in aliases:
        _ALIASES[alias] = name


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for module in PLUGIN_MODULES:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # parent package missing
            found = False
        if found:
            importlib.import_module(module)


def available() -> list[str]:
    """Registered augmenter names (canonical names, sorted; see :func:`aliases`)."""
    _load_plugins()
    return sorted(_REGISTRY)


def aliases() -> dict[str, str]:
    """Alias -> canonical name."""
    _load_plugins()
    return dict(sorted(_ALIASES.items()))


# --------------------------------------------------------------------------- parsing

def _value(text: str) -> bool | int | float | str:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _unknown_name(name: str) -> ConfigError:
    alias_text = ", ".join(f"{a}={c}" for a, c in aliases().items())
    return ConfigError(f"unknown augmenter {name!r}; available: {', '.join(available())}"
                       + (f" (aliases: {alias_text})" if alias_text else ""))


def _build_atom(text: str, context: Mapping[str, Any], spec: str) -> Augmenter:
    name, _, arg_text = text.partition(":")
    name = name.strip().lower()
    if not name:
        raise ConfigError(f"empty augmenter name in spec {spec!r}")
    _load_plugins()
    canonical = _ALIASES.get(name, name)
    entry = _REGISTRY.get(canonical)
    if entry is None:
        raise _unknown_name(name)
    kwargs: dict[str, Any] = {}
    if arg_text.strip():
        for pair in arg_text.split(","):
            key, eq, raw = pair.partition("=")
            key, raw = key.strip(), raw.strip()
            if not eq or not key or not raw:
                raise ConfigError(f"augmenter {canonical!r}: expected key=value, got {pair.strip()!r} "
                                  f"in spec {spec!r}")
            if key in kwargs:
                raise ConfigError(f"augmenter {canonical!r}: parameter {key!r} given twice in spec {spec!r}")
            kwargs[key] = _value(raw)
    clash = sorted(set(kwargs) & set(entry.context))
    if clash:
        raise ConfigError(f"augmenter {canonical!r}: {', '.join(clash)} comes from the context, "
                          "not from the spec")
    if entry.keys is not None:
        unknown = sorted(set(kwargs) - entry.keys)
        if unknown:
            known = ", ".join(sorted(entry.keys)) or "none"
            raise ConfigError(f"augmenter {canonical!r} has no parameter {', '.join(map(repr, unknown))}; "
                              f"parameters: {known}")
    missing = [key for key in entry.context if key not in context]
    if missing:
        raise ConfigError(f"augmenter {canonical!r} needs {', '.join(map(repr, missing))} in its context "
                          f"(parse(spec, context={{{', '.join(repr(k) + ': ...' for k in missing)}}}))")
    kwargs.update({key: context[key] for key in entry.context})
    try:
        aug = entry.factory(**kwargs)
    except TypeError as err:  # e.g. a wrong value type the factory does not check itself
        raise ConfigError(f"augmenter {canonical!r}: {err}") from None
    if not isinstance(aug, Augmenter):
        raise ConfigError(f"augmenter {canonical!r}: factory returned {type(aug).__name__}, not an Augmenter")
    return aug


class _Parser:
    """Recursive descent over the grammar in the module docstring."""

    def __init__(self, spec: str, context: Mapping[str, Any]):
        self.spec, self.context = spec, context
        self.tokens = [t for t in re.split(r"([+|()])", spec) if t.strip()]
        self.i = 0

    def _peek(self) -> str | None:
        return self.tokens[self.i].strip() if self.i < len(self.tokens) else None

    def _next(self) -> str:
        token = self._peek()
        if token is None:
            raise ConfigError(f"spec {self.spec!r} ends early: an augmenter name is missing")
        self.i += 1
        return token

    def parse(self) -> Augmenter:
        aug = self._sequence()
        if self._peek() is not None:
            raise ConfigError(f"unexpected {self._peek()!r} in spec {self.spec!r}")
        return aug

    def _sequence(self) -> Augmenter:
        items = [self._choice()]
        while self._peek() == "+":
            self.i += 1
            items.append(self._choice())
        return items[0] if len(items) == 1 else Compose(items)

    def _choice(self) -> Augmenter:
        items = [self._atom()]
        while self._peek() == "|":
            self.i += 1
            items.append(self._atom())
        return items[0] if len(items) == 1 else RandomChoice(items)

    def _atom(self) -> Augmenter:
        token = self._next()
        if token == "(":
            aug = self._sequence()
            if self._peek() != ")":
                raise ConfigError(f"missing ')' in spec {self.spec!r}")
            self.i += 1
            return aug
        if token in "+|)":
            raise ConfigError(f"unexpected {token!r} in spec {self.spec!r}: an augmenter name is missing")
        return _build_atom(token, self.context, self.spec)


def parse(spec: str, context: Mapping[str, Any] | None = None) -> Augmenter:
    """Build an augmenter from a spec string such as ``"rc+translocation:shift=20"``.

    ``context`` supplies objects to factories registered with ``context=`` (see module docstring).
    Unknown names or parameters raise ConfigError naming them and listing what exists.
    """
    if not isinstance(spec, str):
        raise ConfigError(f"augmenter spec must be a string, got {type(spec).__name__}")
    if not spec.strip():
        raise ConfigError(f"empty augmenter spec; use 'none' for no augmentation (available: "
                          f"{', '.join(available())})")
    return _Parser(spec, context or {}).parse()


def build(spec_or_augmenter: str | Augmenter, context: Mapping[str, Any] | None = None) -> Augmenter:
    """An Augmenter as is, or :func:`parse` of a spec string (for configs that accept both)."""
    if isinstance(spec_or_augmenter, Augmenter):
        return spec_or_augmenter
    return parse(spec_or_augmenter, context)


register("none", Identity, aliases=("identity",))
register("rc", ReverseComplement, aliases=("reverse_complement",))
register("translocation", Translocation, aliases=("shift",))
register("insertion", Insertion)
register("deletion", Deletion)
register("inversion", Inversion)
register("mutation", Mutation)
register("span", SpanMutation)
register("noise", GaussianNoise, aliases=("gaussian_noise",))
register("mixup", Mixup)
register("crop", Crop)
