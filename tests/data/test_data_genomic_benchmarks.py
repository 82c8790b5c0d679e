"""Genomic Benchmarks: local layout, cache, fake downloads, manifest checks. No network."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from fixtures import fake_gb_manifest, write_gb_folder

from dnaaug.data.dataset import load_dataset
from dnaaug.data.genomic_benchmarks import GB_CACHE_ENV, load_genomic_benchmark, read_gb_folder
from dnaaug.errors import DatasetError, DownloadError, InvalidSequence

COUNTS = {"train": {"positive": 3, "negative": 2}, "test": {"positive": 1, "negative": 2}}
# the packaged manifest's real shape: 484/484 train, 121/121 test
MOUSE = "dummy_mouse_enhancers_ensembl"
MOUSE_COUNTS = {"train": {"negative": 484, "positive": 484}, "test": {"negative": 121, "positive": 121}}


def test_read_folder_layout(tmp_path):
    folder = write_gb_folder(tmp_path, "toy", COUNTS)
    ds = read_gb_folder(folder, manifest=fake_gb_manifest("toy", COUNTS))
    assert ds.classes == ["negative", "positive"]
    assert ds.ids("train") == ["negative/0", "negative/1", "positive/0", "positive/1", "positive/2"]
    np.testing.assert_array_equal(ds.labels("train"), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(ds.labels("test"), [0, 0, 1])
    assert ds.sequences("test")[2] == (folder / "test" / "positive" / "0.txt").read_text()
    assert "checked against manifest toy" in ds.notes[0]


def test_files_sorted_numerically(tmp_path):
    folder = write_gb_folder(tmp_path, "toy", {"train": {"a": 11}, "test": {"a": 1}})
    ds = read_gb_folder(folder, check=False)
    assert ds.ids("train")[:3] == ["a/0", "a/1", "a/2"] and ds.ids("train")[-1] == "a/10"


def test_cached_copy_is_used_without_download(tmp_path):
    write_gb_folder(tmp_path, "toy", COUNTS)

    def no_download(*args, **kwargs):
        raise AssertionError("must not download a cached dataset")

    ds = load_genomic_benchmark("toy", cache_dir=tmp_path, download_fn=no_download,
                                manifest=fake_gb_manifest("toy", COUNTS))
    assert sum(len(r) for r in ds.splits.values()) == 8


def test_fake_download_writes_fixture(tmp_path):
    calls = []

    def fake_download(name, version, dest_path):
        calls.append((name, version, dest_path))
        return write_gb_folder(dest_path, name, COUNTS)

    cache = tmp_path / "cache"
    manifest = fake_gb_manifest("toy", COUNTS)
    ds = load_genomic_benchmark("toy", cache_dir=cache, download_fn=fake_download, manifest=manifest)
    assert calls == [("toy", 0, str(cache))]
    assert ds.class_counts("train") == {"negative": 2, "positive": 3}
    load_genomic_benchmark("toy", cache_dir=cache, download_fn=fake_download, manifest=manifest)
    assert len(calls) == 1  # second load is served from the cache


def test_packaged_manifest_by_name_with_env_cache(tmp_path, monkeypatch):
    write_gb_folder(tmp_path, MOUSE, MOUSE_COUNTS, length=4)
    monkeypatch.setenv(GB_CACHE_ENV, str(tmp_path))
    ds = load_dataset(MOUSE)
    assert ds.name == MOUSE and ds.classes == ["negative", "positive"]
    assert {s: len(r) for s, r in ds.splits.items()} == {"train": 968, "test": 242}
    assert "checked against manifest" in ds.notes[0]


LOCAL_COPY = (f"to use a local copy, give --gb-cache DIR or set DNAAUG_GB_CACHE=DIR (DIR holding {MOUSE}/train "
              f"and {MOUSE}/test), or pass the dataset folder path itself")


def _requests_offline(name, version, dest_path):
    """What ``genomic_benchmarks`` raises without a network: requests' ConnectionError on its first
    fetch (the dataset's metadata.yaml), chained from urllib3's resolution failure."""
    import requests

    try:
        raise OSError("[Errno -3] Temporary failure in name resolution")
    except OSError as dns:
        raise requests.exceptions.ConnectionError(
            "HTTPConnectionPool(host='raw.githubusercontent.com', port=80): Max retries exceeded\nwith url: "
            f"/ML-Bioinfo-CEITEC/genomic_benchmarks/main/datasets/{name}/metadata.yaml " + "x" * 300) from dns


def _urllib_offline(name, version, dest_path):
    import urllib.error

    raise urllib.error.URLError("[Errno -2] Name or service not known")


def _socket_offline(name, version, dest_path):
    import socket

    raise socket.gaierror(-3, "Temporary failure in name resolution")


@pytest.mark.parametrize("offline", [_requests_offline, _urllib_offline, _socket_offline])
def test_offline_download_error_names_the_local_copy_options(tmp_path, offline):
    with pytest.raises(DownloadError) as err:
        load_dataset(MOUSE, gb_cache=tmp_path, download_fn=offline)
    message = str(err.value)
    assert "\n" not in message and len(message) < 600
    # the way out comes before the (long, truncated) third-party detail
    assert message.startswith(f"could not download Genomic Benchmarks dataset '{MOUSE}' into {tmp_path} "
                              f"(no network?); {LOCAL_COPY} [")
    assert message.endswith("]")
    assert err.value.exit_code == 2


def test_other_download_failures_name_the_local_copy_options_too(tmp_path):
    def broken(name, version, dest_path):
        raise ValueError("Some regions not found in the reference")

    def exits(name, version, dest_path):
        raise SystemExit(1)  # a third-party script-style exit must not end dnaaug without a message

    for fn, detail in ((broken, "ValueError: Some regions not found"), (exits, "SystemExit: 1")):
        with pytest.raises(DownloadError) as err:
            load_genomic_benchmark(MOUSE, cache_dir=tmp_path, download_fn=fn)
        assert f"(the download failed); {LOCAL_COPY} [{detail}" in str(err.value)


def test_incomplete_cached_copy_names_the_local_copy_options(tmp_path):
    write_gb_folder(tmp_path, MOUSE, {"train": {"negative": 5, "positive": 5}, "test": {"negative": 2, "positive": 2}},
                    length=4)
    with pytest.raises(DatasetError) as err:
        load_genomic_benchmark(MOUSE, cache_dir=tmp_path, download_fn=_requests_offline)
    assert "is incomplete" in str(err.value) and "--gb-cache DIR" in str(err.value)
    assert "DNAAUG_GB_CACHE=DIR" in str(err.value)


def test_download_that_leaves_nothing(tmp_path):
    with pytest.raises(DownloadError, match="left no dataset folder"):
        load_genomic_benchmark(MOUSE, cache_dir=tmp_path, download_fn=lambda *a, **k: None)


def test_no_download_allowed(tmp_path):
    with pytest.raises(DatasetError, match=f"'{MOUSE}' is not in {tmp_path}"):
        load_genomic_benchmark(MOUSE, cache_dir=tmp_path, download=False)


def test_manifest_count_mismatch(tmp_path):
    folder = write_gb_folder(tmp_path, "toy", COUNTS)
    (folder / "test" / "negative" / "1.txt").unlink()
    with pytest.raises(DatasetError) as err:
        read_gb_folder(folder, manifest=fake_gb_manifest("toy", COUNTS))
    assert str(err.value).startswith("toy: split 'test' class 'negative': expected 2 sequences, found 1; "
                                     f"the copy at {folder} is incomplete")


def test_manifest_class_mismatch(tmp_path):
    folder = write_gb_folder(tmp_path, "toy", {"train": {"a": 1, "b": 1}, "test": {"a": 1, "b": 1}})
    with pytest.raises(DatasetError, match="toy: expected classes negative, positive, found a, b"):
        read_gb_folder(folder, manifest=fake_gb_manifest("toy", COUNTS))


def test_truncated_real_dataset_is_an_error(tmp_path):
    folder = write_gb_folder(tmp_path, MOUSE, {"train": {"negative": 5, "positive": 5},
                                               "test": {"negative": 2, "positive": 2}}, length=4)
    with pytest.raises(DatasetError, match="split 'train' class 'negative': expected 484 sequences, found 5"):
        load_dataset(str(folder))


def test_unknown_gb_name(tmp_path):
    with pytest.raises(DatasetError, match="unknown Genomic Benchmarks dataset 'nope'; known: demo_coding"):
        load_genomic_benchmark("nope", cache_dir=tmp_path)


def test_empty_and_bad_sequence_files(tmp_path):
    folder = write_gb_folder(tmp_path, "toy", COUNTS)
    (folder / "train" / "negative" / "0.txt").write_text("ACGU!")
    with pytest.raises(InvalidSequence, match=r"0\.txt, record 'negative/0', position 5: character '!'"):
        read_gb_folder(folder, check=False)
    (folder / "train" / "negative" / "0.txt").write_text("\n")
    with pytest.raises(DatasetError, match=r"0\.txt: empty sequence file"):
        read_gb_folder(folder, check=False)


def test_package_not_imported_with_dnaaug():
    code = ("import sys, dnaaug, dnaaug.data, dnaaug.data.dataset, dnaaug.data.genomic_benchmarks; "
            "sys.exit(int('genomic_benchmarks' in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
