"""`tendlc receive` end to end: JSON lines, clean stops, clear errors, and no lost acks on SIGKILL."""

import asyncio
import io
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import ResourceType, sequential_ids
from receiver.signature import signature_headers
from receiver.store.store import Store
from tendlc.receive import event_line, serve

TOKEN = "SubAcctToken_0123456789abcdef"
LINE_KEYS = {
    "id",
    "received_at",
    "kind",
    "status",
    "brand_id",
    "campaign_id",
    "number",
    "verified",
    "reason",
    "http_status",
    "replay_of",
}
LISTENING = re.compile(
    r"^listening on (http://127\.0\.0\.1:(\d+)/tendlc_status/) \(public URL: (\S+)\)$"
)
DEADLINE = 20.0


def env(token: str | None = TOKEN) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PLIVO_", "TENDLC_"))}
    if token:
        base["PLIVO_AUTH_TOKEN"] = token
    return base


async def spawn(db: Path, *args: str, token: str | None = TOKEN) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tendlc", "receive", "--port", "0", "--db", str(db), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env(token),
    )  # fmt: skip


async def wait_listening(proc: asyncio.subprocess.Process) -> tuple[str, list[str]]:
    """The callback URL from the `listening on` line, and the stderr lines before it."""
    before: list[str] = []
    while True:
        raw = await asyncio.wait_for(proc.stderr.readline(), DEADLINE)
        assert raw, f"receiver exited before listening: {before}"
        line = raw.decode().rstrip("\n")
        match = LISTENING.match(line)
        if match:
            return match.group(1), before
        before.append(line)


def callback(url: str, brand: str) -> tuple[dict, dict]:
    payload = {"brand_id": brand, "event": "brand", "status": "registered"}
    return payload, signature_headers("POST", url, payload, TOKEN)


async def test_receive_prints_json_lines_and_stops_cleanly_on_sigterm(tmp_path):
    proc = await spawn(tmp_path / "db")
    url, before = await wait_listening(proc)
    assert not any("warning" in line for line in before)
    async with aiohttp.ClientSession() as session:
        payload, headers = callback(url, "B1")
        async with session.post(url, data=payload, headers=headers) as resp:
            assert (resp.status, await resp.text()) == (200, "ok\n")
        async with session.get(url, params={"campaign_id": "C1", "status": "created"}) as resp:
            assert resp.status == 403
    first = json.loads(await asyncio.wait_for(proc.stdout.readline(), DEADLINE))
    second = json.loads(await asyncio.wait_for(proc.stdout.readline(), DEADLINE))
    assert set(first) == LINE_KEYS
    assert (
        first["kind"],
        first["brand_id"],
        first["verified"],
        first["reason"],
        first["http_status"],
    ) == ("brand", "B1", True, "V2+V3 ok", 200)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["received_at"])
    assert (second["kind"], second["verified"], second["http_status"]) == ("campaign", False, 403)
    assert second["reason"].startswith("missing signature headers")
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), DEADLINE) == 0
    rest = (await proc.stderr.read()).decode()
    assert "Traceback" not in rest
    store = Store.open(tmp_path / "db", readonly=True)
    try:
        assert [e.brand_id for e in store.journal()] == ["B1"]
        assert [(e.kind, e.http_status) for e in store.unverified()] == [("campaign", 403)]
    finally:
        store.close_sync()


async def test_sigkill_mid_burst_loses_no_acknowledged_callback(tmp_path):
    db = tmp_path / "db"
    proc = await spawn(db)
    url, _ = await wait_listening(proc)
    drain = asyncio.create_task(proc.stdout.read())  # keep stdout flowing
    acked: list[str] = []
    failed: list[str] = []
    enough = asyncio.Event()

    async def post(session: aiohttp.ClientSession, i: int) -> None:
        brand = f"B{i:04d}"
        payload, headers = callback(url, brand)
        try:
            async with session.post(url, data=payload, headers=headers) as resp:
                await resp.read()
                (acked if resp.status == 200 else failed).append(brand)
        except (TimeoutError, aiohttp.ClientError):
            failed.append(brand)
        if len(acked) >= 40:
            enough.set()

    connector = aiohttp.TCPConnector(limit=32, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(post(session, i)) for i in range(400)]
        await asyncio.wait_for(enough.wait(), DEADLINE)
        proc.kill()  # SIGKILL while requests are still in flight
        await asyncio.gather(*tasks)
    assert await proc.wait() == -signal.SIGKILL
    await drain
    assert len(acked) >= 40 and failed, "the kill should land mid-burst"

    again = await spawn(db)
    _, before = await wait_listening(again)
    assert before == []  # the store opened cleanly: no damaged-file warnings
    again.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(again.wait(), DEADLINE) == 0

    store = Store.open(db, readonly=True)
    try:
        stored = {e.brand_id for e in store.journal()}
        assert set(acked) <= stored
        registered = {r.id for r in store.registry.all()}
        assert set(acked) <= registered
    finally:
        store.close_sync()


