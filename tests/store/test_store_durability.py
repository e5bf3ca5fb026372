"""The store on disk: durable before return, reopen after close or crash, segments, snapshots, cost."""

from __future__ import annotations

import asyncio
import json

from receiver.domain.models import Badge, Kind, Observation, RequestRecord, ResourceType
from receiver.store.store import Store


def _journal_ids(store_dir) -> list[str]:
    ids = []
    for path in sorted((store_dir / "journal").glob("*.json")):
        table = json.loads(path.read_text())["journal"]
        ids += [
            doc.get("id", f"reconcile@{k}")
            for k, doc in sorted(table.items(), key=lambda kv: int(kv[0]))
        ]
    return ids


async def test_an_entry_is_on_disk_when_record_returns(open_store, store_dir, ev):
    store = open_store()
    change = await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    assert change.event.seq == 1
    assert _journal_ids(store_dir) == ["ev000001"]
    on_disk = json.loads((store_dir / "journal" / "000001.json").read_text())["journal"]["1"]
    assert on_disk["entry"] == "callback" and on_disk["applied"] is True and on_disk["seq"] == 1


async def test_reopen_after_close_restores_journal_and_registry(open_store, ev, rq):
    store = open_store()
    await store.record_request(rq("brand.create", brand_id="B1"), callback_url="http://cb/")
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    await store.record_callback(
        ev(Kind.BRAND, "rejected", brand_id="B2", verified=False), apply=False
    )
    expected = store.registry.to_dict()
    await store.close()
    await store.close()  # idempotent

    again = open_store()
    assert again.registry.to_dict() == expected
    assert again.stats.replayed == 0 and again.snapshot_seq == 3
    assert [e.id for e in again.journal()] == ["rq000001", "ev000001", "ev000002"]
    assert again.registry.get(ResourceType.BRAND, "B2") is None  # unverified: not applied
    assert again.registry.get(ResourceType.BRAND, "B1").callback_url == "http://cb/"


async def test_reopen_after_a_crash_replays_the_journal(open_store, simulate_crash, ev, rq):
    store = open_store(snapshot_interval=3600)
    await store.record_request(rq("number.link", campaign_id="C1", numbers=("14155550100",)))
    await store.record_callback(
        ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100"), apply=True
    )
    await store.record_observations([Observation(ResourceType.CAMPAIGN, "C1", "ACTIVE")])
    expected = store.registry.to_dict()
    simulate_crash(store)  # no flush, no snapshot, lock dropped by the "kernel"

    again = open_store()
    assert again.stats.replayed == 3
    assert again.registry.to_dict() == expected
    assert again.registry.get(ResourceType.NUMBER, "14155550100").badge == Badge.LINKED
    assert again.registry.get(ResourceType.CAMPAIGN, "C1").badge == Badge.REGISTERED


async def test_snapshot_covers_a_prefix_and_only_the_tail_is_replayed(
    open_store, simulate_crash, store_dir, ev
):
    store = open_store(snapshot_interval=3600)
    for n in range(5):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{n}"), apply=True)
    await store.flush()
    snapshot = json.loads((store_dir / "registry.json").read_text())["snapshot"]["1"]
    assert snapshot["seq"] == 5 and len(snapshot["registry"]["resources"]) == 5
    for n in range(3):
        await store.record_callback(ev(Kind.BRAND, "registered", brand_id=f"B{n}"), apply=True)
    expected = store.registry.to_dict()
    simulate_crash(store)

    again = open_store()
    assert again.stats.replayed == 3
    assert again.registry.to_dict() == expected
    assert again.snapshot_seq == 8  # open wrote a fresh snapshot after replaying


async def test_lazy_snapshot_is_written_after_the_interval_not_on_each_commit(
    open_store, store_dir, ev
):
    store = open_store(snapshot_interval=0.05)
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    assert store.snapshot_seq == 0 and not (store_dir / "registry.json").exists()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while store.snapshot_seq < 1 and loop.time() < deadline:
        await asyncio.sleep(0.01)
    assert store.snapshot_seq == 1 and store.stats.snapshots == 1


async def test_segments_roll_over_and_closed_segments_are_never_rewritten(
    open_store, store_dir, ev
):
    store = open_store(segment_size=3)
    for n in range(4):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{n}"), apply=True)
    first = store_dir / "journal" / "000001.json"
    before = (first.stat().st_mtime_ns, first.stat().st_ino, first.read_bytes())
    for n in range(4, 10):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{n}"), apply=True)
    assert [p.name for p in store.segment_paths] == [
        "000001.json",
        "000002.json",
        "000003.json",
        "000004.json",
    ]
    assert (first.stat().st_mtime_ns, first.stat().st_ino, first.read_bytes()) == before
    sizes = [len(json.loads(p.read_text())["journal"]) for p in store.segment_paths]
    assert sizes == [3, 3, 3, 1]
    assert _journal_ids(store_dir) == [f"ev{n:06d}" for n in range(1, 11)]


