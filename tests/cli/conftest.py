"""Fixtures for the headless verbs: a sandbox on 127.0.0.1 served from a loop in a thread (so
click's CliRunner can call the verbs synchronously), and the waiter's injected clock/sleep."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sandbox.server import Sandbox
from tendlc.main import main
from tendlc.verbs import session, waiting

AUTH_ID = "MAZZYYXXWWVVUU123456"
TOKEN = "SubAcctToken_0123456789abcdef"
IDLE_LIMIT = 30.0  # seconds; a guard against a hang, never reached when things work

PROFILE = {
    "profile_alias": "acme-retail",
    "customer_type": "DIRECT",
    "entity_type": "PRIVATE",
    "company_name": "Acme Retail LLC",
    "vertical": "RETAIL",
    "ein": "123456789",
    "ein_issuing_country": "US",
    "website": "https://acme.example",
    "address": {
        "street": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701",
        "country": "US",
    },
    "authorized_contact": {
        "first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example",
        "title": "Owner", "seniority": "CEO", "phone": "+15125550100",
    },
}  # fmt: skip

CAMPAIGN = {
    "vertical": "RETAIL",
    "usecase": "MIXED",
    "sub_usecases": ["CUSTOMER_CARE", "2FA"],
    "description": "Acme Retail order updates and login codes for customers who opted in.",
    "sample1": "Acme Retail: your order #1234 has shipped. Reply STOP to opt out.",
    "sample2": "Acme Retail: your login code is 123456. Reply STOP to opt out.",
    "message_flow": "Customers opt in by ticking an unticked SMS box at checkout on acme.example.",
    "help_message": "Acme Retail: reply STOP to stop, call 512-555-0100 for help.",
    "optout_message": "Acme Retail: you are unsubscribed and will get no more texts.",
    "optin_message": "Acme Retail: you are subscribed to order texts. Reply STOP to opt out.",
    "optin_keywords": "START,YES",
    "optout_keywords": "STOP,END",
    "help_keywords": "HELP,INFO",
    "campaign_alias": "acme-orders",
}


class LoopThread:
    """An asyncio loop running in a daemon thread; `run(coro)` blocks for its result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = IDLE_LIMIT) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Gate:
    """The sandbox's sleep: instant while open; `hold()` keeps every transition PROCESSING."""

    def __init__(self) -> None:
        self.held = False
        self._open: asyncio.Event | None = None

    async def sleep(self, seconds: float) -> None:
        if self._open is None:
            self._open = asyncio.Event()
            self._open.set()
        if self.held:
            self._open.clear()
        await self._open.wait()

    def hold(self) -> None:
        self.held = True


@dataclass
class Box:
    """The running sandbox and its loop."""

    sandbox: Sandbox
    loop: LoopThread
    gate: Gate

    @property
    def url(self) -> str:
        return self.sandbox.base_url

    def idle(self) -> None:
        """Until every scheduled transition and callback delivery is done."""
        self.loop.run(self.sandbox.idle())


@pytest.fixture
def box() -> Iterator[Box]:
    loop = LoopThread()
    gate = Gate()
    sandbox = Sandbox(
        port=0, delay=0, seed=7, auth_id=AUTH_ID, auth_token=TOKEN, retry_scale=0.001,
        sleep=gate.sleep,
    )  # fmt: skip
    loop.run(sandbox.start())
    yield Box(sandbox, loop, gate)
    loop.run(sandbox.stop())
    loop.close()


class FakeClock:
    """The waiter's clock and sleep: sleeping advances the clock and lets the sandbox settle."""

    def __init__(self, settle: Callable[[], None] | None) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.settle = settle

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.settle is not None:
            self.settle()


@pytest.fixture
def clock(box: Box, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Waiting advances a fake clock; each sleep lets the sandbox finish what is scheduled
    (unless the gate holds it, then nothing moves)."""
    fake = FakeClock(lambda: None if box.gate.held else box.idle())
    monkeypatch.setattr(waiting, "clock", fake)
    monkeypatch.setattr(waiting, "sleep", fake.sleep)
    monkeypatch.setattr(session, "lock_clock", fake)
    monkeypatch.setattr(session, "lock_sleep", fake.sleep)
    return fake


@dataclass
class Cli:
    """Runs `tendlc ...` against the box with credentials in the environment."""

    box: Box
    db: Path
    tmp: Path

    def __call__(self, *args: str, input: str | None = None, api: bool = True) -> Result:
        extra = ["--api-url", self.box.url] if api else []
        env = {"PLIVO_AUTH_ID": AUTH_ID, "PLIVO_AUTH_TOKEN": TOKEN, "TENDLC_DB": str(self.db)}
        return CliRunner().invoke(main, [*args, *extra], env=env, input=input)

    def json(self, *args: str, input: str | None = None) -> Any:
        result = self(*args, "--json", input=input)
        return json.loads(result.stdout)

    def file(self, name: str, data: Any) -> str:
        path = self.tmp / name
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)
        return str(path)

    # a few steps several tests need

    def profile_uuid(self, alias: str) -> str:
        rows = self.json("profile", "list")
        return next(p["profile_uuid"] for p in rows if p["profile_alias"] == alias)

    def registered_brand(self, alias: str = "acme") -> str:
        uuid = self.profile_uuid("harbor-dental-primary")
        out = self.json("brand", "create", "--profile-uuid", uuid, "--brand-alias", alias, "--wait")
        assert out["ok"], out
        return out["brand_id"]

    def active_campaign(self) -> str:
        brand = self.registered_brand()
        path = self.file("campaign.json", CAMPAIGN)
        out = self.json("campaign", "create", "--from-file", path, "--brand-id", brand, "--wait")
        assert out["ok"], out
        return out["campaign_id"]


@pytest.fixture
def cli(box: Box, clock: FakeClock, tmp_path: Path) -> Cli:
    return Cli(box, tmp_path / "db", tmp_path)
