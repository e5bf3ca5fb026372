"""Snapshot tests of the loading screen (a large store still opening) at the two sizes a
console has to work at (issue 15)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from receiver.config import ReceiverConfig
from receiver.http.opening import StoreOpening
from receiver.store.store import Store
from tests.tui.conftest import PUBLIC_URL, StillReceiver
from tui.app import make_app

SMALL, ROOMY = (80, 24), (120, 36)


@pytest.fixture
def loading_app(tmp_path: Path):
    """The real app over a store whose open waits until the app stops (its services wait for
    a store still opening, so the gate opens first)."""
    gate = threading.Event()

    def opener() -> Store:
        gate.wait()
        return Store.open(tmp_path / "store")

    opening = StoreOpening(opener).start()
    receiver = StillReceiver(ReceiverConfig(port=8765, public_url=PUBLIC_URL))
    app = make_app(store=opening, receiver=receiver, gateway=None, overdue_after=None)
    app.animation_level = "none"
    app.theme = "textual-dark"
    stop = app.services.stop

    async def stop_after_the_gate() -> None:
        gate.set()
        await stop()

    app.services.stop = stop_after_the_gate  # type: ignore[method-assign]
    yield app
    gate.set()


def test_loading_screen_at_80x24(snap_compare, loading_app) -> None:
    """The message whole and centred, the indicator under it."""
    assert snap_compare(loading_app, terminal_size=SMALL)


def test_loading_screen_at_120x36(snap_compare, loading_app) -> None:
    assert snap_compare(loading_app, terminal_size=ROOMY)
