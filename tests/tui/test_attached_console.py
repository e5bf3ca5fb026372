"""`tendlc --attach URL`: consoles on a server's store see the same changes, a dropped stream
resumes with nothing missed or repeated, and a wrong or missing token is refused."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from plivo_client.types import GatewayError
from plivo_client.validation import BrandRequest
from receiver.attached.client import ApiClient, ApiRefused
from receiver.attached.follow import LinkState, backoff
from receiver.attached.store import AttachedStore
from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, ResourceType
from tendlc.launch import LaunchOptions, run_tui
from tests.tui.attached_stack import READ, WRITE, Gate, start_server
from tests.tui.conftest import ticking_clock


@pytest.fixture
async def server(tmp_path: Path):
    made = await start_server(tmp_path / "server")
    yield made
    await made.stop()


async def until(predicate, what: str, timeout: float = 10.0):
    """Poll with a deadline (the app runs meanwhile)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return result


async def test_two_attached_consoles_see_the_same_change(server):
    one = server.console(await server.attach(), ticking_clock())
    two = server.console(await server.attach(), ticking_clock())
    async with one.run_test(size=(120, 36)) as p1, two.run_test(size=(120, 36)) as p2:
        for app in (one, two):
            await until(lambda a=app: a.main_screen and a.services.started, "services")
            store = app.services.store
            await until(lambda s=store: s.link.state is LinkState.CONNECTED, "the stream")
            assert app.main_screen.sub_title == f"ATTACHED to {server.base}"
            assert app.main_screen.status_bar.link_problem is None
            bar = app.main_screen.status_bar
            await until(lambda b=bar: b.callback_url, "the addresses")
            assert bar.callback_url == server.receiver.config.callback_url  # the server's

        gateway = one.services.gateway
        profile = next(p for p in await asyncio.to_thread(gateway.list_profiles) if p.has_ein)
        sub = await asyncio.to_thread(
            gateway.create_brand, BrandRequest(profile_uuid=profile.uuid, alias="Shared")
        )
        brand = sub.brand_id
        # journaled on the server with the server's callback URL, not one of this machine's
        request = server.store.find_entry(sub.record.id)
        assert request is not None and request.params["url"] == server.receiver.config.callback_url
        for app, pilot in ((one, p1), (two, p2)):
            table = app.main_screen.resources.table(ResourceType.BRAND)
            await until(lambda t=table: brand in t.rows, f"{brand} in a console's table")
            store = app.services.store
            await until(
                lambda s=store: s.registry.get(ResourceType.BRAND, brand).badge is Badge.REGISTERED,
                "the sandbox's callback, through the server",
            )
            await pilot.pause()
            log = app.main_screen.event_log
            ids = [k for k in log.rows]
            assert sub.record.id in ids and ids.count(sub.record.id) == 1
        assert server.store.registry.get(ResourceType.BRAND, brand).badge is Badge.REGISTERED


