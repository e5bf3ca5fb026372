"""`tendlc replay` through click's CliRunner, with a real store in tmp_path and a local target."""

from __future__ import annotations

import asyncio
import shlex
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from plivo.utils import validate_signature

from receiver.domain.models import CallbackEvent, Kind, RequestRecord
from receiver.signature import H_V2, H_V2_NONCE
from receiver.store.store import Store
from tendlc.main import main

TOKEN = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"

EVENT = CallbackEvent(
    id="ev0000aa11bb22",
    received_at=1_700_000_000.0,
    method="POST",
    url="/tendlc_status/",
    headers={"Content-Type": "application/x-www-form-urlencoded"},
    body="brand_id=B43KNAS&event=brand&status=registered",
    params={"brand_id": "B43KNAS", "event": "brand", "status": "registered"},
    kind=Kind.BRAND,
    status="registered",
    brand_id="B43KNAS",
    verified=True,
    reason="V2 ok",
)
OTHER = CallbackEvent(
    id="ev0000aa99cc33",
    received_at=1_700_000_001.0,
    method="GET",
    url="/tendlc_status/?campaign_id=CAOHTU5&event=campaign&status=created",
    headers={},
    body="",
    params={"campaign_id": "CAOHTU5", "event": "campaign", "status": "created"},
    kind=Kind.CAMPAIGN,
    status="created",
    campaign_id="CAOHTU5",
)
REQUEST = RequestRecord(
    id="rq0000000001",
    at=1_700_000_002.0,
    action="brand.create",
    params={"brand_alias": "Acme"},
    ok=True,
    brand_id="B43KNAS",
)


@dataclass
class Target:
    """A loopback HTTP server in a thread that records what it got and checks V2 with the plivo SDK."""

    base: str
    answer: int = 200
    got: list[dict] = field(default_factory=list)


