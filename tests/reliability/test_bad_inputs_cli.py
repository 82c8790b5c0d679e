"""Hostile and malformed inputs through every command: one ``Error:`` line naming the file (and the
record, line and position where they mean something), exit code 2, and nothing left in the output
folder: no run folder, no output file, no temporary file."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest
from rel_helpers import BENCH_FAST, fasta_text, random_dna, tree, unreadable

GOOD = random_dna(24, 60, seed=3)
COMMANDS = ("train", "embed", "augment", "benchmark")


def _garbage(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    return path


def _text(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _truncated_gzip(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(gzip.compress(text.encode())[:-40])
    return path


def _table(rows: list[tuple[str, ...]], header: str = "sequence,label", sep: str = ",") -> str:
    return header + "\n" + "".join(sep.join(r) + "\n" for r in rows)


GOOD_TABLE = _table([(s, str(i % 2)) for i, s in enumerate(GOOD)])
GOOD_FASTA = fasta_text(GOOD)

# case -> (writer: folder -> (inputs, extra options), pattern of the one error line, commands)
CASES = {
    "binary garbage (.fa)": (lambda d: ([_garbage(d, "garbage.fa")], []),
                             r"garbage\.fa( line 1)?: (not UTF-8 text \(a binary file\?\)|NUL bytes)", COMMANDS),
    "binary garbage (.csv)": (lambda d: ([_garbage(d, "garbage.csv")], []),
                              r"garbage\.csv( line 1)?: (not UTF-8 text \(a binary file\?\)|NUL bytes)", COMMANDS),
    "truncated gzip FASTA": (lambda d: ([_truncated_gzip(d, "cut.fa.gz", GOOD_FASTA)], []),
                             r"cut\.fa\.gz: truncated gzip file", COMMANDS),
    "truncated gzip CSV": (lambda d: ([_truncated_gzip(d, "cut.csv.gz", GOOD_TABLE)], []),
                           r"cut\.csv\.gz: truncated gzip file \(ends after line \d+\)", COMMANDS),
    "UTF-16 FASTA (BOM)": (lambda d: ([_text(d, "u16.fa", GOOD_FASTA, "utf-16")], []),
                           r"u16\.fa: UTF-16 or UTF-32 text; dnaaug reads UTF-8 or ASCII .*iconv", COMMANDS),
    "UTF-16 CSV (BOM)": (lambda d: ([_text(d, "u16.csv", GOOD_TABLE, "utf-16")], []),
                         r"u16\.csv: UTF-16 or UTF-32 text", COMMANDS),
    "UTF-16 CSV (no BOM)": (lambda d: ([_text(d, "u16le.csv", GOOD_TABLE, "utf-16-le")], []),
                            r"u16le\.csv line 1: NUL bytes: a binary file, or UTF-16 text", COMMANDS),
    "digit in a wrapped sequence": (
        lambda d: ([_text(d, "digits.fa", ">r0 label=0\nACGTACGTAC\n>r1 label=1\nACGTACGTAC\nACG7T\n")], []),
        r"digits\.fa line 5, record 'r1', position 14: character '7' is not DNA", COMMANDS),
    "space inside a sequence line": (
        lambda d: ([_text(d, "spaces.fa", ">r0 label=0\nACGT ACGTAC\n>r1 label=1\nACGTACGTAC\n")], []),
        r"spaces\.fa line 2, record 'r0', position 5: character ' ' is not DNA", COMMANDS),
    "digit in a CSV sequence": (lambda d: ([_text(d, "digits.csv", _table([("ACGTAC", "0"), ("AC1GTA", "1")]))], []),
                                r"digits\.csv line 3, record 'digits:2', position 3: character '1'", COMMANDS),
    "header-only record": (
        lambda d: ([_text(d, "hdr.fa", ">r0 label=0\nACGTACGTAC\n>r1 label=1\n>r2 label=0\nACGTACGTAC\n")], []),
        r"hdr\.fa line 3: record 'r1' has no sequence", COMMANDS),
    "header-only last record": (lambda d: ([_text(d, "hdr_end.fa", GOOD_FASTA + ">last label=1\n")], []),
                                r"hdr_end\.fa line 49: record 'last' has no sequence", COMMANDS),
    "duplicate FASTA ids": (lambda d: ([_text(d, "dup.fa", GOOD_FASTA + ">r1 label=1\nACGTACGT\n")], []),
                            r"dup\.fa line 49: duplicate record id 'r1' \(first at line 3\)", COMMANDS),
    "duplicate CSV ids": (
        lambda d: ([_text(d, "dup.csv", _table([("a", "ACGTAC", "0"), ("b", "ACGTAA", "1"), ("a", "ACCC", "0")],
                                               header="id,sequence,label"))], []),
        r"dup\.csv line 4 \(row 3\): duplicate id 'a'", COMMANDS),
    "duplicate ids across two files": (
        lambda d: ([_text(d, "a.fa", GOOD_FASTA), _text(d, "b.fa", GOOD_FASTA)], []),
        r"b\.fa: record id 'r0' also occurs in .*a\.fa; ids must be unique", ("train", "embed")),
    "empty CSV": (lambda d: ([_text(d, "empty.csv", "")], []), r"empty\.csv: empty file", COMMANDS),
    "header-only CSV": (lambda d: ([_text(d, "hdr.csv", "sequence,label\n")], []),
                        r"hdr\.csv: no data rows \(only a header\)", COMMANDS),
    "CSV with the wrong delimiter": (
        lambda d: ([_text(d, "semi.csv", _table([(s, "0") for s in GOOD], "sequence;label", ";"))], []),
        r"semi\.csv: no sequence column .*columns seen: 'sequence;label' .*wrong delimiter", COMMANDS),
    "CSV row with a stray carriage return": (
        lambda d: ([_text(d, "cr.csv", "sequence,label\nACGTAC,0\nAC\rGT,1\n")], []),
        r"cr\.csv line 3: malformed CSV/TSV row", COMMANDS),
    "CSV row with too few fields": (lambda d: ([_text(d, "short_row.csv", "sequence,label\nACGTAC,0\nACGTAA\n")], []),
                                    r"short_row\.csv line 3: 1 field\(s\), expected 2", COMMANDS),
    "empty FASTA": (lambda d: ([_text(d, "empty.fa", "")], []), r"empty\.fa: empty file \(no FASTA records\)",
                    COMMANDS),
    "BED chromosome absent from the genome": (
        lambda d: ([_text(d, "r.bed", "chr1\t0\t50\tok\nchrX\t0\t50\tbad\n")],
                   ["--genome", _text(d, "genome.fa", ">chr1\n" + "ACGT" * 50 + "\n")]),
        r"r\.bed line 2: chromosome 'chrX' is not in genome .*genome\.fa \(it has: chr1\)", ("train", "embed")),
}


def _invoke_args(command: str, inputs: list[Path], extra: list, out: Path, config: Path, model: Path) -> list:
    if command == "train":
        return ["train", *inputs, "--out", out / "run", "--config", config, *extra]
    if command == "embed":
        return ["embed", model, *inputs, "-o", out / "emb.npy", *extra]
    if command == "augment":
        return ["augment", *inputs, "--augment", "rc", "-o", out / "views.fa", *extra]
    return ["benchmark", "--dataset", inputs[0], "--config", config, *BENCH_FAST, "--out", out / "bench"]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_exit_2_and_leaves_nothing(case, tmp_path, dnaaug_cli, tiny_config_file,
                                                         trained_run):
    write, pattern, commands = CASES[case]
    inputs_dir, out = tmp_path / "in", tmp_path / "out"
    inputs_dir.mkdir()
    out.mkdir()
    inputs, extra = write(inputs_dir)
    for command in commands:
        line = dnaaug_cli.fails(*_invoke_args(command, inputs, extra, out, tiny_config_file, trained_run),
                                match=pattern)
        assert str(inputs_dir) in line, f"{command}: the message does not name the file: {line}"
        assert tree(out) == set(), f"{command} left {tree(out)} behind"


def test_unreadable_file(tmp_path, dnaaug_cli, tiny_config_file, trained_run):
    path = tmp_path / "secret.fa"
    path.write_text(GOOD_FASTA)
    unreadable(path)
    out = tmp_path / "out"
    out.mkdir()
    for command in COMMANDS:
        dnaaug_cli.fails(*_invoke_args(command, [path], [], out, tiny_config_file, trained_run),
                         match=r"secret\.fa.*(is not readable|permission denied)")
        assert tree(out) == set()


def test_label_in_test_never_seen_in_train(tmp_path, dnaaug_cli, tiny_config_file):
    gue = tmp_path / "gue_task"
    gue.mkdir()
    (gue / "train.csv").write_text(_table([(s, str(i % 2)) for i, s in enumerate(GOOD)]))
    (gue / "test.csv").write_text(_table([(s, str(i % 3)) for i, s in enumerate(GOOD[:9])]))
    out = tmp_path / "bench"
    dnaaug_cli.fails("benchmark", "--dataset", gue, "--config", tiny_config_file, *BENCH_FAST, "--out", out,
                     match=r"dataset 'gue_task' \(.*gue_task\): test split has label\(s\) '2' not seen in train "
                           r"\(train classes: 0, 1\)")
    assert not out.exists()


def test_missing_dataset_and_input_files(tmp_path, dnaaug_cli, tiny_config_file):
    missing = tmp_path / "nope.fa"
    dnaaug_cli.fails("train", missing, "--out", tmp_path / "run", match=r"nope\.fa' does not exist")
    dnaaug_cli.fails("benchmark", "--dataset", missing, *BENCH_FAST, "--out", tmp_path / "b",
                     match=r"unknown dataset '.*nope\.fa': not a file or folder")
    assert not (tmp_path / "run").exists() and not (tmp_path / "b").exists()


def test_messages_do_not_depend_on_the_command(tmp_path, dnaaug_cli, tiny_config_file, trained_run):
    """The reader's message reaches the user unchanged, whichever command read the file."""
    path = _text(tmp_path, "x.fa", ">r0 label=0\nACGTNNRY\n>r1 label=1\nACGU%T\n")
    out = tmp_path / "out"
    out.mkdir()
    lines = {dnaaug_cli.fails(*_invoke_args(c, [path], [], out, tiny_config_file, trained_run)) for c in COMMANDS}
    assert len(lines) == 1, lines
    assert re.fullmatch(r"Error: .*x\.fa line 4, record 'r1', position 5: character '%' is not DNA "
                        r"\(allowed: ACGT, N, IUPAC codes, any case\)", lines.pop())
