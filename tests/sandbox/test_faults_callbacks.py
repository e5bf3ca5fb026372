"""Callback and lifecycle faults: drop, duplicate, delay, wrong path, exhausted retries,
reorder, callback-before-answer, stuck in PROCESSING, EXPIRED campaigns, outcome rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import plivo
import pytest

from sandbox.faults.catalogue import parse_flag
from sandbox.server import Sandbox
from sandbox.transport import point_client_at

from .conftest import AUTH_ID, MAIN_TOKEN, MIXED_CAMPAIGN, TOKEN, call


def arm(sandbox: Sandbox, *flags: str) -> None:
    sandbox.faults.arm([parse_flag(f) for f in flags])


def words(receiver: Any) -> list[str]:
    return [r.params["status"] for r in receiver.received]


async def until(condition: Callable[[], bool], changed: asyncio.Event, what: str) -> None:
    """Wait for `condition`, woken by `changed`, failing after a generous deadline."""
    async with asyncio.timeout(30):
        while not condition():
            changed.clear()
            await changed.wait()
    assert condition(), what


async def test_drop_callback_sends_nothing_while_state_moves(sandbox, receiver, make_brand):
    arm(sandbox, "drop-callback:kind=brand,status=registered")
    brand_id = await make_brand(url=receiver.url)
    assert words(receiver) == ["created"]
    assert sandbox.world.brands[brand_id].registration_status == "COMPLETED"
    dropped = [d for d in sandbox.deliveries if d.fault]
    assert [(d.event_status, d.fault, d.status) for d in dropped] == [
        ("registered", "f1 drop-callback", None)
    ]
    assert "never sent" in dropped[0].error and sandbox.faults.armed[0].spent


async def test_duplicates_replay_the_same_nonce_or_are_signed_afresh(sandbox, receiver, make_brand):
    arm(sandbox, "duplicate-callback:status=registered,copies=2,same_nonce=true")
    await make_brand(url=receiver.url)
    copies = [r for r in receiver.received if r.params["status"] == "registered"]
    assert len(copies) == 3
    assert len({r.headers["X-Plivo-Signature-V2-Nonce"] for r in copies}) == 1
    assert len({r.headers["X-Plivo-Signature-V3"] for r in copies}) == 1

    arm(sandbox, "duplicate-callback:kind=brand,status=created")
    await make_brand("northwind", profile=list(sandbox.world.profiles)[1], url=receiver.url)
    created = [r for r in receiver.received[4:] if r.params["status"] == "created"]
    assert len(created) == 2 and created[0].params == created[1].params
    assert (
        created[0].headers["X-Plivo-Signature-V2-Nonce"]
        != (created[1].headers["X-Plivo-Signature-V2-Nonce"])
    )


async def test_wrong_path_is_signed_for_that_url_and_retried_until_given_up(
    sandbox, receiver, make_brand, gate
):
    arm(sandbox, "wrong-path-callback:status=registered,path=/elsewhere/")
    await make_brand(url=receiver.url)
    assert words(receiver) == ["created"]
    wrong = [d for d in sandbox.deliveries if d.event_status == "registered"]
    assert [(d.attempt, d.status) for d in wrong] == [(1, 404), (2, 404), (3, 404), (4, 404)]
    assert all(d.url == receiver.base_url + "/elsewhere/?tenant=acme" for d in wrong)
    assert [s for s in gate.requested if s] == [pytest.approx(x) for x in (0.06, 0.12, 0.24)]


async def test_exhausted_retries_never_reach_the_handler(sandbox, receiver, make_brand, gate):
    arm(sandbox, "exhaust-retries:kind=brand,status=terminal")
    await make_brand(url=receiver.url)
    assert words(receiver) == ["created"]
    lost = [d for d in sandbox.deliveries if d.event_status == "registered"]
    assert [d.attempt for d in lost] == [1, 2, 3, 4]
    assert all(d.status is None and "simulated by fault f1" in d.error for d in lost)
    assert [s for s in gate.requested if s] == [pytest.approx(x) for x in (0.06, 0.12, 0.24)]


async def test_reorder_sends_the_terminal_callback_before_a_stale_created(
    sandbox, receiver, make_brand
):
    arm(sandbox, "reorder-callbacks:kind=brand")
    await make_brand(url=receiver.url)
    assert words(receiver) == ["registered", "created"]
    assert receiver.received[1].params["registration_status"] == "PROCESSING"


class Lag:
    """An injected sleep that blocks only waits of `seconds`, until released."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.go = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        if seconds == self.seconds:
            await self.go.wait()


@pytest.fixture
async def lagging() -> AsyncIterator[tuple[Sandbox, Lag, plivo.RestClient]]:
    lag = Lag(7.0)
    sb = Sandbox(seed=7, delay=0, auth_id=AUTH_ID, auth_token=TOKEN, main_auth_token=MAIN_TOKEN,
                 retry_scale=0.001, sleep=lag.sleep)  # fmt: skip
    await sb.start()
    client = plivo.RestClient(sb.auth_id, sb.auth_token)
    point_client_at(client, sb.base_url)
    yield sb, lag, client
    await sb.stop()


