"""replay() re-sends stored callbacks to a local aiohttp receiver that checks signatures with the plivo SDK."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from plivo.utils import validate_signature
from plivo.utils.signature_v3 import validate_v3_signature

from receiver.domain.models import CallbackEvent, Kind
from receiver.resend import ReplayError, build_request, curl_command, replay
from receiver.signature import H_MA_V2, H_MA_V3, H_V2, H_V2_NONCE, H_V3, H_V3_NONCE

SUB = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"
STALE = {H_V2: "c3RhbGU=", H_V2_NONCE: "00000000000000000000"}

FORM_EVENT = CallbackEvent(
    id="ev000001",
    received_at=1_700_000_000.0,
    method="POST",
    url="/tendlc_status/",
    headers={"Content-Type": "application/x-www-form-urlencoded", **STALE},
    body="brand_id=B43KNAS&event=brand&status=registered&registration_status=COMPLETED&note=a+b%26c",
    params={
        "brand_id": "B43KNAS",
        "event": "brand",
        "status": "registered",
        "registration_status": "COMPLETED",
        "note": "a b&c",
    },
    kind=Kind.BRAND,
    status="registered",
    brand_id="B43KNAS",
)
JSON_BODY = {
    "campaign_id": "CAOHTU5",
    "brand_id": "B43KNAS",
    "event": "campaign",
    "status": "registered",
    "attributes": {"embedded_link": True, "age_gated": False},
    "sub_usecases": ["2FA", "MARKETING"],
}
JSON_EVENT = CallbackEvent(
    id="ev000002",
    received_at=1_700_000_001.0,
    method="POST",
    url="/tendlc_status/",
    headers={"content-type": "application/json; charset=utf-8", **STALE},
    body=json.dumps(JSON_BODY),
    params={
        "campaign_id": "CAOHTU5",
        "brand_id": "B43KNAS",
        "event": "campaign",
        "status": "registered",
    },
    kind=Kind.CAMPAIGN,
    status="registered",
    brand_id="B43KNAS",
    campaign_id="CAOHTU5",
)
GET_EVENT = CallbackEvent(
    id="ev000003",
    received_at=1_700_000_002.0,
    method="GET",
    url="/tendlc_status/?campaign_id=CAOHTU5&number=14845007032&event=number_linking&status=success",
    headers=dict(STALE),
    body="",
    params={
        "campaign_id": "CAOHTU5",
        "number": "14845007032",
        "event": "number_linking",
        "status": "success",
    },
    kind=Kind.NUMBER_LINKING,
    status="success",
    campaign_id="CAOHTU5",
    number="14845007032",
)


@dataclass
class Seen:
    method: str
    url: str
    headers: dict[str, str]
    content_type: str
    fields: dict[str, Any]
    checks: dict[str, bool] = field(default_factory=dict)


async def verifying_receiver(aiohttp_server, answer: int = 200):
    """A stand-in webhook on 127.0.0.1:0 that checks V2, Ma-V2, V3 and Ma-V3 with plivo's validators."""
    seen: list[Seen] = []

    async def handle(request: web.Request) -> web.Response:
        url = str(request.url)
        if request.method == "GET":
            fields: dict[str, Any] = {}
            signed: dict[str, Any] = {}  # the SDK reads GET params from the URL itself
        elif request.content_type == "application/json":
            fields = await request.json()
            signed = fields
        else:
            form = await request.post()
            fields = {k: form.getall(k) if len(form.getall(k)) > 1 else form[k] for k in form}
            signed = fields
        h = request.headers
        checks = {}
        if H_V2 in h:
            checks = {
                "v2": validate_signature(url, h[H_V2_NONCE], h[H_V2], SUB),
                "ma_v2": validate_signature(url, h[H_V2_NONCE], h[H_MA_V2], MAIN),
                "v3": validate_v3_signature(
                    request.method, url, h[H_V3_NONCE], SUB, h[H_V3], dict(signed)
                ),
                "ma_v3": validate_v3_signature(
                    request.method, url, h[H_V3_NONCE], MAIN, h[H_MA_V3], dict(signed)
                ),
            }
        seen.append(Seen(request.method, url, dict(h), request.content_type, fields, checks))
        return web.Response(status=answer, text="ok\n" if answer == 200 else "forbidden: nope\n")

    app = web.Application()
    app.router.add_route("*", "/hook/", handle)
    server = await aiohttp_server(app, host="127.0.0.1", port=0)
    return server, seen


ALL_OK = {"v2": True, "ma_v2": True, "v3": True, "ma_v3": True}


async def test_post_form_replay_is_signed_for_the_target(aiohttp_server) -> None:
    server, seen = await verifying_receiver(aiohttp_server)
    target = str(server.make_url("/hook/?tenant=acme"))
    result = await replay(FORM_EVENT, target, token=SUB, main_token=MAIN)
    assert (result.status, result.body, result.method, result.url) == (200, "ok\n", "POST", target)
    assert result.ok
    [got] = seen
    assert got.checks == ALL_OK
    assert got.content_type == "application/x-www-form-urlencoded"
    assert got.fields == FORM_EVENT.params
    assert got.headers["X-Tendlc-Replay-Of"] == "ev000001"
    assert got.headers[H_V2_NONCE] != STALE[H_V2_NONCE]


