"""NgrokTunnel against a fake `ngrok` module injected into sys.modules."""

from __future__ import annotations

import asyncio
import sys
import types

import pytest

from receiver.tunnels.base import TunnelState, TunnelStatus
from receiver.tunnels.factory import make_tunnel
from receiver.tunnels.ngrok import EXTRA_HINT, NgrokTunnel

LOCAL = "http://127.0.0.1:8765"
PUBLIC = "https://abcd-1234.ngrok-free.app"
TOKEN = "2abcSECRETtoken_xyz"


class FakeListener:
    def __init__(self, url: str) -> None:
        self._url = url
        self.closed = False

    def url(self) -> str:
        return self._url

    def close(self):
        async def close() -> None:
            self.closed = True

        return asyncio.get_running_loop().create_task(close())


def fake_ngrok(*, fail: Exception | None = None) -> types.ModuleType:
    """A stand-in for the ngrok package: forward() returns a Task while a loop runs, like ngrok's."""
    module = types.ModuleType("ngrok")
    module.calls = []
    module.listeners = []

    def forward(addr=None, proto=None, **options):
        module.calls.append((addr, options))

        async def connect() -> FakeListener:
            if fail is not None:
                raise fail
            listener = FakeListener(PUBLIC)
            module.listeners.append(listener)
            return listener

        return asyncio.get_running_loop().create_task(connect())

    def disconnect(url=None):
        module.disconnected = url

    module.forward = forward
    module.disconnect = disconnect
    return module


@pytest.fixture
def no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_AUTHTOKEN", raising=False)


async def test_url_found(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_ngrok()
    monkeypatch.setitem(sys.modules, "ngrok", fake)
    monkeypatch.setenv("NGROK_AUTHTOKEN", TOKEN)
    tunnel = make_tunnel("ngrok", LOCAL)
    assert isinstance(tunnel, NgrokTunnel)
    seen: list[TunnelStatus] = []
    tunnel.on_change(seen.append)
    status = await tunnel.start()
    assert status.state is TunnelState.UP
    assert status.url == PUBLIC
    assert fake.calls == [("127.0.0.1:8765", {"authtoken": TOKEN})]
    assert [s.state for s in seen] == [TunnelState.STARTING, TunnelState.UP]
    assert all(TOKEN not in s.reason for s in seen)
    await tunnel.stop()
    assert fake.listeners[0].closed
    assert tunnel.status.state is TunnelState.OFF


async def test_token_argument_wins_over_environment(
    monkeypatch: pytest.MonkeyPatch, no_env_token: None
) -> None:
    fake = fake_ngrok()
    monkeypatch.setitem(sys.modules, "ngrok", fake)
    tunnel = NgrokTunnel(LOCAL, authtoken="explicit")
    assert (await tunnel.start()).url == PUBLIC
    assert fake.calls[0][1] == {"authtoken": "explicit"}
    await tunnel.stop()


async def test_token_missing(monkeypatch: pytest.MonkeyPatch, no_env_token: None) -> None:
    fake = fake_ngrok()
    monkeypatch.setitem(sys.modules, "ngrok", fake)
    status = await NgrokTunnel(LOCAL).start()
    assert status.state is TunnelState.DOWN
    assert status.reason.startswith("set NGROK_AUTHTOKEN")
    assert fake.calls == []


async def test_extra_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ngrok", None)  # makes `import ngrok` raise ImportError
    monkeypatch.setenv("NGROK_AUTHTOKEN", TOKEN)
    status = await NgrokTunnel(LOCAL).start()
    assert status == TunnelStatus(TunnelState.DOWN, None, EXTRA_HINT)
    assert "pip install 'tendlc[ngrok]'" in status.reason


async def test_forward_failure_is_down_without_leaking_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = fake_ngrok(fail=ValueError(f"authentication failed: token {TOKEN} is invalid"))
    monkeypatch.setitem(sys.modules, "ngrok", fake)
    monkeypatch.setenv("NGROK_AUTHTOKEN", TOKEN)
    tunnel = NgrokTunnel(LOCAL)
    status = await tunnel.start()
    assert status.state is TunnelState.DOWN
    assert "authentication failed" in status.reason
    assert TOKEN not in status.reason
    await tunnel.stop()
    assert tunnel.status.state is TunnelState.OFF
