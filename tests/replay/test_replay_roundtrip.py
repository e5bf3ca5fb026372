"""Replays into tendlc's own receiver (real Store on tmp_path): verified, stored and applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, CallbackEvent, Kind, ResourceType, sequential_ids
from receiver.http.server import Receiver
from receiver.resend import replay
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"


def event(
    id: str,
    method: str,
    *,
    url: str = "/tendlc_status/",
    ctype: str | None = None,
    body: str = "",
    params: dict,
) -> CallbackEvent:
    return CallbackEvent(
        id=id,
        received_at=1_700_000_000.0,
        method=method,
        url=url,
        headers={"Content-Type": ctype} if ctype else {},
        body=body,
        params=params,
        kind=Kind.UNKNOWN,
        status=None,
    )


FORM = event(
    "evform",
    "POST",
    ctype="application/x-www-form-urlencoded",
    body="brand_id=B43KNAS&event=brand&status=registered",
    params={"brand_id": "B43KNAS", "event": "brand", "status": "registered"},
)
JSON = event(
    "evjson",
    "POST",
    ctype="application/json",
    body='{"brand_id": "B43KNAS", "campaign_id": "CAOHTU5", "event": "campaign", "status": "registered", "attrs": {"age_gated": false}}',
    params={
        "brand_id": "B43KNAS",
        "campaign_id": "CAOHTU5",
        "event": "campaign",
        "status": "registered",
    },
)
GET = event(
    "evget",
    "GET",
    url="/tendlc_status/?campaign_id=CAOHTU5&number=14845007032&event=number_linking&status=success",
    params={
        "campaign_id": "CAOHTU5",
        "number": "14845007032",
        "event": "number_linking",
        "status": "success",
    },
)


@pytest.fixture
async def receiver(tmp_path: Path):
    store = Store.open(tmp_path / "store")
    config = ReceiverConfig(port=0, auth_token=TOKEN, main_auth_token=MAIN)
    receiver = Receiver(store, config, clock=lambda: 1_700_000_100.0, ids=sequential_ids("ev"))
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()
        await store.close()


async def test_replays_are_verified_and_applied(receiver: Receiver) -> None:
    target = receiver.config.callback_url
    for original in (FORM, JSON, GET):
        result = await replay(original, target, token=TOKEN, main_token=MAIN)
        assert result.status == 200, result.body
    stored = [e for e in receiver.store.recent() if isinstance(e, CallbackEvent)]
    assert [e.method for e in stored] == ["POST", "POST", "GET"]
    assert all(e.verified for e in stored), [e.reason for e in stored]
    assert all("V3" in e.reason for e in stored)
    assert [e.headers.get("X-Tendlc-Replay-Of") for e in stored] == ["evform", "evjson", "evget"]
    registry = receiver.store.registry
    assert registry.get(ResourceType.BRAND, "B43KNAS").badge is Badge.REGISTERED
    assert registry.get(ResourceType.CAMPAIGN, "CAOHTU5").badge is Badge.REGISTERED
    assert registry.get(ResourceType.NUMBER, "14845007032").badge is Badge.LINKED


async def test_replay_signed_with_another_token_is_refused(receiver: Receiver) -> None:
    result = await replay(FORM, receiver.config.callback_url, token="SomeoneElsesToken_000000")
    assert result.status == 403
    assert "wrong token" in result.body
    [stored] = receiver.store.recent()
    assert not stored.verified
    assert receiver.store.registry.get(ResourceType.BRAND, "B43KNAS") is None
