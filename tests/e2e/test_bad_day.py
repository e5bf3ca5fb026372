"""The README's "bad day" scenario, end to end: the sandbox misbehaves, the real receiver
stores every callback, tendlc's gateway submits through the plivo SDK, overdue flags point
at what went missing, and one reconcile leaves the registry agreeing with the API."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from plivo_client.gateway import Gateway, GatewayError
from plivo_client.reconcile import overdue_keys, reconcile
from plivo_client.validation import BrandRequest, CampaignRequest, LinkRequest
from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, CallbackEvent, ResourceType
from receiver.http.server import Receiver
from receiver.store.store import Store
from sandbox.faults.scenario import Scenario, load_scenario
from sandbox.server import Sandbox

README = Path(__file__).resolve().parents[2] / "README.md"
AUTH_ID = "MABADDAY000000000001"
TOKEN = "BadDayToken_0123456789abcdef0123456789"
MAIN_TOKEN = "BadDayMainToken_fedcba9876543210fedcba"
B, C, N = ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER
N1, N2, N3 = "14155550101", "14155550102", "14155550103"


def readme_scenario(tmp_path: Path) -> Scenario:
    """The TOML block after `<!-- scenario: bad-day -->` in the README, loaded as a file."""
    found = re.search(r"<!-- scenario: bad-day -->\n```toml\n(.*?)\n```", README.read_text(), re.S)
    assert found, "the README lost its bad-day scenario"
    path = tmp_path / "bad-day.toml"
    path.write_text(found.group(1))
    return load_scenario(path)


async def eventually(condition, what: str) -> None:
    """Poll `condition` until it holds, failing after a generous deadline."""
    async with asyncio.timeout(30):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


async def compressed(seconds: float) -> None:
    """The sandbox's clock for this test: its waits (slow answers, delays, retries) × 1/100."""
    await asyncio.sleep(seconds / 100)


@dataclass
class Day:
    sandbox: Sandbox
    receiver: Receiver
    store: Store
    gateway: Gateway
    impatient: Gateway  # timeout 0.5 s

    async def submit(self, fn, *args):
        """One gateway call in a thread; a GatewayError is returned, not raised."""
        try:
            return await asyncio.to_thread(fn, *args)
        except GatewayError as exc:
            return exc

    def badge(self, type_: ResourceType, id_: str) -> Badge:
        return self.store.registry.get(type_, id_).badge


@pytest.fixture
async def day(tmp_path) -> AsyncIterator[Day]:
    scenario = readme_scenario(tmp_path)
    store = Store.open(tmp_path / "store")
    config = ReceiverConfig(host="127.0.0.1", port=0, auth_token=TOKEN, main_auth_token=MAIN_TOKEN)
    receiver = Receiver(store, config)
    await receiver.start()
    sandbox = Sandbox(
        seed=7, delay=0, auth_id=AUTH_ID, auth_token=TOKEN, main_auth_token=MAIN_TOKEN,
        sleep=compressed, faults=scenario.faults, faults_seed=scenario.seed or 0,
    )  # fmt: skip
    await sandbox.start()
    gateway = Gateway(
        AUTH_ID, TOKEN, base_url=sandbox.base_url, store=store,
        callback_url=receiver.config.callback_url,
    )  # fmt: skip
    impatient = Gateway(
        AUTH_ID,
        TOKEN,
        base_url=sandbox.base_url,
        store=store,
        callback_url=receiver.config.callback_url,
        timeout=0.5,
    )  # fmt: skip  (for the call the sandbox never answers)
    yield Day(sandbox, receiver, store, gateway, impatient)
    gateway.close()
    impatient.close()
    await sandbox.stop()
    await receiver.stop()
    await store.close()


def campaign(brand_id: str, alias: str) -> CampaignRequest:
    return CampaignRequest(
        brand_id=brand_id,
        alias=alias,
        vertical="HEALTHCARE",
        usecase="ACCOUNT_NOTIFICATION",
        description="Appointment reminders and billing notices for Harbor Point Dental patients.",
        sample1="Hi Sam, your cleaning is on May 3 at 10am. Reply STOP to opt out.",
        sample2="Your statement of $45.00 is ready online. Reply HELP for help, STOP to opt out.",
        message_flow="Patients opt in by ticking the SMS box on the intake form at the front desk.",
        help_message="Harbor Point Dental: call 813-555-0142 for help. Msg&data rates may apply.",
        optout_message="You are unsubscribed from Harbor Point Dental texts. No more messages.",
    )


