"""`tendlc --forward-to URL`: the console's receiver forwards sandbox callbacks to your handler."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.test_utils import TestServer
from plivo.utils import validate_signature

from receiver.forward import DELIVERED, Forwarder


@contextlib.asynccontextmanager
async def handler_at(handle) -> AsyncIterator[str]:
    """Your handler (`handle`) on loopback, POST /mine; yields its URL."""
    app = web.Application()
    app.router.add_post("/mine", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/mine"))
    finally:
        await server.close()


async def test_sandbox_callbacks_reach_your_handler_signed_for_it(make_stack, wait_for, started):
    from tests.tui.conftest import ticking_clock

    got = []

    async def handle(request: web.Request) -> web.Response:
        got.append((str(request.url), dict(request.headers), dict(await request.post())))
        return web.Response(text="ok")

    async with handler_at(handle) as target:
        stack = make_stack(ticking_clock())
        token = stack.sandbox.auth_token
        stack.app.services.forwarder = Forwarder(stack.store, [target], token=token)
        async with stack.app.run_test(size=(120, 36)) as pilot:
            await started(pilot)
            brand_id = await stack.create_brand("harbor")
            forwarder = stack.app.services.forwarder
            await wait_for(
                pilot,
                lambda: (
                    sum(f.state == DELIVERED for e in _ids(stack) for f in forwarder.for_event(e))
                    >= 2
                ),
                "both callbacks forwarded",
            )
            log = stack.app.main_screen.event_log  # each forwarded row is marked, live
            await wait_for(
                pilot,
                lambda: all(_mark(log, e).startswith("fwd ✓") for e in _ids(stack)),
                "the event log's forward marks",
            )
            request = next(k for k in log.rows if k not in _ids(stack))
            assert "fwd" not in str(log.get_cell(request, "trust"))  # requests are not forwarded
    assert [fields["brand_id"] for *_, fields in got] == [brand_id, brand_id]
    assert sorted(fields["status"] for *_, fields in got) == ["created", "registered"]
    for url, headers, _ in got:
        nonce = headers["X-Plivo-Signature-V2-Nonce"]
        assert validate_signature(url, nonce, headers["X-Plivo-Signature-V2"], token)


async def test_a_failing_handler_is_marked_in_the_log(make_stack, wait_for, started):
    from tests.tui.conftest import ticking_clock

    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=500, text="broken handler")

    async with handler_at(refuse) as target:
        stack = make_stack(ticking_clock())
        forwarder = Forwarder(stack.store, [target], token=stack.sandbox.auth_token, scale=0.0)
        stack.app.services.forwarder = forwarder
        async with stack.app.run_test(size=(120, 36)) as pilot:
            await started(pilot)
            await stack.create_brand("harbor")
            log = stack.app.main_screen.event_log
            await wait_for(
                pilot,
                lambda: (
                    len(_ids(stack)) == 2
                    and all(_mark(log, e).startswith("fwd ✗") for e in _ids(stack))
                ),
                "every forward failed after Plivo's retries, and marked so",
            )
            assert all(len(forwarder.for_event(e)[0].attempts) == 4 for e in _ids(stack))


def _mark(log, key: str) -> str:
    """The row's Verification cell ("" while the row is not in the log yet)."""
    return str(log.get_cell(key, "trust")) if key in log.rows else ""


def _ids(stack) -> list[str]:
    return [e.id for e in stack.store.journal() if hasattr(e, "kind")]


