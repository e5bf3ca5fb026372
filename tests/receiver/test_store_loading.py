"""Bind first, answer while loading (issue 9 finding 11): the port answers while the store opens
on a thread; a callback waits for it and is acknowledged only once durable, or gets 503."""

import asyncio
import contextlib
import io
import json
import socket
import threading

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, ResourceType, sequential_ids
from receiver.http.opening import StoreNotReady, StoreOpening
from receiver.http.server import Receiver
from receiver.signature import signature_headers
from receiver.store.store import Store, StoreError
from tendlc.receive import serve

TOKEN = "SubAcctToken_0123456789abcdef"
DEADLINE = 20.0


class GatedOpener:
    """Opens the store at `path` once `gate` is set (the open runs on the opening's thread)."""

    def __init__(self, path, fail: Exception | None = None) -> None:
        self.path, self.fail = path, fail
        self.gate = threading.Event()
        self.entered = threading.Event()

    def __call__(self) -> Store:
        self.entered.set()
        assert self.gate.wait(DEADLINE), "the test never opened the gate"
        if self.fail is not None:
            raise self.fail
        return Store.open(self.path)


def signed(url: str, brand: str, nonce: str | None = None) -> tuple[dict, dict]:
    payload = {"brand_id": brand, "event": "brand", "status": "registered"}
    return payload, signature_headers("POST", url, payload, TOKEN, nonce=nonce)


@contextlib.asynccontextmanager
async def loading(opener, **options):
    opening = StoreOpening(opener).start()
    cfg = ReceiverConfig(port=0, auth_token=TOKEN, **options)
    receiver = Receiver(opening, cfg, ids=sequential_ids("ev"))
    await receiver.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield receiver, session
    finally:
        await receiver.stop()
        opener.gate.set()
        await opening.settled()
        if opening.store is not None:
            await opening.store.close()


async def health(receiver: Receiver, session: aiohttp.ClientSession) -> tuple[int, dict, dict]:
    url = f"http://127.0.0.1:{receiver.port}/healthz"
    async with session.get(url) as resp:
        return resp.status, dict(resp.headers), await resp.json()


async def post(session, url, payload, headers) -> tuple[int, str]:
    async with session.post(url, data=payload, headers=headers) as resp:
        return resp.status, await resp.text()


