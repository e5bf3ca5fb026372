"""The store directory: one writer (flock), readonly readers, damaged files moved aside with warnings."""

from __future__ import annotations

import os

import pytest

from receiver.domain.models import Badge, Kind, ResourceType
from receiver.store.store import Store, StoreError, StoreLockedError

STAMP = "20231114T221320Z"  # conftest NOW in UTC


async def _fill(store: Store, ev, n: int) -> None:
    for i in range(n):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{i}"), apply=True)


def test_a_second_writer_is_refused_with_the_holders_pid(open_store, store_dir):
    open_store()
    with pytest.raises(StoreLockedError) as err:
        Store.open(store_dir)
    assert str(err.value) == (
        f"{store_dir} is in use by another tendlc process (pid {os.getpid()}); "
        "stop it or pass --db DIR"
    )


async def test_the_lock_is_released_on_close(open_store, store_dir):
    store = open_store()
    await store.close()
    open_store()  # no StoreLockedError


async def test_readonly_opens_while_a_writer_holds_the_lock_and_never_writes(
    open_store, store_dir, ev
):
    writer = open_store()
    await _fill(writer, ev, 2)
    files_before = sorted(p.name for p in store_dir.rglob("*"))
    reader = open_store(readonly=True)
    assert [e.id for e in reader.journal()] == ["ev000001", "ev000002"]
    assert reader.registry.get(ResourceType.BRAND, "B1").badge == Badge.PENDING
    with pytest.raises(StoreError, match="read-only"):
        await reader.record_callback(ev(Kind.BRAND, "created", brand_id="B9"), apply=True)
    await reader.flush()
    reader.close_sync()
    assert sorted(p.name for p in store_dir.rglob("*")) == files_before
    await writer.record_callback(
        ev(Kind.BRAND, "created", brand_id="B9"), apply=True
    )  # still the writer


def test_readonly_of_a_missing_store_is_empty_and_creates_nothing(tmp_path):
    store = Store.open(tmp_path / "absent", readonly=True)
    assert list(store.journal()) == [] and store.registry.all() == [] and store.warnings == []
    store.close_sync()
    assert not (tmp_path / "absent").exists()


def test_a_file_where_the_directory_should_be_is_an_error(tmp_path):
    (tmp_path / "db").write_text("x")
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        Store.open(tmp_path / "db")


async def test_a_damaged_segment_is_moved_aside_and_the_rest_is_kept(open_store, store_dir, ev):
    store = open_store(segment_size=2)
    await _fill(store, ev, 5)
    expected = store.registry.to_dict()
    await store.close()
    damaged = store_dir / "journal" / "000002.json"
    original = b'{"journal": {"3": {"entry": "callback", "id": "ev0'
    damaged.write_bytes(original)

    store = open_store(segment_size=2)
    moved = store_dir / "journal" / f"000002.json.damaged-{STAMP}"
    assert not damaged.exists() and moved.read_bytes() == original
    assert len(store.warnings) == 1
    assert "journal/000002.json was damaged (not valid JSON" in store.warnings[0]
    assert f"moved to journal/000002.json.damaged-{STAMP}" in store.warnings[0]
    assert "missing from the event log" in store.warnings[0]
    assert [e.id for e in store.journal()] == ["ev000001", "ev000002", "ev000005"]
    assert store.registry.to_dict() == expected  # the snapshot still knows B2 and B3
    change = await store.record_callback(
        ev(Kind.BRAND, "created", brand_id="B9", id="new"), apply=True
    )
    assert change.event.seq == 6


def test_readonly_reports_a_damaged_segment_without_moving_it(open_store, store_dir):
    (store_dir / "journal").mkdir(parents=True)
    (store_dir / "journal" / "000001.json").write_text("[1, 2]")
    store = open_store(readonly=True)
    assert (store_dir / "journal" / "000001.json").exists()
    assert "is damaged (not a TinyDB document" in store.warnings[0]
    assert "move it aside" in store.warnings[0]


async def test_a_damaged_snapshot_is_moved_aside_and_rebuilt_from_the_journal(
    open_store, store_dir, ev, rq
):
    store = open_store()
    await store.record_request(rq("brand.create", brand_id="B1", params={"brand_alias": "Acme"}))
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    expected = store.registry.to_dict()
    await store.close()
    (store_dir / "registry.json").write_text('{"snapshot": {"1": {"seq": "x"}}}')

    store = open_store()
    assert (store_dir / f"registry.json.damaged-{STAMP}").exists()
    assert store.warnings == [
        "registry.json was damaged (snapshot document lacks a journal position or registry) and "
        f"was moved to registry.json.damaged-{STAMP}; the registry was rebuilt from the journal "
        "(nothing is lost unless journal segments are missing too)."
    ]
    assert store.registry.to_dict() == expected
    assert store.stats.replayed == 2 and (store_dir / "registry.json").exists()


async def test_a_snapshot_ahead_of_the_journal_keeps_positions_unique(open_store, store_dir, ev):
    store = open_store(segment_size=2)
    await _fill(store, ev, 3)
    await store.close()
    (store_dir / "journal" / "000002.json").unlink()  # the segment holding seq 3 is gone
    store = open_store(segment_size=2)
    change = await store.record_callback(
        ev(Kind.BRAND, "created", brand_id="B9", id="new"), apply=True
    )
    assert change.event.seq == 4  # not 3: the snapshot already covers 3
    assert store.registry.get(ResourceType.BRAND, "B2") is not None


async def test_an_interrupted_write_leaves_only_a_temp_file_which_is_cleaned(
    open_store, store_dir, ev
):
    store = open_store()
    await _fill(store, ev, 1)
    await store.close()
    (store_dir / "journal" / "000001.json.tmp").write_text('{"journal": {"2"')
    store = open_store()
    assert not (store_dir / "journal" / "000001.json.tmp").exists()
    assert store.warnings == [] and [e.id for e in store.journal()] == ["ev000001"]
