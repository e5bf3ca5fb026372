"""Snapshots of an attached console (`tendlc --attach URL`): the header says ATTACHED and to
what, and a lost stream shows at once. The server's answers come from a filled store through
a client that never touches the network, so no port or real address is drawn."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot

from receiver.attached.client import ApiClient
from receiver.attached.follow import LinkState
from receiver.attached.receiver import AttachedReceiver
from receiver.attached.store import AttachedStore
from receiver.store.export import resources_in_order
from receiver.store.store import Store
from tests.tui.conftest import StillReceiver, fill, ticking_clock
from tui.app import make_app

SERVER = "https://tendlc.example.com"


class StoreAnswers(ApiClient):
    """The API's answers for `store`, as a server at SERVER would give them."""

    def __init__(self, store: Store) -> None:
        super().__init__(SERVER, "snapshot-token-0123456789")
        self.store = store

    def get(self, path: str):
        if path == "/info":
            return {"callback_url": f"{SERVER}/tendlc_status/", "seq": self.store.last_seq}
        if path == "/registry":
            resources = [r.to_dict() for r in resources_in_order(self.store.registry)]
            return {"seq": self.store.last_seq, "resources": resources}
        after = int(path.split("after=")[1].split("&")[0])
        entries = []
        for entry in self.store.journal(after_seq=after):
            item = {"type": "callback" if hasattr(entry, "kind") else "request", **entry.to_dict()}
            if entry.id in FORWARDS:  # what --forward-to did on the server
                item["forwards"] = [forward(entry.id, state) for state in FORWARDS[entry.id]]
            entries.append(item)
        return {"entries": entries, "more": False, "last_seq": self.store.last_seq}


FORWARDS = {  # callbacks of fill(): their forwards' states, one per target
    "ev000007": ["delivered"],
    "ev000008": ["delivered", "failed"],
    "ev000009": ["pending"],
    "ev000010": ["skipped"],
}


def forward(event_id: str, state: str) -> dict:
    target = f"http://127.0.0.1:3000/{state}"
    attempt = {"n": 1, "at": 0.0, "status": 200 if state == "delivered" else 500, "ms": 3.0}
    attempts = [] if state == "skipped" else [attempt]
    return {"event_id": event_id, "target": target, "state": state, "attempts": attempts}


@pytest.fixture
def attached_app(tmp_path: Path):
    ticking = ticking_clock()
    store = Store.open(tmp_path / "server", clock=ticking)
    asyncio.run(fill(store))
    mirror = AttachedStore(StoreAnswers(store), clock=ticking)
    mirror.load()
    asyncio.run(store.close())
    receiver = StillReceiver(AttachedReceiver(mirror).config)  # never follows: no network
    receiver.address = SERVER  # type: ignore[attr-defined]
    app = make_app(store=mirror, receiver=receiver, gateway=None, clock=ticking, overdue_after=None)  # type: ignore[arg-type]
    app.animation_level = "none"
    app.theme = "textual-dark"
    return app, mirror


def linked(mirror: AttachedStore, state: LinkState, **extra):
    async def run_before(pilot: Pilot) -> None:
        while not pilot.app.services.started:
            await pilot.pause(0.01)
        mirror.follower._announce(state, **extra)  # what the stream reports
        await pilot.pause()

    return run_before


def test_attached_console_header(snap_compare, attached_app) -> None:
    """ATTACHED to the server; the event log marks the callbacks the server forwarded."""
    app, mirror = attached_app
    run_before = linked(mirror, LinkState.CONNECTED)
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_attached_console_lost_connection(snap_compare, attached_app) -> None:
    app, mirror = attached_app
    run_before = linked(mirror, LinkState.LOST, reason="cannot connect", retry_in=4.0, attempt=3)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
