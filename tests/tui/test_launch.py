"""Start-up failures are one clear line and exit code 1, never a traceback."""

from __future__ import annotations

import io
import socket
from pathlib import Path

from receiver.config import ReceiverConfig
from receiver.http.server import Receiver
from receiver.store.store import Store
from tendlc.launch import LaunchOptions, run_tui
from tui.app import make_app


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_port_in_use_is_reported_before_the_screen_starts(tmp_path: Path) -> None:
    err = io.StringIO()
    with listening_socket() as busy:
        port = busy.getsockname()[1]
        options = LaunchOptions(tmp_path / "store", ReceiverConfig(port=port), sandbox=True)
        assert run_tui(options, err=err) == 1
    assert err.getvalue() == (
        f"tendlc: port {port} on 127.0.0.1 is in use: pass --port N (or --port 0) "
        "or stop the other process\n"
    )


def test_locked_store_is_reported(tmp_path: Path) -> None:
    err = io.StringIO()
    holder = Store.open(tmp_path / "store")
    try:
        options = LaunchOptions(tmp_path / "store", ReceiverConfig(port=0), sandbox=True)
        assert run_tui(options, err=err) == 1
    finally:
        holder.close_sync()
    message = err.getvalue()
    assert message.startswith("tendlc: ") and message.count("\n") == 1
    assert "Traceback" not in message


def test_live_mode_without_a_token_is_reported(tmp_path: Path) -> None:
    err = io.StringIO()
    options = LaunchOptions(
        tmp_path / "store",
        ReceiverConfig(port=0, auth_token=None),
        sandbox=False,
        auth_id="MAXXXXXXXXXXXXXXXXXX",
    )
    assert run_tui(options, err=err) == 1
    assert "PLIVO_AUTH_TOKEN is not set" in err.getvalue()
    assert not (tmp_path / "store").exists()


async def test_receiver_that_cannot_bind_ends_the_app_with_code_1(
    tmp_path: Path, wait_for, capsys
) -> None:
    store = Store.open(tmp_path / "store")
    with listening_socket() as busy:
        port = busy.getsockname()[1]
        receiver = Receiver(store, ReceiverConfig(port=port))
        app = make_app(store=store, receiver=receiver, gateway=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.return_code == 1, "the app to exit with 1")
    assert app.return_code == 1
    printed = " ".join(capsys.readouterr().err.split())
    assert f"tendlc: port {port} on 127.0.0.1 is in use" in printed
    assert "Traceback" not in printed


def test_half_set_credentials_are_an_error_not_a_silent_sandbox(tmp_path) -> None:
    from click.testing import CliRunner

    from tendlc.main import main

    env = {"PLIVO_AUTH_ID": "MAXXXXXXXXXXXXXXXXXX", "PLIVO_AUTH_TOKEN": ""}
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s"), "--port", "0"], env=env)
    assert result.exit_code == 1
    assert "PLIVO_AUTH_TOKEN is not set" in result.output + result.stderr


def test_the_console_starts_on_a_new_store_and_quits_cleanly(tmp_path: Path, monkeypatch) -> None:
    """The whole launch path (bind, staged open, receiver built before the loop), headless."""
    from textual.app import App

    real_run = App.run
    shown: list[str] = []

    async def look_then_quit(pilot) -> None:
        await pilot.pause()
        shown.append(type(pilot.app.screen).__name__)
        pilot.app.exit()

    def headless(self, *args, **kwargs):
        return real_run(self, headless=True, auto_pilot=look_then_quit)

    monkeypatch.setattr(App, "run", headless)
    err = io.StringIO()
    options = LaunchOptions(tmp_path / "store", ReceiverConfig(port=0), sandbox=True)
    assert run_tui(options, err=err) == 0, err.getvalue()
    assert shown == ["MainScreen"]
    assert not (tmp_path / "store" / "early").exists()  # the staged open's journal, fed and gone
