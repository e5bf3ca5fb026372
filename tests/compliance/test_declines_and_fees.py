"""Decline explanations (known codes explained, unknown shown as Plivo wrote them) and fees."""

from __future__ import annotations

import pytest

from plivo_client.fees import (
    CHECK_PRICING,
    brand_throughput,
    campaign_throughput,
    fee_lines,
    fees_for,
)
from receiver.domain.declines import (
    BRAND_DECLINES,
    CAMPAIGN_DECLINES,
    brief,
    describe,
    explain,
)


@pytest.mark.parametrize("code", sorted(CAMPAIGN_DECLINES))
def test_every_known_campaign_code_is_explained_with_a_fix_and_a_source(code):
    known = explain(code)
    assert known is not None and known.meaning and known.fix and known.source
    assert describe(code, "whatever Plivo said").startswith(f"code {code}: {known.meaning}")


def test_1003_says_the_campaign_must_be_recreated():
    known = explain(1003)
    assert known.final and known.field == "direct_lending" and "delete" in known.fix


def test_brand_codes_are_their_own_table():
    assert explain("1101", brand=True) is BRAND_DECLINES["1101"]
    assert explain("1101") is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("The company name does not match the records for the EIN.", "company_name"),
        ("Tax ID mismatch with the business type", "company_name"),
        ("The brand is not recognised as a government entity.", "entity_type"),
        ("IRS tax-exempt status was not found for this EIN.", "entity_type"),
    ],
)
def test_brand_reasons_plivo_support_lists_are_explained_beside_plivos_text(text, field):
    known = explain("4321", brand=True, text=text)
    assert known is not None and known.field == field and known.source and known.fix
    line = describe("4321", text, brand=True)
    assert line.startswith(f"code 4321: {text} — {known.meaning}. Fix: ")  # Plivo's words first
    assert "register the brand again" in line
    assert brief("4321", text, brand=True) == f"code 4321: {text} ({known.meaning})"


def test_a_brand_reason_no_source_lists_is_not_guessed_at():
    text = "The brand could not be verified with the details provided."
    assert explain("1199", brand=True, text=text) is None
    assert describe("1199", text, brand=True) == f"code 1199: {text}"
    assert explain("4321", text="The company name does not match the EIN.") is None  # campaign


def test_an_unknown_code_shows_plivos_text_as_is_never_a_guess():
    assert explain("9999") is None
    assert describe("9999", "Something new went wrong.") == "code 9999: Something new went wrong."
    assert describe(None, "Rejected by the carrier.") == "Rejected by the carrier."
    assert describe("", None) == "no reason given"


def test_fees_name_their_source_and_the_pricing_page():
    lines = fee_lines("campaign_create")
    assert any("$15 per campaign" in line and "Plivo support" in line for line in lines)
    assert lines[-1] == CHECK_PRICING
    assert [f.what for f in fees_for("brand_create", brand_type="starter")] == ["Starter brand"]
    standard = fee_lines("brand_create", secondary_vetting=True)
    assert "no published fee" in standard[0] and "secondary vetting" in standard[1]
    update = fee_lines("campaign_update")  # a resubmit is vetted again (Plivo API docs)
    assert "$15 per campaign" in update[0] and "resubmits" in update[1]
    assert update[-1] == CHECK_PRICING
    delete = fee_lines("campaign_delete")
    assert "no published fee" in delete[0] and delete[-1] == CHECK_PRICING
    with pytest.raises(ValueError):
        fees_for("number_link")


@pytest.mark.parametrize(
    ("score", "usecase", "tpm"),
    [(80, "", "4,500"), (75, "", "4,500"), (74, "", "2,400"), (50, "", "2,400"),
     (49, "", "240"), (1, "", "240"), (None, "", "240"), ("0", "", "240"),
     (90, "LOW_VOLUME", "75")],
)  # fmt: skip
def test_brand_throughput_follows_plivos_table(score, usecase, tpm):
    line = brand_throughput(score, usecase=usecase)
    assert line.startswith(f"{tpm} messages/min") and "Plivo support" in line
    assert "per brand (Plivo) or per campaign (Sinch)" in line


def test_campaign_throughput_from_mno_metadata():
    meta = {"AT&T": {"tpm": 4500, "brand_tier": None}, "T-Mobile": {"brand_tier": "TOP"}, "x": 1}
    assert campaign_throughput(meta) == [
        "AT&T: 4500 messages/min (from Plivo's mno_metadata)",
        "T-Mobile: brand tier TOP (from Plivo's mno_metadata)",
    ]
    assert campaign_throughput(None) == []


def test_status_explains_a_rejected_campaign_and_brand():
    from receiver.domain.declines import resource_declines
    from receiver.domain.models import Badge, Resource, ResourceType
    from receiver.store.export import format_table
    from receiver.store.status_json import resource_dict

    campaign = Resource(
        ResourceType.CAMPAIGN, "CX1", Badge.REJECTED, 0.0,
        detail={"error_code": "1003", "error_reason": "direct lending"},
    )  # fmt: skip
    brand = Resource(
        ResourceType.BRAND, "BX1", Badge.REJECTED, 0.0,
        detail={"declined_reasons": ["The US EIN provided is invalid. (1101)", "Odd new thing (7777)"]},
    )  # fmt: skip
    table = format_table([brand, campaign])
    assert "  └ code 1101: the US EIN provided is invalid. Fix:" in table
    assert "  └ code 7777: Odd new thing" in table
    assert "  └ code 1003: direct-lending content" in table
    assert resource_dict(campaign)["declines"][0].startswith("code 1003: ")
    assert resource_declines("number", {"error_code": "1"}) == []
    failed = Resource(
        ResourceType.NUMBER, "14155550100", Badge.FAILED, 0.0,
        detail={"failure_reason": "Carrier rejected the link"},
    )  # fmt: skip
    assert resource_declines("number", failed.detail) == ["Carrier rejected the link"]
    assert resource_dict(failed)["declines"] == ["Carrier rejected the link"]
    assert "  └ Carrier rejected the link" in format_table([failed])
    assert resource_declines("campaign", {}) == []
