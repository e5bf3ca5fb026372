"""registry.keys: the line starts and keys of registry.json, read instead of scanning it, and
never trusted when it does not describe the snapshot on disk exactly."""

from __future__ import annotations

import shutil

import pytest

from receiver.domain.models import Kind, ResourceType
from receiver.store.disk import files
from receiver.store.disk.files import read_snapshot, write_snapshot_parts
from receiver.store.disk.key_index import KEYS_NAME, plain_ids
from receiver.store.store import Store

NOW = 1_700_000_000.0
B, N = ResourceType.BRAND, ResourceType.NUMBER


def line(rtype: ResourceType, rid: str, n: int) -> str:
    return f'{{"type":"{rtype.value}","id":"{rid}","badge":"pending","updated_at":{n}.0}}'


KEYS = [(B, "B1"), (N, "14155550101"), (B, "B2"), (N, "14155550102")]
LINES = [line(t, rid, i) for i, (t, rid) in enumerate(KEYS)]


@pytest.fixture
def read_paths(monkeypatch):
    """Which way each read_snapshot found the lines: "index" or "scan"."""
    seen: list[str] = []
    indexed, scanned = files._indexed, files.map_resources

    def via_index(*args):
        found = indexed(*args)
        seen.append("index" if found is not None else "no index")
        return found

    def via_scan(*args):
        seen.append("scan")
        return scanned(*args)

    monkeypatch.setattr(files, "_indexed", via_index)
    monkeypatch.setattr(files, "map_resources", via_scan)
    return seen


def snapshot_view(path):
    snap = read_snapshot(path)
    registry = snap.registry
    return [(k, registry.item_text(k)) for k in registry.keys()]


def test_the_index_gives_what_the_scan_gives(tmp_path, read_paths):
    path = tmp_path / "registry.json"
    write_snapshot_parts(path, 3, LINES, 1.0, keys=KEYS)
    assert (tmp_path / KEYS_NAME).exists()
    by_index = snapshot_view(path)
    (tmp_path / KEYS_NAME).unlink()
    by_scan = snapshot_view(path)
    assert read_paths == ["index", "no index", "scan"]
    assert by_index == by_scan == list(zip(KEYS, LINES, strict=True))


def test_an_index_of_another_snapshot_is_not_used(tmp_path, read_paths):
    path = tmp_path / "registry.json"
    write_snapshot_parts(path, 3, LINES, 1.0, keys=KEYS)
    old = tmp_path / "old.keys"
    shutil.copy(tmp_path / KEYS_NAME, old)
    swapped = [LINES[2], LINES[3], LINES[0], LINES[1]]  # same sizes, other order
    write_snapshot_parts(path, 4, swapped, 1.0, keys=[KEYS[2], KEYS[3], KEYS[0], KEYS[1]])
    shutil.copy(old, tmp_path / KEYS_NAME)  # a stale index beside the new snapshot
    view = snapshot_view(path)
    assert read_paths == ["no index", "scan"]
    assert [k for k, _ in view] == [KEYS[2], KEYS[3], KEYS[0], KEYS[1]]


def test_a_snapshot_written_without_keys_removes_the_old_index(tmp_path, read_paths):
    path = tmp_path / "registry.json"
    write_snapshot_parts(path, 3, LINES, 1.0, keys=KEYS)
    write_snapshot_parts(path, 4, LINES[:2], 1.0)  # no keys given: the old index is stale
    assert [k for k, _ in snapshot_view(path)] == KEYS[:2]
    assert read_paths == ["no index", "scan"]


@pytest.mark.parametrize("cut", [0, 10, 30, 60, -40, -1])
def test_a_torn_index_is_not_used(tmp_path, read_paths, cut):
    path = tmp_path / "registry.json"
    write_snapshot_parts(path, 3, LINES, 1.0, keys=KEYS)
    index = tmp_path / KEYS_NAME
    index.write_bytes(index.read_bytes()[:cut])
    assert snapshot_view(path) == list(zip(KEYS, LINES, strict=True))
    assert read_paths == ["no index", "scan"]


def test_a_damaged_index_is_not_used_even_where_no_spot_check_looks(tmp_path, read_paths):
    path = tmp_path / "registry.json"
    write_snapshot_parts(path, 3, LINES, 1.0, keys=KEYS)
    index = tmp_path / KEYS_NAME
    raw = index.read_bytes()
    damaged = raw.replace(b"14155550101\n", b"14155550109\n")  # one id, header intact
    assert damaged != raw
    index.write_bytes(damaged)
    assert snapshot_view(path) == list(zip(KEYS, LINES, strict=True))
    assert read_paths == ["no index", "scan"]


def test_ids_that_are_not_their_own_json_text_get_no_index(tmp_path):
    assert plain_ids(KEYS) == "B1\n14155550101\nB2\n14155550102"
    for odd in ('B"1', "B\\1", "Bé", "B\n1", "B\x001"):
        assert plain_ids([(B, odd)]) is None, odd
    path = tmp_path / "registry.json"
    write_snapshot_parts(path, 3, LINES, 1.0, keys=KEYS)
    odd_line = '{"type":"brand","id":"B\\u00e9","badge":"pending","updated_at":2.0}'
    write_snapshot_parts(path, 4, [odd_line], 1.0, keys=[(B, "Bé")])
    assert not (tmp_path / KEYS_NAME).exists()
    assert [r.id for r in read_snapshot(path).registry.all()] == ["Bé"]


async def test_the_store_writes_the_index_with_each_snapshot_and_opens_by_it(
    store_dir, ev, read_paths
):
    store = Store.open(store_dir, clock=lambda: NOW)
    for i in range(5):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{i}"), apply=True)
    await store.close()
    assert (store_dir / KEYS_NAME).exists()
    read_paths.clear()
    reader = Store.open(store_dir, readonly=True)
    try:
        assert read_paths == ["index"]
        assert [r.id for r in reader.registry.all()] == [f"B{i}" for i in range(5)]
        assert reader.registry.get(B, "B3").badge.value == "pending"
    finally:
        reader.close_sync()