async def test_a_delayed_callback_is_overtaken_by_the_next(lagging, receiver):
    sandbox, lag, client = lagging
    arm(sandbox, "delay-callback:kind=brand,status=created,seconds=7")
    profile = sandbox.world.primary.profile_uuid
    await call(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    await until(lambda: words(receiver) == ["registered"], receiver.changed, "registered first")
    lag.go.set()
    await until(lambda: len(receiver.received) == 2, receiver.changed, "then created")
    assert words(receiver) == ["registered", "created"]
    await sandbox.idle()


@pytest.mark.parametrize(("until_word", "before"), [("created", 1), ("terminal", 2)])
async def test_callbacks_can_beat_the_api_answer(sandbox, receiver, client, until_word, before):
    arm(sandbox, f"callback-before-answer:kind=brand,until={until_word}")
    profile = sandbox.world.primary.profile_uuid
    created = await call(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    assert len(receiver.received) >= before  # attempted before the SDK had its answer
    assert receiver.received[0].params["brand_id"] == created.brand_id
    await sandbox.idle()
    assert words(receiver) == ["created", "registered"]


async def test_stuck_processing_holds_until_the_fault_is_removed(sandbox, receiver, make_brand):
    arm(sandbox, "stuck-processing")
    brand_id = await make_brand(url=receiver.url)  # idle() does not wait for a stuck request
    assert sandbox.world.brands[brand_id].registration_status == "PROCESSING"
    assert words(receiver) == ["created"]
    assert sandbox.faults.disarm("f1")
    await sandbox.idle()
    assert sandbox.world.brands[brand_id].registration_status == "COMPLETED"
    assert words(receiver) == ["created", "registered"]


async def test_stuck_processing_applies_to_numbers_too(sandbox, receiver, client, make_campaign):
    campaign_id = await make_campaign()
    arm(sandbox, "stuck-processing:kind=number_linking,id=*0199")
    await call(client.campaign.number_link, campaign_id, url=receiver.url,
               numbers=["14155550199", "14155550101"])  # fmt: skip
    await sandbox.idle()
    states = {n.number: n.status for n in sandbox.world.numbers_of(campaign_id)}
    assert states == {"14155550199": "PROCESSING", "14155550101": "COMPLETED"}


async def test_a_campaign_expires_after_it_is_active(
    sandbox, client, make_brand, make_campaign, gate
):
    arm(sandbox, "expire-campaign:after=9,alias=dental-*")
    brand_id = await make_brand()
    campaign_id = await make_campaign(brand_id)
    assert gate.requested.count(9.0) == 1
    got = await call(client.campaign.get, campaign_id)
    assert got.campaign.registration_status == "EXPIRED"
    other = await make_campaign(brand_id, campaign_alias="other")
    assert sandbox.world.campaigns[other].registration_status == "ACTIVE"


async def test_outcome_rules_override_the_knobs(sandbox, client, make_brand, make_campaign):
    arm(
        sandbox,
        "reject:kind=brand,alias=harbor*",
        "reject:kind=campaign,alias=promo",
        "fail-link:id=*0101",
        "succeed:kind=number_linking,id=*0000",
    )
    rejected = await make_brand()
    assert sandbox.world.brands[rejected].registration_status == "FAILED"
    assert sandbox.world.brands[rejected].declined_reasons
    brand_id = await make_brand("northwind", profile=list(sandbox.world.profiles)[1])
    campaign = await make_campaign(brand_id, campaign_alias="promo")
    assert sandbox.world.campaigns[campaign].registration_status == "FAILED"
    assert sandbox.world.campaigns[campaign].error_code
    campaign = await make_campaign(brand_id)
    numbers = ["14155550101", "14155550000", "14155550102"]
    await call(client.campaign.number_link, campaign, numbers=numbers)
    await sandbox.idle()
    states = {n.number: n.status for n in sandbox.world.numbers_of(campaign)}
    assert states == {
        "14155550101": "FAILED",
        "14155550000": "COMPLETED",
        "14155550102": "COMPLETED",
    }


# 20 local numbers the sandbox account rents (none ends in 0000 or 9999, the knobs' suffixes)
OWNED_NUMBERS = (
    "14155550100", "14155550101", "14155550102", "14155550103", "14155550199", "18135550100",
    "18135550101", "18135550102", "18135550103", "12125551234", "12125550142", "13105550101",
    "13105550102", "14845007032", "14845007033", "14845007040", "14845551234", "14845551235",
    "14845551236", "17205550140",
)  # fmt: skip


async def _link_outcomes(seed: int) -> dict[str, str]:
    sb = Sandbox(seed=1, delay=0, auth_id=AUTH_ID, auth_token=TOKEN, faults_seed=seed,
                 faults=[parse_flag("fail-link:probability=0.5,count=always")])  # fmt: skip
    await sb.start()
    try:
        client = plivo.RestClient(sb.auth_id, sb.auth_token)
        point_client_at(client, sb.base_url)
        brand = await call(client.brand.create, "b", "STANDARD", sb.world.primary.profile_uuid)
        await sb.idle()
        campaign = await call(client.campaign.create, brand_id=brand.brand_id, **MIXED_CAMPAIGN)
        await sb.idle()
        numbers = list(OWNED_NUMBERS)
        await call(client.campaign.number_link, campaign.campaign_id, numbers=numbers)
        await sb.idle()
        return {n.number: n.status for n in sb.world.numbers_of(campaign.campaign_id)}
    finally:
        await sb.stop()


async def test_probabilities_are_fixed_by_the_faults_seed():
    first, again, other = await _link_outcomes(3), await _link_outcomes(3), await _link_outcomes(4)
    assert first == again
    assert {"FAILED", "COMPLETED"} <= set(first.values())
    assert first != other
