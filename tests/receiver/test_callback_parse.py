"""Pure callback parsing and classification (receiver/parse.py)."""

import json
from urllib.parse import urlencode

import pytest

from receiver.domain.models import Kind
from receiver.parse import (
    ParseError,
    classify,
    event_kind,
    keep_headers,
    lookup,
    normalise_number,
    parse_body,
)

EXPECTED_STATUS = {
    Kind.BRAND: "registered",
    Kind.CAMPAIGN: "registered",
    Kind.NUMBER_LINKING: "success",
    Kind.NUMBER_UNLINKING: "created",
}


def _encode(encoding: str, payload: dict) -> tuple[str, str | None, bytes, str]:
    if encoding == "form":
        return "POST", "application/x-www-form-urlencoded", urlencode(payload).encode(), ""
    if encoding == "json":
        return "POST", "application/json", json.dumps(payload).encode(), ""
    if encoding == "multipart":
        parts = b"".join(
            b'--BOUND\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (k.encode(), v.encode())
            for k, v in payload.items()
        )
        return "POST", "multipart/form-data; boundary=BOUND", parts + b"--BOUND--\r\n", ""
    return "GET", None, b"", urlencode(payload)


@pytest.mark.parametrize("encoding", ["form", "json", "multipart", "query"])
def test_each_kind_in_each_encoding(kind_payload, encoding):
    kind, payload = kind_payload  # the simulator payloads of plivo-10dlc.md §3.3 (conftest.py)
    method, ctype, body, query = _encode(encoding, payload)
    parsed = parse_body(method, ctype, body, query)
    assert parsed.params == payload
    found = classify(parsed.params)
    assert found.kind is kind
    assert found.status == EXPECTED_STATUS[kind]
    if kind in (Kind.NUMBER_LINKING, Kind.NUMBER_UNLINKING):
        assert (found.campaign_id, found.number) == ("CAOHTU5", "14845007032")
    else:
        assert found.brand_id == "B43KNAS"


@pytest.mark.parametrize(
    ("params", "kind"),
    [
        ({"BrandID": "B1", "Status": "REGISTERED"}, Kind.BRAND),
        ({"CampaignID": "C1", "BrandID": "B1", "status": "created"}, Kind.CAMPAIGN),
        (
            {"campaign_id": "C1", "phone_number": "+1 484-500-7032", "status": "failed"},
            Kind.NUMBER_LINKING,
        ),
        ({"campaign_id": "C1", "number": "+14845007032", "status": "success"}, Kind.NUMBER_LINKING),
        (
            {"campaign_id": "C1", "number": "14845007032", "status": "unlinked"},
            Kind.NUMBER_UNLINKING,
        ),
        (
            {
                "campaign_id": "C1",
                "number": "14845007032",
                "Event_Type": "Number-Unlinking",
                "status": "success",
            },
            Kind.NUMBER_UNLINKING,
        ),
        (
            {"brand_id": "B1", "campaign_id": "C1", "event": "brand", "status": "registered"},
            Kind.BRAND,
        ),
        ({"brand_id": "B1", "event": "something_new", "status": "registered"}, Kind.BRAND),
        ({"foo": "bar"}, Kind.UNKNOWN),
        ({}, Kind.UNKNOWN),
        ({"status": "registered"}, Kind.UNKNOWN),
    ],
)
def test_classification_rules(params, kind):
    assert classify(params).kind is kind


def test_keys_are_case_insensitive_and_status_is_lower_cased():
    found = classify({"STATUS": "Registered", "BRAND_ID": "B9"})
    assert (found.kind, found.status, found.brand_id) == (Kind.BRAND, "registered", "B9")


def test_status_prefers_status_over_registration_status():
    assert (
        classify(
            {"brand_id": "B", "registration_status": "COMPLETED", "status": "registered"}
        ).status
        == "registered"
    )
    assert classify({"brand_id": "B", "registration_status": "COMPLETED"}).status == "completed"
    assert classify({"brand_id": "B", "event_status": "Rejected"}).status == "rejected"
    assert classify({"brand_id": "B", "status": " ", "event_status": "created"}).status == "created"


