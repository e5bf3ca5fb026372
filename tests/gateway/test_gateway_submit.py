"""Gateway submissions: what goes on the wire, the callback URL, and what is journaled."""

from __future__ import annotations

import json

import pytest

from plivo_client.gateway import GatewayError, Submitted
from plivo_client.validation import BrandRequest, LinkRequest

CALLBACK = "https://cb.example.test/tendlc_status/"  # conftest's default callback URL


def test_create_brand_sends_the_sdk_body_and_journals_it(api, make_gateway, recording_store):
    api.handler = lambda call: (
        200,
        {"api_id": "a1", "brand_id": "B43KNAS", "message": "Request to create brand was received"},
    )
    gateway = make_gateway(store=recording_store)
    result = gateway.create_brand(BrandRequest("p-uuid", "acme", "STANDARD"))
    (call,) = api.calls
    assert (call.method, call.path) == ("POST", "10dlc/Brand/")
    assert call.body == {
        "brand_alias": "acme",
        "brand_type": "STANDARD",
        "profile_uuid": "p-uuid",
        "secondary_vetting": False,
        "business_contact_email": "",
        "url": CALLBACK,
        "method": "POST",
    }
    assert isinstance(result, Submitted)
    assert result.brand_id == "B43KNAS" and result.journal_error is None
    assert result.message == "brand B43KNAS (acme) submitted"
    ((record, url),) = recording_store.records
    assert url == CALLBACK
    assert record == result.record
    assert record.id == "rq000001" and record.at == 1_700_000_000.0
    assert record.action == "brand.create" and record.ok is True and record.error is None
    assert record.brand_id == "B43KNAS"
    assert record.params == call.body
    assert record.response["brand_id"] == "B43KNAS"


def test_create_campaign(api, make_gateway, recording_store, good_campaign):
    api.handler = lambda call: (200, {"api_id": "a2", "campaign_id": "CAOHTU5"})
    result = make_gateway(store=recording_store).create_campaign(good_campaign)
    (call,) = api.calls
    assert (call.method, call.path) == ("POST", "10dlc/Campaign/")
    assert call.body["campaign_alias"] == "acme-orders"
    assert call.body["sub_usecases"] == ["CUSTOMER_CARE", "2FA"]
    assert call.body["subscriber_optin"] is True
    assert call.body["url"] == CALLBACK and call.body["method"] == "POST"
    assert (result.brand_id, result.campaign_id) == ("B43KNAS", "CAOHTU5")
    (record, _), = recording_store.records  # fmt: skip
    assert record.action == "campaign.create"
    assert (record.brand_id, record.campaign_id) == ("B43KNAS", "CAOHTU5")


def test_link_numbers(api, make_gateway, recording_store):
    api.handler = lambda call: (200, {"api_id": "a3", "message": "Request to link ..."})
    req = LinkRequest("CAOHTU5", ("14155550100", "14155550101"))
    result = make_gateway(store=recording_store).link_numbers(req)
    (call,) = api.calls
    assert (call.method, call.path) == ("POST", "10dlc/Campaign/CAOHTU5/Number/")
    assert call.body == {
        "campaign_id": "CAOHTU5",
        "numbers": ["14155550100", "14155550101"],
        "url": CALLBACK,
        "method": "POST",
    }
    assert result.numbers == ("14155550100", "14155550101")
    assert result.message == "2 numbers submitted for linking to campaign CAOHTU5"
    (record, _), = recording_store.records  # fmt: skip
    assert record.action == "number.link" and record.campaign_id == "CAOHTU5"
    assert record.numbers == ("14155550100", "14155550101")


