"""Gateway reads: typed results from the real SDK's answers, and pagination done by hand."""

from __future__ import annotations

import pytest

from plivo_client.gateway import BrandInfo, CampaignInfo, GatewayError, NumberInfo, Profile, Usecase


def _brand(i: int) -> dict:
    return {
        "brand_id": f"B{i:06d}",
        "brand_alias": f"brand-{i}",
        "brand_type": "STANDARD",
        "registration_status": "COMPLETED",
        "profile_uuid": f"p-{i}",
        "company_name": "Acme",
        "address": {"city": "Dallas"},
    }


def _pages(key: str, rows: list[dict], *, total: bool = True, meta: bool = True):
    """A handler serving `rows` by limit/offset the way Plivo's list endpoints do."""

    def handler(call):
        limit = int(call.query.get("limit", 20))
        offset = int(call.query.get("offset", 0))
        page = rows[offset : offset + limit]
        body = {"api_id": "l", key: page}
        if meta:
            body["meta"] = {"limit": limit, "offset": offset, "previous": None}
            body["meta"]["next"] = (
                f"/v1/Account/X/?limit={limit}&offset={offset + limit}"
                if offset + limit < len(rows)
                else None
            )
            if total:
                body["meta"]["total_count"] = len(rows)
        return 200, body

    return handler


def test_45_brands_take_3_calls(api, make_gateway):
    rows = [_brand(i) for i in range(45)]
    api.handler = _pages("brands", rows)
    brands = make_gateway().list_brands()
    assert [b.brand_id for b in brands] == [r["brand_id"] for r in rows]
    assert [(c.method, c.path) for c in api.calls] == [("GET", "10dlc/Brand/")] * 3
    assert [c.query for c in api.calls] == [
        {"limit": "20", "offset": "0"},
        {"limit": "20", "offset": "20"},
        {"limit": "20", "offset": "40"},
    ]
    assert brands[0] == BrandInfo("B000000", "brand-0", "STANDARD", "COMPLETED", "p-0", "Acme")


@pytest.mark.parametrize(
    ("count", "kwargs", "calls"),
    [
        (40, {}, 2),  # total_count / next say the second full page was the last
        (40, {"total": False}, 2),  # next: null says so
        (40, {"meta": False}, 3),  # nothing says so: an empty third page does
        (0, {}, 1),
        (20, {"meta": False}, 2),
    ],
)
def test_pagination_stops_when_the_api_says_so(api, make_gateway, count, kwargs, calls):
    api.handler = _pages("brands", [_brand(i) for i in range(count)], **kwargs)
    assert len(make_gateway().list_brands()) == count
    assert len(api.calls) == calls


def test_profiles_page_without_sending_offset_0(api, make_gateway):
    rows = [
        {"profile_uuid": f"u{i}", "profile_alias": f"p{i}", "company_name": "Acme",
         "entity_type": "PRIVATE_PROFIT", "profile_type": "SECONDARY", "ein": "12-3" if i else ""}
        for i in range(25)
    ]  # fmt: skip
    api.handler = _pages("profiles", rows)
    profiles = make_gateway().list_profiles()
    assert [c.path for c in api.calls] == ["Profile/", "Profile/"]
    assert [c.query for c in api.calls] == [{"limit": "20"}, {"limit": "20", "offset": "20"}]
    assert len(profiles) == 25
    assert profiles[0] == Profile("u0", "p0", "Acme", "PRIVATE_PROFIT", False, "SECONDARY")
    assert profiles[1].has_ein is True


def test_campaigns_filtered_by_brand(api, make_gateway):
    row = {
        "campaign_id": "CAOHTU5", "brand_id": "B1", "campaign_alias": "alerts",
        "usecase": "MIXED", "registration_status": "FAILED", "sub_usecase": "2FA,MARKETING",
        "error_reason": "The campaign content falls under a prohibited content category.",
    }  # fmt: skip
    api.handler = _pages("campaigns", [row])
    (campaign,) = make_gateway().list_campaigns(brand_id="B1")
    assert api.calls[0].query == {"brand_id": "B1", "limit": "20", "offset": "0"}
    assert campaign == CampaignInfo(
        "CAOHTU5", "B1", "alerts", "MIXED", "FAILED", ("2FA", "MARKETING"),
        "The campaign content falls under a prohibited content category.",
    )  # fmt: skip


