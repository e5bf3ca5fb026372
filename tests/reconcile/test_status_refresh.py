"""`tendlc status --refresh`: headless reconciliation against a sandbox running in another thread."""

from __future__ import annotations

import asyncio
import json
import threading

import plivo
import pytest
from click.testing import CliRunner

from sandbox.server import Sandbox
from sandbox.transport import point_client_at
from tendlc.main import main


@pytest.fixture
def sandbox():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    box = Sandbox(port=0, delay=0, seed=8)
    asyncio.run_coroutine_threadsafe(box.start(), loop).result(10)
    box.run = lambda coro: asyncio.run_coroutine_threadsafe(coro, loop).result(10)
    yield box
    box.run(box.stop())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_refresh_adopts_what_the_api_has(sandbox, tmp_path):
    client = plivo.RestClient(sandbox.auth_id, sandbox.auth_token)
    point_client_at(client, sandbox.base_url)
    profile = next(p for p in client.profile.list().profiles if "ein" in p)
    brand = client.brand.create("outside", "STANDARD", profile.profile_uuid)
    sandbox.run(sandbox.idle())

    env = {"PLIVO_AUTH_ID": sandbox.auth_id, "PLIVO_AUTH_TOKEN": sandbox.auth_token}
    args = [
        "status",
        "--refresh",
        "--api-url",
        sandbox.base_url,
        "--db",
        str(tmp_path / "s"),
        "--json",
    ]
    result = CliRunner().invoke(main, args, env=env)

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["type"], r["id"], r["badge"]) for r in rows] == [
        ("brand", brand.brand_id, "registered")
    ]
    assert "refreshed from http://127.0.0.1" in result.stderr


def test_refresh_without_credentials_says_what_to_set(tmp_path):
    env = {"PLIVO_AUTH_ID": "", "PLIVO_AUTH_TOKEN": ""}
    result = CliRunner().invoke(main, ["status", "--refresh", "--db", str(tmp_path / "s")], env=env)
    assert result.exit_code == 2
    assert "needs PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN" in result.stderr
