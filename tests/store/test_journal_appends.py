"""Journal commits append to the open segment in place: bytes written follow bytes added."""

from __future__ import annotations

import errno
import json
import os

import pytest
from tinydb import TinyDB
from tinydb.table import Table

from receiver.store.journal import TABLE, Journal


def test_a_commit_writes_only_what_it_adds_and_keeps_the_file_tinydb(tmp_path):
    journal = Journal(tmp_path, segment_size=100)
    journal.append([{"entry": "callback", "id": "first"}])
    path = tmp_path / "000001.json"
    for n in range(20):
        before = path.read_bytes()
        journal.append([{"entry": "callback", "id": f"e{n}", "body": "x" * n}])
        after = path.read_bytes()
        assert after.startswith(before[:-2])  # nothing before the closing braces is rewritten
        assert journal.last_write_bytes == len(after) - len(before) + 2
    with TinyDB(path) as db:
        assert [d["id"] for d in db.table(TABLE)] == ["first"] + [f"e{n}" for n in range(20)]


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_failed_append_puts_the_file_back_and_the_next_one_succeeds(tmp_path, monkeypatch, call):
    journal = Journal(tmp_path, segment_size=100)
    journal.append([{"id": "a"}])
    path = tmp_path / "000001.json"
    before = path.read_bytes()
    real = getattr(os, call)

    def fail(*args):
        if call == "write":
            real(args[0], args[1][:5])  # part of the append reaches the file first
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, call, fail)
    with pytest.raises(OSError):
        journal.append([{"id": "lost"}])
    monkeypatch.setattr(os, call, real)
    assert path.read_bytes() == before and journal.last_seq == 1
    assert journal.append([{"id": "b"}]) == [2]
    assert [d["id"] for d in json.loads(path.read_bytes())[TABLE].values()] == ["a", "b"]


def test_a_segment_that_does_not_end_in_its_braces_is_replaced_once_then_appended(tmp_path):
    path = tmp_path / "000001.json"
    path.write_text('{"journal": {"1": {"id": "a", "seq": 1}}}\n')  # another writer's layout
    journal = Journal.open(tmp_path, segment_size=10, readonly=False, now=0.0, visit=lambda e: None)
    journal.append([{"id": "b"}])
    assert path.read_bytes() == b'{"journal":{"1":{"id":"a","seq":1},"2":{"id":"b","seq":2}}}'
    journal.append([{"id": "c"}])
    assert journal.last_write_bytes == len(b',"3":{"id":"c","seq":3}}}')


async def test_a_reader_opening_during_appends_sees_no_damage(tmp_path, ev):
    import asyncio
    import threading

    from receiver.domain.models import Kind
    from receiver.store.store import Store

    writer = Store.open(tmp_path / "s", segment_size=100_000, clock=lambda: 1.0)
    done = threading.Event()
    seen: list[tuple[int, list[str]]] = []

    def read_until_done() -> None:
        while not done.is_set() or not seen:
            reader = Store.open(tmp_path / "s", readonly=True)
            seen.append((len(list(reader.journal())), reader.warnings))
            reader.close_sync()

    reading = asyncio.create_task(asyncio.to_thread(read_until_done))
    for n in range(300):
        await writer.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{n}"), apply=True)
    done.set()
    await reading
    await writer.close()
    assert all(warnings == [] for _, warnings in seen), [w for _, w in seen if w][:1]
    counts = [n for n, _ in seen]
    assert counts == sorted(counts)  # each reader saw a whole prefix of the journal


def test_appends_after_the_first_go_around_tinydbs_table_copy_and_reads_see_them(
    tmp_path, monkeypatch
):
    journal = Journal(tmp_path, segment_size=100)
    journal.append([{"entry": "callback", "id": "first"}])  # a new file: written through TinyDB

    def copying_insert(*args, **kwargs):
        raise AssertionError("an append copied the whole table through TinyDB's insert")

    monkeypatch.setattr(Table, "insert_multiple", copying_insert)
    assert journal.get(1)["id"] == "first"  # read once, so TinyDB's query cache is warm
    assert journal.append([{"id": "a"}, {"id": "b"}]) == [2, 3]
    assert journal.append([{"id": "c"}]) == [4]
    assert [journal.get(s)["id"] for s in (1, 2, 3, 4)] == ["first", "a", "b", "c"]
    assert [e["id"] for e in journal.iter_entries()] == ["first", "a", "b", "c"]
    with TinyDB(tmp_path / "000001.json") as db:  # the file is still plain TinyDB JSON
        assert [d.doc_id for d in db.table(TABLE)] == [1, 2, 3, 4]
