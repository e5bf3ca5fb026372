"""`tendlc --forward-to URL`: the console's receiver forwards sandbox callbacks to your handler."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestServer
from plivo.utils import validate_signature

from receiver.forward import DELIVERED, Forwarder


async def test_sandbox_callbacks_reach_your_handler_signed_for_it(make_stack, wait_for, started):
    from tests.tui.conftest import ticking_clock

    got = []

    async def handle(request: web.Request) -> web.Response:
        got.append((str(request.url), dict(request.headers), dict(await request.post())))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/mine", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        stack = make_stack(ticking_clock())
        target = str(server.make_url("/mine"))
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
    finally:
        await server.close()
    assert [fields["brand_id"] for *_, fields in got] == [brand_id, brand_id]
    assert sorted(fields["status"] for *_, fields in got) == ["created", "registered"]
    for url, headers, _ in got:
        nonce = headers["X-Plivo-Signature-V2-Nonce"]
        assert validate_signature(url, nonce, headers["X-Plivo-Signature-V2"], token)


async def test_a_failing_handler_is_marked_in_the_log(make_stack, wait_for, started):
    from tests.tui.conftest import ticking_clock

    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=500, text="broken handler")

    app = web.Application()
    app.router.add_post("/mine", refuse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        stack = make_stack(ticking_clock())
        target = str(server.make_url("/mine"))
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
    finally:
        await server.close()


def _mark(log, key: str) -> str:
    """The row's Verification cell ("" while the row is not in the log yet)."""
    return str(log.get_cell(key, "trust")) if key in log.rows else ""


def _ids(stack) -> list[str]:
    return [e.id for e in stack.store.journal() if hasattr(e, "kind")]