async def test_a_concurrent_burst_never_spans_two_segments(open_store, store_dir, ev):
    store = open_store(segment_size=4)
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B0"), apply=True)
    events = [ev(Kind.BRAND, "created", brand_id=f"B{n}") for n in range(1, 11)]
    changes = await asyncio.gather(*(store.record_callback(e, apply=True) for e in events))
    assert [c.event.seq for c in changes] == list(range(2, 12))
    sizes = [len(json.loads(p.read_text())["journal"]) for p in store.segment_paths]
    assert sizes == [4, 4, 3]
    assert store.stats.commits == 1 + 3  # 3 + 4 + 3 entries


async def test_bytes_per_commit_do_not_grow_with_history(open_store, ev):
    store = open_store(segment_size=10)
    per_commit = []
    for n in range(60):  # six segments' worth, one entry per commit
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{n:04d}"), apply=True)
        per_commit.append(store.stats.last_commit_bytes)
    first, last = per_commit[:10], per_commit[50:]
    for early, late in zip(first, last, strict=True):
        assert late <= early * 1.05
    assert store.stats.bytes_written == sum(per_commit)
    # each commit appends its entry: the files hold what was written, less the closing "}}"
    # each append writes over again
    on_disk = sum(p.stat().st_size for p in store.segment_paths)
    assert on_disk <= store.stats.bytes_written <= on_disk + 2 * 60


async def test_recent_is_bounded_newest_last_and_refilled_on_open(open_store, ev, rq):
    store = open_store(recent_size=3)
    await store.record_request(rq("brand.create", brand_id="B1"))
    for _ in range(4):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    await store.record_observations([Observation(ResourceType.BRAND, "B1", "COMPLETED")])
    assert [e.id for e in store.recent()] == ["ev000002", "ev000003", "ev000004"]
    assert [e.id for e in store.recent(limit=1)] == ["ev000004"]
    await store.close()
    again = open_store(recent_size=3)
    assert [e.id for e in again.recent()] == ["ev000002", "ev000003", "ev000004"]
    assert [e.seq for e in again.recent()] == [3, 4, 5]


async def test_lookup_by_entry_id_and_by_resource(open_store, ev, rq):
    store = open_store(segment_size=2)
    await store.record_request(rq("campaign.create", brand_id="B1", campaign_id="C1"))
    await store.record_request(
        rq("number.link", campaign_id="C1", numbers=("14155550100", "14155550101"))
    )
    await store.record_callback(
        ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100"), apply=True
    )
    await store.record_callback(ev(Kind.BRAND, "registered", brand_id="B1"), apply=True)
    for s in (store, None):
        if s is None:
            await store.close()
            s = open_store(readonly=True)
        found = s.find_entry("rq000002")
        assert isinstance(found, RequestRecord) and found.numbers == ("14155550100", "14155550101")
        assert s.find_entry("nope") is None
        assert [e.id for e in s.entries_for(ResourceType.NUMBER, "+14155550100")] == [
            "rq000002",
            "ev000001",
        ]
        assert [e.id for e in s.entries_for(ResourceType.BRAND, "B1")] == ["rq000001", "ev000002"]
        assert [e.id for e in s.entries_for(ResourceType.CAMPAIGN, "C1")] == [
            "rq000001",
            "rq000002",
            "ev000001",
        ]
        assert [e.id for e in s.journal(after_seq=2)] == ["ev000001", "ev000002"]


async def test_reconcile_entries_are_journaled_and_replayed_but_not_listed(
    open_store, store_dir, rq
):
    store = open_store()
    await store.record_request(rq("brand.create", brand_id="B1"))
    change = await store.record_observations([Observation(ResourceType.BRAND, "B1", "FAILED")])
    assert change.message == "brand B1: submitted → rejected"
    assert (await store.record_observations([])).resources == ()
    assert _journal_ids(store_dir) == ["rq000001", "reconcile@2"]
    assert [e.id for e in store.journal()] == ["rq000001"]
    await store.close()
    again = Store.open(store_dir, readonly=True)
    assert again.registry.get(ResourceType.BRAND, "B1").badge == Badge.REJECTED
    again.close_sync()
