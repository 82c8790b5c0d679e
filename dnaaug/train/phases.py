"""Training phases as named states (not epoch arithmetic).

A run is a list of phases executed in order; a checkpoint stores the index of the phase, the
epoch inside it and the step inside the epoch, so a run resumes in any phase.

Kinds:
  ``contrastive``: A-step, encoder trained with views from an augmenter (warm-up uses the base one)
  ``generator``:   B-step, encoder frozen, diffusion generator trained conditioned on its embeddings
  ``generate``:    sample the positive bank (K per training sequence) with the EMA generator
"""

from __future__ import annotations

from dataclasses import dataclass

from dnaaug.train.config import TrainConfig


@dataclass(frozen=True)
class Phase:
    """One named phase: ``name`` is unique in the plan (e.g. ``warmup``, ``generator-r1``)."""

    name: str
    kind: str           # contrastive | generator | generate
    round: int          # 0 for warm-up / baseline runs, 1..R for DiffAug rounds
    epochs: int         # 1 for generate
    use_bank: bool = False


def plan_phases(config: TrainConfig) -> list[Phase]:
    """The phase list for a config: one contrastive phase for a baseline augmenter, the loop for diffaug."""
    if not config.uses_diffaug:
        return [Phase("contrastive", "contrastive", 0, config.epochs)]
    d = config.diffaug
    phases = [Phase("warmup", "contrastive", 0, d.warmup_epochs)]
    for r in range(1, d.rounds + 1):
        phases += [
            Phase(f"generator-r{r}", "generator", r, d.generator_epochs),
            Phase(f"generate-r{r}", "generate", r, 1),
            Phase(f"contrastive-r{r}", "contrastive", r, d.contrastive_epochs, use_bank=True),
        ]
    return phases
