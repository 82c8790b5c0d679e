"""The README and docs/: links resolve, the README stays short, generated tables match their files.

Needs only the repository (no ../shared, no network): Markdown files, benchmarks/results and the
library's own table renderer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scripts import load_benchmark_script

from dnaaug.evaluate.results import METRIC_DISPLAY, read_results, render_table, summarise

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
RESULTS = ROOT / "benchmarks" / "results"
PAGES = [README, *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^(```|~~~)")
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`[^`\n]*`")
BENCH_BLOCK = re.compile(r"<!-- bench:([\w.-]+) -->\n(.*?)<!-- /bench:\1 -->", re.S)
RESULTS_BLOCK = re.compile(r"<!-- results:([\w.-]+) -->\n(.*?)<!-- /results:\1 -->", re.S)
GENERATED = re.compile(r"<!-- generated: (\S+\.json) (\w+) -->\n\n?((?:\|.*\n)+)")


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line)
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())  # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page, with GitHub's -1, -2 suffixes for repeats."""
    seen: dict[str, int] = {}
    out = set()
    for line in prose_lines(page.read_text(encoding="utf-8")):
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(page: Path) -> list[str]:
    """The targets of the Markdown links of a page, outside code."""
    return [m.group(2) for line in prose_lines(page.read_text(encoding="utf-8"))
            for m in LINK.finditer(CODE_SPAN.sub("", line))]