async def test_a_bad_day_ends_with_the_registry_right(day: Day) -> None:
    profiles = {p.alias: p.uuid for p in await asyncio.to_thread(day.gateway.list_profiles)}

    # Brands: harbor's `registered` is dropped, northwind sticks, lena's answer is a 503.
    harbor = (
        await day.submit(
            day.gateway.create_brand, BrandRequest(profiles["harbor-dental-primary"], "harbor")
        )
    ).brand_id
    northwind = (
        await day.submit(
            day.gateway.create_brand, BrandRequest(profiles["northwind-freight"], "northwind")
        )
    ).brand_id
    lost = await day.submit(day.gateway.create_brand,
                            BrandRequest(profiles["lena-bakes"], "lena", brand_type="STARTER"))  # fmt: skip
    assert isinstance(lost, GatewayError) and "server error (HTTP 503" in lost.message
    await day.sandbox.idle()
    lena = next(b.brand_id for b in day.sandbox.world.brands.values() if b.brand_alias == "lena")
    assert day.badge(B, lena) == Badge.REGISTERED  # known from its callbacks alone

    # Campaigns: a 429 first (retried), dental's callbacks reordered, promo's `created` late.
    limited = await day.submit(day.gateway.create_campaign, campaign(harbor, "dental"))
    assert isinstance(limited, GatewayError) and limited.message == (
        "create campaign failed: the sandbox is rate-limiting requests (HTTP 429): "
        "wait 2 s (its Retry-After) and try again"
    )
    dental = (await day.submit(day.gateway.create_campaign, campaign(harbor, "dental"))).campaign_id
    await day.sandbox.idle()
    promo = (await day.submit(day.gateway.create_campaign, campaign(harbor, "promo"))).campaign_id
    await day.sandbox.idle()
    assert day.badge(C, dental) == day.badge(C, promo) == Badge.REGISTERED

    # Numbers: a slow answer that waits for …0101's callbacks, …0102 tripled, …0103 misrouted.
    linked = await day.submit(day.gateway.link_numbers, LinkRequest(dental, (N1, N2, N3)))
    assert not isinstance(linked, GatewayError), linked
    notes = [t.detail for t in day.store.registry.get(N, N1).timeline]
    assert "number.link requested (its callbacks arrived first)" in notes
    await day.sandbox.idle()
    unlink = await day.submit(day.impatient.unlink_number, dental, N2)  # no answer; still done
    assert isinstance(unlink, GatewayError) and "did not answer within 0.5 s" in unlink.message
    await eventually(lambda: N2 not in day.sandbox.world.numbers, "the unlink carried out")
    await day.sandbox.idle()

    armed = day.sandbox.faults.armed
    assert len(armed) == 13 and all(a.fired == 1 and a.spent for a in armed)  # each fired once
    callbacks = [e for e in day.store.recent() if isinstance(e, CallbackEvent)]
    replays = [e for e in callbacks if e.replay_of]
    assert len(replays) == 2 and {e.number for e in replays} == {N2}
    world = day.sandbox.world
    assert world.campaigns[promo].registration_status == "EXPIRED"

    # What went missing is flagged overdue (the registry's view before any reconcile).
    overdue = set(overdue_keys(day.store, time.time() + 3600, after=60))
    assert overdue == {(B, harbor), (B, northwind), (N, N2), (N, N3)}
    assert day.badge(C, promo) == Badge.REGISTERED  # expired silently: no flag can show it

    await reconcile(day.gateway, day.store)

    expected = {
        (B, harbor): Badge.REGISTERED, (B, northwind): Badge.PENDING, (B, lena): Badge.REGISTERED,
        (C, dental): Badge.REGISTERED, (C, promo): Badge.EXPIRED,
        (N, N1): Badge.LINKED, (N, N2): Badge.UNLINKED, (N, N3): Badge.LINKED,
    }  # fmt: skip
    assert {k: day.badge(*k) for k in expected} == expected
    assert {(r.type, r.id) for r in day.store.registry.all()} == set(expected)
    assert day.store.registry.get(B, lena).name == "lena"
    assert set(overdue_keys(day.store, time.time() + 3600, after=60)) == {(B, northwind)}
    assert {b.brand_id: b.registration_status for b in world.brands.values()} == {
        harbor: "COMPLETED",
        northwind: "PROCESSING",
        lena: "COMPLETED",
    }
    assert {n.number: n.status for n in world.numbers_of(dental)} == {
        N1: "COMPLETED",
        N3: "COMPLETED",
    }

    # The stuck brand moves once its fault is removed (as DELETE /_sandbox/faults/{id} does).
    stuck = next(a for a in day.sandbox.faults.armed if a.spec.name == "stuck-processing")
    assert day.sandbox.faults.disarm(stuck.id)
    await day.sandbox.idle()
    assert day.badge(B, northwind) == Badge.REGISTERED
    assert overdue_keys(day.store, time.time() + 3600, after=60) == []
