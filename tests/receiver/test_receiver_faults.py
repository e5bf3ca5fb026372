"""Faults around the receiver: failing disks, replays, unverified floods, non-loopback binding."""

import asyncio
import errno
import threading

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, Change, ResourceType, sequential_ids
from receiver.http.server import Receiver, make_app
from receiver.signature import signature_headers
from receiver.store.disk.atomicdb import atomic_write
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
PATH = "/tendlc_status/"
NOW = 1_700_000_000.0


class Disk:
    """A write_file that fails journal writes with `error` while it is set (full / read-only)."""

    def __init__(self) -> None:
        self.error: OSError | None = None
        self.lock = threading.Lock()

    def __call__(self, path, data: bytes) -> None:
        with self.lock:
            error = self.error
        if error is not None:
            raise error
        atomic_write(path, data)

    def fail(self, error: OSError | None) -> None:
        with self.lock:
            self.error = error


async def _client(store: Store, **config) -> tuple[Receiver, TestClient]:
    receiver = Receiver(
        store, ReceiverConfig(auth_token=TOKEN, **config), clock=lambda: NOW, ids=sequential_ids()
    )
    client = TestClient(TestServer(make_app(receiver)))
    await client.start_server()
    return receiver, client


def _signed(receiver: Receiver, payload: dict, token: str = TOKEN) -> dict:
    return signature_headers("POST", receiver.config.callback_url, payload, token)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EROFS, "Read-only file system"),
    ],
    ids=["disk-full", "read-only"],
)
async def test_write_failure_mid_burst_503s_keeps_serving_recovers_and_loses_no_ack(
    tmp_path, error
):
    disk = Disk()
    store = Store.open(tmp_path / "db", clock=lambda: NOW, write_file=disk)
    notices: list[str] = []
    store.subscribe(lambda c: notices.append(c.message) if c.event is None else None)
    receiver, client = await _client(store)
    answers: dict[str, int] = {}

    async def post(brand: str) -> None:
        payload = {"brand_id": brand, "event": "brand", "status": "created"}
        resp = await client.post(PATH, data=payload, headers=_signed(receiver, payload))
        answers[brand] = resp.status
        if resp.status == 503:
            assert resp.headers["Retry-After"] == "60"

    try:
        await asyncio.gather(*(post(f"A{n:03d}") for n in range(30)))
        disk.fail(error)
        await asyncio.gather(*(post(f"B{n:03d}") for n in range(30)))
        health = await client.get("/healthz")
        assert (
            health.status == 503 and error.strerror in (await health.json())["store"]["last_error"]
        )
        disk.fail(None)
        await asyncio.gather(*(post(f"C{n:03d}") for n in range(30)))
        assert (await client.get("/healthz")).status == 200
    finally:
        await client.close()
        await store.close()

    statuses = set(answers.values())
    assert statuses == {200, 503}, "never a 500, and both outcomes seen"
    assert all(answers[f"B{n:03d}"] == 503 for n in range(30))
    assert all(answers[f"{p}{n:03d}"] == 200 for p in "AC" for n in range(30))
    assert len(notices) == 2 and notices[1] == "store: writes recovered"
    assert notices[0].startswith("store: write failing — could not write the journal")
    assert error.strerror in notices[0]

    again = Store.open(tmp_path / "db", readonly=True)
    try:
        stored = {e.brand_id for e in again.journal()}
        acked = {brand for brand, status in answers.items() if status == 200}
        assert acked <= stored and not (stored - acked)  # every ack stored, no 503 stored
        assert all(again.registry.get(ResourceType.BRAND, b).badge is Badge.PENDING for b in acked)
    finally:
        again.close_sync()


async def test_the_same_signed_callback_twice_is_stored_once_and_counted(tmp_path):
    store = Store.open(tmp_path / "db", clock=lambda: NOW)
    receiver, client = await _client(store)
    seen: list[Change] = []
    store.subscribe(seen.append)
    payload = {"brand_id": "B1", "event": "brand", "status": "registered"}
    headers = _signed(receiver, payload)
    try:
        first = await client.post(PATH, data=payload, headers=headers)
        # two more copies at once: both wait for nothing (the first is durable) and count
        copies = await asyncio.gather(
            *(client.post(PATH, data=payload, headers=headers) for _ in range(2))
        )
        assert [first.status, *(c.status for c in copies)] == [200, 200, 200]
    finally:
        await client.close()
    [stored] = list(store.journal())
    assert stored.id == "ev000001" and stored.replay_of is None
    assert store.replay_count("ev000001") == 2
    replays = [c.event for c in seen[1:]]
    assert [(r.replay_of, r.body, r.headers) for r in replays] == [("ev000001", "", {})] * 2
    assert all("replay of ev000001" in r.reason for r in replays)
    assert [c.message for c in seen[1:]] == ["replay of ev000001"] * 2
    assert len(store.registry.get(ResourceType.BRAND, "B1").timeline) == 1
    await store.close()
    again = Store.open(tmp_path / "db", readonly=True)
    assert again.replay_count("ev000001") == 2 and len(list(again.journal())) == 1
    again.close_sync()


