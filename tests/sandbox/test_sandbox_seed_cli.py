"""Seed determinism, the SDK adapter, import hygiene and the `tendlc sandbox` command."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys

import aiohttp
import plivo
import pytest
import requests
from requests.adapters import HTTPAdapter

from sandbox.main import usage_error
from sandbox.server import Sandbox, SandboxStartError
from sandbox.transport import SandboxAdapter, point_client_at

to_thread = asyncio.to_thread


async def _script(seed: int) -> list[str]:
    """Run one fixed sequence of requests against a fresh sandbox; return every id it handed out."""
    sb = Sandbox(seed=seed, delay=0, auth_id="MA" + "S" * 18, auth_token="t")
    await sb.start()
    try:
        client = plivo.RestClient(sb.auth_id, sb.auth_token)
        point_client_at(client, sb.base_url)
        profiles = await to_thread(client.profile.list)
        brand = await to_thread(
            client.brand.create, "seeded", "STANDARD", profiles.profiles[0].profile_uuid
        )
        await sb.idle()
        fields = {
            "vertical": "RETAIL",
            "usecase": "MARKETING",
            "description": "Weekly offers for loyalty members who opted in at checkout.",
            "sample1": "This week: 20% off all pastries. Reply STOP to opt out.",
            "sample2": "Your loyalty reward is ready to redeem. Reply STOP to opt out.",
            "message_flow": "Customers opt in on the loyalty sign-up form at the register.",
            "help_message": "Reply STOP to opt out. Call 555-0100 for help.",
            "optout_message": "You have been unsubscribed and will get no more messages.",
            "subscriber_optin": True,
            "subscriber_optout": True,
            "subscriber_help": True,
        }
        campaign = await to_thread(client.campaign.create, brand.brand_id, **fields)
        return [
            profiles.api_id,
            *(p.profile_uuid for p in profiles.profiles),
            brand.api_id,
            brand.brand_id,
            campaign.api_id,
            campaign.campaign_id,
        ]
    finally:
        await sb.stop()


async def test_a_seed_fixes_every_generated_id() -> None:
    first, again, other = await _script(42), await _script(42), await _script(43)
    assert first == again
    assert all(a != b for a, b in zip(first, other, strict=True))
    assert re.fullmatch(r"B[A-Z0-9]{6}", first[5]) and re.fullmatch(r"C[A-Z0-9]{6}", first[7])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first[1]
    )


def test_generated_credentials_satisfy_the_sdk() -> None:
    sb = Sandbox()
    assert re.fullmatch(r"MA[A-Z0-9]{18}", sb.auth_id) and len(sb.auth_token) >= 30
    assert sb.main_auth_token == sb.auth_token
    plivo.RestClient(sb.auth_id, sb.auth_token)  # raises AuthenticationError if the SDK disagrees


def test_adapter_rewrites_scheme_host_and_keeps_the_rest(monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(
        HTTPAdapter, "send", lambda self, request, **kw: seen.append((request.url, request.body))
    )
    adapter = SandboxAdapter("http://127.0.0.1:9999/prefix")
    body = b'{"url": "", "method": "POST"}'
    url = "https://api.plivo.com/v1/Account/MAX/10dlc/Campaign/C1/Number/+1484/?limit=2"
    adapter.send(requests.Request("DELETE", url, data=body).prepare())
    assert seen == [
        (
            "http://127.0.0.1:9999/prefix/v1/Account/MAX/10dlc/Campaign/C1/Number/+1484/?limit=2",
            body,
        )
    ]
    with pytest.raises(ValueError, match="base_url"):
        SandboxAdapter("127.0.0.1:8766")


def test_sandbox_imports_no_textual() -> None:
    code = "import sys, sandbox.main, sandbox.transport, sandbox.server; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_auth_id_usage_check() -> None:
    assert usage_error(None) is None and usage_error("SA" + "1" * 18) is None
    assert "MA or SA" in usage_error("MA123")


async def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxStartError, match=f"port {port} is in use"):
            await Sandbox(port=port).start()


async def _cli(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tendlc", "sandbox", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_cli_serves_prints_credentials_and_stops_on_sigterm() -> None:
    auth_id = "MA" + "Q" * 18
    proc = await _cli(
        "--port",
        "0",
        "--delay",
        "0",
        "--seed",
        "3",
        "--auth-id",
        auth_id,
        "--auth-token",
        "clitoken",
    )
    try:
        lines: list[str] = []
        async with asyncio.timeout(60):
            while not any("Ctrl-C" in line for line in lines):
                line = await proc.stdout.readline()
                assert line, "the sandbox exited before printing its banner"
                lines.append(line.decode())
        text = "".join(lines)
        base_url = re.search(r"base URL\s+(http://127\.0\.0\.1:\d+)", text).group(1)
        assert f"auth id     {auth_id}" in text and "auth token  clitoken" in text
        assert f'request.url.replace("https://api.plivo.com", "{base_url}", 1)' in text
        assert f'url: "{base_url}/v1/Account/{auth_id}",' in text  # the Node snippet
        assert f'curl -sS -u "{auth_id}:clitoken" "{base_url}/v1/Account/{auth_id}/10dlc/' in text
        assert f'plivo.RestClient("{auth_id}", "clitoken")' in text
        async with aiohttp.ClientSession() as http, http.get(base_url + "/healthz") as resp:
            assert resp.status == 200
        client = plivo.RestClient(auth_id, "clitoken")
        point_client_at(client, base_url)
        listed = await to_thread(client.profile.list)
        assert listed.meta.total_count == 4  # the three examples and the registered brand's
        brands = await to_thread(client.brand.list)
        assert [b.brand_id for b in brands.brands] == ["BSR7H2Q"]  # `tendlc sandbox` preregisters
        proc.terminate()
        async with asyncio.timeout(30):
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_cli_port_in_use_exits_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = await _cli("--port", str(taken.getsockname()[1]))
        async with asyncio.timeout(60):
            _, err = await proc.communicate()
    assert proc.returncode == 1
    assert "is in use: pass --port N" in err.decode()


async def test_cli_bad_auth_id_exits_2() -> None:
    proc = await _cli("--port", "0", "--auth-id", "nope")
    async with asyncio.timeout(60):
        _, err = await proc.communicate()
    assert proc.returncode == 2 and "--auth-id must be MA or SA" in err.decode()