async def wait_until(predicate, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_the_port_answers_while_loading_and_a_callback_lands_once_it_is_open(tmp_path):
    opener = GatedOpener(tmp_path / "db")
    async with loading(opener) as (receiver, session):
        status, headers, body = await health(receiver, session)
        assert (status, body["status"], body["store"]) == (
            503,
            "loading",
            {"healthy": False, "last_error": None},
        )
        assert headers["Retry-After"] == "60"
        url = receiver.config.callback_url
        first = asyncio.create_task(post(session, url, *signed(url, "B1", nonce="n1")))
        again = asyncio.create_task(post(session, url, *signed(url, "B1", nonce="n1")))
        await wait_until(lambda: receiver.guard.stats()["handling"] == 2, "two waiting callbacks")
        assert not first.done() and receiver.store is None  # nothing is acknowledged yet

        opener.gate.set()
        assert await asyncio.wait_for(first, DEADLINE) == (200, "ok\n")
        assert await asyncio.wait_for(again, DEADLINE) == (200, "ok\n")
        assert (await health(receiver, session))[2]["status"] == "ok"
        store = receiver.store
        [original] = list(store.journal())
        assert (original.brand_id, original.replay_of) == ("B1", None)
        assert store.replay_count(original.id) == 1  # the copy is a replay, not applied again


async def test_a_nonce_stored_before_is_a_replay_when_it_comes_during_loading(tmp_path):
    store = Store.open(tmp_path / "db")
    receiver = Receiver(store, ReceiverConfig(port=0, auth_token=TOKEN), ids=sequential_ids("a"))
    await receiver.start()
    url = receiver.config.callback_url
    async with aiohttp.ClientSession() as session:
        assert await post(session, url, *signed(url, "B1", nonce="n1")) == (200, "ok\n")
    await receiver.stop()
    await store.close()

    opener = GatedOpener(tmp_path / "db")
    async with loading(opener) as (receiver, session):
        url = receiver.config.callback_url
        forged = {"brand_id": "B1", "event": "brand", "status": "rejected"}
        _, headers = signed(url, "B1", nonce="n1")  # the nonce seen before, a new body (V2 only)
        headers = {k: v for k, v in headers.items() if "V3" not in k}
        answer = asyncio.create_task(post(session, url, forged, headers))
        await wait_until(lambda: receiver.guard.stats()["handling"] == 1, "a waiting callback")
        opener.gate.set()
        assert await asyncio.wait_for(answer, DEADLINE) == (200, "ok\n")
        [first] = list(receiver.store.journal())
        assert receiver.store.replay_count(first.id) == 1
        assert receiver.store.registry.get(ResourceType.BRAND, "B1").badge is Badge.REGISTERED


async def test_a_store_slower_than_load_wait_gets_503_and_then_serves(tmp_path):
    opener = GatedOpener(tmp_path / "db")
    async with loading(opener, load_wait=0.1) as (receiver, session):
        url = receiver.config.callback_url
        async with session.post(url, data=signed(url, "B1")[0], headers=signed(url, "B1")[1]) as r:
            assert (r.status, r.headers["Retry-After"]) == (503, "60")
            assert await r.text() == "not stored: the store is still opening after 0.1 s\n"
        opener.gate.set()
        await wait_until(lambda: receiver.opening.state == "ready", "the store to open")
        assert await post(session, url, *signed(url, "B2")) == (200, "ok\n")
        assert [e.brand_id for e in receiver.store.journal()] == ["B2"]


async def test_a_store_that_fails_to_open_gets_503_and_a_clear_error(tmp_path):
    locked = StoreError("the store at /x is in use by another tendlc process (pid 7); stop it")
    opener = GatedOpener(tmp_path / "db", fail=locked)
    async with loading(opener) as (receiver, session):
        url = receiver.config.callback_url
        waiting = asyncio.create_task(post(session, url, *signed(url, "B1")))
        await wait_until(lambda: receiver.guard.stats()["handling"] == 1, "a waiting callback")
        opener.gate.set()
        assert await asyncio.wait_for(waiting, DEADLINE) == (
            503,
            f"not stored: the store could not be opened: {locked}\n",
        )
        status, _, body = await health(receiver, session)
        assert (status, body["status"], body["store"]["last_error"]) == (503, "failed", str(locked))


async def test_an_opening_reports_what_went_wrong():
    async def outcome(opener) -> str:
        opening = StoreOpening(opener).start()
        with pytest.raises(StoreNotReady) as info:
            await opening.wait(DEADLINE)
        return str(info.value)

    def disk() -> Store:
        raise PermissionError(13, "Permission denied")

    def bug() -> Store:
        raise RuntimeError("boom")

    assert await outcome(disk) == "the store could not be opened: Permission denied"
    assert await outcome(bug) == "the store could not be opened: RuntimeError: boom"
    with pytest.raises(StoreNotReady, match="not being opened"):
        await StoreOpening(bug).wait(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_receive_binds_before_the_store_opens_and_prints_as_before(tmp_path):
    opener = GatedOpener(tmp_path / "db")
    out, err, stop = io.StringIO(), io.StringIO(), asyncio.Event()
    port = free_port()
    cfg = ReceiverConfig(port=port, auth_token=TOKEN)
    task = asyncio.create_task(
        serve(cfg, tmp_path / "db", out=out, err=err, stop=stop, open_store=opener)
    )
    url = cfg.callback_url
    async with aiohttp.ClientSession() as session:
        health_url = f"http://127.0.0.1:{port}/healthz"

        async def healthz() -> dict | None:
            try:
                async with session.get(health_url) as resp:
                    return await resp.json()
            except aiohttp.ClientConnectionError:
                return None  # not bound yet

        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while (body := await healthz()) is None:
            assert loop.time() < deadline and not task.done(), err.getvalue()
            await asyncio.sleep(0.01)
        assert body["status"] == "loading" and err.getvalue() == ""  # bound, nothing said yet
        answer = asyncio.create_task(post(session, url, *signed(url, "B1")))
        await wait_until(opener.entered.is_set, "the open to start")
        opener.gate.set()
        assert await asyncio.wait_for(answer, DEADLINE) == (200, "ok\n")
        await wait_until(lambda: "listening on" in err.getvalue(), "the listening line")
    stop.set()
    assert await task == 0
    assert err.getvalue().splitlines()[0] == (
        f"listening on {cfg.local_callback_url} (public URL: {cfg.local_callback_url})"
    )
    line = json.loads(out.getvalue())  # the callback that waited is printed like any other
    assert (line["brand_id"], line["http_status"]) == ("B1", 200)


async def test_receive_exits_1_with_the_store_message_when_the_open_fails(tmp_path):
    locked = StoreError("the store at /x is in use by another tendlc process (pid 7); stop it")
    opener = GatedOpener(tmp_path / "db", fail=locked)
    opener.gate.set()
    out, err = io.StringIO(), io.StringIO()
    cfg = ReceiverConfig(port=0, auth_token=TOKEN)
    code = await serve(
        cfg, tmp_path / "db", out=out, err=err, stop=asyncio.Event(), open_store=opener
    )
    assert (code, out.getvalue(), err.getvalue()) == (1, "", f"tendlc receive: {locked}\n")


async def wait_bound(session: aiohttp.ClientSession, port: int, task: asyncio.Task) -> dict:
    """Poll /healthz until the port answers; returns its body."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while True:
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                return await resp.json()
        except aiohttp.ClientConnectionError:
            assert loop.time() < deadline and not task.done(), "never bound"
            await asyncio.sleep(0.01)  # polling the port until it is bound


@contextlib.asynccontextmanager
async def receiving(tmp_path, opener, **options):
    """`serve` (tendlc receive in-process) on a known port: (config, err, task)."""
    out, err, stop = io.StringIO(), io.StringIO(), asyncio.Event()
    cfg = ReceiverConfig(port=free_port(), auth_token=TOKEN, **options.pop("config", {}))
    task = asyncio.create_task(
        serve(cfg, tmp_path / "db", out=out, err=err, stop=stop, open_store=opener, **options)
    )
    try:
        yield cfg, err, task
    finally:
        opener.gate.set()
        stop.set()
        assert await task == 0


async def test_receive_api_answers_503_while_the_store_loads(tmp_path):
    from receiver.http.api import PREFIX, ApiTokens

    opener = GatedOpener(tmp_path / "db")
    write = "w" * 20
    api, wait = ApiTokens(write), {"load_wait": 0.1}
    async with (
        receiving(tmp_path, opener, api=api, config=wait) as (cfg, err, task),
        aiohttp.ClientSession() as session,
    ):
        auth = {"Authorization": f"Bearer {write}"}
        registry = f"{cfg.local_base}{PREFIX}/registry"
        assert (await wait_bound(session, cfg.port, task))["status"] == "loading"
        async with session.get(registry, headers=auth) as resp:
            assert (resp.status, resp.headers["Retry-After"]) == (503, "60")
            assert await resp.text() == "the store is still opening after 0.1 s\n"
        opener.gate.set()
        await wait_until(lambda: "listening on" in err.getvalue(), "the store to open")
        url = cfg.callback_url
        assert await post(session, url, *signed(url, "B1")) == (200, "ok\n")
        async with session.get(registry, headers=auth) as resp:
            assert resp.status == 200
            assert [r["id"] for r in (await resp.json())["resources"]] == ["B1"]


async def test_a_callback_acknowledged_while_loading_is_forwarded(tmp_path):
    got: list[dict] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(dict(await request.post()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    target = TestServer(app, host="127.0.0.1")
    await target.start_server()
    opener = GatedOpener(tmp_path / "db")
    forward = ((str(target.make_url("/hook")),), 1.0)
    try:
        async with (
            receiving(tmp_path, opener, forward=forward) as (cfg, err, task),
            aiohttp.ClientSession() as session,
        ):
            await wait_bound(session, cfg.port, task)
            url = cfg.callback_url
            answer = asyncio.create_task(post(session, url, *signed(url, "B1")))

            async def handling() -> int:
                async with session.get(f"{cfg.local_base}/healthz") as resp:
                    return (await resp.json())["connections"]["handling"]

            loop = asyncio.get_running_loop()
            deadline = loop.time() + DEADLINE
            while await handling() < 2:  # this /healthz and the waiting callback
                assert loop.time() < deadline, "the callback never reached its handler"
            opener.gate.set()
            assert await asyncio.wait_for(answer, DEADLINE) == (200, "ok\n")
            await wait_until(lambda: len(got) == 1, "the callback to be forwarded")
            assert got[0]["brand_id"] == "B1"
            assert "forwarding accepted callbacks to" in err.getvalue()
    finally:
        await target.close()


async def test_the_writers_inbox_starts_once_the_store_is_open(tmp_path):
    from receiver.http.inbox import INBOX_NAME

    opener = GatedOpener(tmp_path / "db")
    async with loading(opener) as (receiver, _):
        assert receiver.inbox is None and not (tmp_path / "db" / INBOX_NAME).exists()
        opener.gate.set()
        await wait_until(lambda: receiver.inbox is not None, "the inbox to start")
        assert (tmp_path / "db" / INBOX_NAME).exists()
