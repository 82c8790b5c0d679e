"""BED + genome reader: golden intervals on both strands, and exact errors."""

from __future__ import annotations

import os

import pytest
from fixtures import write_text

from dnaaug.data import bed as bed_module
from dnaaug.data.bed import read_bed
from dnaaug.data.records import Record
from dnaaug.errors import DatasetError

CHR1 = "AACCGGTTACgtacGTNNACGTRYAC"   # 26 bp, soft-masked and IUPAC letters kept
CHR2 = "GATTACA"


@pytest.fixture
def genome(tmp_path):
    wrapped = "\n".join(CHR1[i:i + 10] for i in range(0, len(CHR1), 10))
    return write_text(tmp_path / "genome" / "g.fa", f">chr1 description\n{wrapped}\n>chr2\n{CHR2}\n")


def test_both_strands_golden(tmp_path, genome):
    bed = write_text(tmp_path / "r.bed",
                     "track name=x\n# comment\nchr1\t0\t6\tp1\t0\t+\nchr1\t8\t14\tm1\t0\t-\n"
                     "chr2\t1\t5\nchr1\t20\t26\t.\t0\t.\n")
    records = list(read_bed(bed, genome))
    assert records == [
        Record("p1", "AACCGG"),
        Record("m1", "gtacGT"),          # chr1[8:14] = "ACgtac", reverse-complemented
        Record("chr2:1-5(+)", "ATTA"),
        Record("chr1:20-26(.)", "GTRYAC"),
    ]
    assert (genome.parent / "g.fa.fai").exists()


def test_minus_strand_iupac_and_label_column(tmp_path, genome):
    bed = write_text(tmp_path / "r.bed", "chr1\t18\t24\tx\tenh\t-\nchr1\t18\t24\tx\tbg\t+\n")
    records = list(read_bed(bed, genome, label_column=5))
    assert records == [Record("x", "RYACGT", "enh"), Record("x|chr1:18-24(+)", "ACGTRY", "bg")]


def test_interval_past_chromosome_end(tmp_path, genome):
    bed = write_text(tmp_path / "r.bed", "chr1\t0\t5\nchr2\t3\t8\n")
    with pytest.raises(DatasetError, match=r"r\.bed line 2: interval chr2:3-8 runs past the end of chr2 "
                                           r"\(length 7\)") as err:
        list(read_bed(bed, genome))
    assert err.value.exit_code == 2


def test_unknown_chromosome(tmp_path, genome):
    bed = write_text(tmp_path / "r.bed", "chrX\t0\t5\n")
    with pytest.raises(DatasetError, match=r"r\.bed line 1: chromosome 'chrX' is not in genome .*"
                                           r"\(it has: chr1, chr2\)"):
        list(read_bed(bed, genome))


@pytest.mark.parametrize("line, message", [
    ("chr1\t5", "expected at least 3 columns"),
    ("chr1\tfive\t8", "start 'five' is not an integer"),
    ("chr1\t5\t5", "start 5 is not before end 5"),
    ("chr1\t1\t5\tn\t0\tx", "strand 'x' is not"),
])
def test_malformed_lines(tmp_path, genome, line, message):
    bed = write_text(tmp_path / "r.bed", f"chr1\t0\t2\n{line}\n")
    with pytest.raises(DatasetError, match=rf"r\.bed line 2: {message}"):
        list(read_bed(bed, genome))


def test_empty_bed(tmp_path, genome):
    bed = write_text(tmp_path / "r.bed", "# nothing\n")
    with pytest.raises(DatasetError, match="empty BED file"):
        list(read_bed(bed, genome))


def test_unwritable_genome_folder_without_index(tmp_path, genome, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(bed_module.os, "access", lambda p, mode: mode != os.W_OK and real_access(p, mode))
    bed = write_text(tmp_path / "r.bed", "chr1\t0\t5\n")
    with pytest.raises(DatasetError, match=r"no index g\.fa\.fai and the folder is not writable"):
        list(read_bed(bed, genome))
