"""A registered brand's detail shows the throughput its vetting score gets, a campaign's the
per-carrier figures of its mno_metadata, each saying where the number comes from (issue 14)."""

from __future__ import annotations

from rich.console import Console

from receiver.domain.models import Badge, Resource, ResourceType
from tui.screens.detail import summary_renderable


def drawn(resource: Resource) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(summary_renderable(resource, None, theme={}))
    return console.export_text()


def brand(badge: Badge, **detail) -> Resource:
    return Resource(ResourceType.BRAND, "B1", badge, 0.0, name="acme", detail=detail)


def test_a_registered_brand_shows_what_its_vetting_score_gets_and_the_source():
    text = drawn(brand(Badge.REGISTERED, vetting_score=80))
    assert "4,500 messages/min (vetting score 80; Plivo support, 10DLC throughput" in text
    assert "per brand (Plivo) or per campaign (Sinch)" in text  # the sources disagree
    assert "T-Mobile caps messages per day per brand" in text and "AWS messaging blog" in text
    assert "MMS: 50 per minute per number per operator" in text
    unvetted = drawn(brand(Badge.REGISTERED))
    assert "240 messages/min (no secondary vetting score" in unvetted


def test_a_brand_not_registered_shows_no_throughput():
    assert "messages/min" not in drawn(brand(Badge.PENDING, vetting_score=80))


def test_a_campaign_shows_its_per_carrier_figures_from_mno_metadata():
    metadata = {
        "AT&T": {"tpm": 4500, "mno": "AT&T"},
        "T-Mobile": {"brand_tier": "TOP", "mno": "T-Mobile"},
    }
    campaign = Resource(
        ResourceType.CAMPAIGN, "C1", Badge.REGISTERED, 0.0, detail={"mno_metadata": metadata}
    )
    text = drawn(campaign)
    assert "AT&T: 4500 messages/min (from Plivo's mno_metadata)" in text
    assert "T-Mobile: brand tier TOP (from Plivo's mno_metadata)" in text
    bare = Resource(ResourceType.CAMPAIGN, "C2", Badge.REGISTERED, 0.0, detail={})
    assert "throughput" not in drawn(bare)
