"""Reconciliation: read brands, campaigns and numbers through the gateway and merge them into the store.

Importable without Textual: `tendlc status --refresh` uses it headless, the TUI from a worker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from plivo_client.gateway import Gateway
from plivo_client.types import BrandInfo, CampaignInfo, GatewayError, NumberInfo
from receiver.domain.models import Change, Observation, ResourceType
from receiver.domain.registry import Registry
from receiver.store.store import Store
from receiver.wording import plural


@dataclass(frozen=True, slots=True)
class Known:
    """What the registry knows that reconciliation must check: numbers per campaign."""

    numbers_by_campaign: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, registry: Registry) -> Known:
        by_campaign: dict[str, list[str]] = {}
        for number in registry.all(ResourceType.NUMBER):
            if number.parent_id:
                by_campaign.setdefault(number.parent_id, []).append(number.id)
        return cls({cid: tuple(ns) for cid, ns in by_campaign.items()})


def brand_observation(brand: BrandInfo) -> Observation:
    detail: dict[str, object] = {}
    if brand.declined_reasons:
        detail["declined_reasons"] = list(brand.declined_reasons)
    if brand.vetting_score is not None:
        detail["vetting_score"] = brand.vetting_score
    if brand.vetting_status:
        detail["vetting_status"] = brand.vetting_status
    return Observation(
        ResourceType.BRAND, brand.brand_id, brand.status or None, name=brand.alias, detail=detail
    )


def campaign_observation(campaign: CampaignInfo) -> Observation:
    detail: dict[str, object] = {"usecase": campaign.usecase} if campaign.usecase else {}
    if campaign.error_reason:
        detail["error_reason"] = campaign.error_reason
    if campaign.error_code:
        detail["error_code"] = campaign.error_code
    if campaign.mno_metadata:
        detail["mno_metadata"] = campaign.mno_metadata
    return Observation(
        ResourceType.CAMPAIGN,
        campaign.campaign_id,
        campaign.status or None,
        name=campaign.alias,
        parent_id=campaign.brand_id or None,
        detail=detail,
    )


def number_observation(number: NumberInfo, campaign_id: str) -> Observation:
    """A listed number; a failed link's reason, when the API gives one, goes to its detail."""
    failed = number.status.upper() == "FAILED"
    detail = {"failure_reason": number.reason} if failed and number.reason else {}
    return Observation(
        ResourceType.NUMBER,
        number.number,
        number.status or None,
        parent_id=campaign_id,
        detail=detail,
    )


def number_observations(
    campaign_id: str, listed: list[NumberInfo], known: tuple[str, ...]
) -> list[Observation]:
    """Numbers the API lists on the campaign, plus known ones it no longer lists (absent)."""
    seen = {n.number for n in listed}
    out = [number_observation(n, campaign_id) for n in listed]
    out += [
        Observation(ResourceType.NUMBER, number, None, parent_id=campaign_id)
        for number in known
        if number not in seen
    ]
    return out


def observe_all(gateway: Gateway, known: Known) -> list[Observation]:
    """Everything the account has: brands, campaigns, and each campaign's numbers (blocking)."""
    observations = [brand_observation(b) for b in gateway.list_brands()]
    campaigns = gateway.list_campaigns()
    observations += [campaign_observation(c) for c in campaigns]
    for campaign in campaigns:
        listed = gateway.list_numbers(campaign.campaign_id)
        observations += number_observations(
            campaign.campaign_id, listed, known.numbers_by_campaign.get(campaign.campaign_id, ())
        )
    return observations


def observe_one(
    gateway: Gateway, known: Known, type: ResourceType, id: str, parent_id: str | None
) -> list[Observation]:
    """One resource (a campaign includes its numbers) (blocking)."""
    if type is ResourceType.BRAND:
        return [brand_observation(gateway.get_brand(id))]
    if type is ResourceType.CAMPAIGN:
        listed = gateway.list_numbers(id)
        return [campaign_observation(gateway.get_campaign(id))] + number_observations(
            id, listed, known.numbers_by_campaign.get(id, ())
        )
    if not parent_id:
        raise GatewayError(f"number {id} has no known campaign: reconcile everything with r")
    try:
        info = gateway.get_number(parent_id, id)
    except GatewayError as exc:
        if exc.status in (400, 404) and "not linked" in exc.message.lower():
            return [Observation(ResourceType.NUMBER, id, None, parent_id=parent_id)]
        raise
    return [number_observation(info, parent_id)]


async def reconcile(
    gateway: Gateway,
    store: Store,
    *,
    type: ResourceType | None = None,
    id: str | None = None,
) -> Change:
    """Read the API (in a thread) and record what it says; returns the store's Change."""
    known = Known.of(store.registry)
    if type is None or id is None:
        observations = await asyncio.to_thread(observe_all, gateway, known)
    else:
        resource = store.registry.get(type, id)
        parent = resource.parent_id if resource else None
        observations = await asyncio.to_thread(observe_one, gateway, known, type, id, parent)
    return await store.record_observations(observations)


def overdue_keys(store: Store, now: float, after: float) -> list[tuple[ResourceType, str]]:
    """Resources waiting for a callback longer than `after` seconds."""
    return [(r.type, r.id) for r in store.registry.overdue(now, after)]


def run_refresh(
    db_path: Path,
    *,
    auth_id: str | None,
    auth_token: str | None,
    api_url: str | None,
    err: TextIO,
) -> int:
    """`tendlc status --refresh`: reconcile the store with the API, headless. Exit code."""
    from receiver.store.store import StoreError

    if not auth_id or not auth_token:
        err.write(
            "tendlc status --refresh: needs PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN in the environment "
            "(for `tendlc sandbox`, use the credentials it printed and pass --api-url)\n"
        )
        return 2

    async def run() -> Change:
        store = Store.open(db_path)
        gateway = Gateway(auth_id, auth_token, base_url=api_url, store=store)
        try:
            return await reconcile(gateway, store)
        finally:
            gateway.close()
            await store.close()

    try:
        change = asyncio.run(run())
    except (GatewayError, StoreError) as exc:
        err.write(f"tendlc status --refresh: {exc}\n")
        return 1
    err.write(f"refreshed from {api_url or 'Plivo'}: {plural(len(change.resources), 'change')}\n")
    for resource in change.resources:
        err.write(f"  {resource.type.value} {resource.id}: {resource.badge.value}\n")
    return 0