def table_rows(block: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``block``, as stripped cells."""
    lines = [ln for ln in block.splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines[2:]]


def test_slug_follows_github():
    assert slug("The identity / semantics frontier") == "the-identity--semantics-frontier"
    assert slug("I/O: FASTA parse and one-hot") == "io-fasta-parse-and-one-hot"
    assert slug("`dnaaug train`") == "dnaaug-train"
    assert slug("tf_0 and prom_core_notata (subsampled to 10,000)") == "tf_0-and-prom_core_notata-subsampled-to-10000"


def test_quickstart_is_two_commands_as_ci_reads_them():
    """.ci/run takes the first ```bash block under "## Quickstart" literally: two commands, the second pytest."""
    section = README.read_text(encoding="utf-8").split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [ln for ln in block.splitlines() if ln.strip()]
    assert len(commands) == 2 and "python -m pytest" in commands[1]


def test_readme_is_short_and_links_every_docs_file():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 450, "README.md is for users: at most 450 lines; the record goes to docs/"
    assert "<!-- bench:" not in text, "bench blocks live in docs/performance.md"
    targets = {t.split("#")[0] for t in links(README)}
    for doc in ("results.md", "ablations.md", "diffaug.md", "performance.md"):
        assert f"docs/{doc}" in targets, f"the README links to docs/{doc}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_bench_blocks_match_their_results_files():
    """A docs block between bench markers is the stamp line, a blank line, then results/NAME.md."""
    text = (DOCS / "performance.md").read_text(encoding="utf-8")
    blocks = dict(BENCH_BLOCK.findall(text))
    assert blocks, "docs/performance.md holds the published benchmark tables"
    for name, body in blocks.items():
        md = RESULTS / f"{name}.md"
        if not md.exists():
            assert "not run" in body, f"bench:{name} has no results/{name}.md and does not say it was not run"
            continue
        stamp, blank, table = body.split("\n", 2)
        assert stamp.startswith("_Measured ") and blank == "", f"bench:{name}: a stamp line, then a blank line"
        assert table == md.read_text(encoding="utf-8"), f"bench:{name} differs from {md.relative_to(ROOT)}"


def test_every_publishing_script_has_a_block():
    text = (DOCS / "performance.md").read_text(encoding="utf-8")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        for name in re.findall(r'publish\(\s*"([\w.-]+)"', script.read_text(encoding="utf-8")):
            assert f"<!-- bench:{name} -->" in text, f"{script.name} publishes {name}: no block in performance.md"


def test_results_blocks_match_their_results_files():
    report = load_benchmark_script("_report")
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for name, body in RESULTS_BLOCK.findall(page.read_text(encoding="utf-8")):
            found.append(name)
            assert body == report.results_block(name), (
                f"{page.name}: block results:{name} differs from benchmarks/results/{name}.md "
                "(refresh with python benchmarks/_report.py)")
    assert {"benchmark_gue_small", "benchmark_gue_sub10k"} <= set(found)


def _rendered(json_path: Path, metric: str, order: list[str]) -> tuple[str, dict[str, list[str]]]:
    """The header line and the rows by method of the table the JSON's cells give for ``metric``."""
    heading, scale, best, decimals = METRIC_DISPLAY[metric]
    table = render_table(summarise(read_results(json_path)), metric, scale=scale, best=best,
                         decimals=decimals, method_order=order)
    return table.splitlines()[0], {row[0]: row[1:] for row in table_rows(table)}


@pytest.mark.parametrize("md", sorted(RESULTS.glob("benchmark_*.md")), ids=lambda p: p.name)
def test_benchmark_tables_match_their_cells(md):
    """Every metric table of a benchmark's results .md is what its .json cells give."""
    text = md.read_text(encoding="utf-8")
    checked = 0
    for metric, (heading, *_rest) in METRIC_DISPLAY.items():
        if f"## {heading}\n" not in text or metric == "wall_seconds":
            continue
        section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
        rows = table_rows(section)
        header, expected = _rendered(md.with_suffix(".json"), metric, [r[0] for r in rows])
        assert section.strip().splitlines()[0] == header, f"{md.name}: {heading} columns differ from its .json"
        assert {r[0]: r[1:] for r in rows} == expected, f"{md.name}: {heading} differs from its .json"
        checked += 1
    assert checked >= 7


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_generated_tables_match_their_json(page):
    """A table under ``<!-- generated: PATH.json METRIC -->``: each row's method (its first `code`
    span) has the values the JSON's cells give, bold included."""
    text = page.read_text(encoding="utf-8")
    assert len(GENERATED.findall(text)) == text.count("<!-- generated:"), \
        f"{page.name}: a generated marker must be followed (after at most a blank line) by its table"
    for rel, metric, table in GENERATED.findall(text):
        json_path = ROOT / rel
        rows = table_rows(table)
        methods = [re.search(r"`([^`]+)`", r[0]).group(1) for r in rows]
        header, expected = _rendered(json_path, metric, methods)
        assert table.splitlines()[0] == header, f"{page.name}: the {rel} table's columns differ from its JSON"
        assert set(methods) <= set(expected), f"{page.name}: rows {set(methods) - set(expected)} not in {rel}"
        for method, row in zip(methods, rows):
            assert row[1:] == expected[method], f"{page.name}: {method} in the {rel} table"


def test_publish_writes_the_block_into_docs_performance(tmp_path, monkeypatch):
    """benchmarks/_report.publish: results/NAME.{json,md}, and the docs block replaced with stamp + table."""
    report = load_benchmark_script("_report")
    doc = tmp_path / "performance.md"
    doc.write_text("# P\n\n<!-- bench:x -->\nold\n<!-- /bench:x -->\n\n<!-- bench:y -->\nkept\n<!-- /bench:y -->\n")
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(report, "PERFORMANCE_DOC", doc)
    report.publish("x", {"rows": []}, "| a |\n|---|\n| 1 |\n")
    text = doc.read_text()
    body = BENCH_BLOCK.search(text).group(2)
    assert body.startswith("_Measured ") and body.endswith("\n\n| a |\n|---|\n| 1 |\n")
    assert "old" not in text and "kept" in text
    assert (tmp_path / "results" / "x.md").read_text() == "| a |\n|---|\n| 1 |\n"
    report.publish("x", {"rows": []}, "| b |\n|---|\n| 2 |\n", update_docs=False)
    assert "| 1 |" in doc.read_text()