@pytest.fixture
def target() -> Iterator[Target]:
    state = Target(base="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            url = f"{state.base}{self.path}"
            nonce, signature = self.headers.get(H_V2_NONCE), self.headers.get(H_V2)
            valid = bool(nonce and signature and validate_signature(url, nonce, signature, TOKEN))
            state.got.append({"method": self.command, "url": url, "body": body, "v2": valid})
            self.send_response(state.answer)
            self.end_headers()
            self.wfile.write(b"ok\n" if state.answer == 200 else b"forbidden: wrong token\n")

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store"

    async def fill() -> None:
        store = Store.open(path)
        await store.record_callback(EVENT, apply=True)
        await store.record_callback(OTHER, apply=True)
        await store.record_request(REQUEST)
        await store.close()

    asyncio.run(fill())
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("PLIVO_MAIN_AUTH_TOKEN", MAIN)
    monkeypatch.delenv("TENDLC_DB", raising=False)


def run(*args: str):
    return CliRunner().invoke(main, ["replay", *args], catch_exceptions=False)


def test_replay_to_url(db: Path, target: Target, env: None) -> None:
    result = run(EVENT.id, "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"replayed {EVENT.id} to {target.base}/hook/: HTTP 200\n"
    assert target.got == [
        {"method": "POST", "url": f"{target.base}/hook/", "body": EVENT.body, "v2": True}
    ]


def test_default_target_is_the_receivers_callback_url(db: Path, target: Target, env: None) -> None:
    port = target.base.rsplit(":", 1)[1]
    result = run(OTHER.id, "--db", str(db), "--port", port, "--callback-path", "plivo/status")
    assert result.exit_code == 0, result.output
    expected = f"{target.base}/plivo/status/?campaign_id=CAOHTU5&event=campaign&status=created"
    assert result.stdout == f"replayed {OTHER.id} to {expected}: HTTP 200\n"
    assert target.got[0]["method"] == "GET"
    assert target.got[0]["url"] == expected
    assert target.got[0]["v2"]


def test_public_url_makes_the_default_target(db: Path, target: Target, env: None) -> None:
    result = run(EVENT.id, "--db", str(db), "--public-url", f"{target.base}/base/")
    assert result.exit_code == 0, result.output
    assert target.got[0]["url"] == f"{target.base}/base/tendlc_status/"


def test_unique_prefix_finds_the_event(db: Path, target: Target, env: None) -> None:
    result = run("ev0000aa11", "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"replayed {EVENT.id} ")


def test_ambiguous_prefix_is_refused(db: Path, target: Target, env: None) -> None:
    result = run("ev0000aa", "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 1
    assert "matches 2 callbacks" in result.stderr
    assert target.got == []


def test_unknown_event(db: Path, target: Target, env: None) -> None:
    result = run("evnope", "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 1
    assert "no callback 'evnope'" in result.stderr
    assert "tendlc events" in result.stderr
    assert target.got == []


def test_request_ids_are_not_replayed(db: Path, target: Target, env: None) -> None:
    result = run(REQUEST.id, "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 1
    assert "not a callback" in result.stderr
    assert target.got == []


def test_missing_store(tmp_path: Path, env: None) -> None:
    result = run(EVENT.id, "--db", str(tmp_path / "absent"))
    assert result.exit_code == 1
    assert "no store at" in result.stderr


def test_without_token_sends_unsigned_and_warns(
    db: Path, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLIVO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("PLIVO_MAIN_AUTH_TOKEN", raising=False)
    result = run(EVENT.id, "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 0
    assert "PLIVO_AUTH_TOKEN is not set: the replay is sent unsigned" in result.stderr
    assert target.got[0]["v2"] is False


def test_non_2xx_exits_1(db: Path, target: Target, env: None) -> None:
    target.answer = 403
    result = run(EVENT.id, "--to", f"{target.base}/hook/", "--db", str(db))
    assert result.exit_code == 1
    assert result.stdout == f"replayed {EVENT.id} to {target.base}/hook/: HTTP 403\n"
    assert "the target answered 403: forbidden: wrong token" in result.stderr


def test_unreachable_target_exits_1(db: Path, env: None) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(EVENT.id, "--to", f"http://127.0.0.1:{port}/hook/", "--db", str(db))
    assert result.exit_code == 1
    assert (
        f"replay of {EVENT.id} failed: could not reach http://127.0.0.1:{port}/hook/"
        in result.stderr
    )


def test_curl_prints_a_command_and_sends_nothing(db: Path, target: Target, env: None) -> None:
    result = run(EVENT.id, "--to", f"{target.base}/hook/", "--db", str(db), "--curl")
    assert result.exit_code == 0
    assert TOKEN not in result.stdout and MAIN not in result.stdout
    words = shlex.split(result.stdout, comments=True)
    assert words[:4] == ["curl", "-X", "POST", f"{target.base}/hook/"]
    assert target.got == []


def test_to_must_be_http(db: Path, env: None) -> None:
    result = CliRunner().invoke(
        main, ["replay", EVENT.id, "--to", "localhost:8765", "--db", str(db)]
    )
    assert result.exit_code == 2
    assert "--to" in result.stderr


async def test_replay_finds_the_running_receiver_without_a_port(tmp_path):
    """From a second terminal: `tendlc replay ID` reaches the receiver writing the store."""
    import asyncio
    import json
    import sys

    import aiohttp

    from tests.receiver.test_receive_command import DEADLINE, callback, env, spawn, wait_listening

    db = tmp_path / "db"
    proc = await spawn(db)
    try:
        url, _ = await wait_listening(proc)
        payload, headers = callback(url, "B1")
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=payload, headers=headers) as resp:
                assert resp.status == 200
        first = json.loads(await asyncio.wait_for(proc.stdout.readline(), DEADLINE))
        replay = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tendlc", "replay", first["id"], "--db", str(db),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env(),
        )  # fmt: skip
        out, err = await asyncio.wait_for(replay.communicate(), DEADLINE)
        assert replay.returncode == 0, err.decode()
        assert url.rsplit("/", 2)[0] in out.decode() + err.decode()
        again = json.loads(await asyncio.wait_for(proc.stdout.readline(), DEADLINE))
        assert again["replay_of"] is None and again["verified"]  # a fresh signature
    finally:
        proc.terminate()
        await proc.wait()
