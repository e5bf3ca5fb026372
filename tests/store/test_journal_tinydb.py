"""Journal segments are plain TinyDB files, written through TinyDB with each document encoded once."""

from __future__ import annotations

import json

import pytest
from tinydb import TinyDB

import receiver.store.disk.atomicdb as atomicdb
from receiver.domain.models import Kind
from receiver.store.journal import TABLE, Journal


def _compact(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


async def test_a_segment_written_by_the_store_reads_back_with_plain_tinydb(
    open_store, store_dir, ev, rq
):
    store = open_store(segment_size=3)
    await store.record_request(rq("brand_create", brand_id="B1"))
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    await store.record_callback(ev(Kind.BRAND, "approved", brand_id="B1", id="évé"), apply=True)
    await store.record_callback(ev(Kind.BRAND, "approved", brand_id="B1"), apply=True)
    await store.close()

    first, second = (store_dir / "journal" / name for name in ("000001.json", "000002.json"))
    with TinyDB(first) as db:  # TinyDB's default JSONStorage
        assert db.tables() == {TABLE}
        docs = db.table(TABLE).all()
        assert [d.doc_id for d in docs] == [1, 2, 3]
        assert [(d["seq"], d["entry"], d["id"]) for d in docs] == [
            (1, "request", "rq000001"),
            (2, "callback", "ev000001"),
            (3, "callback", "évé"),
        ]
        assert db.table(TABLE).get(doc_id=2)["status"] == "created"
    with TinyDB(second) as db:
        assert [(d.doc_id, d["id"]) for d in db.table(TABLE)] == [(4, "ev000002")]
    # the bytes are TinyDB's data in compact JSON, non-ASCII kept as is
    raw = first.read_bytes()
    assert raw == _compact(json.loads(raw))
    assert "évé".encode() in raw


def test_a_segment_written_by_plain_tinydb_opens_and_is_appended_to(tmp_path):
    directory = tmp_path / "journal"
    directory.mkdir()
    path = directory / "000001.json"
    with TinyDB(path, indent=2) as db:  # another layout of the same TinyDB data
        db.table(TABLE).insert({"entry": "callback", "id": "a", "seq": 1})
        db.table(TABLE).insert({"entry": "callback", "id": "b", "seq": 2})
    seen: list[dict] = []
    journal = Journal.open(directory, segment_size=10, readonly=False, now=0.0, visit=seen.append)
    assert [(e["seq"], e["id"]) for e in seen] == [(1, "a"), (2, "b")]
    assert journal.append([{"entry": "callback", "id": "c"}]) == [3]
    assert journal.get(3) == {"entry": "callback", "id": "c", "seq": 3}
    assert [e["id"] for e in journal.iter_entries(after_seq=1)] == ["b", "c"]
    data = json.loads(path.read_bytes())
    assert path.read_bytes() == _compact(data)
    assert list(data[TABLE]) == ["1", "2", "3"]
    with TinyDB(path) as db:
        assert db.table(TABLE).get(doc_id=3) == {"entry": "callback", "id": "c", "seq": 3}


def test_the_writer_encodes_nothing_a_batch_was_prepared_with(tmp_path, monkeypatch):
    journal = Journal(tmp_path, segment_size=10)
    first = journal.prepare([{"entry": "callback", "id": "a"}, {"entry": "callback", "id": "b"}])

    def no_encoding(doc_id, doc):
        raise AssertionError(f"document {doc_id} encoded again")

    monkeypatch.setattr(atomicdb, "encoded_item", no_encoding)  # the storage's own encoder
    assert journal.write(first) == [1, 2]
    assert journal.write(journal.prepare([{"entry": "callback", "id": "c"}])) == [3]
    table = json.loads((tmp_path / "000001.json").read_bytes())[TABLE]
    assert [(k, d["id"], d["seq"]) for k, d in table.items()] == [
        ("1", "a", 1),
        ("2", "b", 2),
        ("3", "c", 3),
    ]


def test_a_failed_write_keeps_no_trace_and_its_seqs_are_reused(tmp_path):
    failing = {"on": False}

    def write_file(path, data: bytes) -> None:
        if failing["on"]:
            raise OSError(28, "No space left on device")
        atomicdb.atomic_write(path, data)

    journal = Journal(tmp_path, segment_size=10, write_file=write_file)
    journal.append([{"id": "a"}])
    failing["on"] = True
    with pytest.raises(OSError):
        journal.append([{"id": "lost"}])
    assert journal.get(2) is None and journal.last_seq == 1
    failing["on"] = False
    assert journal.append([{"id": "b"}]) == [2]  # the refused batch's text is not reused
    assert [e["id"] for e in journal.iter_entries()] == ["a", "b"]
    table = json.loads((tmp_path / "000001.json").read_bytes())[TABLE]
    assert [d["id"] for d in table.values()] == ["a", "b"]


def test_the_text_cache_follows_removals_and_other_tables(tmp_path):
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=atomicdb.AtomicStorage, preload={}, immutable_docs=True)
    db.table("meta").insert({"v": 1})
    db.table(TABLE).insert_multiple([{"n": n} for n in range(4)])
    db.table(TABLE).remove(doc_ids=[2])
    db.table(TABLE).insert({"n": "é"})
    expected = {"meta": {"1": {"v": 1}}, TABLE: {"1": {"n": 0}, "3": {"n": 2}, "4": {"n": 3}}}
    expected[TABLE]["5"] = {"n": "é"}
    assert path.read_bytes() == _compact(expected)
    with TinyDB(path) as plain:
        assert [(d.doc_id, d["n"]) for d in plain.table(TABLE)] == [
            (1, 0),
            (3, 2),
            (4, 3),
            (5, "é"),
        ]
