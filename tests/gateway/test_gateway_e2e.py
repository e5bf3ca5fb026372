"""End to end: gateway → sandbox → signed callbacks → receiver → store → registry badges."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from aiohttp import web
from plivo.utils import validate_signature

from plivo_client.gateway import Gateway, Submitted
from plivo_client.validation import BrandRequest, LinkRequest
from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, CallbackEvent, Cause, Kind, ResourceType, sequential_ids
from receiver.http.server import Receiver
from receiver.store.store import Store
from sandbox.server import Sandbox

NOW = 1_700_000_000.0


class Gate:
    """The sandbox's sleep: blocks while held, so a test decides when transitions happen."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def sleep(self, seconds: float) -> None:
        await self._open.wait()


@dataclass
class World:
    store: Store
    sandbox: Sandbox
    receiver: Receiver
    gateway: Gateway
    gate: Gate

    async def submit(self, fn, *args) -> Submitted:
        """Submit through the gateway, then let the sandbox finish and deliver everything.

        The terminal transition waits for the gate, so it always follows the journaled request.
        """
        self.gate.hold()
        try:
            return await asyncio.to_thread(fn, *args)
        finally:
            self.gate.release()
            await self.sandbox.idle()

    def badge(self, type_: ResourceType, id_: str) -> Badge:
        resource = self.store.registry.get(type_, id_)
        assert resource is not None, f"{type_} {id_} not in the registry"
        return resource.badge

    def events(self, kind: Kind | None = None) -> list[CallbackEvent]:
        found = [e for e in self.store.journal() if isinstance(e, CallbackEvent)]
        return [e for e in found if kind is None or e.kind == kind]

    def assert_signed(self, events: list[CallbackEvent]) -> None:
        """The receiver verified each event, and so does the plivo SDK's own validator."""
        assert events
        for event in events:
            assert event.verified and event.http_status == 200, event.reason
            headers = {k.lower(): v for k, v in event.headers.items()}
            url = self.receiver.config.local_base + event.url
            nonce = headers["x-plivo-signature-v2-nonce"]
            assert validate_signature(
                url, nonce, headers["x-plivo-signature-v2"], self.sandbox.auth_token
            )
            assert validate_signature(
                url, nonce, headers["x-plivo-signature-ma-v2"], self.sandbox.main_auth_token
            )


async def _start_world(tmp_path, receiver_hook=None) -> World:
    store = Store.open(tmp_path / "store", clock=lambda: NOW)
    gate = Gate()
    sandbox = Sandbox(port=0, delay=0, seed=11, main_auth_token="MainToken_e2e_0123456789",
                      sleep=gate.sleep)  # fmt: skip
    await sandbox.start()
    config = ReceiverConfig(
        host="127.0.0.1",
        port=0,
        auth_token=sandbox.auth_token,
        main_auth_token=sandbox.main_auth_token,
    )
    receiver = Receiver(store, config, clock=lambda: NOW, ids=sequential_ids("ev"))
    if receiver_hook is not None:
        receiver_hook(receiver)
    await receiver.start()
    gateway = Gateway(
        sandbox.auth_id,
        sandbox.auth_token,
        base_url=sandbox.base_url,
        store=store,
        callback_url=lambda: receiver.config.callback_url,
        clock=lambda: NOW,
        ids=sequential_ids("rq"),
        timeout=5.0,
    )
    return World(store, sandbox, receiver, gateway, gate)


async def _stop_world(world: World) -> None:
    world.gateway.close()
    world.gate.release()
    await world.sandbox.stop()
    await world.receiver.stop()
    await world.store.close()


@pytest.fixture
async def world(tmp_path) -> AsyncIterator[World]:
    w = await _start_world(tmp_path)
    yield w
    await _stop_world(w)


async def _profiles(world: World) -> dict:
    return {p.alias: p for p in await asyncio.to_thread(world.gateway.list_profiles)}


async def _registered_brand(world: World) -> str:
    harbor = (await _profiles(world))["harbor-dental-primary"]
    sub = await world.submit(world.gateway.create_brand, BrandRequest(harbor.uuid, "harbor"))
    return sub.brand_id


