"""Opening reads what the registry needs: snapshot lines, the journal tail, nothing older."""

from __future__ import annotations

import json
import shutil

from receiver.domain.models import Kind, Observation, ResourceType
from receiver.store.disk import segment
from receiver.store.disk.files import read_snapshot
from receiver.store.lookup import LOOKUP_NAME
from receiver.store.store import Store

NOW = 1_700_000_000.0


async def _fill(store_dir, ev, n: int) -> None:
    store = Store.open(store_dir, segment_size=4, clock=lambda: NOW)
    for i in range(n):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{i}"), apply=True)
    await store.close()


async def test_segments_the_snapshot_covers_are_not_decoded_but_still_read_on_demand(
    store_dir, ev, monkeypatch
):
    await _fill(store_dir, ev, 20)  # five segments of four
    decoded: list[str] = []
    real = segment.parse_tables

    def spy(raw: bytes):
        data = real(raw)
        decoded.extend(sorted(data["journal"]) if data else [])
        return data

    monkeypatch.setattr(segment, "parse_tables", spy)
    store = Store.open(store_dir, segment_size=4, clock=lambda: NOW, recent_size=2)
    try:
        assert decoded == ["17", "18", "19", "20"]  # the open segment only
        assert [e.id for e in store.recent()] == ["ev000019", "ev000020"]
        found = store.find_entry("ev000002")  # in segment 1: looked up on disk
        assert found is not None and found.brand_id == "B1"
        assert [e.id for e in store.entries_for(ResourceType.BRAND, "B3")] == ["ev000004"]
        assert "1" in decoded
        assert len(list(store.journal())) == 20
    finally:
        store.close_sync()


async def test_resources_are_built_when_first_used_and_unchanged_ones_rewritten_as_read(
    store_dir, ev
):
    await _fill(store_dir, ev, 6)
    before = (store_dir / "registry.json").read_text().splitlines()
    store = Store.open(store_dir, segment_size=4, clock=lambda: NOW)
    keys = store.registry.keys()
    assert all(store.registry.item_text(k) is not None for k in keys)  # none built yet
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B2"), apply=True)
    assert store.registry.item_text((ResourceType.BRAND, "B2")) is None
    assert store.registry.item_text((ResourceType.BRAND, "B3")) is not None
    await store.close()
    after = (store_dir / "registry.json").read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [0, 3]  # the header (its journal position) and brand B2's line
    assert json.loads(after[3].rstrip(","))["badge"] == "registered"


async def test_a_store_of_the_previous_layout_opens_with_every_entry_and_is_migrated(
    tmp_path, ev, rq
):
    old = tmp_path / "old"
    await _fill(old, ev, 9)
    snap = read_snapshot(old / "registry.json")
    assert snap is not None
    registry = snap.registry.to_dict()
    (old / LOOKUP_NAME).unlink()  # an older tendlc kept no entry index…
    for extra in old.glob(f"{LOOKUP_NAME}-*"):
        extra.unlink()
    path = old / "registry.json"  # …and wrote registry.json on one line
    doc = {"version": 1, "seq": snap.seq, "written_at": NOW, "registry": registry}
    path.write_text(json.dumps({"snapshot": {"1": doc}}))
    shutil.copytree(old, tmp_path / "readonly")
    reader = Store.open(tmp_path / "readonly", readonly=True)  # indexes in memory, changes nothing
    assert reader.find_entry("ev000003") is not None and reader.warnings == []
    assert len(reader.registry.all()) == 9
    reader.close_sync()
    store = Store.open(old, segment_size=4, clock=lambda: NOW)
    try:
        assert [e.id for e in store.journal()] == [f"ev{i:06d}" for i in range(1, 10)]
        assert store.find_entry("ev000003") is not None
        assert [e.id for e in store.entries_for(ResourceType.BRAND, "B4")] == ["ev000005"]
        assert store.registry.get(ResourceType.BRAND, "B8") is not None
    finally:
        await store.close()
    assert path.read_text().count("\n") == 9 + 1  # rewritten, one resource per line
    assert (old / LOOKUP_NAME).exists()


