"""Training: config dataclasses, presets, the phase loop, checkpoints and the Python API."""

from dnaaug.train.api import RunResult, TrainedEncoder, load_encoder, read_run_config, train
from dnaaug.train.config import DiffAugConfig, LossConfig, TrainConfig
from dnaaug.train.presets import PRESETS, preset

__all__ = ["DiffAugConfig", "LossConfig", "PRESETS", "RunResult", "TrainConfig", "TrainedEncoder", "load_encoder",
           "preset", "read_run_config", "train"]