def test_numbers_when_the_server_ignores_paging(api, make_gateway):
    rows = [{"number": f"1415555{i:04d}", "status": "COMPLETED"} for i in range(25)]
    api.handler = lambda call: (200, {"campaign_id": "C1", "phone_numbers": rows})
    numbers = make_gateway().list_numbers("C1")
    assert len(api.calls) == 1  # 25 rows for limit 20: the whole list came at once
    assert numbers[0] == NumberInfo("14155550000", "C1", "COMPLETED")
    assert len(numbers) == 25


def test_numbers_when_the_server_repeats_a_full_page(api, make_gateway):
    rows = [{"number": f"1415555{i:04d}", "status": "PROCESSING"} for i in range(20)]
    api.handler = lambda call: (200, {"campaign_id": "C1", "phone_numbers": rows})
    assert len(make_gateway().list_numbers("C1")) == 20
    assert len(api.calls) == 2  # the second page added nothing new: stop


def test_get_brand_with_declined_reasons(api, make_gateway):
    body = {
        "api_id": "g",
        "brand": {
            "brand_id": "BOZ5T2X", "brand_type": "STARTER", "registration_status": "FAILED",
            "profile_uuid": "p", "entity_type": "INDIVIDUAL",
            "declined_reasons": [{"code": "1101", "message": "The US EIN provided is invalid."}],
        },
    }  # fmt: skip
    api.handler = lambda call: (200, body)
    brand = make_gateway().get_brand("BOZ5T2X")
    assert api.calls[0].path == "10dlc/Brand/BOZ5T2X/"
    assert brand.status == "FAILED" and brand.alias == "" and brand.company_name == ""
    assert brand.declined_reasons == ("The US EIN provided is invalid. (1101)",)


def test_get_brand_without_brand_object(api, make_gateway):
    api.handler = lambda call: (200, {"api_id": "g"})
    with pytest.raises(GatewayError, match="get brand B1 failed: the answer from .* no 'brand'"):
        make_gateway().get_brand("B1")


def test_brand_usecases(api, make_gateway):
    body = {
        "api_id": "u", "brand_id": "B1",
        "use_cases": [{"code": "MIXED", "name": "Mixed", "details": "Two to five"}],
    }  # fmt: skip
    api.handler = lambda call: (200, body)
    assert make_gateway().brand_usecases("B1") == [Usecase("MIXED", "Mixed", "Two to five")]
    assert api.calls[0].path == "10dlc/Brand/B1/usecases/"


def test_get_campaign(api, make_gateway):
    body = {"campaign": {"campaign_id": "C1", "brand_id": "B1", "registration_status": "ACTIVE",
                         "sub_usecases": ["2FA", "FRAUD_ALERT"]}}  # fmt: skip
    api.handler = lambda call: (200, body)
    campaign = make_gateway().get_campaign("C1")
    assert campaign.status == "ACTIVE" and campaign.sub_usecases == ("2FA", "FRAUD_ALERT")


def test_get_number(api, make_gateway):
    body = {"campaign_id": "C1", "phone_numbers": [{"number": "14155550100", "status": "FAILED"}]}
    api.handler = lambda call: (200, body)
    assert make_gateway().get_number("C1", "+14155550100") == NumberInfo(
        "14155550100", "C1", "FAILED"
    )
    assert api.calls[0].path == "10dlc/Campaign/C1/Number/14155550100/"


def test_get_number_not_linked(api, make_gateway):
    api.handler = lambda call: (200, {"campaign_id": "C1", "phone_numbers": []})
    with pytest.raises(GatewayError, match="14155550100 is not linked to campaign C1"):
        make_gateway().get_number("C1", "14155550100")


def test_reads_are_not_journaled(api, make_gateway, recording_store):
    api.handler = _pages("brands", [_brand(1)])
    make_gateway(store=recording_store).list_brands()
    assert recording_store.records == []