async def test_a_dropped_stream_resumes_with_nothing_missed_or_repeated(server):
    await server.record(1)
    gate = Gate()
    store = await server.attach(sleep=gate.sleep)
    seen: list[int] = []
    links = []
    store.subscribe(lambda change: seen.append(change.request.seq))
    store.on_link(links.append)
    await store.follow()
    await until(lambda: store.link.state is LinkState.CONNECTED, "connected")
    await server.record(2)
    await until(lambda: seen == [2], "the live change")

    await server.receiver.stop()  # the server goes away: the stream drops
    await until(lambda: gate.waiting.is_set(), "a retry to be scheduled")
    assert store.link.state is LinkState.LOST and store.link.retry_in == backoff(1)
    for n in (3, 4, 5):  # recorded while this console is cut off
        await server.record(n)
    gate.open()  # the first retry finds nothing listening: the next waits twice as long
    await until(lambda: len(gate.delays) == 2 and gate.waiting.is_set(), "a second retry")
    assert gate.delays == [backoff(1), backoff(2)] == [1.0, 2.0]

    await server.receiver.start()  # back, on the same port
    gate.open()
    await until(lambda: store.link.state is LinkState.CONNECTED, "reconnected")
    await until(lambda: len(seen) >= 4, "the catch-up")
    await server.record(6)
    await until(lambda: 6 in seen, "live again")
    assert seen == [2, 3, 4, 5, 6]  # nothing missed, nothing twice
    assert store.last_seq == server.store.last_seq == 6
    mirror = {r.id: r.to_dict() for r in store.registry.all()}
    assert mirror == {r.id: r.to_dict() for r in server.store.registry.all()}
    assert [e.id for e in store.recent()] == [f"rq-srv-{n}" for n in range(1, 7)]
    assert [e.id for e in store.entries_for(ResourceType.BRAND, "BSRV003")] == ["rq-srv-3"]
    assert store.find_entry("rq-srv-4").seq == 4
    states = [link.state for link in links]
    assert states[0] is LinkState.CONNECTED and LinkState.LOST in states
    assert states[-1] is LinkState.CONNECTED


async def test_the_console_shows_a_lost_connection_at_once_and_its_return(server, toasts):
    gate = Gate()
    app = server.console(await server.attach(sleep=gate.sleep), ticking_clock())
    async with app.run_test(size=(80, 24), message_hook=toasts) as pilot:
        await until(lambda: app.services.started, "services")
        store = app.services.store
        await until(lambda: store.link.state is LinkState.CONNECTED, "the stream")
        screen = app.main_screen
        await server.receiver.stop()
        await until(lambda: screen.status_bar.link_problem, "the red line")
        assert screen.sub_title == f"ATTACHED to {server.base} · LOST"
        assert "retrying in 1 s" in screen.status_bar.link_problem
        assert toasts.messages("server connection lost")
        gateway = app.services.gateway  # a request now could not be journaled: none is sent
        with pytest.raises(GatewayError, match="out of reach"):
            await asyncio.to_thread(
                gateway.create_brand, BrandRequest(profile_uuid="any", alias="Lost")
            )
        assert server.sandbox.world.brands == {}
        await server.record(1)
        await server.receiver.start()
        gate.open()
        await until(lambda: screen.status_bar.link_problem is None, "the line to clear")
        await until(lambda: "rq-srv-1" in screen.event_log.rows, "the missed request")
        await pilot.pause()
        assert screen.sub_title == f"ATTACHED to {server.base}"
        assert toasts.messages("server connection back")


async def test_an_attached_console_marks_what_the_server_forwarded(tmp_path):
    got = []

    async def handle(request: web.Request) -> web.Response:
        got.append(dict(await request.post()))
        return web.Response(text="ok")

    handler = web.Application()
    handler.router.add_post("/mine", handle)
    target = TestServer(handler, host="127.0.0.1")
    await target.start_server()
    server = await start_server(tmp_path / "server", forward_to=(str(target.make_url("/mine")),))
    try:
        app = server.console(await server.attach(), ticking_clock())
        async with app.run_test(size=(120, 36)):
            await until(lambda: app.services.started, "services")
            store = app.services.store
            await until(lambda: store.link.state is LinkState.CONNECTED, "the stream")
            assert app.services.forwards is store  # the server's forwards, as mirrored
            gateway = app.services.gateway
            profile = next(p for p in await asyncio.to_thread(gateway.list_profiles) if p.has_ein)
            await asyncio.to_thread(
                gateway.create_brand, BrandRequest(profile_uuid=profile.uuid, alias="Fwd")
            )
            log = app.main_screen.event_log
            callbacks = lambda: [e.id for e in server.store.journal() if hasattr(e, "kind")]  # noqa: E731
            await until(
                lambda: len(callbacks()) == 2
                and all(k in log.rows and str(log.get_cell(k, "trust")).startswith("fwd ✓")
                        for k in callbacks()),
                "the server's forwards marked in the attached console",
            )  # fmt: skip
            assert [f.state for k in callbacks() for f in store.for_event(k)] == ["delivered"] * 2
        assert sorted(fields["status"] for fields in got) == ["created", "registered"]
    finally:
        await server.stop()
        await target.close()


