"""Callbacks acknowledged while the store opens (receiver/store/early.py): durable before the
200, applied once the store is open, a replay among them never applied twice, a forged one
never acknowledged, and what a run could not feed in fed by the next one, once."""

import asyncio
import contextlib
import socket
import threading

import aiohttp

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, ResourceType, sequential_ids
from receiver.http.opening import StoreOpening
from receiver.http.server import Receiver
from receiver.signature import signature_headers
from receiver.store.disk.files import StoreError
from receiver.store.early import EARLY_DIR, EarlyJournal
from receiver.store.store import Store

TOKEN = "EarlyToken_0123456789abcdef"
DEADLINE = 20.0


def clock() -> float:
    return 1_800_000_000.0


class GatedStaged:
    """A staged opening (lock and early journal at once) whose registry load waits for `gate`."""

    def __init__(self, path, fail: Exception | None = None) -> None:
        self.path, self.fail = path, fail
        self.gate = threading.Event()

    def opening(self) -> StoreOpening:
        return StoreOpening.staged(self.path, clock=clock, open_store=self._open)

    def _open(self, path, **kwargs) -> Store:
        assert self.gate.wait(DEADLINE), "the test never opened the gate"
        if self.fail is not None:
            kwargs["lock"].release()
            raise self.fail
        return Store.open(path, **kwargs)


@contextlib.asynccontextmanager
async def receiving(opening: StoreOpening, ids: str = "ev", port: int = 0):
    config = ReceiverConfig(port=port, auth_token=TOKEN)
    receiver = Receiver(opening, config, ids=sequential_ids(ids))
    await receiver.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield receiver, session
    finally:
        await receiver.stop()


def signed(url: str, brand: str, nonce: str, token: str = TOKEN) -> tuple[dict, dict]:
    payload = {"brand_id": brand, "event": "brand", "status": "registered"}
    return payload, signature_headers("POST", url, payload, token, nonce=nonce)


async def post(session, url, payload, headers) -> tuple[int, str]:
    async def send() -> tuple[int, str]:
        async with session.post(url, data=payload, headers=headers) as resp:
            return resp.status, await resp.text()

    return await asyncio.wait_for(send(), DEADLINE)  # a hang guard: an early ack is immediate


