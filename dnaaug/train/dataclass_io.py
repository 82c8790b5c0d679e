"""Frozen-dataclass <-> plain dict conversion with strict key checking.

Unknown keys and wrong types raise ConfigError naming the dotted key, so a typo in a config
file is an error rather than a silently ignored setting. Missing keys take the dataclass
default (every field has one); ``require_all=True`` (used when reading a run's own resolved
config back) makes a missing key an error too, except the keys a class lists in its
``LEGACY_DEFAULTS`` mapping (added after a release), which take the value that reproduces a run
written before them.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, TypeVar

from dnaaug.errors import ConfigError

T = TypeVar("T")


def to_dict(obj: Any) -> Any:
    """Dataclass (nested) -> plain dict of JSON-able values."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def _coerce(value: Any, hint: Any, key: str, legacy: bool = False) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key, legacy)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0] if errors else f"{key}: invalid value {value!r}")
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a section (mapping), got {value!r}")
        return from_dict(hint, value, prefix=key, legacy=legacy)
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        (item,) = typing.get_args(hint)[:1] or (Any,)
        return tuple(_coerce(v, item, key) for v in value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true/false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {value!r}")
        return value
    return value


def from_dict(cls: type[T], data: dict[str, Any], *, prefix: str = "", require_all: bool = False,
              legacy: bool | None = None) -> T:
    """Build dataclass ``cls`` from a mapping; unknown keys or bad types raise ConfigError.

    ``legacy`` (default: ``require_all``; passed on to nested sections): a missing key listed in a
    class's ``LEGACY_DEFAULTS`` takes that value instead of the current default.
    """
    legacy = require_all if legacy is None else legacy
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or 'config'}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        names = ", ".join(f"{prefix}.{k}" if prefix else k for k in unknown)
        raise ConfigError(f"unknown config key(s): {names} (known: {', '.join(sorted(fields))})")
    if legacy:  # keys added after a release: a run written before them gets the value that reproduces it
        data = {**{k: v for k, v in getattr(cls, "LEGACY_DEFAULTS", {}).items()}, **data}
    if require_all:
        missing = sorted(set(fields) - set(data))
        if missing:
            names = ", ".join(f"{prefix}.{k}" if prefix else k for k in missing)
            raise ConfigError(f"missing config key(s): {names}")
    hints = typing.get_type_hints(cls)
    kwargs = {name: _coerce(value, hints[name], f"{prefix}.{name}" if prefix else name, legacy)
              for name, value in data.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{prefix or 'config'}: {err}") from None


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict update (override wins), returning a new dict."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def check_numbers(obj: Any, prefix: str = "", *, signed: frozenset[str] = frozenset()) -> None:
    """Every numeric field of a dataclass, nested ones included, is finite and >= 0.

    Walks all fields, so a field added later is checked without being listed; bools and None
    are skipped. ``signed`` names dotted keys that may be negative. ConfigError names the key.
    """
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            check_numbers(value, f"{key}.", signed=signed)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not math.isfinite(value):
            raise ConfigError(f"{key} must be a finite number, got {value}")
        if value < 0 and key not in signed:
            raise ConfigError(f"{key} must be >= 0, got {value}")


def check_positive(obj: Any, names: tuple[str, ...], prefix: str = "") -> None:
    """The named numeric fields of ``obj`` are > 0 (ConfigError naming the first that is not)."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and not value > 0:
            raise ConfigError(f"{prefix}{name} must be > 0, got {value}")
