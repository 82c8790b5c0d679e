"""Shared by the benchmark scripts: machine facts, JSON output and the README results tables.

Each script writes ``benchmarks/results/<name>.json`` and replaces the block between
``<!-- bench:<name> -->`` and ``<!-- /bench:<name> -->`` in README.md with its Markdown table.
"""

from __future__ import annotations

import json
import os
import platform
import re
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict:
    """What the figures were measured on."""
    info = {"python": platform.python_version(), "torch": torch.__version__, "cpu": platform.processor() or
            platform.machine(), "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "date": time.strftime("%Y-%m-%d")}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def median_time(fn, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall seconds of ``fn()`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def publish(name: str, payload: dict, table_md: str, *, update_readme: bool = True) -> None:
    """Write results/<name>.json and .md; replace the README block for <name> if present."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), **payload}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(table_md.rstrip() + "\n")
    readme = ROOT / "README.md"
    if update_readme and readme.exists():
        text = readme.read_text()
        pattern = re.compile(rf"(<!-- bench:{re.escape(name)} -->\n).*?(<!-- /bench:{re.escape(name)} -->)", re.S)
        if pattern.search(text):
            m = payload["machine"]
            stamp = (f"_Measured {m['date']} on {m['cores']} CPU cores ({m['cpu']}), torch {m['torch']}, "
                     f"{m['torch_threads']} torch thread(s){', GPU ' + m['gpu'] if 'gpu' in m else ''}._\n\n")
            readme.write_text(pattern.sub(lambda mm: mm.group(1) + stamp + table_md.rstrip() + "\n"
                                          + mm.group(2), text))