@pytest.mark.parametrize("first_write_fails", [False, True], ids=["first-ok", "first-fails"])
async def test_a_copy_arriving_while_the_first_is_written_waits_for_that_write(
    tmp_path, first_write_fails
):
    gate, entered = threading.Event(), threading.Event()
    failures = [OSError(errno.ENOSPC, "No space left on device")] if first_write_fails else []

    def slow(path, data):
        if path.parent.name == "journal" and not entered.is_set():
            entered.set()
            gate.wait(10)
            if failures:
                raise failures.pop()
        atomic_write(path, data)

    store = Store.open(tmp_path / "db", clock=lambda: NOW, write_file=slow)
    made: list[str] = []
    ids = sequential_ids()

    def counted() -> str:
        made.append(ids())
        return made[-1]

    receiver = Receiver(store, ReceiverConfig(auth_token=TOKEN), clock=lambda: NOW, ids=counted)
    client = TestClient(TestServer(make_app(receiver)))
    await client.start_server()
    payload = {"brand_id": "B1", "event": "brand", "status": "created"}
    headers = _signed(receiver, payload)
    loop = asyncio.get_running_loop()
    try:
        first = asyncio.create_task(client.post(PATH, data=payload, headers=headers))
        await asyncio.to_thread(entered.wait, 10)
        copy = asyncio.create_task(client.post(PATH, data=payload, headers=headers))
        deadline = loop.time() + 10
        while len(made) < 2:  # the copy got an id: it now waits on the first write
            assert loop.time() < deadline
            await asyncio.sleep(0.001)
        assert not copy.done()
        gate.set()
        statuses = [(await first).status, (await copy).status]
    finally:
        gate.set()
        await client.close()
    [stored] = list(store.journal())
    if first_write_fails:  # the copy took over: it is the stored event, not a replay
        assert statuses == [503, 200]
        assert (stored.id, store.replay_count("ev000002")) == ("ev000002", 0)
    else:
        assert statuses == [200, 200]
        assert (stored.id, store.replay_count("ev000001")) == ("ev000001", 1)
    await store.close()


async def test_an_unverified_flood_keeps_the_newest_n_and_counts_the_rest(tmp_path):
    store = Store.open(tmp_path / "db", clock=lambda: NOW, unverified_limit=10)
    receiver, client = await _client(store)
    try:
        ok = {"brand_id": "B0", "status": "created"}
        assert (await client.post(PATH, data=ok, headers=_signed(receiver, ok))).status == 200
        for n in range(1, 61):
            forged = {"brand_id": f"F{n:03d}", "status": "registered"}
            headers = _signed(receiver, forged, token="not-the-token")
            assert (await client.post(PATH, data=forged, headers=headers)).status == 403
    finally:
        await client.close()
    assert [e.brand_id for e in store.journal()] == ["B0"]  # the journal did not grow
    kept = store.unverified()
    assert [e.brand_id for e in kept] == [f"F{n:03d}" for n in range(51, 61)]
    assert store.unverified_dropped == 50
    assert all(e.seq == 0 and not e.verified and e.http_status == 403 for e in kept)
    assert store.registry.get(ResourceType.BRAND, "F060") is None
    assert store.find_entry(kept[-1].id) == kept[-1]
    assert [e.id for e in store.entries_for(ResourceType.BRAND, "F060")] == [kept[-1].id]
    assert [e.brand_id for e in store.recent(3)] == ["F058", "F059", "F060"]
    await store.close()
    size = (tmp_path / "db" / "unverified.json").stat().st_size
    assert size < 10 * 2048  # ten events, not sixty

    again = Store.open(tmp_path / "db", clock=lambda: NOW, unverified_limit=10)
    try:
        assert [e.id for e in again.unverified()] == [e.id for e in kept]
        assert again.unverified_dropped == 50
        assert [e.brand_id for e in again.recent(11)][0] == "B0"
    finally:
        again.close_sync()


async def test_a_damaged_unverified_file_is_moved_aside_with_a_warning(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "unverified.json").write_text("{not json")
    store = Store.open(tmp_path / "db", clock=lambda: NOW)
    try:
        assert store.unverified() == []
        [warning] = store.warnings
        assert warning.startswith("unverified.json was damaged (not valid JSON")
        assert list((tmp_path / "db").glob("unverified.json.damaged-*"))
    finally:
        store.close_sync()


async def test_loopback_by_default_and_a_warning_for_all_interfaces(tmp_path, monkeypatch, caplog):
    assert ReceiverConfig().host == "127.0.0.1"
    store = Store.open(tmp_path / "db", clock=lambda: NOW)
    quiet = Receiver(store, ReceiverConfig(auth_token=TOKEN, port=0))
    await quiet.start()
    await quiet.stop()
    assert quiet.warnings == []

    bound: list[str] = []
    real_site = web.TCPSite

    def loopback_site(runner, host, port, **kw):  # tests never bind a non-loopback address
        bound.append(host)
        return real_site(runner, "127.0.0.1", port, **kw)

    monkeypatch.setattr("receiver.http.server.web.TCPSite", loopback_site)
    caplog.set_level("WARNING", logger="tendlc.receiver")
    wide = Receiver(store, ReceiverConfig(host="0.0.0.0", auth_token=TOKEN, port=0))
    await wide.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{wide.port}/healthz") as resp:
                body = await resp.json()
    finally:
        await wide.stop()
        await store.close()
    assert bound == ["0.0.0.0", "127.0.0.1"]  # the receiver, then the writer's inbox (loopback)
    [warning] = wide.warnings
    assert warning.startswith("binding 0.0.0.0: the receiver is reachable from other machines")
    assert warning in caplog.text and body["warnings"] == [warning]
