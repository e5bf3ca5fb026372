"""BrandRequest / CampaignRequest / LinkRequest.validate(): every documented rule, both ways."""

from __future__ import annotations

from dataclasses import replace

import pytest

from plivo_client.validation import BrandRequest, CampaignRequest, LinkRequest


def test_good_requests_have_no_errors(good_campaign):
    assert BrandRequest("p-uuid", "acme").validate() == {}
    assert good_campaign.validate() == {}
    assert LinkRequest("C1", ("14155550100", "14845551234")).validate() == {}


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"profile_uuid": " "}, "profile_uuid", "required"),
        ({"alias": ""}, "alias", "required"),
        ({"brand_type": "standard"}, "brand_type", "STANDARD, STARTER"),
        ({"brand_type": "STARTER", "secondary_vetting": True}, "secondary_vetting", "STANDARD"),
        ({"business_contact_email": "not-an-email"}, "business_contact_email", "email"),
        ({"business_contact_email": "a@b"}, "business_contact_email", "email"),
    ],
)
def test_brand_rules(changes, field, text):
    errors = replace(BrandRequest("p-uuid", "acme"), **changes).validate()
    assert list(errors) == [field]
    assert text in errors[field]


@pytest.mark.parametrize(
    "changes",
    [
        {"brand_type": "STARTER"},
        {"secondary_vetting": True},
        {"business_contact_email": "ops@acme.example"},
    ],
)
def test_brand_valid_variants(changes):
    assert replace(BrandRequest("p-uuid", "acme"), **changes).validate() == {}


def test_brand_params_are_what_the_sdk_sends():
    req = BrandRequest(" p-uuid ", " acme ", "STANDARD", True, "ops@acme.example")
    assert req.params() == {
        "brand_alias": "acme",
        "brand_type": "STANDARD",
        "profile_uuid": "p-uuid",
        "secondary_vetting": True,
        "business_contact_email": "ops@acme.example",
    }


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"brand_id": ""}, "brand_id", "required"),
        ({"alias": "  "}, "alias", "required"),
        ({"vertical": "SPACE"}, "vertical", "vertical"),
        ({"vertical": ""}, "vertical", "required"),
        ({"usecase": "SPAM"}, "usecase", "use case"),
        ({"description": "Too short to describe"}, "description", "at least 40 characters (now 21)"),
        ({"description": ""}, "description", "required: at least 40 characters"),
        ({"sample1": "short"}, "sample1", "at least 20 characters (now 5)"),
        ({"sample2": ""}, "sample2", "required"),
        ({"sample3": "only twelve!"}, "sample3", "at least 20 characters (now 12)"),
        ({"sample5": "x" * 19}, "sample5", "(now 19)"),
        ({"message_flow": "Opt in at checkout."}, "message_flow", "at least 40 characters"),
        ({"help_message": "Call us."}, "help_message", "at least 20 characters (now 8)"),
        ({"optout_message": "Bye"}, "optout_message", "at least 20 characters (now 3)"),
        ({"optin_keywords": "START, YES"}, "optin_keywords", "without spaces"),
        ({"optout_keywords": "STOP,,END"}, "optout_keywords", "comma-separated"),
        ({"help_keywords": "help,INFO"}, "help_keywords", "upper-case only, e.g. HELP,INFO"),
        ({"subscriber_optin": False}, "subscriber_optin", "must be on"),
        ({"subscriber_optout": False}, "subscriber_optout", "must be on"),
        ({"subscriber_help": False}, "subscriber_help", "must be on"),
        ({"embedded_link": 1}, "embedded_link", "on or off"),
        ({"sub_usecases": ("2FA",)}, "sub_usecases", "choose 2 to 5 (now 1)"),
        ({"sub_usecases": ()}, "sub_usecases", "choose 2 to 5 (now 0)"),
        (
            {"sub_usecases": ("2FA", "MARKETING", "FRAUD_ALERT", "CUSTOMER_CARE", "SECURITY_ALERT", "POLLING_VOTING")},
            "sub_usecases",
            "(now 6)",
        ),
        ({"sub_usecases": ("2FA", "2FA")}, "sub_usecases", "at most once"),
        ({"sub_usecases": ("2FA", "MIXED")}, "sub_usecases", "not a sub use case: MIXED"),
        (
            {"usecase": "CUSTOMER_CARE", "sub_usecases": ("2FA", "MARKETING")},
            "sub_usecases",
            "leave empty",
        ),
    ],
)  # fmt: skip
def test_campaign_rules(good_campaign, changes, field, text):
    errors = replace(good_campaign, **changes).validate()
    assert list(errors) == [field]
    assert text in errors[field]


