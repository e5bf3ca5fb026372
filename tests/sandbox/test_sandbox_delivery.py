"""Callback delivery: signatures the plivo SDK accepts, GET/POST, retries, the loopback guard."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import plivo
import pytest
from plivo.utils import validate_signature
from plivo.utils.signature_v3 import validate_v3_signature
from yarl import URL

from sandbox.delivery import loopback_refusal
from sandbox.server import Sandbox

to_thread = asyncio.to_thread
TOKEN = "SubAcctToken_0123456789abcdef"
MAIN_TOKEN = "MainAcctToken_fedcba9876543210"


async def test_post_callbacks_are_form_data_signed_for_the_sdk(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand
) -> None:
    await make_brand(url=receiver.url)
    assert len(receiver.received) == 2
    for got in receiver.received:
        h = got.headers
        assert got.method == "POST" and got.url == receiver.url
        assert h["Content-Type"] == "application/x-www-form-urlencoded"
        nonce, v3_nonce = h["X-Plivo-Signature-V2-Nonce"], h["X-Plivo-Signature-V3-Nonce"]
        assert len(nonce) == 20 and nonce.isdigit()
        assert validate_signature(got.url, nonce, h["X-Plivo-Signature-V2"], TOKEN)
        assert validate_signature(got.url, nonce, h["X-Plivo-Signature-Ma-V2"], MAIN_TOKEN)
        assert not validate_signature(got.url, nonce, h["X-Plivo-Signature-V2"], MAIN_TOKEN)
        assert validate_v3_signature(
            "POST", got.url, v3_nonce, TOKEN, h["X-Plivo-Signature-V3"], dict(got.params)
        )
        assert validate_v3_signature(
            "POST", got.url, v3_nonce, MAIN_TOKEN, h["X-Plivo-Signature-Ma-V3"], dict(got.params)
        )
    assert [d.attempt for d in sandbox.deliveries] == [1, 1]
    assert all(d.ok and d.status == 200 and d.error is None for d in sandbox.deliveries)


async def test_get_callbacks_carry_the_fields_in_the_query(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand
) -> None:
    brand_id = await make_brand(url=receiver.url, method="GET")
    assert [r.method for r in receiver.received] == ["GET", "GET"]
    got = receiver.received[1]
    query = dict(URL(got.url).query)
    assert query == {
        "tenant": "acme",
        "brand_id": brand_id,
        "event": "brand",
        "status": "registered",
        "registration_status": "COMPLETED",
    }
    h = got.headers
    assert validate_signature(
        got.url, h["X-Plivo-Signature-V2-Nonce"], h["X-Plivo-Signature-V2"], TOKEN
    )
    assert validate_v3_signature(
        "GET", got.url, h["X-Plivo-Signature-V3-Nonce"], TOKEN, h["X-Plivo-Signature-V3"], {}
    )


async def test_non_200_is_retried_on_the_scaled_schedule(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand, gate
) -> None:
    receiver.failures_left = 1  # the first callback (brand created) gets a 500
    await make_brand(url=receiver.url)
    created = [d for d in sandbox.deliveries if d.event_status == "created"]
    assert [(d.attempt, d.status) for d in created] == [(1, 500), (2, 200)]
    assert "500" in created[0].error and created[1].error is None
    assert [
        (d.attempt, d.status) for d in sandbox.deliveries if d.event_status == "registered"
    ] == [(1, 200)]
    assert [r.params["status"] for r in receiver.received].count("created") == 2
    assert gate.requested.count(60 * 0.001) == 1  # +60 s, scaled by retry_scale=0.001
    assert [s for s in gate.requested if s] == [pytest.approx(0.06)]


async def test_three_retries_then_give_up(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand, gate
) -> None:
    receiver.failures_left = 100
    await make_brand(url=receiver.url)
    created = [d for d in sandbox.deliveries if d.event_status == "created"]
    assert [d.attempt for d in created] == [1, 2, 3, 4]
    assert all(d.status == 500 and not d.ok for d in created)
    waits = sorted(s for s in gate.requested if s)
    assert waits == [
        pytest.approx(x) for x in (0.06, 0.06, 0.12, 0.12, 0.24, 0.24)
    ]  # two callbacks


async def test_guard_refuses_non_loopback_without_connecting(
    client: plivo.RestClient, sandbox: Sandbox, monkeypatch, caplog, make_brand
) -> None:
    connections = []

    async def no_network(self, *args, **kwargs):
        connections.append(args)
        raise AssertionError("the guard let a request through")

    monkeypatch.setattr(aiohttp.ClientSession, "_request", no_network)
    caplog.set_level(logging.WARNING, logger="tendlc.sandbox.delivery")
    brand_id = await make_brand(url="http://192.0.2.1/x")
    assert connections == []
    assert sandbox.world.brands[brand_id].registration_status == "COMPLETED"  # state still moves
    assert [(d.event_status, d.refused, d.status) for d in sandbox.deliveries] == [
        ("created", True, None),
        ("registered", True, None),
    ]
    assert "192.0.2.1 is not a loopback address" in sandbox.deliveries[0].error
    assert "not a loopback address" in caplog.text


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:9/x", True),
        ("http://127.5.6.7/x", True),
        ("http://localhost:8765/cb", True),
        ("http://[::1]:8765/cb", True),
        ("https://example.com/cb", False),
        ("http://10.0.0.5/cb", False),
        ("http://[::ffff:10.0.0.5]/cb", False),
        ("http://127.0.0.1.nip.io/cb", False),
        ("ftp://127.0.0.1/cb", False),
        ("http://evil.localhost/cb", False),  # resolved by DNS, not by the loopback rule
        ("http://127.0.0.1.localhost:8765/cb", False),
        ("http://LOCALHOST:8765/cb", True),
        ("http://localhost./cb", True),
        ("http://LOCALHOST.example.com/cb", False),
        ("http://a.b.localhost:8765/cb", False),
    ],
)
def test_loopback_guard_decides_from_the_url(url: str, allowed: bool) -> None:
    assert (loopback_refusal(url) is None) is allowed


async def test_no_url_no_callback_and_suppression(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand, make_campaign
) -> None:
    brand_id = await make_brand()
    assert sandbox.deliveries == []
    sandbox.suppress_callbacks(True)
    campaign_id = await make_campaign(brand_id, url=receiver.url)
    assert sandbox.world.campaigns[campaign_id].registration_status == "ACTIVE"
    assert receiver.received == [] and sandbox.deliveries == []
    sandbox.suppress_callbacks(False)
    await to_thread(
        client.campaign.number_link, campaign_id, url=receiver.url, numbers=["14845007032"]
    )
    await sandbox.idle()
    assert [r.params["status"] for r in receiver.received] == ["created", "success"]


async def test_allow_remote_callbacks_skips_the_guard(monkeypatch) -> None:
    """With the guard off a remote URL is attempted (the network is stubbed: nothing leaves)."""
    tried = []

    async def blocked(self, method, url, *args, **kwargs):
        tried.append(str(url))
        raise aiohttp.ClientConnectionError("blocked by the test")

    monkeypatch.setattr(aiohttp.ClientSession, "_request", blocked)
    sb = Sandbox(seed=1, delay=0, allow_remote_callbacks=True, retry_scale=0)
    await sb.start()
    try:
        sb.dispatcher.send("http://192.0.2.1/x", "POST", {"event": "brand", "status": "created"})
        await sb.idle()
        assert tried == ["http://192.0.2.1/x"] * 4
        assert [(d.attempt, d.refused, d.status) for d in sb.deliveries] == [
            (n, False, None) for n in (1, 2, 3, 4)
        ]
        assert "blocked by the test" in sb.deliveries[0].error
    finally:
        await sb.stop()
