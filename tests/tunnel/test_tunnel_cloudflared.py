"""CloudflaredTunnel against fake `cloudflared` executables put first on PATH."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from receiver.tunnels.base import TunnelState, TunnelStatus
from receiver.tunnels.cloudflared import CloudflaredTunnel, find_url
from receiver.tunnels.factory import make_tunnel

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake binaries are POSIX scripts")

LOCAL = "http://127.0.0.1:8765"
URL1 = "https://random-words-here.trycloudflare.com"
URL2 = "https://other-words-there.trycloudflare.com"
BOX = textwrap.dedent(
    """\
    def box(url):
        sys.stderr.write("2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...\\n")
        sys.stderr.write("2024-05-01T10:00:01Z INF +------------------------------------------------+\\n")
        sys.stderr.write("2024-05-01T10:00:01Z INF |  Your quick Tunnel has been created! Visit it:  |\\n")
        sys.stderr.write(f"2024-05-01T10:00:01Z INF |  {url}  |\\n")
        sys.stderr.write("2024-05-01T10:00:01Z INF +------------------------------------------------+\\n")
        sys.stderr.flush()
    """
)


def fake_cloudflared(bin_dir: Path, body: str) -> Path:
    """Write an executable `cloudflared` Python script into bin_dir."""
    script = bin_dir / "cloudflared"
    code = "import os, signal, sys, time\n" + BOX + textwrap.dedent(body)
    script.write_text(f"#!{sys.executable}\n{code}")
    script.chmod(0o755)
    return script


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


async def wait_for(predicate, timeout: float = 10.0) -> None:
    """Poll `predicate` on the loop until it holds, failing after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def test_find_url() -> None:
    assert find_url(f"INF |  {URL1}  |") == URL1
    assert (
        find_url('ERR failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel"')
        is None
    )
    assert find_url("INF Requesting new quick Tunnel on trycloudflare.com...") is None


def test_make_tunnel() -> None:
    assert make_tunnel("none", LOCAL) is None
    tunnel = make_tunnel("cloudflared", LOCAL, url_timeout=3)
    assert isinstance(tunnel, CloudflaredTunnel)
    assert tunnel.status.state is TunnelState.OFF
    with pytest.raises(ValueError, match="unknown tunnel"):
        make_tunnel("frp", LOCAL)


async def test_url_found_goes_up_and_passes_local_url(bin_dir: Path, tmp_path: Path) -> None:
    argv_file = tmp_path / "argv"
    fake_cloudflared(
        bin_dir,
        f"""\
        open({str(argv_file)!r}, "w").write(" ".join(sys.argv[1:]))
        box({URL1!r})
        time.sleep(600)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10)
    seen: list[TunnelStatus] = []
    tunnel.on_change(seen.append)
    try:
        status = await tunnel.start()
        assert status.state is TunnelState.UP
        assert status.url == URL1
        assert tunnel.status == status
        assert [s.state for s in seen] == [TunnelState.STARTING, TunnelState.UP]
        assert argv_file.read_text() == f"tunnel --url {LOCAL}"
    finally:
        await tunnel.stop()
    assert tunnel.status.state is TunnelState.OFF
    assert seen[-1].state is TunnelState.OFF


async def test_binary_missing_is_down_with_install_hint(bin_dir: Path) -> None:
    tunnel = CloudflaredTunnel(LOCAL)
    status = await tunnel.start()
    assert status.state is TunnelState.DOWN
    assert "cloudflared not found on PATH" in status.reason
    assert "https://developers.cloudflare.com/" in status.reason
    assert "--public-url" in status.reason
    await tunnel.stop()


async def test_process_dies_before_url_is_down_with_exit_code(bin_dir: Path) -> None:
    fake_cloudflared(
        bin_dir,
        """\
        sys.stderr.write("2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...\\n")
        sys.stderr.write("2024-05-01T10:00:01Z ERR failed to unmarshal quick Tunnel: rate limited\\n")
        sys.exit(3)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10)
    status = await tunnel.start()
    assert status.state is TunnelState.DOWN
    assert "exited with code 3" in status.reason
    assert "rate limited" in status.reason
    assert tunnel.returncode == 3
    await tunnel.stop()


