"""dnaaug: DiffAug for DNA. Label-free contrastive learning of DNA embeddings whose positive views
come from a conditional diffusion generator trained in turns with the encoder.

Library layout (see README): ``dnaaug.data`` readers, ``dnaaug.tokenize`` tokenizers,
``dnaaug.augment`` augmenters, ``dnaaug.models`` networks, ``dnaaug.diffusion`` generator,
``dnaaug.losses`` losses, ``dnaaug.train`` training loop, ``dnaaug.embed`` embeddings,
``dnaaug.evaluate`` probes and tables.
"""

__version__ = "0.1.0"
