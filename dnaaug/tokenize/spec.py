"""Tokenizer specs from config strings: ``onehot`` or ``kmer:k=6,stride=1``."""

from __future__ import annotations

from dnaaug.errors import ConfigError
from dnaaug.tokenize.kmer import KmerTokenizer
from dnaaug.tokenize.onehot import OneHotTokenizer


def parse_tokenizer(spec: str, length: int | None = None) -> OneHotTokenizer | KmerTokenizer:
    """``"onehot"`` or ``"kmer:k=6,stride=1"`` -> a tokenizer (ConfigError on anything else)."""
    name, _, params = spec.partition(":")
    kwargs: dict[str, int] = {}
    for item in filter(None, params.split(",")):
        key, eq, value = item.partition("=")
        if not eq or not value.strip().lstrip("-").isdigit():
            raise ConfigError(f"tokenizer parameter {item!r} must look like key=INTEGER")
        kwargs[key.strip()] = int(value)
    if name == "onehot" and not kwargs:
        return OneHotTokenizer(length)
    if name == "kmer":
        unknown = set(kwargs) - {"k", "stride"}
        if unknown:
            raise ConfigError(f"unknown k-mer tokenizer parameter(s): {', '.join(sorted(unknown))} (known: k, stride)")
        return KmerTokenizer(length=length, **kwargs)
    raise ConfigError(f"unknown tokenizer {spec!r}; use 'onehot' or 'kmer:k=K[,stride=S]'")
