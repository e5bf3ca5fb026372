"""The Gateway's lifecycle calls on the wire (the fake API answers Plivo's documented shapes)."""

from __future__ import annotations

from plivo_client.account_requests import CampaignImport, CampaignUpdate, ProfileUpdate


def _numbers_page(call):
    objects = [
        {"number": "14155550101", "number_type": "local", "tendlc_campaign_id": "CAOHTU5",
         "tendlc_registration_status": "COMPLETED", "alias": None},
        {"number": "14155550102", "number_type": "local", "tendlc_campaign_id": None,
         "tendlc_registration_status": "UNREGISTERED", "alias": "spare"},
    ]  # fmt: skip
    meta = {"limit": 20, "offset": 0, "next": None, "previous": None, "total_count": 2}
    return 200, {"api_id": "x", "meta": meta, "objects": objects}


def test_account_numbers_reads_the_number_api(make_gateway, api):
    api.handler = _numbers_page
    rows = make_gateway().account_numbers(type="local", colour="red")
    assert [r["number"] for r in rows] == ["14155550101", "14155550102"]
    call = api.calls[0]
    assert (call.method, call.path) == ("GET", "Number/")
    assert call.query == {"type": "local", "limit": "20", "offset": "0"}  # unknown filter dropped


def test_lifecycle_submissions_send_what_the_sdk_sends(make_gateway, api, recording_store):
    api.handler = lambda call: (200, {"api_id": "x", "message": "ok", "campaign_id": "CSHARED"})
    gateway = make_gateway(store=recording_store)
    gateway.update_profile(ProfileUpdate("p-1", {"website": "https://a.example"}))
    gateway.delete_profile("p-1")
    gateway.brand_otp("B43KNAS")
    gateway.update_campaign(CampaignUpdate("CAOHTU5", {"sample1": "x" * 25}))
    gateway.delete_campaign("CAOHTU5")
    gateway.import_campaign(CampaignImport("cshared", "shared one"))
    wire = [(c.method, c.path) for c in api.calls]
    assert wire == [
        ("POST", "Profile/p-1/"),
        ("DELETE", "Profile/p-1/"),
        ("POST", "10dlc/Brand/B43KNAS/OTP/"),
        ("POST", "10dlc/Campaign/CAOHTU5/"),
        ("DELETE", "10dlc/Campaign/CAOHTU5/"),
        ("POST", "10dlc/Campaign/Import/"),
    ]
    assert api.calls[0].body == {"website": "https://a.example"}
    assert api.calls[3].body["sample1"] == "x" * 25
    assert api.calls[5].body["campaign_id"] == "CSHARED"
    assert api.calls[5].body["url"]  # the callback URL is filled in
    actions = [r.action for r, _ in recording_store.records]
    assert actions == [
        "profile.update", "profile.delete", "brand.otp", "campaign.update", "campaign.delete",
        "campaign.import",
    ]  # fmt: skip
    assert all(r.ok for r, _ in recording_store.records)
