"""Evaluation of frozen embeddings: linear probe, k-means clustering, the k-mer spectrum
floor, results tables (printed like the DiffAug paper's) and figures."""

from dnaaug.evaluate.clustering import cluster_metrics, hungarian_accuracy
from dnaaug.evaluate.kmer_features import kmer_dim, kmer_names, kmer_spectrum
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
    "linear_probe", "plot_bars", "plot_embedding_map", "plot_training_curves", "read_results",
    "render_report", "render_table", "render_text", "summarise", "write_results",
]
