"""Evaluation of frozen embeddings: linear probe, k-means clustering, the k-mer spectrum
floor, results tables (printed like the DiffAug paper's) and figures; and of positive views: the
label preservation a supervised judge measures."""

from dnaaug.evaluate.clustering import cluster_metrics, hungarian_accuracy
from dnaaug.evaluate.kmer_features import kmer_dim, kmer_names, kmer_spectrum
from dnaaug.evaluate.label_preservation import (label_preservation, matched_identity, matched_identity_table,
                                                plot_label_preservation, preservation_at_identity,
                                                preservation_table)
from dnaaug.evaluate.plots import plot_bars, plot_embedding_map, plot_training_curves
from dnaaug.evaluate.probe import DEFAULT_CS, ProbeResult, linear_probe
from dnaaug.evaluate.results import (
    METRICS,
    CellResult,
    cells_from_frame,
    cells_to_frame,
    read_results,
    render_report,
    render_table,
    render_text,
    summarise,
    write_results,
)

__all__ = [
    "DEFAULT_CS", "METRICS", "CellResult", "ProbeResult", "cells_from_frame", "cells_to_frame",
    "cluster_metrics", "hungarian_accuracy", "kmer_dim", "kmer_names", "kmer_spectrum",
    "label_preservation", "linear_probe", "matched_identity", "matched_identity_table", "plot_bars",
    "plot_embedding_map", "plot_label_preservation", "plot_training_curves", "preservation_at_identity",
    "preservation_table", "read_results", "render_report", "render_table", "render_text", "summarise",
    "write_results",
]