async def until(predicate, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def wait_for_early(opening: StoreOpening) -> None:
    await until(lambda: opening.early is not None, "the early journal")


async def acknowledged_then_open_failed(db, brands: list[str]) -> None:
    """Callbacks for `brands` acknowledged while the store loads, then the open fails: they
    stay in early/, as a crash before feeding them would leave them."""
    staged = GatedStaged(db, fail=StoreError("disk trouble"))
    opening = staged.opening().start()
    async with receiving(opening) as (receiver, session):
        await wait_for_early(opening)
        url = receiver.config.callback_url
        for n, brand in enumerate(brands, 1):
            assert await post(session, url, *signed(url, brand, f"n{n}")) == (200, "ok\n")
        staged.gate.set()
        assert await opening.settled() == "failed"
    assert any((db / EARLY_DIR).iterdir())  # kept: acknowledged, not yet in the journal


async def test_callbacks_are_acknowledged_while_the_store_loads_and_applied_once_it_is_open(
    tmp_path,
):
    db = tmp_path / "db"
    staged = GatedStaged(db)
    opening = staged.opening().start()
    async with receiving(opening) as (receiver, session):
        await wait_for_early(opening)
        url = receiver.config.callback_url
        # acknowledged before the registry is loaded: on disk in early/ already
        assert await post(session, url, *signed(url, "B1", "n1")) == (200, "ok\n")
        assert await post(session, url, *signed(url, "B1", "n1")) == (200, "ok\n")  # a replay
        assert await post(session, url, *signed(url, "B2", "n2")) == (200, "ok\n")
        assert receiver.store is None and opening.early.count == 3
        assert any((db / EARLY_DIR).iterdir())
        forged = asyncio.create_task(post(session, url, *signed(url, "B3", "n3", "wrong")))
        await until(lambda: receiver.guard.stats()["handling"] == 1, "the forged one waiting")
        assert not forged.done()  # refused callbacks are not acknowledged early

        staged.gate.set()
        status, text = await asyncio.wait_for(forged, DEADLINE)
        assert status == 403 and text.startswith("forbidden")
        store = receiver.store
        await until(lambda: not (db / EARLY_DIR).exists(), "the early journal to be fed in")
        first, second = [e for e in store.journal() if e.replay_of is None]
        assert [(first.id, first.brand_id), (second.id, second.brand_id)] == [
            ("ev000001", "B1"),
            ("ev000003", "B2"),
        ]  # in arrival order, with the ids and times they were acknowledged with
        assert store.replay_count("ev000001") == 1  # the copy is a marker, never applied
        assert store.registry.get(ResourceType.BRAND, "B1").badge is Badge.REGISTERED
        # a callback after the open goes straight to the journal, after the early ones
        assert await post(session, url, *signed(url, "B4", "n4")) == (200, "ok\n")
        assert [e.brand_id for e in store.journal() if e.replay_of is None][-1] == "B4"
    await store.close()


async def test_what_a_failed_open_acknowledged_is_fed_by_the_next_run_once(tmp_path):
    db = tmp_path / "db"
    await acknowledged_then_open_failed(db, ["B1", "B2"])

    # A run that stopped between feeding B1 and removing early/ (B1 is in the main journal).
    leftover = EarlyJournal.open(db / EARLY_DIR, now=clock())
    kept = await leftover.take()
    leftover.shutdown()
    assert [k.event.brand_id for k in kept] == ["B1", "B2"] and all(k.nonce_keys for k in kept)
    store = Store.open(db, clock=clock)
    await store.record_callback(kept[0].event, apply=True, nonce_keys=kept[0].nonce_keys)

    async with receiving(StoreOpening.ready(store), ids="next") as (receiver, session):
        await until(lambda: not (db / EARLY_DIR).exists(), "the leftovers to be fed in")
        journaled = [(e.id, e.brand_id) for e in store.journal()]
        assert journaled == [("ev000001", "B1"), ("ev000002", "B2")]  # B1 once, not twice
        url = receiver.config.callback_url  # B2's nonce is known now: a copy is a replay
        assert await post(session, url, *signed(url, "B2", "n2")) == (200, "ok\n")
        assert store.replay_count("ev000002") == 1
    await store.close()


async def test_a_replay_of_a_stored_callback_sent_during_the_load_changes_nothing(tmp_path):
    db = tmp_path / "db"
    store = Store.open(db, clock=clock)
    with socket.socket() as probe:  # both runs on one port: the replay's signed URL matches
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with receiving(StoreOpening.ready(store), ids="a", port=port) as (receiver, session):
        url = receiver.config.callback_url
        payload = {"brand_id": "B1", "event": "brand", "status": "failed"}
        headers = signature_headers("POST", url, payload, TOKEN, nonce="n1")
        assert await post(session, url, payload, headers) == (200, "ok\n")
    await store.close()

    staged = GatedStaged(db)
    opening = staged.opening().start()
    async with receiving(opening, ids="b", port=port) as (receiver, session):
        await wait_for_early(opening)
        url = receiver.config.callback_url
        assert await post(session, url, payload, headers) == (200, "ok\n")  # acknowledged
        staged.gate.set()
        await until(lambda: not (db / EARLY_DIR).exists(), "the early journal to be fed in")
        store = receiver.store
        assert store.replay_count("a000001") == 1
        assert [e.id for e in store.journal() if e.replay_of is None] == ["a000001"]
    await store.close()


async def test_a_receiver_built_before_its_loop_on_an_open_store_feeds_the_leftovers(tmp_path):
    """The console opens a small store before its loop runs (tendlc/launch.py)."""
    db = tmp_path / "db"
    await acknowledged_then_open_failed(db, ["B1"])
    store = Store.open(db, clock=clock)

    def build() -> Receiver:  # no running loop in this thread, as in launch.py
        return Receiver(store, ReceiverConfig(port=0, auth_token=TOKEN), ids=sequential_ids("x"))

    receiver = await asyncio.to_thread(build)
    await receiver.start()
    try:
        await until(lambda: not (db / EARLY_DIR).exists(), "the leftovers to be fed in")
        assert [e.brand_id for e in store.journal()] == ["B1"]
    finally:
        await receiver.stop()
        await store.close()