async def test_process_dies_after_url_goes_down(bin_dir: Path, tmp_path: Path) -> None:
    trigger = tmp_path / "die"
    fake_cloudflared(
        bin_dir,
        f"""\
        box({URL1!r})
        while not os.path.exists({str(trigger)!r}):
            time.sleep(0.01)
        sys.stderr.write("ERR connection lost\\n")
        sys.exit(1)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10)
    seen: list[TunnelStatus] = []
    tunnel.on_change(seen.append)
    try:
        assert (await tunnel.start()).state is TunnelState.UP
        trigger.touch()
        await wait_for(lambda: tunnel.status.state is TunnelState.DOWN)
        assert tunnel.status.reason == "cloudflared exited with code 1: ERR connection lost"
        assert seen[-1] == tunnel.status
    finally:
        await tunnel.stop()


async def test_new_url_later_goes_up_again_and_notifies(bin_dir: Path, tmp_path: Path) -> None:
    trigger = tmp_path / "reconnect"
    fake_cloudflared(
        bin_dir,
        f"""\
        box({URL1!r})
        while not os.path.exists({str(trigger)!r}):
            time.sleep(0.01)
        box({URL2!r})
        time.sleep(600)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10)
    changed = asyncio.Event()
    urls: list[str | None] = []

    def listener(status: TunnelStatus) -> None:
        urls.append(status.url)
        if status.url == URL2:
            changed.set()

    tunnel.on_change(listener)
    try:
        first = await tunnel.start()
        assert first.url == URL1
        trigger.touch()
        async with asyncio.timeout(10):
            await changed.wait()
        assert tunnel.status.state is TunnelState.UP
        assert tunnel.status.url == URL2
        assert urls == [None, URL1, URL2]
    finally:
        await tunnel.stop()


async def test_no_url_within_timeout_is_down_and_stops_process(bin_dir: Path) -> None:
    fake_cloudflared(
        bin_dir,
        """\
        sys.stderr.write("INF Requesting new quick Tunnel on trycloudflare.com...\\n")
        sys.stderr.flush()
        time.sleep(600)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=1.5, stop_timeout=5)
    status = await tunnel.start()
    assert status.state is TunnelState.DOWN
    assert "no tunnel URL within 1.5 s" in status.reason
    assert "Requesting new quick Tunnel" in status.reason
    assert tunnel.returncode == -signal.SIGTERM
    await tunnel.stop()


async def test_stop_terminates_the_process(bin_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "terminated"
    fake_cloudflared(
        bin_dir,
        f"""\
        def on_term(signum, frame):
            open({str(marker)!r}, "w").write("SIGTERM")
            sys.exit(0)
        signal.signal(signal.SIGTERM, on_term)
        box({URL1!r})
        while True:
            time.sleep(0.05)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10)
    assert (await tunnel.start()).state is TunnelState.UP
    pid = tunnel.pid
    assert pid is not None
    await tunnel.stop()
    assert marker.read_text() == "SIGTERM"
    assert tunnel.returncode == 0
    assert tunnel.status == TunnelStatus(TunnelState.OFF, None, "stopped")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    await tunnel.stop()  # idempotent


async def test_stop_kills_a_process_that_ignores_sigterm(bin_dir: Path) -> None:
    fake_cloudflared(
        bin_dir,
        f"""\
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        box({URL1!r})
        while True:
            time.sleep(0.05)
        """,
    )
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10, stop_timeout=0.3)
    assert (await tunnel.start()).state is TunnelState.UP
    await tunnel.stop()
    assert tunnel.returncode == -signal.SIGKILL
    assert tunnel.status.state is TunnelState.OFF


async def test_faulty_listener_does_not_break_the_tunnel(bin_dir: Path) -> None:
    fake_cloudflared(bin_dir, f"box({URL1!r})\ntime.sleep(600)\n")
    tunnel = CloudflaredTunnel(LOCAL, url_timeout=10)

    def broken(status: TunnelStatus) -> None:
        raise RuntimeError("listener bug")

    tunnel.on_change(broken)
    seen: list[TunnelStatus] = []
    unsubscribe = tunnel.on_change(seen.append)
    try:
        assert (await tunnel.start()).url == URL1
        assert seen[-1].url == URL1
        unsubscribe()
    finally:
        await tunnel.stop()
    assert seen[-1].state is TunnelState.UP  # unsubscribed before stop