async def test_the_detail_lists_every_attempt_and_a_replay_reaches_your_handler(
    make_stack, wait_for, started
):
    """Each callback's first forward gets a 500, the retry a 200: the detail shows both, live;
    `p` (replay to our receiver) makes a fresh callback, forwarded like any other."""
    from tests.tui.conftest import rendered, ticking_clock
    from tests.tui.test_replay_from_console import open_a_callback

    got = []

    async def handle(request: web.Request) -> web.Response:
        fields = dict(await request.post())
        got.append((str(request.url), dict(request.headers), fields))
        first = sum(f["status"] == fields["status"] for *_, f in got) == 1
        return web.Response(status=500 if first else 200, text="mine says hi")

    async with handler_at(handle) as target:
        stack = make_stack(ticking_clock())
        token = stack.sandbox.auth_token
        stack.app.services.forwarder = Forwarder(stack.store, [target], token=token, scale=0.0)
        async with stack.app.run_test(size=(120, 36)) as pilot:
            await started(pilot)
            event = await open_a_callback(stack.app, pilot, stack, wait_for)
            payload = stack.app.screen.query_one("#payload")
            await wait_for(
                pilot, lambda: "attempt 2: HTTP 200" in rendered(payload), "the retry, live"
            )
            shown = rendered(payload)
            assert "Forwarded to your handler" in shown and f"{target}  delivered" in shown
            assert "attempt 1: HTTP 500" in shown and "mine says hi" in shown
            before = len(got)
            await pilot.press("p", "enter")  # the default: our own receiver
            await wait_for(pilot, lambda: len(got) > before, "the replay, forwarded")
    url, headers, fields = got[before]
    assert fields["status"] == event.status and fields["brand_id"] == event.brand_id
    assert validate_signature(
        url, headers["X-Plivo-Signature-V2-Nonce"], headers["X-Plivo-Signature-V2"], token
    )


async def test_the_sandboxs_misbehaviour_reaches_your_handler(make_stack, wait_for, started):
    """Knobs armed in the console's sandbox: the terminal callback first, then a copy of it
    signed afresh; your handler gets all three, each signed for it. A copy with the same
    nonce is a replay: acknowledged, never applied, never forwarded."""
    from tests.tui.conftest import ticking_clock

    got = []

    async def handle(request: web.Request) -> web.Response:
        got.append((str(request.url), dict(request.headers), dict(await request.post())))
        return web.Response(text="ok")

    async with handler_at(handle) as target:
        stack = make_stack(ticking_clock())
        token = stack.sandbox.auth_token
        forwarder = Forwarder(stack.store, [target], token=token)
        stack.app.services.forwarder = forwarder
        async with stack.app.run_test(size=(120, 36)) as pilot:
            await started(pilot)
            screen = stack.app.screen
            await screen.run_action("sandbox_fault('reorder-callbacks')")
            await screen.run_action("sandbox_fault('duplicate-callback:status=registered')")
            await screen.run_action(
                "sandbox_fault('duplicate-callback:status=created,same_nonce=true')"
            )
            brand_id = await stack.create_brand("harbor")
            await wait_for(
                pilot,
                lambda: sum(f.state == DELIVERED for e in _ids(stack) for f in forwarder.for_event(e))
                >= 3 and stack.store.replay_total >= 1,
                "three callbacks forwarded and the same-nonce copy acknowledged",
            )  # fmt: skip
    assert sorted(fields["status"] for *_, fields in got) == ["created", "registered", "registered"]
    assert {fields["brand_id"] for *_, fields in got} == {brand_id}
    for url, headers, _ in got:
        nonce = headers["X-Plivo-Signature-V2-Nonce"]
        assert validate_signature(url, nonce, headers["X-Plivo-Signature-V2"], token)


def test_the_detail_names_the_target_once_and_each_attempt_at_full_width():
    import io

    from rich.console import Console

    from receiver.forward import Attempt, Forward
    from tui.widgets.formatting import day_time
    from tui.widgets.payload_view import forwards_renderable

    target = "http://127.0.0.1:3000/plivo/10dlc"
    error = f"could not reach {target}: Cannot connect to host 127.0.0.1:3000"
    attempts = [Attempt(n, 1_767_225_600.0 + n, None, 1.0, "", error) for n in (1, 2)]
    fwd = Forward("ev1", 1, target, "failed", attempts, "no 2xx after 2 attempts")
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(forwards_renderable([fwd]))
    shown = console.export_text()
    lines = shown.splitlines()
    assert lines[1] == f"{target}  failed: no 2xx after 2 attempts"
    assert lines[2].startswith(f"  {day_time(attempts[0].at)}  attempt 1: unreachable: Cannot")
    assert shown.count(target) == 1  # not repeated in each attempt's reason
    assert "attempt 2: unreachable: Cannot connect" in shown
