"""Reconciliation against the sandbox: recover suppressed callbacks, adopt outside resources."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import plivo
import pytest

from plivo_client.gateway import Gateway
from plivo_client.reconcile import overdue_keys, reconcile
from plivo_client.validation import BrandRequest, CampaignRequest, LinkRequest
from receiver.domain.models import Badge, Cause, ResourceType, sequential_ids
from receiver.store.store import Store
from sandbox.server import Sandbox
from sandbox.transport import point_client_at

NOW = 1_700_000_000.0
CALLBACK = "http://127.0.0.1:9/tendlc_status/"  # never called: callbacks are suppressed
B, C, N = ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER


@dataclass
class World:
    store: Store
    sandbox: Sandbox
    gateway: Gateway

    async def call(self, fn, *args):
        result = await asyncio.to_thread(fn, *args)
        await self.sandbox.idle()
        return result

    def badge(self, type_: ResourceType, id_: str) -> Badge:
        return self.store.registry.get(type_, id_).badge


@pytest.fixture
async def world(tmp_path) -> AsyncIterator[World]:
    store = Store.open(tmp_path / "store", clock=lambda: NOW)
    sandbox = Sandbox(port=0, delay=0, seed=5)
    await sandbox.start()
    sandbox.suppress_callbacks(True)
    gateway = Gateway(
        sandbox.auth_id,
        sandbox.auth_token,
        base_url=sandbox.base_url,
        store=store,
        callback_url=CALLBACK,
        clock=lambda: NOW,
        ids=sequential_ids("rq"),
    )
    yield World(store, sandbox, gateway)
    gateway.close()
    await sandbox.stop()
    await store.close()


def _campaign(brand_id: str) -> CampaignRequest:
    return CampaignRequest(
        brand_id=brand_id,
        alias="acme-otp",
        vertical="TECHNOLOGY",
        usecase="2FA",
        description="One-time passcodes for customers signing in to the Acme portal.",
        sample1="Your Acme code is 123456. Reply STOP to opt out.",
        sample2="Use 654321 to sign in to Acme. Reply HELP for help.",
        message_flow="Customers opt in on the sign-up page by ticking an SMS consent box.",
        help_message="Acme: reply STOP to opt out. Msg&data rates may apply.",
        optout_message="Acme: you are unsubscribed and will get no more messages.",
        subscriber_optin=True,
        subscriber_optout=True,
        subscriber_help=True,
    )


async def _profile(world: World) -> str:
    profiles = await asyncio.to_thread(world.gateway.list_profiles)
    return next(p.uuid for p in profiles if p.has_ein)


async def test_suppressed_callbacks_are_recovered_by_reconcile(world):
    sub = await world.call(world.gateway.create_brand, BrandRequest(await _profile(world), "acme"))
    assert world.badge(B, sub.brand_id) == Badge.SUBMITTED  # no callback ever came

    change = await reconcile(world.gateway, world.store)

    brand = world.store.registry.get(B, sub.brand_id)
    assert brand.badge == Badge.REGISTERED and brand.api_status == "COMPLETED"
    last = brand.timeline[-1]
    assert last.cause == Cause.RECONCILE and last.badge == Badge.REGISTERED
    assert [r.id for r in change.resources] == [sub.brand_id]


async def test_campaign_and_numbers_reconcile_including_an_unlink(world):
    brand = await world.call(
        world.gateway.create_brand, BrandRequest(await _profile(world), "acme")
    )
    await reconcile(world.gateway, world.store)
    campaign = await world.call(world.gateway.create_campaign, _campaign(brand.brand_id))
    await reconcile(world.gateway, world.store, type=C, id=campaign.campaign_id)
    assert world.badge(C, campaign.campaign_id) == Badge.REGISTERED

    good, bad = "14155550103", "14155550000"  # both rented by the sandbox account
    await world.call(world.gateway.link_numbers, LinkRequest(campaign.campaign_id, (good, bad)))
    await reconcile(world.gateway, world.store)
    assert (world.badge(N, good), world.badge(N, bad)) == (Badge.LINKED, Badge.FAILED)

    await world.call(world.gateway.unlink_number, campaign.campaign_id, good)
    assert world.badge(N, good) == Badge.UNLINKING
    await reconcile(world.gateway, world.store, type=N, id=good)
    assert world.badge(N, good) == Badge.UNLINKED
    assert world.store.registry.get(N, good).timeline[-1].cause == Cause.RECONCILE


async def test_a_brand_created_outside_tendlc_appears(world):
    client = plivo.RestClient(world.sandbox.auth_id, world.sandbox.auth_token)
    point_client_at(client, world.sandbox.base_url)
    profile = await _profile(world)
    created = await asyncio.to_thread(client.brand.create, "outside", "STANDARD", profile)
    await world.sandbox.idle()
    assert world.store.registry.get(B, created.brand_id) is None

    await reconcile(world.gateway, world.store)

    brand = world.store.registry.get(B, created.brand_id)
    assert brand is not None and brand.badge == Badge.REGISTERED and brand.name == "outside"
    assert brand.timeline[0].cause == Cause.RECONCILE


async def test_overdue_lists_resources_waiting_too_long(world):
    sub = await world.call(world.gateway.create_brand, BrandRequest(await _profile(world), "acme"))
    assert overdue_keys(world.store, NOW + 30, after=60) == []
    assert overdue_keys(world.store, NOW + 61, after=60) == [(B, sub.brand_id)]
    await reconcile(world.gateway, world.store, type=B, id=sub.brand_id)
    assert overdue_keys(world.store, NOW + 61, after=60) == []
