"""Tokenizers: one-hot (N,4,L) + mask, and k-mer ids (N,L'); shared alphabet and validation.

Names load lazily so that the readers, which need only the alphabet, do not import torch.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "as_bytes": "alphabet", "reverse_complement": "alphabet", "validate": "alphabet",
    "KmerTokenizer": "kmer", "onehot_to_kmer_ids": "kmer",
    "Batch": "onehot", "OneHotTokenizer": "onehot", "codes_to_onehot": "onehot", "onehot_to_strings": "onehot",
    "PackedSequences": "packed", "parse_tokenizer": "spec",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