def test_a_resource_is_built_as_resource_from_dict_builds_it():
    from receiver.domain.models import Badge, Cause, Cycle, Resource, TimelineEntry
    from receiver.domain.resource_map import build_resource

    full = Resource(
        ResourceType.NUMBER, "14155550100", Badge.UNLINKING, 5.0, "n", "C1", "PROCESSING",
        Cycle.UNLINK, False, 4.0, "https://x.test/cb", {"reason": "r", "codes": [1, 2]},
        [TimelineEntry(1.0, Cause.REQUEST, Badge.SUBMITTED, "link requested", "rq1"),
         TimelineEntry(2.0, Cause.RECONCILE, Badge.LINKED, "reconcile: API says COMPLETED")],
    )  # fmt: skip
    sparse = {"type": "brand", "id": "B1", "badge": "pending", "updated_at": 1.0}
    for item in (full.to_dict(), sparse, {**sparse, "timeline": None, "detail": None}):
        assert build_resource(json.loads(json.dumps(item))) == Resource.from_dict(item)


def test_the_status_json_is_one_ascii_object_per_line():
    from receiver.store.status_json import compact, json_array

    items = [{"id": "B1", "s": 'é\n"q"\x1b[31m', "e": {}}, {"detail": {"codes": [1, {"a": []}]}}]
    text = json_array(compact(item) for item in items)
    assert json.loads(text) == items
    assert text.isascii() and "\x1b" not in text  # nothing raw reaches a terminal
    assert text.splitlines()[1:-1] == [
        json.dumps(i, separators=(",", ":")) + "," for i in items[:1]
    ] + [json.dumps(items[1], separators=(",", ":"))]
    assert json_array([]) == "[]"


async def test_status_reads_unbuilt_resources_from_their_text_with_the_same_output(
    store_dir, ev, rq
):
    from receiver.store.export import resources_in_order
    from receiver.store.status_json import resource_dict, status_lines

    store = Store.open(store_dir, clock=lambda: NOW)
    await store.record_request(rq("number.link", campaign_id="C1", numbers=("14155550100",)))
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    await store.record_callback(
        ev(Kind.CAMPAIGN, "rejected", brand_id="B1", campaign_id="C1",
           params={"error_code": "1003", "error_reason": "bad description"}),
        apply=True,
    )  # fmt: skip
    await store.record_callback(
        ev(Kind.NUMBER_LINKING, "failed", campaign_id="C1", number="14155550100",
           params={"reason": "bad"}),
        apply=True,
    )  # fmt: skip
    await store.close()
    reader = Store.open(store_dir, readonly=True)
    fast = [json.loads(line) for line in status_lines(reader.registry)]
    assert reader.registry.item_text((ResourceType.BRAND, "B1")) is not None  # nothing built
    assert fast == [resource_dict(r) for r in resources_in_order(reader.registry)]
    assert any("declines" in item for item in fast)
    reader.close_sync()


def test_resource_keys_are_read_from_the_start_of_each_text():
    import pytest

    from receiver.domain.resource_map import ResourceMap

    found = ResourceMap({})
    found.add_texts(
        [
            '{"type":"number","id":"14155550100","badge":"linked"}',
            '{"type":"brand","id":"a\\"b","badge":"pending"}',  # an escaped quote: decoded
            '{"type":"campaign","id":"Cé\\u00e9","badge":"pending"}',
        ]
    )
    assert list(found) == [
        (ResourceType.NUMBER, "14155550100"),
        (ResourceType.BRAND, 'a"b'),
        (ResourceType.CAMPAIGN, "Céé"),
    ]
    with pytest.raises(ValueError, match="does not start with its type and id"):
        found.add_texts(['{"id":"x","type":"brand"}'])


async def test_each_status_line_is_the_compact_json_of_its_resource_whichever_path_wrote_it(
    store_dir, ev, rq, monkeypatch
):
    from receiver.store import status_json
    from receiver.store.export import resources_in_order
    from receiver.store.status_json import compact, resource_dict, status_lines

    store = Store.open(store_dir, clock=lambda: NOW)
    await store.record_request(rq("brand.create", brand_id="B1"))  # plain: the copied head
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    await store.record_callback(ev(Kind.BRAND, "created", brand_id='B"2\\é'), apply=True)
    await store.record_callback(
        ev(Kind.NUMBER_LINKING, "failed", campaign_id="C1", number="14155550100",
           params={"reason": "bad\x1b[2J"}),
        apply=True,
    )  # fmt: skip
    await store.close()
    reader = Store.open(store_dir, readonly=True)
    try:
        decoded = []
        loads = json.loads
        monkeypatch.setattr(status_json.json, "loads", lambda t: decoded.append(t) or loads(t))
        lines = list(status_lines(reader.registry))
        assert len(decoded) == 2  # B1's head is copied; the escaped id and the detail decoded
        assert all(reader.registry.item_text(k) is not None for k in reader.registry.keys())
        resources = resources_in_order(reader.registry)  # builds them: the slow path's answer
        assert lines == [compact(resource_dict(r)) for r in resources]
        assert all(line.isascii() and "\x1b" not in line for line in lines)
    finally:
        reader.close_sync()