async def test_busy_port_and_locked_store_are_one_line_errors(tmp_path):
    first = await spawn(tmp_path / "db")
    url, _ = await wait_listening(first)
    port = url.split(":")[2].split("/")[0]
    try:
        busy = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tendlc", "receive", "--port", port, "--db", str(tmp_path / "other"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env(),
        )  # fmt: skip
        out, err = await asyncio.wait_for(busy.communicate(), DEADLINE)
        assert busy.returncode == 1 and out == b""
        assert err.decode() == (
            f"tendlc receive: port {port} on 127.0.0.1 is in use: pass --port N (or --port 0) "
            "or stop the other process\n"
        )
        locked = await spawn(tmp_path / "db")
        out, err = await asyncio.wait_for(locked.communicate(), DEADLINE)
        assert locked.returncode == 1 and out == b""
        lines = err.decode().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tendlc receive: ") and "in use" in lines[0]
    finally:
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), DEADLINE) == 0


async def test_no_token_warns_on_stderr_and_accepts(tmp_path):
    proc = await spawn(tmp_path / "db", token=None)
    url, before = await wait_listening(proc)
    assert [line for line in before if "PLIVO_AUTH_TOKEN" in line][0].startswith(
        "tendlc receive: warning: no PLIVO_AUTH_TOKEN"
    )
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data={"brand_id": "B1", "status": "created"}) as resp:
            assert resp.status == 200
    line = json.loads(await asyncio.wait_for(proc.stdout.readline(), DEADLINE))
    assert (line["verified"], line["reason"]) == (False, "unverified: no token configured")
    proc.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(proc.wait(), DEADLINE) == 0


