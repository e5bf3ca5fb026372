"""Group commit, write failures and recovery, change notifications, threadsafe requests."""

from __future__ import annotations

import asyncio
import errno
import json
import threading

import pytest

from receiver.domain.models import Cause, Kind, ResourceType
from receiver.store import nonces
from receiver.store.disk.atomicdb import atomic_write
from receiver.store.store import StoreError, StoreWriteError


class GatedWriter:
    """A write_file hook: can block a write until released, or fail the next writes."""

    def __init__(self) -> None:
        self.writes = 0
        self.fail_with: OSError | None = None
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def __call__(self, path, data: bytes) -> None:
        self.writes += 1
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail_with is not None and path.parent.name == "journal":
            raise self.fail_with
        atomic_write(path, data)


async def test_concurrent_callbacks_share_commits(open_store, ev):
    store = open_store()
    events = [ev(Kind.BRAND, "created", brand_id=f"B{n}") for n in range(50)]
    changes = await asyncio.gather(*(store.record_callback(e, apply=True) for e in events))
    assert sorted(c.event.seq for c in changes) == list(range(1, 51))
    assert store.stats.entries == 50
    assert store.stats.commits < 50
    await store.close()
    assert len(list(open_store(readonly=True).journal())) == 50


async def test_callbacks_arriving_during_a_commit_go_in_the_next_batch(open_store, ev):
    writer = GatedWriter()
    store = open_store(write_file=writer)
    writer.gate = threading.Event()
    first = asyncio.ensure_future(
        store.record_callback(ev(Kind.BRAND, "created", brand_id="B0"), apply=True)
    )
    assert await asyncio.to_thread(writer.entered.wait, 10)  # commit 1 is on the writer thread
    later = [
        asyncio.ensure_future(
            store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{n}"), apply=True)
        )
        for n in range(1, 6)
    ]
    await asyncio.sleep(0)
    assert not first.done() and not any(f.done() for f in later)  # nobody is acked before the fsync
    writer.gate.set()
    await asyncio.gather(first, *later)
    assert store.stats.commits == 2 and store.stats.entries == 6


async def test_a_failed_write_refuses_the_whole_batch_then_recovers(open_store, store_dir, ev):
    writer = GatedWriter()
    store = open_store(write_file=writer)
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B0"), apply=True)
    writer.fail_with = OSError(errno.ENOSPC, "No space left on device")
    seen = []
    store.subscribe(seen.append)
    results = await asyncio.gather(
        *(
            store.record_callback(ev(Kind.BRAND, "registered", brand_id=f"B{n}"), apply=True)
            for n in range(3)
        ),
        return_exceptions=True,
    )
    assert all(isinstance(r, StoreWriteError) for r in results)
    assert "No space left on device" in str(results[0]) and "3 entries" in str(results[0])
    assert store.healthy is False and "No space left on device" in store.last_error
    assert store.stats.failed_commits == 1
    # nothing applied or announced but the health change itself
    [notice] = seen
    assert (notice.event, notice.request, notice.resources) == (None, None, ())
    assert notice.message == "store: write failing — " + store.last_error
    assert store.registry.get(ResourceType.BRAND, "B1") is None
    table = json.loads((store_dir / "journal" / "000001.json").read_text())["journal"]
    assert list(table) == ["1"]

    writer.fail_with = None
    change = await store.record_callback(
        ev(Kind.BRAND, "created", brand_id="B9", id="ok"), apply=True
    )
    assert change.event.seq == 2  # the refused entries left no gap and no trace
    assert store.healthy is True and store.last_error is None
    assert [c.message for c in seen[1:]] == ["store: writes recovered", change.message]
    assert seen[2].event.id == "ok"
    table = json.loads((store_dir / "journal" / "000001.json").read_text())["journal"]
    assert [d["id"] for d in table.values()] == ["ev000001", "ok"]
    await store.close()
    assert [e.id for e in open_store(readonly=True).journal()] == ["ev000001", "ok"]


async def test_a_read_only_filesystem_is_reported(open_store, monkeypatch, ev):
    store = open_store()

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("receiver.store.disk.atomicdb.os.replace", refuse)
    with pytest.raises(StoreWriteError, match="Read-only file system"):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    assert not store.healthy
    monkeypatch.undo()
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    assert store.healthy