def test_a_snapshot_body_finds_every_key_in_one_pass_or_falls_back_line_by_line():
    from receiver.domain.resource_map import ResourceMap

    plain = '{"type":"brand","id":"B1"},\n{"type":"number","id":"14155550100"}'
    odd = plain + ',\n{"type":"campaign","id":"C\\u00e9"}'  # an escaped id: read by the loop
    for body, keys in (
        (plain, [(ResourceType.BRAND, "B1"), (ResourceType.NUMBER, "14155550100")]),
        (odd, [(ResourceType.BRAND, "B1"), (ResourceType.NUMBER, "14155550100"),
               (ResourceType.CAMPAIGN, "Cé")]),
        ("", []),
    ):  # fmt: skip
        found = ResourceMap({})
        found.add_lines(body)
        assert list(found) == keys
        assert [found.text(k) for k in keys] == (body.split(",\n") if body else [])


def test_iso_times_are_what_datetime_writes_rounding_included():
    import random
    from datetime import UTC, datetime

    from receiver.store.status_json import iso_utc

    rng = random.Random(7)
    values = [rng.uniform(0, 4e9) for _ in range(2000)] + [0.0, -1.5, 2.5e11]
    values += [s + f for s in (0, 1_767_225_603) for f in (0.0005, 0.9995, 0.9999995, 5e-7)]
    for ts in values:
        want = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
        assert iso_utc(ts) == want.replace("+00:00", "Z"), ts
    assert iso_utc(None) is None


def test_a_built_resource_keeps_its_timeline_as_text_until_it_is_used(caplog):
    from receiver.domain.models import Badge, Cause, Cycle, Resource, TimelineEntry
    from receiver.domain.resource_map import LazyTimeline, ResourceMap
    from receiver.store.disk.atomicdb import encode

    full = Resource(
        ResourceType.CAMPAIGN, "C1", Badge.REJECTED, 5.0, "n", "B1", "FAILED", Cycle.REGISTER,
        True, None, "https://x.test/cb", {"timeline": {"nested": [1]}},  # a detail key alike
        [TimelineEntry(1.0, Cause.REQUEST, Badge.SUBMITTED, 'said ,"timeline":[', "rq1"),
         TimelineEntry(2.0, Cause.CALLBACK, Badge.REJECTED, "callback: rejected", "ev2")],
    )  # fmt: skip
    good = encode({**full.to_dict(), "rank": 2})
    bad = good.replace('"cause":"request"', '"cause":"nonsense"').replace('"C1"', '"C2"')
    found = ResourceMap({})
    found.add_texts([good, bad])
    built = found.get((ResourceType.CAMPAIGN, "C1"))
    assert isinstance(built.timeline, LazyTimeline) and built.timeline._text is not None
    assert built == full  # compares the timeline: decoded now
    built.timeline.append(TimelineEntry(3.0, Cause.RECONCILE, Badge.REJECTED, "r"))
    built.timeline.sort(key=lambda t: -t.at)
    assert [t.at for t in built.timeline] == [3.0, 2.0, 1.0]
    broken = found.get((ResourceType.CAMPAIGN, "C2"))
    assert broken.badge is Badge.REJECTED and list(broken.timeline) == []
    assert "timeline of" in caplog.text  # said, never raised
    assert isinstance(built.timeline[:2], list | LazyTimeline) and built.timeline[:1] == [
        TimelineEntry(3.0, Cause.RECONCILE, Badge.REJECTED, "r")
    ]


