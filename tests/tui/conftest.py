"""Fixtures for the TUI tests: a real sandbox + receiver + store + gateway stack, and helpers."""

from __future__ import annotations

import asyncio
import io
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.widgets import Input

from plivo_client.gateway import Gateway
from plivo_client.validation import BrandRequest
from receiver.config import ReceiverConfig
from receiver.domain.models import (
    Badge,
    CallbackEvent,
    Kind,
    RequestRecord,
    ResourceType,
    sequential_ids,
)
from receiver.http.server import Receiver
from receiver.store.store import Store
from receiver.tunnels.base import Tunnel, TunnelState, TunnelStatus
from sandbox.server import Sandbox
from tui.app import TendlcApp, make_app

T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC


def ticking_clock(start: float = T0, step: float = 1.0) -> Callable[[], float]:
    """A clock that moves `step` seconds on each call: deterministic, and times still differ."""
    counter = itertools.count()
    return lambda: start + step * next(counter)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    """Times render in UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


async def _wait_for(
    pilot: Pilot, predicate: Callable[[], object], what: str, timeout: float = 10.0
):
    """Let the app run until `predicate()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


class Toasts:
    """Every notification the app posts, in order: `app.run_test(message_hook=toasts)`.

    Textual calls the hook with each message any pump of the app receives; `App.notify`
    posts a `Notify` carrying the `Notification` (message, title, severity, markup).
    """

    def __init__(self) -> None:
        self.shown: list[Notification] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.shown.append(message.notification)

    def __iter__(self) -> Iterator[Notification]:
        return iter(list(self.shown))

    def messages(self, title: str) -> list[str]:
        """The messages of the notifications titled `title`."""
        return [n.message for n in self.shown if n.title == title]

    def errors(self) -> list[str]:
        """The messages of the error toasts (a refusal's, alone or inside a burst's summary)."""
        return [n.message for n in self.shown if n.severity == "error"]


@pytest.fixture
def toasts() -> Toasts:
    """Pass as `run_test(message_hook=toasts)`; then iterate it, or `toasts.messages(title)`."""
    return Toasts()


@dataclass
class Stack:
    """Everything a Pilot test drives: the app and the real parts it was made of."""

    app: TendlcApp
    store: Store
    sandbox: Sandbox
    receiver: Receiver
    path: Path
    brands_made: int = 0

    @property
    def gateway(self) -> Gateway:
        assert self.app.services.gateway is not None
        return self.app.services.gateway

    def badge(self, type: ResourceType, id: str) -> Badge | None:
        resource = self.store.registry.get(type, id)
        return resource.badge if resource else None

    async def create_brand(self, alias: str) -> str:
        """Submit a brand through the gateway (in a thread, as the form does); returns its id."""
        gateway = self.gateway
        profiles = [p for p in await asyncio.to_thread(gateway.list_profiles) if p.has_ein]
        profile = profiles[self.brands_made]  # the sandbox allows one brand per profile
        self.brands_made += 1
        submitted = await asyncio.to_thread(
            gateway.create_brand, BrandRequest(profile_uuid=profile.uuid, alias=alias)
        )
        assert submitted.brand_id
        return submitted.brand_id


class ManualClock:
    """A clock that stands still until a test moves it with `advance(seconds)`."""

    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeTunnel(Tunnel):
    """A tunnel whose status the test sets: `start()` reports `initial`, `go()` moves it."""

    kind = "fake"

    def __init__(self, initial: TunnelStatus, local_url: str = "http://127.0.0.1:8765") -> None:
        super().__init__(local_url)
        self.initial = initial
        self.stopped = False

    async def start(self) -> TunnelStatus:
        return self._set_status(self.initial.state, self.initial.url, self.initial.reason)

    async def stop(self) -> None:
        self.stopped = True

    def go(self, state: TunnelState, url: str | None = None, reason: str = "") -> None:
        self._set_status(state, url, reason)


def build_stack(
    path: Path, clock: Callable[[], float], store_options: dict | None = None, **app_options
) -> Stack:
    """Sandbox (delay 0, seed 7) + receiver on port 0 + store at `path` + gateway."""
    store = Store.open(path, clock=clock, **(store_options or {}))
    sandbox = Sandbox(delay=0, seed=7)
    config = ReceiverConfig(
        port=0, auth_token=sandbox.auth_token, main_auth_token=sandbox.main_auth_token
    )
    receiver = Receiver(store, config, clock=clock, ids=sequential_ids("ev"))

    def gateway() -> Gateway:
        return Gateway(
            sandbox.auth_id,
            sandbox.auth_token,
            base_url=sandbox.base_url,
            store=store,
            callback_url=lambda: receiver.config.callback_url,
            clock=clock,
            ids=sequential_ids("rq"),
        )

    app = make_app(
        store=store, receiver=receiver, gateway=gateway, sandbox=sandbox, clock=clock, **app_options
    )
    return Stack(app, store, sandbox, receiver, path)


@pytest.fixture
def stack(tmp_path: Path) -> Stack:
    """Sandbox (delay 0, seed 7) + receiver on port 0 + store in tmp_path + gateway."""
    made = build_stack(tmp_path / "store", ticking_clock())
    yield made
    made.store.close_sync()


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock at T0 that moves only with `advance(seconds)`."""
    return ManualClock()


@pytest.fixture
def fake_tunnel() -> type[FakeTunnel]:
    """The FakeTunnel class: `fake_tunnel(TunnelStatus(...))`, then `.go(state, url, reason)`."""
    return FakeTunnel


def rendered(widget, width: int = 160) -> str:
    """The plain text a Static shows (its content rendered by rich)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


@pytest.fixture
def text_of():
    """`text_of(static)`: the plain text a Static shows."""
    return rendered


@pytest.fixture
def make_stack(tmp_path: Path):
    """`make_stack(clock, tunnel=..., overdue_after=...)`: a stack with its own clock and options."""
    made: list[Stack] = []

    def build(clock: Callable[[], float], **app_options) -> Stack:
        made.append(build_stack(tmp_path / f"store{len(made)}", clock, **app_options))
        return made[-1]

    yield build
    for one in made:
        one.store.close_sync()


@pytest.fixture
def wait_for():
    """`await wait_for(pilot, predicate, what)`: poll with a deadline, never sleep blindly."""
    return _wait_for


@pytest.fixture
def started():
    """`await started(pilot)`: wait until the app's sandbox, receiver and gateway are up."""

    async def wait(pilot: Pilot) -> None:
        await _wait_for(pilot, lambda: pilot.app.services.started, "services to start")
        screen = pilot.app.main_screen
        await _wait_for(pilot, lambda: screen.startup_reconciled, "the start-up reconcile")

    return wait


@pytest.fixture
def fill_registry():
    """`await fill_registry(store)`: fixed brands, campaigns, numbers and journal entries."""
    return fill


CALLBACK_URL = "https://demo.tendlc.test/tendlc_status/"


class StillReceiver:
    """A receiver that never binds, for snapshots: a fixed address, so no real port is shown."""

    def __init__(self, config: ReceiverConfig) -> None:
        self.config = config
        self.port = config.port
        self.warnings: list[str] = []
        self.running = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    def set_public_url(self, url: str | None) -> None:
        self.config = replace(self.config, public_url=url)


def _request(n: int, at: float, action: str, **fields) -> RequestRecord:
    params = fields.pop("params", {})
    return RequestRecord(
        f"rq{n:06d}", T0 + at, action, params, True, {"api_id": f"api{n}"}, **fields
    )


def _callback(
    n: int, at: float, kind: Kind, status: str, *, verified: bool = True, **ids
) -> CallbackEvent:
    params = {k: v for k, v in ids.items() if v} | {"event": kind.value, "status": status}
    body = urlencode(params)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Plivo-Signature-V2-Nonce": "12345678901234567890",
    }
    if verified:
        headers["X-Plivo-Signature-V2"] = "c2lnbmF0dXJlLWZvci10ZXN0cw=="
    return CallbackEvent(
        f"ev{n:06d}", T0 + at, "POST", "/tendlc_status/", headers, body, params, kind, status,
        verified=verified, reason="V2 ok" if verified else "missing signature headers",
        http_status=200 if verified else 403, **ids,
    )  # fmt: skip


async def fill(store: Store) -> None:
    """Three brands, two campaigns, four numbers in every badge colour, and one forged callback."""
    B, C, L, U = Kind.BRAND, Kind.CAMPAIGN, Kind.NUMBER_LINKING, Kind.NUMBER_UNLINKING
    requests = [
        _request(1, 0, "brand.create", brand_id="BACME01", params={"brand_alias": "Acme Dental"}),
        _request(2, 5, "brand.create", brand_id="BGLOBX2", params={"brand_alias": "Globex Tours"}),
        _request(3, 9, "brand.create", brand_id="BINIT03", params={"brand_alias": "Initech Loans"}),
        _request(4, 40, "campaign.create", brand_id="BACME01", campaign_id="CACME01", params={"campaign_alias": "Appointment reminders", "usecase": "ACCOUNT_NOTIFICATION"}),
        _request(5, 45, "campaign.create", brand_id="BGLOBX2", campaign_id="CGLOB01", params={"campaign_alias": "Trip updates", "usecase": "MIXED"}),
        _request(6, 80, "number.link", campaign_id="CACME01", numbers=("14155550101", "14155550102", "14155550103")),
        _request(7, 90, "number.link", campaign_id="CGLOB01", numbers=("14155550199",)),
        _request(8, 120, "number.unlink", campaign_id="CACME01", numbers=("14155550103",)),
    ]  # fmt: skip
    callbacks = [
        (3, _callback(1, 10, B, "created", brand_id="BACME01")),
        (3, _callback(2, 20, B, "registered", brand_id="BACME01")),
        (3, _callback(3, 22, B, "registered", brand_id="BGLOBX2")),
        (3, _callback(4, 25, B, "rejected", brand_id="BINIT03")),
        (5, _callback(5, 60, C, "registered", brand_id="BACME01", campaign_id="CACME01")),
        (5, _callback(6, 62, C, "created", brand_id="BGLOBX2", campaign_id="CGLOB01")),
        (7, _callback(7, 100, L, "success", campaign_id="CACME01", number="14155550101")),
        (7, _callback(8, 101, L, "failed", campaign_id="CACME01", number="14155550102")),
        (7, _callback(9, 102, L, "success", campaign_id="CACME01", number="14155550103")),
        (8, _callback(10, 125, U, "created", campaign_id="CACME01", number="14155550103")),
        (8, _callback(11, 130, B, "registered", verified=False, brand_id="BFORGED")),
    ]  # fmt: skip
    pending = list(callbacks)
    for index, record in enumerate(requests, start=1):
        await store.record_request(record, callback_url=CALLBACK_URL)
        while pending and pending[0][0] == index:
            event = pending.pop(0)[1]
            await store.record_callback(event, apply=event.verified)


PUBLIC_URL = "https://demo.tendlc.test"


@pytest.fixture
def still_receiver() -> StillReceiver:
    """A receiver that never binds, at a fixed address."""
    return StillReceiver(ReceiverConfig(port=8765, public_url=PUBLIC_URL))


@pytest.fixture
def snapshot_app(tmp_path: Path):
    """`snapshot_app(filled)`: the app over a store reopened from disk, and a receiver that never binds."""

    def build(
        filled: bool,
        *,
        clock: Callable[[], float] | None = None,
        public_url: str | None = PUBLIC_URL,
        **app_options,
    ) -> TendlcApp:
        """`clock` for the app (default: ticking from T0); `app_options` go to make_app.

        Overdue flags are off unless `overdue_after` is given: a snapshot must not depend on
        how many times the ticking clock was read.
        """
        app_options.setdefault("overdue_after", None)
        mode = app_options.pop("mode", "SANDBOX")
        path = tmp_path / "store"
        ticking = ticking_clock()
        if filled:
            store = Store.open(path, clock=ticking)

            async def write() -> None:
                await fill(store)
                await store.close()

            asyncio.run(write())
        clock = clock or ticking
        store = Store.open(path, clock=clock)  # what a user sees after a restart
        receiver = StillReceiver(ReceiverConfig(port=8765, public_url=public_url))
        app = make_app(
            store=store, receiver=receiver, gateway=None, mode=mode, clock=clock, **app_options
        )
        app.animation_level = "none"
        app.theme = "textual-dark"
        return app

    return build
