"""A torn newest journal segment: every complete entry before the damage is kept and reported."""

from __future__ import annotations

import shutil

from receiver.domain.models import Kind
from receiver.store.disk.atomicdb import encoded_item
from receiver.store.disk.salvage import salvage_table
from receiver.store.store import Store

STAMP = "20231114T221320Z"  # conftest NOW in UTC
NOW = 1_700_000_000.0


async def _make_store(store_dir, ev, n: int) -> bytes:
    store = Store.open(store_dir, segment_size=8, clock=lambda: NOW)
    for i in range(n):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{i}"), apply=True)
    await store.close()
    return (store_dir / "journal" / "000002.json").read_bytes()


def _ends(raw: bytes) -> list[tuple[str, int]]:
    """(entry id, byte offset just past its document) for each entry of a segment, in order."""
    import json

    table = json.loads(raw)["journal"]
    out = []
    for doc_id, doc in table.items():
        text = encoded_item(doc_id, doc).encode()
        out.append((doc["id"], raw.index(text) + len(text)))
    return out


async def test_truncation_at_every_offset_keeps_every_complete_entry(tmp_path, ev):
    pristine = tmp_path / "pristine"
    raw = await _make_store(pristine, ev, 12)  # segment 2 holds entries 9..12
    ends = _ends(raw)
    head = ["ev000001", "ev000002", "ev000003", "ev000004"] + [f"ev{i:06d}" for i in range(5, 9)]
    edges = {e + d for _, e in ends for d in (-1, 0, 1)}
    for cut in sorted({*range(0, len(raw), 37), *edges} - {len(raw)}):
        work = tmp_path / f"cut{cut}"
        shutil.copytree(pristine, work)
        (work / "journal" / "000002.json").write_bytes(raw[:cut])
        store = Store.open(work, segment_size=8, clock=lambda: NOW)
        try:
            kept = [i for i, end in ends if end <= cut]
            assert [e.id for e in store.journal()] == head + kept, cut
            assert len(store.warnings) == 1, (cut, store.warnings)
            msg = store.warnings[0]
            if cut == 0:
                assert "was empty (0 bytes, damaged)" in msg and "after 8) are missing" in msg
            elif kept:
                good = max(end for _, end in ends if end <= cut)
                assert f"{len(kept)} complete entries (journal positions 9-{8 + len(kept)})" in msg
                assert f"The {cut - good} bytes after them" in msg
                aside = work / "journal" / f"000002.json.damaged-{STAMP}"
                assert aside.read_bytes() == raw[:cut] and aside.name in msg
            else:
                assert "was damaged" in msg and "missing from the event log" in msg
            change = await store.record_callback(
                ev(Kind.BRAND, "created", brand_id="N"), apply=True
            )
            assert change.event.seq == 13  # the snapshot covers seq 12: no seq is reused
        finally:
            await store.close()
        reopened = Store.open(work, segment_size=8, clock=lambda: NOW, readonly=True)
        assert reopened.warnings == [] and len(list(reopened.journal())) == 9 + len(kept)
        reopened.close_sync()
        shutil.rmtree(work)


async def test_readonly_shows_the_salvaged_entries_and_changes_nothing(tmp_path, ev):
    raw = await _make_store(tmp_path / "s", ev, 12)
    torn = raw[: _ends(raw)[1][1] + 5]
    (tmp_path / "s" / "journal" / "000002.json").write_bytes(torn)
    store = Store.open(tmp_path / "s", clock=lambda: NOW, readonly=True)
    assert [e.id for e in store.journal()][-2:] == ["ev000009", "ev000010"]
    assert "2 complete entries" in store.warnings[0] and "ignored" in store.warnings[0]
    assert (tmp_path / "s" / "journal" / "000002.json").read_bytes() == torn
    store.close_sync()


def test_salvage_stops_at_the_first_malformed_document():
    raw = b'{"journal": {"1": {"a": 1}, "2": {"a": 2}, "x": {"a": 3}, "4": {}}}'
    found = salvage_table(raw, "journal")
    assert list(found.docs) == ["1", "2"] and raw[: found.good_bytes].endswith(b'{"a": 2}')
    assert salvage_table(b'{"other": {"1": {}}}', "journal").docs == {}
    assert salvage_table(b'{"journal": {"1": {"\xc3', "journal").docs == {}