async def test_post_json_replay_keeps_the_body_and_signs_it(aiohttp_server) -> None:
    server, seen = await verifying_receiver(aiohttp_server)
    target = str(server.make_url("/hook/"))
    result = await replay(JSON_EVENT, target, token=SUB, main_token=MAIN)
    assert result.status == 200
    [got] = seen
    assert got.checks == ALL_OK
    assert got.content_type == "application/json"
    assert got.fields == JSON_BODY


async def test_get_replay_sends_the_fields_as_query(aiohttp_server) -> None:
    server, seen = await verifying_receiver(aiohttp_server)
    target = str(server.make_url("/hook/?tenant=acme"))
    result = await replay(GET_EVENT, target, token=SUB, main_token=MAIN)
    assert result.status == 200
    assert result.method == "GET"
    [got] = seen
    assert got.checks == ALL_OK
    assert got.method == "GET"
    assert got.url == (
        f"{server.make_url('/hook/')}?tenant=acme&campaign_id=CAOHTU5&number=14845007032"
        "&event=number_linking&status=success"
    )


async def test_only_the_subaccount_token(aiohttp_server) -> None:
    server, seen = await verifying_receiver(aiohttp_server)
    await replay(FORM_EVENT, str(server.make_url("/hook/")), token=SUB)
    [got] = seen
    assert got.checks["v2"] and got.checks["v3"]
    assert not got.checks["ma_v2"]  # Ma-V2 then carries the subaccount signature, not the main one


async def test_unsigned_replay_has_no_signature_headers(aiohttp_server) -> None:
    server, seen = await verifying_receiver(aiohttp_server)
    result = await replay(FORM_EVENT, str(server.make_url("/hook/")), token=None)
    assert result.status == 200
    [got] = seen
    assert got.checks == {}
    assert not any(name.lower().startswith("x-plivo-signature") for name in got.headers)


async def test_non_2xx_answer_is_reported(aiohttp_server) -> None:
    server, _ = await verifying_receiver(aiohttp_server, answer=403)
    result = await replay(FORM_EVENT, str(server.make_url("/hook/")), token=SUB)
    assert result.status == 403
    assert not result.ok
    assert result.body == "forbidden: nope\n"


async def test_unreachable_target_raises_replay_error(aiohttp_server) -> None:
    server, _ = await verifying_receiver(aiohttp_server)
    target = str(server.make_url("/hook/"))
    await server.close()
    with pytest.raises(ReplayError, match="could not reach http://127.0.0.1:"):
        await replay(FORM_EVENT, target, token=SUB, timeout=5)


def test_target_must_be_http() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        build_request(FORM_EVENT, "127.0.0.1:8765/hook/")


def test_build_request_with_fixed_nonces_is_deterministic() -> None:
    a = build_request(
        FORM_EVENT, "https://example.com/hook/", token=SUB, nonce="1" * 20, v3_nonce="2" * 20
    )
    b = build_request(
        FORM_EVENT, "https://example.com/hook/", token=SUB, nonce="1" * 20, v3_nonce="2" * 20
    )
    assert a == b
    assert a.signed
    assert (
        a.body
        == "brand_id=B43KNAS&event=brand&status=registered&registration_status=COMPLETED&note=a+b%26c"
    )
    assert validate_signature("https://example.com/hook/", "1" * 20, a.headers[H_V2], SUB)


def test_curl_command_parses_and_carries_method_url_headers() -> None:
    text = curl_command(FORM_EVENT, "https://example.com/hook/?t=1", token=SUB, main_token=MAIN)
    assert SUB not in text and MAIN not in text
    comment, command = text.split("\n")
    assert comment.startswith("# fresh Plivo signature: valid only for https://example.com/hook/")
    words = shlex.split(text, comments=True)
    assert words[:4] == ["curl", "-X", "POST", "https://example.com/hook/?t=1"]
    headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert set(headers) >= {H_V2, H_MA_V2, H_V2_NONCE, H_V3, H_MA_V3, H_V3_NONCE}
    assert validate_signature("https://example.com/hook/", headers[H_V2_NONCE], headers[H_V2], SUB)
    assert validate_v3_signature(
        "POST",
        "https://example.com/hook/?t=1",
        headers[H_V3_NONCE],
        SUB,
        headers[H_V3],
        dict(FORM_EVENT.params),
    )
    data = words[words.index("--data-raw") + 1]
    assert data == FORM_EVENT.body


def test_curl_command_for_json_and_get() -> None:
    words = shlex.split(
        curl_command(JSON_EVENT, "http://127.0.0.1:8765/tendlc_status/", token=SUB), comments=True
    )
    assert json.loads(words[words.index("--data-raw") + 1]) == JSON_BODY
    assert "Content-Type: application/json; charset=utf-8" in words
    words = shlex.split(
        curl_command(GET_EVENT, "http://127.0.0.1:8765/tendlc_status/"), comments=True
    )
    assert words[:4] == [
        "curl",
        "-X",
        "GET",
        "http://127.0.0.1:8765/tendlc_status/?campaign_id=CAOHTU5&number=14845007032&event=number_linking&status=success",
    ]
    assert "--data-raw" not in words


def test_unsigned_curl_says_so() -> None:
    text = curl_command(FORM_EVENT, "http://127.0.0.1:8765/tendlc_status/")
    assert text.startswith("# unsigned: set PLIVO_AUTH_TOKEN")
    assert "X-Plivo-Signature" not in text