@pytest.mark.parametrize(
    "changes",
    [
        {"usecase": "CUSTOMER_CARE", "sub_usecases": ()},
        {"usecase": "LOW_VOLUME", "sub_usecases": ("2FA", "MARKETING", "FRAUD_ALERT")},
        {"usecase": "STARTER", "sub_usecases": ("2FA", "CUSTOMER_CARE")},
        {"sub_usecases": ("2FA", "MARKETING", "FRAUD_ALERT", "CUSTOMER_CARE", "SECURITY_ALERT")},
        {"sample3": "A third sample message, long enough."},
        {"optin_keywords": "", "optout_keywords": "", "help_keywords": ""},
        {"optin_keywords": "START"},
        {"direct_lending": True, "embedded_link": True, "age_gated": True},
        {"description": "x" * 40, "message_flow": "y" * 40, "sample1": "z" * 20},
    ],
)
def test_campaign_valid_variants(good_campaign, changes):
    assert replace(good_campaign, **changes).validate() == {}


def test_campaign_reports_every_problem_at_once():
    errors = CampaignRequest("").validate()
    assert {
        "brand_id",
        "alias",
        "vertical",
        "usecase",
        "description",
        "sample1",
        "sample2",
        "message_flow",
        "help_message",
        "optout_message",
    } <= set(errors)
    assert "sample3" not in errors  # optional samples may stay empty


def test_campaign_params_are_sdk_keyword_arguments(good_campaign):
    params = good_campaign.params()
    assert params["campaign_alias"] == "acme-orders"
    assert "alias" not in params
    assert params["sub_usecases"] == ["CUSTOMER_CARE", "2FA"]
    assert params["subscriber_optin"] is True and params["age_gated"] is False
    assert set(params) == {
        "brand_id", "vertical", "usecase", "sub_usecases", "description", "sample1", "sample2",
        "sample3", "sample4", "sample5", "message_flow", "help_message", "optin_message",
        "optout_message", "optin_keywords", "optout_keywords", "help_keywords",
        "subscriber_optin", "subscriber_optout", "subscriber_help", "direct_lending",
        "embedded_link", "embedded_phone", "age_gated", "affiliate_marketing",
        "campaign_alias", "terms_and_conditions_link", "privacy_policy_link",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("req", "field", "text"),
    [
        (LinkRequest("", ("14155550100",)), "campaign_id", "required"),
        (LinkRequest("C1", ()), "numbers", "at least one"),
        (LinkRequest("C1", ("+14155550100",)), "numbers", "not E.164 digits: +14155550100"),
        (LinkRequest("C1", ("4155550100",)), "numbers", "4155550100"),
        (LinkRequest("C1", ("10155550100",)), "numbers", "10155550100"),
        (LinkRequest("C1", ("14155550100", "14155550100")), "numbers", "at most once"),
    ],
)
def test_link_rules(req, field, text):
    errors = req.validate()
    assert list(errors) == [field]
    assert text in errors[field]


def test_link_params():
    assert LinkRequest("C1", ("14155550100",)).params() == {
        "campaign_id": "C1",
        "numbers": ["14155550100"],
    }


def test_link_request_refuses_numbers_outside_the_us():
    errors = LinkRequest("C1", ("14845551234", "442079460958")).validate()
    assert errors == {
        "numbers": "not US numbers (10DLC covers US +1 long codes only): +442079460958"
    }
    assert LinkRequest("C1", ("14845551234",)).validate() == {}
