"""load_dataset spec resolution, hold-out splits, LabeledDataset, and read_inputs dispatch."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures import write_gb_folder, write_text

from dnaaug.data.dataset import load_dataset, read_inputs, stratified_holdout
from dnaaug.data.labeled import sort_classes
from dnaaug.data.records import Record
from dnaaug.errors import DatasetError, InputError


def _gue(folder, dev=True):
    write_text(folder / "train.csv", "sequence,label\nAAAA,0\nCCCC,1\nGGGG,1\nTTTT,0\n")
    write_text(folder / "test.csv", "sequence,label\nACAC,1\nGTGT,0\n")
    if dev:
        write_text(folder / "dev.csv", "sequence,label\nAGAG,0\n")
    return folder


def test_gue_folder(tmp_path):
    ds = load_dataset(_gue(tmp_path / "task"))
    assert ds.name == "task" and list(ds.splits) == ["train", "dev", "test"]
    assert ds.classes == ["0", "1"]
    np.testing.assert_array_equal(ds.labels("train"), [0, 1, 1, 0])
    assert ds.labels("train").dtype == np.int64
    assert ds.sequences("test") == ["ACAC", "GTGT"]
    assert ds.ids("dev") == ["dev:1"]
    assert ds.class_counts("test") == {"0": 1, "1": 1}


def test_gue_folder_without_dev_and_known_task_name_note(tmp_path):
    ds = load_dataset(_gue(tmp_path / "mouse_0", dev=False))
    assert list(ds.splits) == ["train", "test"]
    assert any("differ from the published GUE task mouse_0" in n for n in ds.notes)


def test_numeric_classes_sort_numerically():
    assert sort_classes(["10", "2", "0", "1"]) == ["0", "1", "2", "10"]
    assert sort_classes(["pos", "neg", "10"]) == ["10", "neg", "pos"]


def test_test_label_unseen_in_train(tmp_path):
    folder = _gue(tmp_path / "t", dev=False)
    write_text(folder / "test.csv", "sequence,label\nACAC,1\nGTGT,2\n")
    with pytest.raises(DatasetError,
                       match=r"test split has label\(s\) '2' not seen in train \(train classes: 0, 1\)"):
        load_dataset(folder)


def test_single_tsv_holdout_is_stratified_and_seeded(tmp_path):
    rows = "".join(f"{'ACGT'[i % 4] * 5}\t{i % 2}\n" for i in range(50))
    path = write_text(tmp_path / "data.tsv", "seq\tlabel\n" + rows)
    ds = load_dataset(path, seed=1)
    assert ds.class_counts("train") == {"0": 20, "1": 20} and ds.class_counts("test") == {"0": 5, "1": 5}
    assert "held out 20% per class as test (seed 1): 40 train / 10 test" in ds.notes[0]
    assert load_dataset(path, seed=1).ids("test") == ds.ids("test")
    assert load_dataset(path, seed=2).ids("test") != ds.ids("test")
    assert sorted(ds.ids("train") + ds.ids("test")) == sorted(f"data:{i}" for i in range(1, 51))


def test_holdout_small_classes():
    records = [Record("a", "A", "x"), Record("b", "C", "y"), Record("c", "G", "y")]
    train, test = stratified_holdout(records, seed=0)
    assert [r.id for r in train if r.label == "x"] == ["a"]  # singleton stays in train
    assert len([r for r in test if r.label == "y"]) == 1


def test_single_csv_without_label_column(tmp_path):
    path = write_text(tmp_path / "u.csv", "sequence\nACGT\n")
    with pytest.raises(DatasetError, match="no label column 'label'"):
        load_dataset(path)


def test_fasta_split_folder(tmp_path):
    write_text(tmp_path / "f" / "train.fa", ">a label=neg\nAC\n>b label=pos\nGT\n")
    write_text(tmp_path / "f" / "test.fa.gz", ">c label=pos\nTT\n", gz=True)
    ds = load_dataset(tmp_path / "f")
    assert ds.classes == ["neg", "pos"] and ds.ids("test") == ["c"]


def test_single_fasta_with_labels(tmp_path):
    text = "".join(f">s{i} label={'ab'[i % 2]}\nACGT\n" for i in range(10))
    ds = load_dataset(write_text(tmp_path / "one.fasta", text))
    assert len(ds.splits["test"]) == 2 and ds.name == "one"


def test_gb_layout_folder_by_path(tmp_path):
    folder = write_gb_folder(tmp_path, "mine", {"train": {"b": 2, "a": 1}, "test": {"a": 1, "b": 1}})
    ds = load_dataset(folder)
    assert ds.classes == ["a", "b"] and "no manifest for 'mine'" in ds.notes[0]


def test_unrecognised_folder(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(DatasetError, match="not a dataset folder; expected a GUE-style folder"):
        load_dataset(tmp_path / "x")


def test_unknown_name_lists_known():
    with pytest.raises(DatasetError) as err:
        load_dataset("no_such_dataset")
    message = str(err.value)
    assert message.startswith("unknown dataset 'no_such_dataset': not a file or folder")
    assert "demo, demo_coding_vs_intergenomic_seqs" in message and "human_nontata_promoters" in message
    assert err.value.exit_code == 2


def test_gue_name_asks_for_folder():
    with pytest.raises(DatasetError, match="GUE dataset 'mouse_0' is not downloaded by dnaaug"):
        load_dataset("mouse_0")


def test_demo_builtin():
    ds = load_dataset("demo")
    assert ds.name == "demo" and ds.class_counts("train") == {"negative": 1000, "positive": 1000}
    assert len(ds.sequences("test")) == 500 and {len(s) for s in ds.sequences("test")} == {200}


def test_unknown_split():
    ds = load_dataset("demo")
    with pytest.raises(DatasetError, match="has no split 'dev' \\(it has: train, test\\)"):
        ds.labels("dev")


@pytest.fixture
def inputs(tmp_path):
    write_text(tmp_path / "a.fa", ">a1 label=x\nACGT\n>a2 label=y\nGG\n")
    write_text(tmp_path / "b.tsv", "id\tseq\tlabel\nb1\tTTT\tz\n")
    write_text(tmp_path / "g.fa", ">chr1\nAACCGGTT\n")
    write_text(tmp_path / "r.bed", "chr1\t2\t6\tr1\t0\t-\n")
    write_text(tmp_path / "noext", ">n1\nCC\n")
    return tmp_path


def test_read_inputs_dispatch(inputs):
    got = list(read_inputs([inputs / "a.fa", inputs / "b.tsv", inputs / "r.bed", inputs / "noext"],
                           genome=inputs / "g.fa"))
    assert got == [Record("a1", "ACGT"), Record("a2", "GG"), Record("b1", "TTT", "z"),
                   Record("r1", "CCGG"), Record("n1", "CC")]


def test_read_inputs_label_from_and_single_path(inputs):
    assert [r.label for r in read_inputs(inputs / "a.fa", label_from="label")] == ["x", "y"]


def test_read_inputs_classes_mapping(inputs):
    got = list(read_inputs(classes={"pos": inputs / "a.fa", "neg": inputs / "b.tsv"}))
    assert [(r.id, r.label) for r in got] == [("a1", "pos"), ("a2", "pos"), ("b1", "neg")]


def test_read_inputs_errors(inputs):
    with pytest.raises(InputError, match="BED input needs a genome"):
        list(read_inputs([inputs / "r.bed"]))
    with pytest.raises(DatasetError, match="record id 'a1' also occurs in"):
        list(read_inputs([inputs / "a.fa", inputs / "a.fa"]))
    with pytest.raises(InputError, match="not both"):
        list(read_inputs(classes={"p": inputs / "a.fa"}, label_from="label"))
    with pytest.raises(InputError, match="no input files"):
        list(read_inputs([]))
    write_text(inputs / "weird.dat", "hello\n")
    with pytest.raises(DatasetError, match="cannot tell the format"):
        list(read_inputs([inputs / "weird.dat"]))