async def test_brand_registers_through_signed_callbacks(world):
    harbor = (await _profiles(world))["harbor-dental-primary"]
    sub = await world.submit(world.gateway.create_brand, BrandRequest(harbor.uuid, "harbor"))
    brand_id = sub.brand_id
    assert sub.record.params["url"] == world.receiver.config.callback_url

    assert world.badge(ResourceType.BRAND, brand_id) == Badge.REGISTERED
    events = world.events(Kind.BRAND)
    assert sorted(e.status for e in events) == ["created", "registered"]
    assert {e.brand_id for e in events} == {brand_id}
    world.assert_signed(events)
    resource = world.store.registry.get(ResourceType.BRAND, brand_id)
    causes = [(t.cause, t.ref) for t in resource.timeline]
    assert (Cause.REQUEST, sub.record.id) in causes
    assert {ref for cause, ref in causes if cause == Cause.CALLBACK} == {e.id for e in events}
    assert resource.name == "harbor"


async def test_rejected_brand(world):
    northwind = (await _profiles(world))["northwind-freight"]
    sub = await world.submit(
        world.gateway.create_brand, BrandRequest(northwind.uuid, "please reject me")
    )
    assert world.badge(ResourceType.BRAND, sub.brand_id) == Badge.REJECTED
    world.assert_signed(world.events(Kind.BRAND))
    brand = await asyncio.to_thread(world.gateway.get_brand, sub.brand_id)
    assert brand.status == "FAILED" and brand.declined_reasons


async def test_campaign_link_and_unlink(world, good_campaign):
    brand_id = await _registered_brand(world)
    campaign = await world.submit(
        world.gateway.create_campaign, replace(good_campaign, brand_id=brand_id)
    )
    campaign_id = campaign.campaign_id
    assert world.badge(ResourceType.CAMPAIGN, campaign_id) == Badge.REGISTERED
    assert world.store.registry.get(ResourceType.CAMPAIGN, campaign_id).parent_id == brand_id
    world.assert_signed(world.events(Kind.CAMPAIGN))

    good, bad = "14155550101", "14155550000"  # the sandbox fails links of numbers ending 0000
    await world.submit(world.gateway.link_numbers, LinkRequest(campaign_id, (good, bad)))
    assert world.badge(ResourceType.NUMBER, good) == Badge.LINKED
    assert world.badge(ResourceType.NUMBER, bad) == Badge.FAILED
    linking = world.events(Kind.NUMBER_LINKING)
    assert sorted((e.number, e.status) for e in linking) == [
        (bad, "created"), (bad, "failed"), (good, "created"), (good, "success"),
    ]  # fmt: skip
    world.assert_signed(linking)

    await world.submit(world.gateway.unlink_number, campaign_id, good)
    assert world.badge(ResourceType.NUMBER, good) == Badge.UNLINKED
    unlinking = world.events(Kind.NUMBER_UNLINKING)
    assert sorted(e.status for e in unlinking) == ["created", "success"]
    world.assert_signed(unlinking)
    assert world.store.registry.get(ResourceType.NUMBER, good).parent_id == campaign_id


async def test_a_callback_answered_500_is_retried_and_stored_once(tmp_path):
    failed: list[str] = []

    def fail_first_callback(receiver: Receiver) -> None:
        original = receiver.handle_callback

        async def flaky(request: web.Request) -> web.StreamResponse:
            if not failed:
                await request.read()
                failed.append(request.path)
                return web.Response(status=500, text="temporary failure\n")
            return await original(request)

        receiver.handle_callback = flaky  # make_app reads it when the receiver starts

    world = await _start_world(tmp_path, receiver_hook=fail_first_callback)
    try:
        brand_id = await _registered_brand(world)
        assert failed == [world.receiver.config.callback_path]
        created = [d for d in world.sandbox.deliveries if d.event_status == "created"]
        assert [(d.attempt, d.status) for d in created] == [(1, 500), (2, 200)]
        events = world.events(Kind.BRAND)
        assert sorted(e.status for e in events) == ["created", "registered"]  # once each
        world.assert_signed(events)
        assert world.badge(ResourceType.BRAND, brand_id) == Badge.REGISTERED
    finally:
        await _stop_world(world)
