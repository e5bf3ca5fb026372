"""Forwarding accepted callbacks to the user's own handler: signed for it, retried, durable."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from plivo.utils import validate_signature
from plivo.utils.signature_v3 import validate_v3_signature

from receiver.config import ReceiverConfig
from receiver.domain.models import sequential_ids
from receiver.forward import DELIVERED, FAILED, SKIPPED, Forwarder
from receiver.http.server import Receiver, make_app
from receiver.signature import signature_headers
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"
NOW = 1_700_000_000.0
BRAND = {"brand_id": "B1", "event": "brand", "status": "registered"}


class Handler:
    """The user's own callback handler: answers `statuses` in turn (then 200), records requests."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.got: list[tuple[str, str, dict, dict]] = []
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        fields = dict(await request.post())
        self.got.append((request.method, str(request.url), dict(request.headers), fields))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text=f"handler says {status}")

    async def __aenter__(self):
        app = web.Application()
        app.router.add_route("*", "/hook", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc):
        await self.server.close()

    @property
    def url(self) -> str:
        return str(self.server.make_url("/hook"))


class Rig:
    """A store, a verifying receiver and a forwarder, all on loopback."""

    def __init__(self, path, targets, prefix="ev", **options):
        self.path, self.targets, self.options = path, targets, options
        self.prefix = prefix  # of the receiver's event ids (another run: another prefix)
        self.changed = asyncio.Event()
        self.seen = []

    def on_change(self, fwd):
        self.seen.append((fwd.event_id, fwd.state, len(fwd.attempts)))
        self.changed.set()

    async def __aenter__(self):
        self.store = Store.open(self.path, clock=lambda: NOW)
        config = ReceiverConfig(auth_token=TOKEN, main_auth_token=MAIN)
        self.receiver = Receiver(
            self.store, config, clock=lambda: NOW, ids=sequential_ids(self.prefix)
        )
        self.client = TestClient(TestServer(make_app(self.receiver)))
        await self.client.start_server()
        self.forwarder = None
        if self.targets is None:  # forwarding off
            return self
        self.forwarder = Forwarder(
            self.store, self.targets, token=TOKEN, main_token=MAIN, clock=lambda: NOW,
            on_change=self.on_change, **self.options,
        )  # fmt: skip
        await self.forwarder.start()
        return self

    async def __aexit__(self, *exc):
        if self.forwarder is not None:
            await self.forwarder.stop()
        await self.client.close()
        await self.store.close()

    async def post(self, payload: dict, headers: dict | None = None) -> int:
        url = self.receiver.config.callback_url
        headers = headers or signature_headers("POST", url, payload, TOKEN, MAIN)
        resp = await self.client.post("/tendlc_status/", data=payload, headers=headers)
        return resp.status

    async def until(self, done, what: str, timeout: float = 10.0):
        """Wait for forward changes until `done()` holds (deadline, never a bare sleep)."""
        async with asyncio.timeout(timeout):
            while not done():
                self.changed.clear()
                await self.changed.wait()

    def state(self, event_id: str = "ev000001"):
        return [(f.target, f.state, len(f.attempts)) for f in self.forwarder.for_event(event_id)]


async def test_a_forward_verifies_with_plivos_own_signature_checks(tmp_path):
    async with Handler() as handler, Rig(tmp_path / "db", [handler.url]) as rig:
        assert await rig.post(BRAND) == 200
        await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 1)], "delivered")
    [(method, url, headers, fields)] = handler.got
    assert method == "POST" and fields == BRAND
    nonce, v3_nonce = headers["X-Plivo-Signature-V2-Nonce"], headers["X-Plivo-Signature-V3-Nonce"]
    assert validate_signature(url, nonce, headers["X-Plivo-Signature-V2"], TOKEN)
    assert validate_signature(url, nonce, headers["X-Plivo-Signature-Ma-V2"], MAIN)
    assert validate_v3_signature(
        "POST", url, v3_nonce, TOKEN, headers["X-Plivo-Signature-V3"], fields
    )
    [fwd] = rig.forwarder.for_event("ev000001")
    assert fwd.attempts[0].status == 200 and fwd.attempts[0].body == "handler says 200"


async def test_a_failing_handler_is_retried_and_every_attempt_is_kept(tmp_path):
    async with Handler([500, 503]) as handler, Rig(tmp_path / "db", [handler.url], scale=0) as rig:
        assert await rig.post(BRAND) == 200
        await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 3)], "third try")
        [fwd] = rig.forwarder.for_event("ev000001")
        assert [a.status for a in fwd.attempts] == [500, 503, 200]
        assert fwd.attempts[0].body == "handler says 500"


