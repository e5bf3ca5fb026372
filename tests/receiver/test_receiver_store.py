"""The receiver on a real Store: what is journaled, what reaches the registry, and write failures."""

import errno

import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, Kind, ResourceType, sequential_ids
from receiver.http.server import Receiver, make_app
from receiver.signature import signature_headers
from receiver.store.disk.atomicdb import atomic_write
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
PATH = "/tendlc_status/"


class FlakyDisk:
    """A write_file that fails while `full` is set (as a full disk would)."""

    def __init__(self) -> None:
        self.full = False

    def __call__(self, path, data) -> None:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        atomic_write(path, data)


@pytest.fixture
async def setup(tmp_path, aiohttp_client):
    disk = FlakyDisk()
    store = Store.open(tmp_path / "db", clock=lambda: 1000.0, write_file=disk)
    receiver = Receiver(
        store, ReceiverConfig(auth_token=TOKEN), clock=lambda: 1000.0, ids=sequential_ids()
    )
    client = await aiohttp_client(make_app(receiver))
    yield receiver, client, store, disk
    await store.close()


def sign(receiver, payload, method="POST"):
    return signature_headers(method, receiver.config.callback_url, payload, TOKEN)


async def test_verified_callbacks_reach_the_registry(setup):
    receiver, client, store, _ = setup
    for payload in (
        {"brand_id": "B1", "status": "created"},
        {"brand_id": "B1", "status": "registered"},
        {"campaign_id": "C1", "brand_id": "B1", "status": "registered"},
        {
            "campaign_id": "C1",
            "number": "+14845007032",
            "event": "number_linking",
            "status": "success",
        },
    ):
        assert (
            await client.post(PATH, data=payload, headers=sign(receiver, payload))
        ).status == 200
    assert store.registry.get(ResourceType.BRAND, "B1").badge is Badge.REGISTERED
    assert store.registry.get(ResourceType.CAMPAIGN, "C1").parent_id == "B1"
    assert store.registry.get(ResourceType.NUMBER, "14845007032").badge is Badge.LINKED
    assert [e.seq for e in store.journal()] == [1, 2, 3, 4]


async def test_forged_and_undecodable_callbacks_go_to_the_ring_not_the_journal(setup):
    receiver, client, store, _ = setup
    forged = {"brand_id": "B2", "status": "registered"}
    resp = await client.post(
        PATH,
        data=forged,
        headers=signature_headers("POST", receiver.config.callback_url, forged, "bad"),
    )
    assert resp.status == 403
    resp = await client.post(
        PATH, data=b'{"brand_id": "B3"', headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    assert (
        await client.get(PATH, params={"hello": "x"}, headers=sign(receiver, {"hello": "x"}, "GET"))
    ).status == 200
    first, second = store.unverified()
    assert (first.kind, first.verified, first.http_status, first.seq) == (Kind.BRAND, False, 403, 0)
    assert (second.kind, second.http_status, second.body, second.seq) == (
        Kind.UNKNOWN,
        400,
        '{"brand_id": "B3"',
        0,
    )
    [third] = store.journal()
    assert (third.kind, third.verified, third.params) == (Kind.UNKNOWN, True, {"hello": "x"})
    assert store.registry.all() == []
    assert [e.id for e in store.recent()] == [first.id, second.id, third.id]


async def test_disk_full_answers_503_and_health_follows(setup):
    receiver, client, store, disk = setup
    payload = {"brand_id": "B1", "status": "created"}
    disk.full = True
    resp = await client.post(PATH, data=payload, headers=sign(receiver, payload))
    assert resp.status == 503 and resp.headers["Retry-After"] == "60"
    health = await client.get("/healthz")
    assert health.status == 503
    assert (await health.json())["store"]["healthy"] is False
    assert list(store.journal()) == []
    disk.full = False
    resp = await client.post(PATH, data=payload, headers=sign(receiver, payload))
    assert resp.status == 200
    assert (await client.get("/healthz")).status == 200
    assert [e.brand_id for e in store.journal()] == ["B1"]
    assert store.registry.get(ResourceType.BRAND, "B1").badge is Badge.PENDING


async def test_replays_are_remembered_across_restarts(tmp_path):
    payload = {"brand_id": "B1", "status": "registered"}
    cfg = ReceiverConfig(auth_token=TOKEN)
    headers = signature_headers("POST", cfg.callback_url, payload, TOKEN)
    from aiohttp.test_utils import TestClient, TestServer

    for round_ in range(2):
        store = Store.open(tmp_path / "db")
        receiver = Receiver(store, cfg, ids=sequential_ids(f"r{round_}-"))
        async with TestClient(TestServer(make_app(receiver))) as client:
            assert (await client.post(PATH, data=payload, headers=headers)).status == 200
        await store.close()
    store = Store.open(tmp_path / "db", readonly=True)
    [first] = store.journal()  # stored once…
    replay = store.find_entry("r1-000001")
    count = store.replay_count(first.id)
    recent = store.recent()
    store.close_sync()
    assert first.id == "r0-000001" and first.replay_of is None
    assert (replay.replay_of, replay.http_status, replay.headers, replay.body) == (
        first.id,
        200,
        {},
        "",
    )  # …and flagged as a replay: a marker without the payload, counted on the original
    assert count == 1 and [e.id for e in recent] == ["r0-000001", "r1-000001"]
