"""Networks: the CNN encoder trunk and its heads."""

from dnaaug.models.encoder import CNNEncoder, EncoderConfig, count_parameters
from dnaaug.models.heads import ClassifierHead, ContrastiveModel, ProjectionHead

__all__ = [
    "CNNEncoder", "EncoderConfig", "count_parameters", "ClassifierHead", "ContrastiveModel", "ProjectionHead",
]