async def test_a_dead_handler_fails_after_plivos_retries_and_never_blocks_the_ack(tmp_path):
    dead = "http://127.0.0.1:9/hook"  # discard port: nothing listens
    async with Rig(tmp_path / "db", [dead], scale=0) as rig:
        for i in range(5):
            assert await rig.post({**BRAND, "brand_id": f"B{i}"}) == 200
        await rig.until(
            lambda: all(rig.state(f"ev00000{i}") == [(dead, FAILED, 4)] for i in range(1, 6)),
            "all failed",
        )
        [fwd] = rig.forwarder.for_event("ev000001")
        assert all(a.status is None and a.error for a in fwd.attempts)
        assert "no 2xx after 4 attempts" in fwd.reason


async def test_pending_forwards_survive_a_restart(tmp_path):
    async with Handler([500]) as handler:
        # a retry due in an hour: still pending when the receiver stops
        async with Rig(tmp_path / "db", [handler.url], scale=60.0) as rig:
            assert await rig.post(BRAND) == 200
            await rig.until(lambda: rig.state() == [(handler.url, "pending", 1)], "first try")
        async with Rig(tmp_path / "db", [handler.url], scale=0) as rig:
            await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 2)], "resumed")
            [fwd] = rig.forwarder.for_event("ev000001")
            assert [a.status for a in fwd.attempts] == [500, 200]
    assert len(handler.got) == 2


async def test_callbacks_stored_while_forwarding_was_down_are_forwarded_at_start(tmp_path):
    """The log is not fsynced; the journal is: entries after the last queued one are queued."""
    async with Handler() as handler:
        async with Rig(tmp_path / "db", [handler.url]) as rig:
            assert await rig.post(BRAND) == 200
            await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 1)], "first")
            await rig.forwarder.stop()  # as if the process died before logging the next one
            assert await rig.post({**BRAND, "brand_id": "B2"}) == 200
        async with Rig(tmp_path / "db", [handler.url]) as rig:
            await rig.until(
                lambda: rig.state("ev000002") == [(handler.url, DELIVERED, 1)], "caught up"
            )
    assert [fields["brand_id"] for *_, fields in handler.got] == ["B1", "B2"]  # B1 once


async def test_turning_forwarding_on_does_not_send_the_stored_history(tmp_path):
    """A first start forwards what arrives from `since` on, not the callbacks stored before."""
    async with Handler() as handler:
        async with Rig(tmp_path / "db", None) as rig:  # forwarding off
            assert await rig.post(BRAND) == 200
        async with Rig(tmp_path / "db", [handler.url], "ew", since=NOW + 1) as rig:
            assert rig.state("ev000001") == []
            assert await rig.post({**BRAND, "brand_id": "B2"}) == 200
            await rig.until(lambda: rig.state("ew000001") == [(handler.url, DELIVERED, 1)], "B2")
        async with Rig(tmp_path / "db", [handler.url], "ex") as rig:  # nor at the next start
            assert rig.state("ev000001") == []
    assert [fields["brand_id"] for *_, fields in handler.got] == ["B2"]


async def test_a_first_start_forwards_what_came_while_the_store_loaded(tmp_path):
    """Callbacks acknowledged while this process opened the store (received from `since` on,
    fed from early/ before the forwarder starts) are forwarded like the ones that follow."""
    async with Handler() as handler:
        async with Rig(tmp_path / "db", None) as rig:
            assert await rig.post(BRAND) == 200  # received at NOW: during this start
        async with Rig(tmp_path / "db", [handler.url], since=NOW) as rig:
            await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 1)], "B1")
    assert [fields["brand_id"] for *_, fields in handler.got] == ["B1"]


async def test_several_targets_each_get_every_callback_signed_for_their_own_url(tmp_path):
    async with Handler() as one, Handler([500]) as two:
        async with Rig(tmp_path / "db", [one.url, two.url, one.url], scale=0) as rig:
            assert await rig.post(BRAND) == 200
            await rig.until(
                lambda: (
                    sorted(rig.state())
                    == sorted([(one.url, DELIVERED, 1), (two.url, DELIVERED, 2)])
                ),
                "both targets",
            )
    assert len(one.got) == 1 and len(two.got) == 2  # a repeated target is sent to once
    for method, url, headers, fields in [*one.got, *two.got]:
        nonce = headers["X-Plivo-Signature-V2-Nonce"]
        assert validate_signature(url, nonce, headers["X-Plivo-Signature-V2"], TOKEN)
        assert validate_v3_signature(
            method, url, headers["X-Plivo-Signature-V3-Nonce"], TOKEN,
            headers["X-Plivo-Signature-V3"], fields,
        )  # fmt: skip
    assert one.got[0][1] != two.got[0][1]