def test_numbers_are_digits_only():
    assert normalise_number("+1 (484) 500-7032") == "14845007032"
    assert normalise_number("abc") is None
    assert normalise_number(None) is None
    assert classify({"number": "+14845007032"}).number == "14845007032"


def test_event_aliases():
    assert event_kind("number_linking") is Kind.NUMBER_LINKING
    assert event_kind("UNLINK") is Kind.NUMBER_UNLINKING
    assert event_kind("Campaign") is Kind.CAMPAIGN
    assert event_kind("nope") is None
    assert event_kind(None) is None


def test_lookup_skips_empty_values():
    assert lookup({"Status": "", "status_x": "y"}, ["status"]) is None
    assert lookup({"b": "2", "A": "1"}, ["a", "b"]) == "1"


def test_json_nested_values_kept_as_json_strings():
    body = json.dumps(
        {
            "brand_id": "B1",
            "status": "registered",
            "detail": {"code": 7, "ok": True},
            "n": 3,
            "x": None,
            "f": False,
        }
    )
    parsed = parse_body("POST", "application/json; charset=utf-8", body.encode(), "")
    assert parsed.params["detail"] == '{"code":7,"ok":true}'
    assert (parsed.params["n"], parsed.params["x"], parsed.params["f"]) == ("3", "", "false")
    assert parsed.signed["detail"] == {"code": 7, "ok": True}


def test_post_keeps_query_and_body_fields_but_signs_only_the_body():
    parsed = parse_body(
        "POST",
        "application/x-www-form-urlencoded",
        b"status=created&brand_id=B1",
        "tenant=acme&status=x",
    )
    assert parsed.params == {"tenant": "acme", "status": "created", "brand_id": "B1"}
    assert parsed.signed == {"status": "created", "brand_id": "B1"}


def test_get_signs_the_query():
    parsed = parse_body("GET", None, b"", "brand_id=B1&status=created&tag=a&tag=b")
    assert parsed.params == {"brand_id": "B1", "status": "created", "tag": "a"}
    assert parsed.signed == {"brand_id": "B1", "status": "created", "tag": ["a", "b"]}


def test_sniffs_json_and_form_without_content_type():
    assert parse_body("POST", None, b' {"brand_id": "B1"}', "").params == {"brand_id": "B1"}
    assert parse_body("POST", "text/plain", b"brand_id=B1", "").params == {"brand_id": "B1"}
    assert parse_body("POST", "application/json", b"", "a=1").params == {"a": "1"}


@pytest.mark.parametrize(
    ("ctype", "body", "why"),
    [
        ("application/json", b"{not json", "bad JSON"),
        ("application/json", b"[1, 2]", "JSON body is a list"),
        ("application/json", b'{"a": "\xff"}', "not valid UTF-8"),
        ("application/x-www-form-urlencoded", b"status=%ff", "not valid UTF-8"),
        ("application/x-www-form-urlencoded", b"status=\xfe", "not valid UTF-8"),
        ("multipart/form-data; boundary=XX", b"garbage", "bad multipart"),
        ("multipart/form-data", b"--XX\r\n\r\nx\r\n--XX--", "bad multipart"),
    ],
)
def test_undecodable_bodies_raise_with_a_reason(ctype, body, why):
    with pytest.raises(ParseError, match=why):
        parse_body("POST", ctype, body, "")


def test_bad_query_encoding_raises():
    with pytest.raises(ParseError, match="UTF-8"):
        parse_body("GET", None, b"", "status=%ff")


def test_keep_headers_drops_credentials_joins_repeats_and_caps():
    headers = [
        ("Authorization", "Basic x"),
        ("Cookie", "a=b"),
        ("X-A", "1"),
        ("X-A", "2"),
        ("Big", "v" * 100),
    ]
    assert keep_headers(headers) == {"X-A": "1, 2", "Big": "v" * 100}
    assert keep_headers(headers, limit=20) == {"X-A": "1, 2"}
