"""The gateway journals every submission in a real Store, and no secret reaches its files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from plivo_client.gateway import GatewayError
from plivo_client.validation import BrandRequest, LinkRequest
from receiver.domain.models import Badge, RequestRecord, ResourceType
from receiver.store.store import Store

CALLBACK = "https://cb.example.test/tendlc_status/"


def _answers(call):
    if call.path == "10dlc/Brand/":
        return 200, {"api_id": "a1", "brand_id": "B43KNAS", "message": "received"}
    if call.path == "10dlc/Campaign/":
        return 200, {"api_id": "a2", "campaign_id": "CAOHTU5", "message": "received"}
    if call.path.endswith("/Number/") and call.method == "POST":
        if "14155550000" in call.body["numbers"]:
            return 400, {"api_id": "a3", "error": "The number 14155550000 is not a valid number"}
        return 200, {"api_id": "a3", "message": "Request to link was received"}
    return 202, {"api_id": "a4", "message": "Request to unlink was received"}


def _all_text(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


async def test_submissions_land_in_the_store(
    tmp_path, api, make_gateway, good_campaign, auth_token
):
    store = Store.open(tmp_path / "store", clock=lambda: 1_700_000_000.0)
    api.handler = _answers
    gateway = make_gateway(store=store)
    try:
        brand = await asyncio.to_thread(gateway.create_brand, BrandRequest("p-1", "acme"))
        campaign = await asyncio.to_thread(gateway.create_campaign, good_campaign)
        link = await asyncio.to_thread(
            gateway.link_numbers, LinkRequest("CAOHTU5", ("14155550100", "14155550101"))
        )
        with pytest.raises(GatewayError, match="14155550000 is not a valid number"):
            await asyncio.to_thread(gateway.link_numbers, LinkRequest("CAOHTU5", ("14155550000",)))
        unlink = await asyncio.to_thread(gateway.unlink_number, "CAOHTU5", "14155550101")

        # the registry saw each accepted request before the gateway returned
        registry = store.registry
        assert registry.get(ResourceType.BRAND, "B43KNAS").badge == Badge.SUBMITTED
        assert registry.get(ResourceType.BRAND, "B43KNAS").name == "acme"
        assert registry.get(ResourceType.CAMPAIGN, "CAOHTU5").badge == Badge.SUBMITTED
        assert registry.get(ResourceType.CAMPAIGN, "CAOHTU5").parent_id == "B43KNAS"
        assert registry.get(ResourceType.NUMBER, "14155550100").badge == Badge.SUBMITTED
        assert registry.get(ResourceType.NUMBER, "14155550101").badge == Badge.UNLINKING
        assert registry.get(ResourceType.NUMBER, "14155550000") is None  # the failed link
        assert registry.get(ResourceType.BRAND, "B43KNAS").callback_url == CALLBACK

        entries = [e for e in store.journal() if isinstance(e, RequestRecord)]
        assert [(e.action, e.ok) for e in entries] == [
            ("brand.create", True),
            ("campaign.create", True),
            ("number.link", True),
            ("number.link", False),
            ("number.unlink", True),
        ]
        assert [e.id for e in entries] == [f"rq{i:06d}" for i in range(1, 6)]
        assert entries[0] == brand.record and entries[1] == campaign.record
        assert entries[2] == link.record and entries[4] == unlink.record
        assert entries[3].error.startswith("link numbers to campaign CAOHTU5 failed:")
        assert store.find_entry("rq000001").response["brand_id"] == "B43KNAS"
        by_brand = store.entries_for(ResourceType.BRAND, "B43KNAS")
        assert [e.id for e in by_brand] == ["rq000001", "rq000002"]  # its create, its campaign
    finally:
        await store.close()
    text = _all_text(tmp_path / "store")
    assert "B43KNAS" in text and "rq000005" in text  # the files do hold the journal…
    assert auth_token not in text  # …but never the auth token


async def test_a_store_that_cannot_record_does_not_hide_an_accepted_request(
    tmp_path, api, make_gateway
):
    store = Store.open(tmp_path / "store")
    await store.close()
    api.handler = _answers
    result = await asyncio.to_thread(
        make_gateway(store=store).create_brand, BrandRequest("p-1", "acme")
    )
    assert result.brand_id == "B43KNAS" and result.record.ok
    assert result.journal_error and "closed" in result.journal_error
