"""The campaign an update would leave, built from Plivo's campaign object, for the check."""

from __future__ import annotations

from plivo_client.account_requests import updated_campaign
from plivo_client.compliance import check_campaign

CAMPAIGN = {
    "campaign_id": "C1",
    "brand_id": "B1",
    "campaign_alias": "acme-mixed",
    "vertical": "RETAIL",
    "usecase": "MIXED",
    "sub_usecase": "2FA, MARKETING",  # the object's comma-joined string (plivo-10dlc.md §1.3)
    "description": "Order updates and offers for Acme Outfitters customers who opted in.",
    "sample1": "Acme Outfitters: your code is 123456. Reply STOP to opt out.",
    "campaign_attributes": {"embedded_link": True, "subscriber_help": False, "age_gated": "x"},
    "error_code": "601",
}


def test_the_object_is_read_as_a_request():
    request = updated_campaign(CAMPAIGN, {})
    assert (request.brand_id, request.alias, request.vertical, request.usecase) == (
        "B1", "acme-mixed", "RETAIL", "MIXED",
    )  # fmt: skip
    assert request.sub_usecases == ("2FA", "MARKETING")
    assert request.embedded_link is True and request.subscriber_help is False
    assert request.age_gated is False  # not a bool: the default, never a guess
    assert request.subscriber_optin is True  # absent: the attributes Plivo requires on
    assert request.sample2 == "" and request.sample1.startswith("Acme Outfitters")


def test_the_changed_fields_win_and_the_check_judges_them():
    before = updated_campaign(CAMPAIGN, {})
    assert any(f.code == "601" and f.field == "embedded_link" for f in check_campaign(before))
    link = "Acme Outfitters: 20% off today at https://acme.example/sale. Reply STOP to opt out."
    after = updated_campaign(CAMPAIGN, {"sample2": link})
    assert after.sample2 == link and after.description == CAMPAIGN["description"]
    assert not any(f.field == "embedded_link" for f in check_campaign(after))
