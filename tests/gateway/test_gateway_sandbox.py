"""Every gateway method against a running Sandbox (real SDK, real HTTP on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import plivo
import pytest

from plivo_client.gateway import Gateway, GatewayError
from plivo_client.validation import BrandRequest, LinkRequest
from sandbox.seed import SEED_PROFILES
from sandbox.server import Sandbox
from sandbox.transport import point_client_at


async def _instant(seconds: float) -> None:
    """The sandbox's sleep: transitions and retries happen at once, in order."""
    await asyncio.sleep(0)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox(port=0, delay=0, seed=7, sleep=_instant)
    await box.start()
    yield box
    await box.stop()


@pytest.fixture
async def slow_sandbox() -> AsyncIterator[Sandbox]:
    """Requests stay PROCESSING (the transition sleeps for an hour; stop() cancels it)."""
    box = Sandbox(port=0, delay=3600, seed=7)
    await box.start()
    yield box
    await box.stop()


def gateway_for(box: Sandbox, **kwargs) -> Gateway:
    return Gateway(box.auth_id, box.auth_token, base_url=box.base_url, timeout=5.0, **kwargs)


async def run(fn, *args):
    """The SDK is synchronous; the sandbox serves on this loop."""
    return await asyncio.to_thread(fn, *args)


async def test_every_gateway_method(sandbox, good_campaign):
    gateway = gateway_for(sandbox)
    assert gateway.where == sandbox.base_url

    profiles = await run(gateway.list_profiles)
    by_alias = {p.alias: p for p in profiles}
    assert {s["profile_alias"] for s in SEED_PROFILES} <= set(by_alias)
    harbor = by_alias["harbor-dental-primary"]
    assert harbor.has_ein and harbor.company_name == "Harbor Point Dental Group LLC"
    assert by_alias["lena-bakes"].has_ein is False

    brand_sub = await run(gateway.create_brand, BrandRequest(harbor.uuid, "harbor-dental"))
    brand_id = brand_sub.brand_id
    assert brand_id and brand_sub.record.ok and brand_sub.record.params["url"] == ""
    await sandbox.idle()
    brand = await run(gateway.get_brand, brand_id)
    assert (brand.brand_id, brand.alias, brand.status) == (brand_id, "harbor-dental", "COMPLETED")
    assert brand.profile_uuid == harbor.uuid and brand.brand_type == "STANDARD"
    assert [b.brand_id for b in await run(gateway.list_brands)] == [brand_id]
    usecases = {u.code: u for u in await run(gateway.brand_usecases, brand_id)}
    assert {"MIXED", "CUSTOMER_CARE", "2FA"} <= set(usecases) and usecases["MIXED"].name

    campaign_sub = await run(gateway.create_campaign, replace(good_campaign, brand_id=brand_id))
    campaign_id = campaign_sub.campaign_id
    assert campaign_id and campaign_sub.brand_id == brand_id
    await sandbox.idle()
    campaign = await run(gateway.get_campaign, campaign_id)
    assert (campaign.status, campaign.usecase, campaign.alias) == ("ACTIVE", "MIXED", "acme-orders")
    assert set(campaign.sub_usecases) == {"CUSTOMER_CARE", "2FA"}
    assert [c.campaign_id for c in await run(gateway.list_campaigns, brand_id)] == [campaign_id]
    assert [c.campaign_id for c in await run(gateway.list_campaigns)] == [campaign_id]

    numbers = ("14155550101", "14155550000")  # …0000 fails to link in the sandbox
    link = await run(gateway.link_numbers, LinkRequest(campaign_id, numbers))
    assert link.numbers == numbers
    await sandbox.idle()
    listed = {n.number: n.status for n in await run(gateway.list_numbers, campaign_id)}
    assert listed == {"14155550101": "COMPLETED", "14155550000": "FAILED"}
    one = await run(gateway.get_number, campaign_id, "+1 415 555 0101")
    assert (one.number, one.campaign_id, one.status) == ("14155550101", campaign_id, "COMPLETED")

    unlink = await run(gateway.unlink_number, campaign_id, "14155550101")
    assert unlink.numbers == ("14155550101",)
    await sandbox.idle()
    assert [n.number for n in await run(gateway.list_numbers, campaign_id)] == ["14155550000"]

    with pytest.raises(GatewayError) as info:  # the brand still has an active campaign
        await run(gateway.delete_brand, brand_id)
    assert info.value.message.startswith(f"delete brand {brand_id} failed: ")
    assert info.value.status == 400

    # a second brand, without campaigns, can be deleted
    northwind = by_alias["northwind-freight"]
    other = await run(gateway.create_brand, BrandRequest(northwind.uuid, "northwind"))
    await sandbox.idle()
    deleted = await run(gateway.delete_brand, other.brand_id)
    assert deleted.record.action == "brand.delete" and deleted.record.ok
    assert [b.brand_id for b in await run(gateway.list_brands)] == [brand_id]


async def test_profiles_page_through_a_real_server(sandbox):
    client = plivo.RestClient(sandbox.auth_id, sandbox.auth_token)
    point_client_at(client, sandbox.base_url)
    template = {k: v for k, v in SEED_PROFILES[1].items() if k != "stock_symbol"}
    template.pop("stock_exchange", None)
    for i in range(22):
        await run(lambda i=i: client.profile.create(**{**template, "profile_alias": f"extra-{i}"}))
    profiles = await run(gateway_for(sandbox).list_profiles)
    assert len(profiles) == len(SEED_PROFILES) + 22 == len({p.uuid for p in profiles})
    assert [p.alias for p in profiles][-1] == "extra-21"


async def test_campaign_on_a_brand_still_processing(slow_sandbox, good_campaign):
    gateway = gateway_for(slow_sandbox)
    profile = (await run(gateway.list_profiles))[0]
    brand = await run(gateway.create_brand, BrandRequest(profile.uuid, "too-early"))
    assert (await run(gateway.get_brand, brand.brand_id)).status == "PROCESSING"
    with pytest.raises(GatewayError) as info:
        await run(gateway.create_campaign, replace(good_campaign, brand_id=brand.brand_id))
    err = info.value
    assert err.status == 400
    assert err.message.startswith("create campaign failed: ")
    assert brand.brand_id in err.message and "PROCESSING" in err.message


async def test_wrong_token_is_401(sandbox):
    gateway = Gateway(sandbox.auth_id, "not-the-token", base_url=sandbox.base_url)
    with pytest.raises(GatewayError) as info:
        await run(gateway.list_brands)
    assert info.value.status == 401
    assert info.value.message == (
        "list brands failed: the sandbox rejected the credentials: "
        "check PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN"
    )


async def test_sandbox_gone_is_a_connection_error():
    box = Sandbox(port=0, delay=0, seed=7)
    await box.start()
    base_url = box.base_url
    await box.stop()
    gateway = Gateway(box.auth_id, box.auth_token, base_url=base_url, timeout=2.0)
    with pytest.raises(GatewayError) as info:
        await run(gateway.list_profiles)
    assert info.value.message == (
        f"list profiles failed: cannot reach the sandbox at {base_url} (connection refused): "
        "check that the sandbox is running"
    )
