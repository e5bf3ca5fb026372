"""The TUI with a store that is still opening (issue 9 finding 11): the receiver is bound and
holds callbacks behind a loading screen, and the main screen follows once the store is open."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from pathlib import Path

import aiohttp
import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, ResourceType, sequential_ids
from receiver.http.opening import StoreOpening
from receiver.http.server import Receiver
from receiver.signature import signature_headers
from receiver.store.store import Store, StoreError
from tendlc.launch import LaunchOptions, run_tui
from tui.app import make_app
from tui.screens.loading import LoadingScreen
from tui.screens.main import MainScreen

TOKEN = "SubAcctToken_0123456789abcdef"
DEADLINE = 20.0


class GatedOpener:
    def __init__(self, path: Path, fail: Exception | None = None) -> None:
        self.path, self.fail = path, fail
        self.gate = threading.Event()

    def __call__(self) -> Store:
        assert self.gate.wait(DEADLINE), "the test never opened the gate"
        if self.fail is not None:
            raise self.fail
        return Store.open(self.path)


def loading_app(opener: GatedOpener):
    opening = StoreOpening(opener).start()
    receiver = Receiver(opening, ReceiverConfig(port=0, auth_token=TOKEN), ids=sequential_ids())
    app = make_app(store=opening, receiver=receiver, gateway=None)
    return app, receiver


async def test_callbacks_wait_behind_a_loading_screen_and_land_once_the_store_is_open(
    tmp_path: Path, wait_for
) -> None:
    opener = GatedOpener(tmp_path / "store")
    app, receiver = loading_app(opener)
    async with app.run_test(size=(120, 40)) as pilot, aiohttp.ClientSession() as http:
        assert isinstance(app.screen, LoadingScreen)
        await wait_for(pilot, lambda: receiver.port != 0, "the receiver to bind")
        async with http.get(f"http://127.0.0.1:{receiver.port}/healthz") as resp:
            assert (resp.status, (await resp.json())["status"]) == (503, "loading")
        url = receiver.config.callback_url
        payload = {"brand_id": "B1", "event": "brand", "status": "registered"}
        headers = signature_headers("POST", url, payload, TOKEN)

        async def send() -> tuple[int, str]:
            async with http.post(url, data=payload, headers=headers) as resp:
                return resp.status, await resp.text()

        answer = asyncio.create_task(send())
        stats = receiver.guard.stats
        await wait_for(pilot, lambda: stats()["handling"] == 1, "the callback to wait")
        assert not answer.done()
        opener.gate.set()
        assert await asyncio.wait_for(answer, DEADLINE) == (200, "ok\n")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        store = app.services.store
        assert store.registry.get(ResourceType.BRAND, "B1").badge is Badge.REGISTERED
        await wait_for(
            pilot, lambda: app.main_screen.event_log.row_count == 1, "the callback in the log"
        )
        await pilot.press("q")


async def test_a_store_that_fails_to_open_ends_the_app_with_code_1(
    tmp_path: Path, wait_for, capsys
) -> None:
    reason = "the store at /x is in use by another tendlc process (pid 7); stop it"
    opener = GatedOpener(tmp_path / "store", fail=StoreError(reason))
    app, receiver = loading_app(opener)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: receiver.port != 0, "the receiver to bind")
        opener.gate.set()
        await wait_for(pilot, lambda: app.return_code == 1, "the app to exit with 1")
    printed = " ".join(capsys.readouterr().err.split())
    assert f"tendlc: {reason}" in printed and "Traceback" not in printed


def test_run_tui_binds_the_port_before_the_store_opens(tmp_path: Path, monkeypatch) -> None:
    """The port accepts connections while Store.open runs; a failing open is still one line."""
    with socket.socket() as probe:  # a free port to ask for: the test must know it in advance
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    seen: list[bool] = []

    def opening(path, **kwargs):
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE):
            seen.append(True)  # accepted by the kernel: queued, not refused
        raise StoreError(f"the store at {path} is in use by another tendlc process; stop it")

    monkeypatch.setattr(Store, "open", staticmethod(opening))
    err = io.StringIO()
    options = LaunchOptions(tmp_path / "store", ReceiverConfig(port=port), sandbox=True)
    assert run_tui(options, err=err) == 1
    assert seen == [True]
    assert err.getvalue() == (
        f"tendlc: the store at {tmp_path / 'store'} is in use by another tendlc process; stop it\n"
    )


@pytest.mark.parametrize("join", [0.0, None])
def test_an_opening_can_be_joined_before_any_loop_runs(tmp_path: Path, join) -> None:
    opener = GatedOpener(tmp_path / "store")
    opening = StoreOpening(opener).start()
    if join == 0.0:
        assert opening.join(0.0) is None  # still loading
    opener.gate.set()
    store = opening.join()
    assert store is not None and opening.join(0.0) is store
    store.close_sync()
