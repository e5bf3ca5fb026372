"""What `--forward-to` did on a `--serve-api` server reaches attached consoles: a forward that
moves while a console is away is in the catch-up when it comes back, never lost, never stale."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from receiver.attached.client import ApiClient
from receiver.attached.follow import LinkState
from receiver.attached.store import AttachedStore
from receiver.config import ReceiverConfig
from receiver.domain.models import sequential_ids
from receiver.forward import DELIVERED, PENDING, Forwarder
from receiver.http.api import PREFIX, ApiTokens, StoreApi
from receiver.http.server import Receiver, make_app
from receiver.resend import ReplayResult
from receiver.signature import signature_headers
from receiver.store.store import Store
from tests.receiver.test_store_api import Stream, auth

TOKEN = "SubAcctToken_0123456789abcdef"
WRITE = "write-token-0123456789abcdef"
READ = "read-token-0123456789abcdef0"
NOW = 1_700_000_000.0
TARGET = "http://127.0.0.1:9/hook"  # never called: the handler below answers instead


class Handler:
    """The user's handler as the forwarder sees it: each answer waits until it is let go."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.called = asyncio.Event()
        self.go = asyncio.Event()

    async def send(self, event, target: str) -> ReplayResult:
        self.calls.append(event.id)
        self.called.set()
        await self.go.wait()
        return ReplayResult(200, "ok", target, event.method)


async def until(predicate, what: str, timeout: float = 10.0):
    """Poll with a deadline."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return result


class Server:
    """`tendlc receive --serve-api --forward-to TARGET`, its handler held by the test."""

    def __init__(self, path) -> None:
        self.path = path
        self.handler = Handler()

    async def __aenter__(self):
        self.store = Store.open(self.path, clock=lambda: NOW)
        config = ReceiverConfig(port=0, auth_token=TOKEN)
        self.receiver = Receiver(self.store, config, clock=lambda: NOW, ids=sequential_ids())
        self.api = StoreApi(self.store, ApiTokens(WRITE, READ))
        self.receiver.extra_routes = self.api.routes()
        self.forwarder = Forwarder(
            self.store, [TARGET], token=TOKEN, clock=lambda: NOW, send=self.handler.send
        )
        await self.forwarder.start()
        self.api.follow_forwards(self.forwarder)
        return self

    async def __aexit__(self, *exc):
        self.handler.go.set()
        await self.forwarder.stop()
        await self.store.close()

    async def callback(self, client, brand: str) -> None:
        payload = {"brand_id": brand, "event": "brand", "status": "registered"}
        url = self.receiver.config.callback_url
        headers = signature_headers("POST", url, payload, TOKEN)
        resp = await client.post("/tendlc_status/", data=payload, headers=headers)
        assert resp.status == 200


class Retry:
    """The follower's sleep between retries: returns once the test lets it."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()
        self.go = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.waiting.set()
        await self.go.wait()


async def test_a_stream_resumed_with_its_forward_mark_gets_what_moved_meanwhile(tmp_path):
    async with Server(tmp_path / "db") as s:
        client = TestClient(TestServer(make_app(s.receiver), host="127.0.0.1"))
        await client.start_server()
        try:
            info = await (await client.get(PREFIX + "/info", headers=auth(READ))).json()
            mark = info["forwards"]
            resp = await client.get(
                PREFIX + "/stream", params={"forwards": mark}, headers=auth(READ)
            )
            stream = Stream(resp)
            assert await stream.until_ready() == ([], {"ready": True, "seq": 0})
            await s.callback(client, "B1")
            got = {event: data for _, event, data in [await stream.next(), await stream.next()]}
            assert got["change"]["entry"]["brand_id"] == "B1"  # and its forward, either first
            moved = got["forward"]
            assert moved["forward"]["state"] == PENDING
            resp.close()  # the console goes away while the handler answers
            await s.handler.called.wait()
            s.handler.go.set()
            await until(lambda: s.forwarder.for_event("ev000001")[0].state == DELIVERED, "done")
            again = await client.get(
                PREFIX + "/stream",
                params={"after": "1", "forwards": moved["mark"]},
                headers=auth(READ),
            )
            caught, ready = await Stream(again).until_ready()
            again.close()
        finally:
            await client.close()
    assert [(event, data["forward"]["state"]) for _, event, data in caught] == [
        ("forward", DELIVERED)
    ]  # the delivery it missed, and no change twice
    assert caught[0][2]["forward"]["attempts"][0]["status"] == 200
    assert ready["seq"] == 1


async def test_an_attached_store_shows_a_delivery_made_while_it_was_lost(tmp_path):
    async with Server(tmp_path / "db") as s:
        await s.receiver.start()
        retry = Retry()
        store = AttachedStore(ApiClient(s.receiver.config.local_base, READ), sleep=retry.sleep)
        try:
            await asyncio.to_thread(store.load)
            await store.follow()
            await until(lambda: store.link.state is LinkState.CONNECTED, "the stream")
            async with aiohttp.ClientSession(s.receiver.config.local_base) as client:
                await s.callback(client, "B1")
            await until(lambda: store.for_event("ev000001"), "the pending forward")
            await s.handler.called.wait()
            await s.receiver.stop()  # the stream drops
            await until(lambda: store.link.state is LinkState.LOST, "lost")
            s.handler.go.set()
            await until(lambda: s.forwarder.for_event("ev000001")[0].state == DELIVERED, "done")
            assert store.for_event("ev000001")[0].state == PENDING  # it could not know yet
            await retry.waiting.wait()
            await s.receiver.start()  # back on the same port: the next retry catches up
            retry.go.set()
            await until(lambda: store.link.state is LinkState.CONNECTED, "reconnected")
            await until(lambda: store.for_event("ev000001")[0].state == DELIVERED, "caught up")
        finally:
            await store.close()
            await s.receiver.stop()