def test_unsettled_builds_only_what_may_await_a_callback():
    from receiver.domain.models import Badge, Resource
    from receiver.domain.registry import Registry
    from receiver.store.disk.atomicdb import encode

    def text(rid: str, terminal: bool) -> str:
        res = Resource(ResourceType.NUMBER, rid, Badge.LINKED, 1.0, cycle_terminal=terminal)
        return encode({**res.to_dict(), "rank": 2 if terminal else 1})

    registry = Registry.from_lines(",\n".join([text("1", True), text("2", False), text("3", True)]))
    assert [r.id for r in registry.unsettled()] == ["2"]
    assert registry.item_text((ResourceType.NUMBER, "1")) is not None  # never built
    built = registry.get(ResourceType.NUMBER, "3")
    built.cycle_terminal = False  # as a new cycle (an unlink) starts
    assert sorted(r.id for r in registry.unsettled()) == ["2", "3"]
    assert registry.ids(ResourceType.NUMBER) == ["1", "2", "3"]
    assert registry.ids(ResourceType.BRAND) == []


async def test_resource_texts_stay_in_the_file_and_unchanged_ones_are_copied_into_the_next(
    store_dir, ev
):
    await _fill(store_dir, ev, 6)
    before = (store_dir / "registry.json").read_bytes().split(b",\n")
    store = Store.open(store_dir, clock=lambda: NOW)
    assert store.registry.text_source is not None  # the texts were left in the file
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B2"), apply=True)
    await store.close()  # writes the next snapshot: five texts copied from the first file
    after = (store_dir / "registry.json").read_bytes().split(b",\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [0, 2]  # the head (its journal position, with B0) and B2
    reader = Store.open(store_dir, readonly=True)
    try:
        assert reader.registry.get(ResourceType.BRAND, "B2").badge.value == "registered"
        assert [r.id for r in reader.registry.all()] == [f"B{i}" for i in range(6)]
    finally:
        reader.close_sync()


def test_a_snapshot_with_a_line_not_in_the_plain_form_is_read_whole(tmp_path):
    from receiver.store.disk.files import write_snapshot_parts

    path = tmp_path / "registry.json"
    lines = ['{"type":"brand","id":"B1","badge":"pending","updated_at":1.0}',
             '{"type":"brand","id":"B\\u00e9","badge":"pending","updated_at":2.0}']  # fmt: skip
    write_snapshot_parts(path, 3, lines, 1.0)
    snap = read_snapshot(path)
    assert snap.registry.text_source is None  # decoded: the escaped id needs the slow way
    assert [r.id for r in snap.registry.all()] == ["B1", "Bé"]
    write_snapshot_parts(path, 3, lines[:1], 1.0)
    snap = read_snapshot(path)
    assert snap.registry.text_source is not None
    assert [r.id for r in snap.registry.all()] == ["B1"]


async def test_unsettled_resources_are_found_by_searching_the_file_bytes(store_dir, ev):
    store = Store.open(store_dir, segment_size=4, clock=lambda: NOW)
    for i in range(6):  # B0, B2, B4 registered (terminal); B1, B3, B5 only created
        status = "registered" if i % 2 == 0 else "created"
        await store.record_callback(ev(Kind.BRAND, status, brand_id=f"B{i}"), apply=True)
    await store.close()

    store = Store.open(store_dir, readonly=True, clock=lambda: NOW)
    try:
        source = store.registry.text_source
        assert source.not_terminal() == {1, 3, 5}  # two searches of the bytes, no text decoded
        assert sorted(r.id for r in store.registry.unsettled()) == ["B1", "B3", "B5"]
    finally:
        store.close_sync()


async def test_a_detail_holding_the_key_makes_the_search_read_each_text(store_dir, ev):
    store = Store.open(store_dir, segment_size=4, clock=lambda: NOW)
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B0"), apply=True)
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    odd = Observation(ResourceType.BRAND, "B1", "COMPLETED", detail={"cycle_terminal": False})
    await store.record_observations([odd])  # an API field of that name, in B1's detail
    await store.close()
    assert '"detail":{"cycle_terminal":false}' in (store_dir / "registry.json").read_text()

    store = Store.open(store_dir, readonly=True, clock=lambda: NOW)
    try:
        assert store.registry.text_source.not_terminal() is None  # unsure: B1 holds it twice
        assert [r.id for r in store.registry.unsettled()] == ["B0"]
    finally:
        store.close_sync()
