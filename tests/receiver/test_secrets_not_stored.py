"""After a full sandbox session, neither token appears in any store file or in the logs."""

from __future__ import annotations

import asyncio
import base64
import logging

import aiohttp

from plivo_client.gateway import Gateway
from plivo_client.validation import BrandRequest, CampaignRequest, LinkRequest
from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, ResourceType, sequential_ids
from receiver.http.server import Receiver
from receiver.signature import signature_headers
from receiver.store.store import Store
from sandbox.server import Sandbox

AUTH_TOKEN = "SandboxAuthToken_q7Zr4Lm2Xv9Kp1Ns"
MAIN_TOKEN = "SandboxMainToken_w3Hd8Jc5Bt6Yf0Ge"
NOW = 1_700_000_000.0

CAMPAIGN = dict(
    vertical="RETAIL",
    usecase="MIXED",
    sub_usecases=("CUSTOMER_CARE", "2FA"),
    description="Order updates and account security codes for our retail customers.",
    sample1="Your order #1234 has shipped. Reply STOP to opt out.",
    sample2="Your login code is 123456. Reply HELP for help.",
    message_flow="Customers opt in by ticking a box at checkout on our website.",
    help_message="Acme Retail: reply STOP to stop, call 555-0100 for help.",
    optout_message="You are unsubscribed from Acme Retail and will get no more texts.",
    optin_keywords="START,YES",
    optout_keywords="STOP,END",
    help_keywords="HELP,INFO",
    alias="acme-orders",
)


def _forms(token: str, auth_id: str) -> list[bytes]:
    """The token as it could be written: plain, URL-safe, and inside a Basic auth header."""
    basic = base64.b64encode(f"{auth_id}:{token}".encode())
    return [token.encode(), basic, token.encode("utf-16-le")]


async def test_no_token_in_store_files_or_logs_after_a_full_sandbox_session(
    tmp_path, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    store = Store.open(tmp_path / "store", clock=lambda: NOW)
    sandbox = Sandbox(port=0, delay=0, seed=5, auth_token=AUTH_TOKEN, main_auth_token=MAIN_TOKEN)
    await sandbox.start()
    config = ReceiverConfig(port=0, auth_token=AUTH_TOKEN, main_auth_token=MAIN_TOKEN)
    receiver = Receiver(store, config, clock=lambda: NOW, ids=sequential_ids("ev"))
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

    async def submit(fn, *args):
        result = await asyncio.to_thread(fn, *args)
        await sandbox.idle()
        return result

    try:
        profiles = await asyncio.to_thread(gateway.list_profiles)
        brand = await submit(gateway.create_brand, BrandRequest(profiles[0].uuid, "acme"))
        campaign = await submit(
            gateway.create_campaign, CampaignRequest(brand_id=brand.brand_id, **CAMPAIGN)
        )
        numbers = ("14155550101", "14155550102")
        await submit(gateway.link_numbers, LinkRequest(campaign.campaign_id, numbers))
        await submit(gateway.unlink_number, campaign.campaign_id, numbers[0])
        # a forged callback (403, kept in the unverified ring) and a replayed one
        payload = {"brand_id": brand.brand_id, "event": "brand", "status": "registered"}
        url = receiver.config.callback_url
        async with aiohttp.ClientSession() as session:
            forged = signature_headers("POST", url, payload, "WrongToken_000000")
            async with session.post(url, data=payload, headers=forged) as resp:
                assert resp.status == 403
            signed = signature_headers("POST", url, payload, AUTH_TOKEN, MAIN_TOKEN)
            for _ in range(2):
                async with session.post(url, data=payload, headers=signed) as resp:
                    assert resp.status == 200
    finally:
        gateway.close()
        await sandbox.stop()
        await receiver.stop()
        await store.close()

    registry = Store.open(tmp_path / "store", readonly=True)
    try:
        assert registry.registry.get(ResourceType.NUMBER, numbers[0]).badge is Badge.UNLINKED
        assert registry.registry.get(ResourceType.NUMBER, numbers[1]).badge is Badge.LINKED
        assert len(registry.unverified()) == 1 and registry.replay_total == 1
    finally:
        registry.close_sync()

    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"registry.json", "unverified.json", "000001.json"} <= names
    captured = capfd.readouterr()
    logs = caplog.text.encode() + captured.out.encode() + captured.err.encode()
    assert len(caplog.records) > 0  # the session did log (at DEBUG)
    for token in (AUTH_TOKEN, MAIN_TOKEN):
        for form in _forms(token, sandbox.auth_id):
            for path in files:
                assert form not in path.read_bytes(), f"{token[:14]}… found in {path.name}"
            assert form not in logs, f"{token[:14]}… found in the logs"