def test_unlink_number_sends_a_json_body_on_delete(api, make_gateway, recording_store):
    api.handler = lambda call: (202, {"api_id": "a4", "message": "Request to unlink ..."})
    result = make_gateway(store=recording_store).unlink_number("CAOHTU5", "+1 415 555 0100")
    (call,) = api.calls
    assert (call.method, call.path) == ("DELETE", "10dlc/Campaign/CAOHTU5/Number/14155550100/")
    assert call.body == {"url": CALLBACK, "method": "POST"}
    assert result.numbers == ("14155550100",) and result.campaign_id == "CAOHTU5"
    (record, _), = recording_store.records  # fmt: skip
    assert record.action == "number.unlink" and record.numbers == ("14155550100",)
    assert record.params == {
        "campaign_id": "CAOHTU5",
        "number": "14155550100",
        "url": CALLBACK,
        "method": "POST",
    }


def test_delete_brand(api, make_gateway, recording_store):
    api.handler = lambda call: (200, {"brand_id": "BCHVILW", "message": "Brand Deactivated"})
    result = make_gateway(store=recording_store).delete_brand("BCHVILW")
    assert [(c.method, c.path) for c in api.calls] == [("DELETE", "10dlc/Brand/BCHVILW/")]
    assert result.message == "brand BCHVILW deleted"
    (record, url), = recording_store.records  # fmt: skip
    assert record.action == "brand.delete" and url is None


def test_callback_url_is_read_at_each_submission(api, make_gateway):
    urls = iter(["https://one.example/cb/", "https://two.example/cb/"])
    api.handler = lambda call: (200, {"brand_id": "B1"})
    gateway = make_gateway(callback_url=lambda: next(urls), method="GET")
    gateway.create_brand(BrandRequest("p1", "a"))
    gateway.create_brand(BrandRequest("p2", "b"))
    assert [(c.body["url"], c.body["method"]) for c in api.calls] == [
        ("https://one.example/cb/", "GET"),
        ("https://two.example/cb/", "GET"),
    ]
    assert gateway.method == "GET"


def test_no_callback_url_sends_empty_url(api, make_gateway, recording_store):
    api.handler = lambda call: (200, {"brand_id": "B1"})
    gateway = make_gateway(callback_url=None, store=recording_store)
    assert gateway.callback_url == ""
    gateway.create_brand(BrandRequest("p1", "a"))
    assert api.calls[0].body["url"] == ""
    assert recording_store.records[0][1] is None


def test_failed_request_is_journaled_then_raised(api, make_gateway, recording_store):
    api.handler = lambda call: (400, {"error": "profile_uuid p1 already backs brand B9"})
    with pytest.raises(GatewayError) as info:
        make_gateway(store=recording_store).create_brand(BrandRequest("p1", "a"))
    assert info.value.message == "create brand failed: profile_uuid p1 already backs brand B9"
    assert info.value.field == "profile_uuid"
    (record, url), = recording_store.records  # fmt: skip
    assert record.ok is False and record.error == info.value.message
    assert record.brand_id is None and record.action == "brand.create" and url == CALLBACK


def test_store_failure_after_acceptance_is_a_note(api, make_gateway):
    class BrokenStore:
        def record_request_threadsafe(self, record, *, callback_url=None):
            raise RuntimeError("store is read-only")

    api.handler = lambda call: (200, {"brand_id": "B1"})
    result = make_gateway(store=BrokenStore()).create_brand(BrandRequest("p1", "a"))
    assert result.brand_id == "B1" and result.record.ok is True
    assert result.journal_error == "not saved to the store: store is read-only"
    assert result.message.endswith("(not saved to the store: store is read-only)")


def test_the_auth_token_is_never_journaled(
    api, make_gateway, recording_store, good_campaign, auth_token
):
    api.handler = lambda call: (200, {"brand_id": "B1", "campaign_id": "C1"})
    gateway = make_gateway(store=recording_store)
    gateway.create_brand(BrandRequest("p1", "a"))
    gateway.create_campaign(good_campaign)
    gateway.link_numbers(LinkRequest("C1", ("14155550100",)))
    gateway.unlink_number("C1", "14155550100")
    dumped = json.dumps([r.to_dict() for r, _ in recording_store.records])
    assert len(recording_store.records) == 4
    assert auth_token not in dumped
