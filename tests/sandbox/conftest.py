"""Fixtures for the sandbox tests: a running sandbox, a real plivo client pointed at it, a receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import plivo
import pytest
from aiohttp import web

from sandbox.server import Sandbox
from sandbox.transport import point_client_at

AUTH_ID = "MAZZYYXXWWVVUU123456"
TOKEN = "SubAcctToken_0123456789abcdef"
MAIN_TOKEN = "MainAcctToken_fedcba9876543210"

MIXED_CAMPAIGN: dict[str, Any] = {
    "vertical": "HEALTHCARE",
    "usecase": "MIXED",
    "sub_usecases": ["CUSTOMER_CARE", "ACCOUNT_NOTIFICATION"],
    "description": "Appointment reminders and billing notices for patients of Harbor Point Dental.",
    "sample1": "Hi Sam, your cleaning is on May 3 at 10am. Reply C to confirm, STOP to opt out.",
    "sample2": "Your statement of $45.00 is ready at harborpointdental.example/pay. STOP to opt out.",
    "message_flow": "Patients opt in by ticking the SMS box on the intake form at the front desk.",
    "help_message": "Harbor Point Dental: call 813-555-0142 for help. Msg&data rates may apply.",
    "optout_message": "You are unsubscribed from Harbor Point Dental texts. No more messages will be sent.",
    "subscriber_optin": True,
    "subscriber_optout": True,
    "subscriber_help": True,
    "campaign_alias": "dental-reminders",
}


async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous plivo SDK call off the loop (the sandbox serves on this loop)."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class Gate:
    """The sandbox's injected sleep: returns at once while open; `hold()` makes every wait block.

    Lets a test look at the world between `created` and the terminal status without sleeping.
    """

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self.requested: list[float] = []

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def sleep(self, seconds: float) -> None:
        self.requested.append(seconds)
        await self._open.wait()


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
async def sandbox(gate: Gate) -> AsyncIterator[Sandbox]:
    sb = Sandbox(
        seed=7,
        delay=0,
        auth_id=AUTH_ID,
        auth_token=TOKEN,
        main_auth_token=MAIN_TOKEN,
        retry_scale=0.001,
        sleep=gate.sleep,
    )
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> plivo.RestClient:
    c = plivo.RestClient(sandbox.auth_id, sandbox.auth_token)
    point_client_at(c, sandbox.base_url)
    return c


@dataclass
class Received:
    method: str
    url: str  # full URL as called, query included
    headers: dict[str, str]
    params: dict[str, str]  # form fields (POST) or query (GET)


@dataclass
class CallbackSink:
    """A loopback aiohttp endpoint that records every callback and can answer 500 on demand."""

    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    failures_left: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return self.base_url + "/hook/?tenant=acme"

    async def handle(self, request: web.Request) -> web.Response:
        params = dict(await request.post()) if request.method == "POST" else {}
        self.received.append(
            Received(
                request.method,
                str(request.url),
                dict(request.headers),
                {k: str(v) for k, v in params.items()},
            )
        )
        self.changed.set()
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=500, text="try later")
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[CallbackSink]:
    rec = CallbackSink()
    app = web.Application()
    app.router.add_route("*", "/hook/", rec.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield rec
    await runner.cleanup()


@pytest.fixture
def campaign_fields() -> dict[str, Any]:
    """Valid `campaign.create` keyword arguments for a MIXED campaign (brand_id aside)."""
    return dict(MIXED_CAMPAIGN)


@pytest.fixture
def make_brand(client: plivo.RestClient, sandbox: Sandbox) -> Callable[..., Any]:
    """`await make_brand(alias="harbor", profile=None, **kw)`: a settled STANDARD brand's id."""

    async def make(alias: str = "harbor", profile: str | None = None, **kw: Any) -> str:
        profile = profile or sandbox.world.primary.profile_uuid
        created = await call(client.brand.create, alias, "STANDARD", profile, **kw)
        await sandbox.idle()
        return created.brand_id

    return make


@pytest.fixture
def make_campaign(
    client: plivo.RestClient, sandbox: Sandbox, make_brand: Callable[..., Any]
) -> Callable[..., Any]:
    """`await make_campaign(brand_id=None, **overrides)`: a settled MIXED campaign's id."""

    async def make(brand_id: str | None = None, **kw: Any) -> str:
        brand_id = brand_id or await make_brand()
        created = await call(client.campaign.create, brand_id=brand_id, **{**MIXED_CAMPAIGN, **kw})
        await sandbox.idle()
        return created.campaign_id

    return make
