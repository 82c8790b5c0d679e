"""The compact id index used for duplicate-id checks."""

from dnaaug.data.idindex import IdIndex


def test_setdefault_matches_dict_across_growth():
    index, ref = IdIndex(4), {}
    for i in range(5000):
        key = f"id{i % 3000}"
        assert index.setdefault(key, i) == ref.setdefault(key, i)
    assert len(index) == len(ref) == 3000


def test_memory_is_compact():
    index = IdIndex()
    for i in range(100_000):
        index.setdefault(f"read_{i}", i)
    assert index._keys.nbytes + index._values.nbytes <= 100_000 * 32