async def test_serve_in_process_with_public_url(tmp_path):
    out, err, stop = io.StringIO(), io.StringIO(), asyncio.Event()
    cfg = ReceiverConfig(port=0, public_url="https://hooks.example.com/p", auth_token=TOKEN)
    task = asyncio.create_task(
        serve(
            cfg,
            tmp_path / "db",
            out=out,
            err=err,
            stop=stop,
            clock=lambda: 0.5,
            ids=sequential_ids(),
        )
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while "listening on" not in err.getvalue():
        assert loop.time() < deadline and not task.done(), err.getvalue()
        await asyncio.sleep(0.01)
    listening = err.getvalue().splitlines()[0]
    match = re.match(
        r"listening on (\S+) \(public URL: https://hooks\.example\.com/p/tendlc_status/\)$",
        listening,
    )
    assert match, listening
    public = "https://hooks.example.com/p/tendlc_status/"
    payload = {"campaign_id": "C1", "number": "+14845007032", "status": "success"}
    async with aiohttp.ClientSession() as session:
        headers = signature_headers("POST", public, payload, TOKEN)
        async with session.post(match.group(1), data=payload, headers=headers) as resp:
            assert resp.status == 200
    stop.set()
    assert await task == 0
    assert json.loads(out.getvalue()) == {
        "id": "ev000001", "received_at": "1970-01-01T00:00:00.500Z", "kind": "number_linking",
        "status": "success", "brand_id": None, "campaign_id": "C1", "number": "14845007032",
        "verified": True, "reason": "V2+V3 ok", "http_status": 200, "replay_of": None,
    }  # fmt: skip


async def test_tunnel_that_does_not_come_up_is_a_clear_error(tmp_path, monkeypatch):
    import receiver.tunnels.factory as tunnel_mod
    from receiver.tunnels.base import Tunnel, TunnelState

    class DeadTunnel(Tunnel):
        async def start(self):
            return self._set_status(
                TunnelState.DOWN,
                None,
                "cloudflared is not installed: install it or use --tunnel ngrok",
            )

        async def stop(self):
            self._set_status(TunnelState.OFF, None, "stopped")

    monkeypatch.setattr(tunnel_mod, "make_tunnel", lambda kind, local_url: DeadTunnel(local_url))
    out, err = io.StringIO(), io.StringIO()
    code = await serve(
        ReceiverConfig(port=0, auth_token=TOKEN),
        tmp_path / "db",
        tunnel="cloudflared",
        out=out,
        err=err,
        stop=asyncio.Event(),
    )
    assert code == 1
    assert (
        err.getvalue()
        == "tendlc receive: tunnel cloudflared did not come up: cloudflared is not installed: install it or use --tunnel ngrok\n"
    )


async def test_tunnel_url_becomes_the_public_url(tmp_path, monkeypatch):
    import receiver.tunnels.factory as tunnel_mod
    from receiver.tunnels.base import Tunnel, TunnelState

    seen: list[str] = []

    class UpTunnel(Tunnel):
        async def start(self):
            seen.append(self.local_url)
            return self._set_status(TunnelState.UP, "https://abc.trycloudflare.com", "up")

        async def stop(self):
            self._set_status(TunnelState.OFF, None, "stopped")

    monkeypatch.setattr(tunnel_mod, "make_tunnel", lambda kind, local_url: UpTunnel(local_url))
    out, err, stop = io.StringIO(), io.StringIO(), asyncio.Event()
    task = asyncio.create_task(
        serve(
            ReceiverConfig(port=0, auth_token=TOKEN),
            tmp_path / "db",
            tunnel="cloudflared",
            out=out,
            err=err,
            stop=stop,
        )
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while "listening on" not in err.getvalue():
        assert loop.time() < deadline and not task.done(), err.getvalue()
        await asyncio.sleep(0.01)
    stop.set()
    assert await task == 0
    assert "(public URL: https://abc.trycloudflare.com/tendlc_status/)" in err.getvalue()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", seen[0])


def test_event_line_is_the_documented_shape():
    from receiver.domain.models import CallbackEvent, Kind

    event = CallbackEvent("ev1", 1.0, "GET", "/", {}, "", {}, Kind.UNKNOWN, None)
    assert set(event_line(event)) == LINE_KEYS


async def test_a_damaged_segment_at_start_is_moved_aside_said_on_stderr_and_it_serves(tmp_path):
    db = tmp_path / "db"
    proc = await spawn(db)
    url, _ = await wait_listening(proc)
    async with aiohttp.ClientSession() as session:
        payload, headers = callback(url, "B1")
        async with session.post(url, data=payload, headers=headers) as resp:
            assert resp.status == 200
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), DEADLINE) == 0
    segment = db / "journal" / "000001.json"
    damaged = segment.read_bytes()[:40]  # a torn copy, as a bad disk or a hand edit leaves
    segment.write_bytes(damaged)

    again = await spawn(db)
    url, before = await wait_listening(again)
    [line] = [line for line in before if "000001.json" in line]
    assert line.startswith(
        "tendlc receive: warning: journal segment journal/000001.json was damaged"
    )
    assert "moved to journal/000001.json.damaged-" in line and "Traceback" not in "".join(before)
    [moved] = (db / "journal").glob("000001.json.damaged-*")
    assert moved.read_bytes() == damaged
    async with aiohttp.ClientSession() as session:
        payload, headers = callback(url, "B2")
        async with session.post(url, data=payload, headers=headers) as resp:
            assert resp.status == 200
    first = json.loads(await asyncio.wait_for(again.stdout.readline(), DEADLINE))
    assert (first["brand_id"], first["http_status"]) == ("B2", 200)
    again.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(again.wait(), DEADLINE) == 0
    store = Store.open(db, readonly=True)
    try:
        assert [e.brand_id for e in store.journal()] == ["B2"] and store.warnings == []
        assert store.registry.get(ResourceType.BRAND, "B1") is not None  # kept by the snapshot
    finally:
        store.close_sync()


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--public-url", "https://hooks.example.com"], "--public-url https://hooks.example.com"),
        (["--tunnel", "cloudflared"], "--tunnel cloudflared"),
        (["--host", "0.0.0.0"], "--host 0.0.0.0"),
    ],
)
def test_no_token_and_a_public_receiver_refuses_to_start(tmp_path, monkeypatch, args, why):
    """Finding 7: without PLIVO_AUTH_TOKEN an exposed receiver would apply anything anyone sends."""
    from click.testing import CliRunner

    from tendlc.main import main

    for name in ("PLIVO_AUTH_TOKEN", "PLIVO_MAIN_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["receive", "--db", str(tmp_path / "db"), *args])
    assert result.exit_code == 2
    assert why in result.output and "--accept-unsigned" in result.output
    assert "PLIVO_AUTH_TOKEN" in result.output
    assert not (tmp_path / "db").exists()  # refused before anything was opened


def test_accept_unsigned_is_an_explicit_opt_in(monkeypatch):
    from tendlc.main import exposure

    assert exposure("127.0.0.1", None, "none") is None
    assert exposure("127.0.0.1", "https://h.example", "none") == "--public-url https://h.example"
