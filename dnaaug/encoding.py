"""The encoder side of inference, shared by training, embedding and the diffusion condition.

- :func:`build_encoder`: the encoder trunk and its tokenizer for a config and window length
- :func:`encoder_input`: one-hot views (N, 4, L) -> what the encoder eats
- :func:`condition_fn`: the generator's condition, the frozen encoder's L2-normalised embedding
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

import torch
import torch.nn.functional as F

from dnaaug.models.encoder import CNNEncoder
from dnaaug.tokenize import KmerTokenizer, onehot_to_kmer_ids, parse_tokenizer

if TYPE_CHECKING:
    from dnaaug.train.config import TrainConfig


def build_encoder(config: "TrainConfig", length: int) -> tuple[CNNEncoder, Any]:
    """The encoder trunk and its tokenizer for a config (its ``tokenizer`` and ``encoder``) and window length."""
    tokenizer = parse_tokenizer(config.tokenizer, length)
    enc_cfg = config.encoder
    if isinstance(tokenizer, KmerTokenizer):
        enc_cfg = replace(enc_cfg, input="kmer", vocab_size=tokenizer.vocab_size)
    else:
        enc_cfg = replace(enc_cfg, input="onehot", vocab_size=None)
    return CNNEncoder(enc_cfg), tokenizer


def encoder_input(tokenizer, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One-hot views (N,4,L) -> what the encoder eats: the same, or k-mer ids (N,L') and token mask."""
    if isinstance(tokenizer, KmerTokenizer):
        return onehot_to_kmer_ids(x, mask, tokenizer.k, tokenizer.stride)
    return x, mask


def condition_fn(encoder: CNNEncoder, tokenizer) -> Callable[[torch.Tensor, "torch.Tensor | None"], torch.Tensor]:
    """The generator's condition: (x (N,4,L), mask (N,L) | None) -> L2-normalised h (N, D) float32.

    Runs the encoder in eval mode without gradient and puts back its train/eval mode afterwards;
    a missing mask means every position is real.
    """

    def condition(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        if mask is None:
            mask = torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
        was_training = encoder.training
        encoder.eval()
        try:
            with torch.no_grad():
                h = encoder(*encoder_input(tokenizer, x, mask)).float()
        finally:
            encoder.train(was_training)
        return F.normalize(h, dim=1)

    return condition