async def test_a_read_only_console_watches_but_sends_nothing(server):
    app = server.console(await server.attach(READ), ticking_clock())
    async with app.run_test(size=(120, 36)):
        await until(lambda: app.services.started, "services")
        store = app.services.store
        await until(lambda: store.link.state is LinkState.CONNECTED, "the stream")
        gateway = app.services.gateway
        profile = next(p for p in await asyncio.to_thread(gateway.list_profiles) if p.has_ein)
        with pytest.raises(GatewayError, match="read-only token"):
            await asyncio.to_thread(
                gateway.create_brand, BrandRequest(profile_uuid=profile.uuid, alias="No")
            )
        await server.record(1)  # it still sees what others do
        await until(lambda: "rq-srv-1" in app.main_screen.event_log.rows, "a change")
    assert [e.id for e in server.store.journal()] == ["rq-srv-1"]
    assert server.sandbox.world.brands == {}  # nothing reached the API either


async def test_a_wrong_or_missing_token_is_refused(server, monkeypatch):
    with pytest.raises(ApiRefused, match=r"refused the API token \(401\)"):
        await asyncio.to_thread(AttachedStore.connect, server.base, "wrong-token-0123456789abcdef")
    store = AttachedStore(ApiClient(server.base, "wrong-token-0123456789abcdef"))
    await store.follow()  # a stream refused: no retry can help, so none is made
    await until(lambda: store.link.state is LinkState.REFUSED, "refused")
    assert "401" in store.link.reason and store.registry.size() == 0 and store.recent() == []
    await store.close()

    def launch(token: str | None) -> tuple[int, str]:
        if token is None:
            monkeypatch.delenv("TENDLC_API_TOKEN", raising=False)
        else:
            monkeypatch.setenv("TENDLC_API_TOKEN", token)
        monkeypatch.delenv("TENDLC_API_READ_TOKEN", raising=False)
        err = io.StringIO()
        options = LaunchOptions(Path("unused"), ReceiverConfig(), sandbox=True, attach=server.base)
        return run_tui(options, err=err), err.getvalue()

    code, said = await asyncio.to_thread(launch, None)
    assert code == 1 and "--attach needs TENDLC_API_TOKEN" in said
    code, said = await asyncio.to_thread(launch, "wrong-token-0123456789abcdef")
    assert code == 1 and "refused the API token (401)" in said
    assert WRITE not in said


async def test_a_filter_keeps_attached_in_the_header(server):
    await server.record(1)
    app = server.console(await server.attach(), ticking_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.services.started, "services")
        store = app.services.store
        await until(lambda: store.link.state is LinkState.CONNECTED, "the stream")
        screen = app.main_screen
        await pilot.press("slash", *"BSRV", "enter")
        await until(lambda: "filter" in screen.sub_title, "the filter applied")
        assert screen.sub_title == f"ATTACHED to {server.base} · filter “BSRV”"
        await server.receiver.stop()
        await until(lambda: "LOST" in screen.sub_title, "the lost link")
        assert screen.sub_title == f"ATTACHED to {server.base} · LOST · filter “BSRV”"


async def test_the_header_says_attached_before_the_stream_connects(server):
    store = await server.attach(sleep=Gate().sleep)
    await server.receiver.stop()  # the registry was read; the stream will not connect
    app = server.console(store, ticking_clock())
    async with app.run_test(size=(80, 24)):
        await until(lambda: app.main_screen, "the main screen")
        assert app.main_screen.sub_title.startswith(f"ATTACHED to {server.base}")
        await until(lambda: "LOST" in app.main_screen.sub_title, "the lost link")