async def test_refused_and_replayed_callbacks_are_not_forwarded(tmp_path):
    async with Handler() as handler, Rig(tmp_path / "db", [handler.url]) as rig:
        headers = signature_headers("POST", rig.receiver.config.callback_url, BRAND, TOKEN, MAIN)
        assert await rig.post(BRAND, headers) == 200
        assert await rig.post(BRAND, headers) == 200  # a replay: acknowledged, not applied
        assert await rig.post({**BRAND, "status": "rejected"}, headers) == 403  # forged body
        assert await rig.post(BRAND, {"X-Plivo-Signature-V2": "x"}) == 403
        await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 1)], "the first")
        await rig.store.flush()
    assert len(handler.got) == 1


async def test_a_full_queue_skips_and_says_so(tmp_path):
    async with Rig(tmp_path / "db", ["http://127.0.0.1:9/hook"], scale=60.0, max_pending=1) as rig:
        assert await rig.post(BRAND) == 200
        assert await rig.post({**BRAND, "brand_id": "B2"}) == 200
        await rig.until(lambda: rig.state("ev000002") != [], "second")
        [(_, state, _)] = rig.state("ev000002")
        assert state == SKIPPED
        assert "queue full" in rig.forwarder.for_event("ev000002")[0].reason


async def test_a_torn_forward_log_line_is_ignored(tmp_path):
    async with Handler() as handler:
        async with Rig(tmp_path / "db", [handler.url]) as rig:
            assert await rig.post(BRAND) == 200
            await rig.until(lambda: rig.state() == [(handler.url, DELIVERED, 1)], "first")
        with open(tmp_path / "db" / "forwards.jsonl", "a", encoding="ascii") as f:
            f.write('{"op": "queued", "id": "ev0')  # a crash mid-line
        async with Rig(tmp_path / "db", [handler.url]) as rig:
            assert rig.state() == [(handler.url, DELIVERED, 1)]
    assert len(handler.got) == 1
    assert (tmp_path / "db" / "forwards.jsonl").stat().st_mode & 0o777 == 0o600


async def test_tendlc_receive_forwards_and_prints_each_attempt(tmp_path):
    """The command end to end: a JSON line per forward attempt, the target's own check passes."""
    from tests.receiver.test_receive_command import DEADLINE, callback, spawn, wait_listening

    async with Handler([502]) as handler:
        proc = await spawn(
            tmp_path / "db", "--forward-to", handler.url, "--forward-retry-scale", "0"
        )
        try:
            url, _ = await wait_listening(proc)
            payload, headers = callback(url, "B1")
            async with aiohttp.ClientSession() as s:
                async with s.post(url, data=payload, headers=headers) as resp:
                    assert resp.status == 200
            lines = []
            async with asyncio.timeout(DEADLINE):
                while len(lines) < 3:
                    lines.append(json.loads(await proc.stdout.readline()))
        finally:
            proc.terminate()
            await proc.wait()
    assert "forward" not in lines[0] and lines[0]["brand_id"] == "B1"
    tries = [line["forward"] for line in lines[1:]]
    assert [(t["state"], len(t["attempts"])) for t in tries] == [("pending", 1), ("delivered", 2)]
    assert [a["status"] for a in tries[-1]["attempts"]] == [502, 200]
    [_, (method, fwd_url, fwd_headers, fields)] = handler.got
    nonce = fwd_headers["X-Plivo-Signature-V2-Nonce"]
    assert validate_signature(fwd_url, nonce, fwd_headers["X-Plivo-Signature-V2"], TOKEN)


async def test_tendlc_receive_refuses_a_forward_target_that_is_not_a_url(tmp_path):
    from tests.receiver.test_receive_command import spawn

    proc = await spawn(tmp_path / "db", "--forward-to", "localhost:8000/hook")
    _, err = await proc.communicate()
    assert proc.returncode == 2 and b"not an http:// or https:// URL" in err
