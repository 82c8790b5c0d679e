"""Shared by the benchmark scripts: machine facts, JSON output and the published tables.

Each script writes ``benchmarks/results/<name>.json`` and ``<name>.md`` and replaces the block between
``<!-- bench:<name> -->`` and ``<!-- /bench:<name> -->`` in docs/performance.md with a stamp (date,
machine, torch) and its Markdown table. The README keeps no such blocks; it links to docs/performance.md.

Tables that no script publishes (the final benchmark, the frontier) sit in docs/ between
``<!-- results:<name> -->`` and ``<!-- /results:<name> -->`` as copies of ``benchmarks/results/<name>.md``;
``python benchmarks/_report.py`` refreshes them. tests/docs checks both kinds of block against their files.
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
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"


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


def stamp(m: dict) -> str:
    """The line above every published table: when, on what, with which torch."""
    return (f"_Measured {m['date']} on {m['cores']} CPU cores ({m['cpu']}), torch {m['torch']}, "
            f"{m['torch_threads']} torch thread(s){', GPU ' + m['gpu'] if 'gpu' in m else ''}._\n\n")


def publish(name: str, payload: dict, table_md: str, *, update_docs: bool = True) -> None:
    """Write results/<name>.json and .md; replace the docs/performance.md block for <name> if present."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), **payload}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(table_md.rstrip() + "\n")
    doc = PERFORMANCE_DOC
    if update_docs and doc.exists():
        text = doc.read_text()
        pattern = re.compile(rf"(<!-- bench:{re.escape(name)} -->\n).*?(<!-- /bench:{re.escape(name)} -->)", re.S)
        if pattern.search(text):
            head = stamp(payload["machine"])
            doc.write_text(pattern.sub(lambda mm: mm.group(1) + head + table_md.rstrip() + "\n"
                                       + mm.group(2), text))


# Benchmark tables that no script publishes (the final benchmark, the frontier) are copied from their
# results/<name>.md into blocks ``<!-- results:<name> -->`` ... ``<!-- /results:<name> -->`` of the docs.
RESULTS_BLOCK = re.compile(r"(<!-- results:([\w.-]+) -->\n).*?(<!-- /results:\2 -->)", re.S)


def results_block(name: str) -> str:
    """The docs block body for results/<name>.md: its first line dropped when it is a ``# `` title, and
    its ``## `` headings made ``#### `` (the blocks sit under a ``###`` section)."""
    lines = (RESULTS / f"{name}.md").read_text().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join("##" + ln if ln.startswith("## ") else ln for ln in lines).rstrip() + "\n"


def sync_results_blocks(docs: Path = ROOT / "docs") -> list[str]:
    """Refresh every results block of docs/*.md from its results/<name>.md; the names refreshed."""
    done = []
    for doc in sorted(docs.glob("*.md")):
        text = doc.read_text()
        new = RESULTS_BLOCK.sub(lambda m: m.group(1) + results_block(m.group(2)) + m.group(3), text)
        done += [m.group(2) for m in RESULTS_BLOCK.finditer(text)]
        if new != text:
            doc.write_text(new)
    return done


if __name__ == "__main__":
    # python benchmarks/_report.py: copy results/<name>.md into the docs' results blocks
    print("refreshed:", ", ".join(sync_results_blocks()) or "no results blocks")