async def test_subscribers_see_every_recorded_entry_on_the_loop_thread(open_store, ev, rq):
    store = open_store()
    seen: list = []
    threads: set[int] = set()

    def watch(change):
        seen.append(change)
        threads.add(threading.get_ident())

    def broken(change):
        raise RuntimeError("subscriber bug")

    store.subscribe(broken)
    unsubscribe = store.subscribe(watch)
    await store.record_request(rq("brand.create", brand_id="B1"))
    applied = await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    await store.record_callback(
        ev(Kind.BRAND, "rejected", brand_id="B1", verified=False), apply=False
    )
    await store.record_callback(ev(Kind.UNKNOWN, None), apply=True)
    assert [c.cause for c in seen] == [
        Cause.REQUEST,
        Cause.CALLBACK,
        Cause.CALLBACK,
        Cause.CALLBACK,
    ]
    assert seen[1] is applied and applied.message == "brand B1: submitted → registered"
    assert [len(c.resources) for c in seen] == [1, 1, 0, 0]
    assert seen[2].event.id == "ev000002" and seen[2].message == ""
    assert threads == {threading.get_ident()}
    unsubscribe()
    unsubscribe()
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B2"), apply=True)
    assert len(seen) == 4


async def test_change_resources_are_copies_taken_after_the_change(open_store, ev):
    store = open_store()
    change = await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    assert change.resources[0].badge == "pending" and len(change.resources[0].timeline) == 1


async def test_record_request_threadsafe_from_a_worker_thread(open_store, rq):
    store = open_store()
    change = await asyncio.to_thread(
        store.record_request_threadsafe,
        rq("brand.create", brand_id="B1"),
        callback_url="http://cb/",
    )
    assert change.request.seq == 1 and change.resources[0].callback_url == "http://cb/"
    with pytest.raises(StoreError, match="loop thread"):
        store.record_request_threadsafe(rq("brand.create", brand_id="B2"))


def test_record_request_threadsafe_without_a_loop_says_what_to_do(open_store, rq):
    store = open_store()
    with pytest.raises(StoreError, match="no running event loop"):
        store.record_request_threadsafe(rq("brand.create", brand_id="B1"))


async def test_requests_must_be_json_and_closed_stores_refuse(open_store, rq, ev):
    store = open_store()
    with pytest.raises(StoreError, match="cannot be stored"):
        await store.record_request(rq("brand.create", brand_id="B1", params={"x": {1, 2}}))
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)


def test_with_seq_copies_every_field_like_replace():
    from dataclasses import fields, replace

    from receiver.domain.models import CallbackEvent
    from receiver.store.entries import with_seq

    values = {f.name: f"v{i}" for i, f in enumerate(fields(CallbackEvent))}
    event = CallbackEvent(**{**values, "kind": Kind.BRAND})
    assert with_seq(event, 7) == replace(event, seq=7)


async def test_no_ack_waits_for_the_nonce_index_write_and_nonces_are_seen_at_once(
    open_store, ev, monkeypatch
):
    """The indexes' SQLite writes run on the writer thread after the acks: a slow index write
    (random B-tree pages) delays no callback, and `first` sees a nonce from its ack on."""
    monkeypatch.setattr(nonces, "FLUSH_EVERY", 2)
    store = open_store()
    writing, release = threading.Event(), threading.Event()
    real_flush = store.nonces.flush

    def slow_flush() -> None:
        writing.set()
        assert release.wait(10), "the test never released the index write"
        real_flush()

    monkeypatch.setattr(store.nonces, "flush", slow_flush)
    for i in range(3):  # the second reaches FLUSH_EVERY: its index write starts, and blocks
        key = f"nonce-{i}".encode()
        event = ev(Kind.BRAND, "created", brand_id=f"B{i}")
        await asyncio.wait_for(store.record_callback(event, apply=True, nonce_keys=(key,)), 10)
        assert store.nonces.first([key]) == event.id  # a replay from now on is caught
    assert writing.is_set() and not release.is_set()  # the third was acked during the write
    release.set()
    await store.flush()
    assert store.nonces.through_seq >= 2  # written once released


def test_a_new_nonce_index_uses_small_pages_and_an_old_one_keeps_its_own(tmp_path):
    """Nonce keys are hashes and dirty a random page each: a new index file gets SQLite's
    smallest page (fewer bytes written per callback); an existing file keeps its page size."""
    import sqlite3

    from receiver.store.nonces import PAGE_SIZE, NonceIndex

    def page_size(path) -> int:
        with sqlite3.connect(path) as db:
            return db.execute("PRAGMA page_size").fetchone()[0]

    NonceIndex(tmp_path / "nonces.sqlite3").close()
    assert page_size(tmp_path / "nonces.sqlite3") == PAGE_SIZE == 512

    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA page_size=4096")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
    index = NonceIndex(old)
    index.add([([b"k" * 16], "ev1")], 1)
    index.close()
    assert page_size(old) == 4096
    again = NonceIndex(old)
    assert again.first([b"k" * 16]) == "ev1"
    again.close()
