"""The aiohttp receiver against a fake store: encodings, signatures, bad input, acks."""

import asyncio
import json
import logging
from urllib.parse import urlencode

import aiohttp
import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import Cause, Change, Kind, sequential_ids
from receiver.http.server import (
    NO_TOKEN_WARNING,
    Receiver,
    ReceiverStartError,
    is_loopback,
    make_app,
)
from receiver.signature import H_MA_V2, H_V2, H_V2_NONCE, signature_headers
from receiver.store.store import StoreWriteError

TOKEN = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"
PATH = "/tendlc_status/"


class FakeStore:
    """Just enough of Store for the HTTP layer: records calls, can fail or hold them."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.healthy = True
        self.last_error: str | None = None
        self.fail: Exception | None = None
        self.entered = asyncio.Event()
        self.gate: asyncio.Event | None = None

    async def record_callback(self, event, *, apply, nonce_keys=()):
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        self.calls.append((event, apply))
        return Change(cause=Cause.CALLBACK, resources=(), event=event)

    def recent(self, limit=500):
        return [e for e, _ in self.calls][-limit:]

    @property
    def events(self):
        return [e for e, _ in self.calls]


def config(**kw) -> ReceiverConfig:
    kw.setdefault("auth_token", TOKEN)
    kw.setdefault("main_auth_token", MAIN)
    return ReceiverConfig(**kw)


@pytest.fixture
def store():
    return FakeStore()


@pytest.fixture
def make_client(aiohttp_client, store):
    async def make(cfg: ReceiverConfig | None = None):
        receiver = Receiver(
            store, cfg or config(), clock=lambda: 1700000000.0, ids=sequential_ids()
        )
        client = await aiohttp_client(make_app(receiver))
        return receiver, client

    return make


def signed(
    receiver: Receiver,
    method: str,
    params: dict,
    *,
    query: str = "",
    token=TOKEN,
    main=MAIN,
    url=None,
):
    """Headers Plivo would send for a callback to the receiver's public URL."""
    target = url or receiver.config.callback_url + (f"?{query}" if query else "")
    return signature_headers(method, target, params, token, main)


async def send(client, receiver, encoding: str, payload: dict, **kw):
    if encoding == "query":
        headers = signed(receiver, "GET", payload, query=urlencode(payload))
        return await client.get(PATH, params=payload, headers=headers)
    headers = signed(receiver, "POST", payload)
    if encoding == "json":
        return await client.post(PATH, json=payload, headers=headers)
    if encoding == "multipart":
        form = aiohttp.FormData(payload, default_to_multipart=True)
        return await client.post(PATH, data=form, headers=headers)
    return await client.post(PATH, data=payload, headers=headers)


@pytest.mark.parametrize("encoding", ["form", "json", "query", "multipart"])
async def test_each_kind_in_each_encoding_is_verified_stored_and_applied(
    make_client, store, kind_payload, encoding
):
    kind, payload = kind_payload  # the simulator payloads of plivo-10dlc.md §3.3 (conftest.py)
    if kind is Kind.NUMBER_LINKING:
        payload["number"] = "+" + payload["number"]  # stored digits only (asserted below)
    receiver, client = await make_client()
    resp = await send(client, receiver, encoding, payload)
    assert (resp.status, await resp.text()) == (200, "ok\n")
    [(event, apply)] = store.calls
    assert apply is True
    assert (event.kind, event.status, event.verified, event.http_status) == (
        kind,
        payload["status"],
        True,
        200,
    )
    assert event.reason == "V2+V3 ok"
    assert event.id == "ev000001" and event.received_at == 1700000000.0
    if kind in (Kind.NUMBER_LINKING, Kind.NUMBER_UNLINKING):
        assert (event.campaign_id, event.number) == ("CAOHTU5", "14845007032")
    else:
        assert event.brand_id == "B43KNAS"
    assert event.method == ("GET" if encoding == "query" else "POST")
    assert event.params["status"] == payload["status"]


async def test_path_without_trailing_slash_and_case_insensitive_keys(make_client, store):
    receiver, client = await make_client()
    payload = {"CampaignID": "C1", "BrandID": "B1", "Status": "REJECTED"}
    url = receiver.config.callback_url.rstrip("/")
    resp = await client.post(
        "/tendlc_status", json=payload, headers=signed(receiver, "POST", payload, url=url)
    )
    assert resp.status == 200
    event = store.events[0]
    assert (event.kind, event.status, event.campaign_id, event.brand_id) == (
        Kind.CAMPAIGN,
        "rejected",
        "C1",
        "B1",
    )
    assert event.url == "/tendlc_status"


async def test_unknown_callback_is_stored_with_raw_body(make_client, store):
    receiver, client = await make_client()
    headers = signed(receiver, "POST", {"hello": "world", "x": "1"})
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    resp = await client.post(PATH, data="hello=world&x=1", headers=headers)
    assert resp.status == 200
    [(event, apply)] = store.calls
    assert (event.kind, event.body, event.params, apply) == (
        Kind.UNKNOWN,
        "hello=world&x=1",
        {"hello": "world", "x": "1"},
        True,
    )


async def test_post_keeps_query_and_body_and_drops_credentials(make_client, store):
    receiver, client = await make_client()
    payload = {"brand_id": "B1", "status": "created"}
    headers = {
        **signed(receiver, "POST", payload, query="tenant=acme"),
        "Authorization": "Basic c2VjcmV0",
        "Cookie": "s=1",
    }
    resp = await client.post(PATH + "?tenant=acme", data=payload, headers=headers)
    assert resp.status == 200
    event = store.events[0]
    assert event.params == {"tenant": "acme", "brand_id": "B1", "status": "created"}
    assert event.url == "/tendlc_status/?tenant=acme"
    assert not {"authorization", "cookie"} & {k.lower() for k in event.headers}
    assert event.headers[H_V2]


def tamper(signature: str) -> str:
    """The same signature with its first character changed (always a different one)."""
    return ("B" if signature[0] == "A" else "A") + signature[1:]


def v2_only(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k in (H_V2, H_MA_V2, H_V2_NONCE)}


async def test_v2_ignores_the_query_string(make_client, store):
    receiver, client = await make_client()
    headers = v2_only(signed(receiver, "POST", {}))  # signed without the query
    resp = await client.post(
        PATH + "?tag=abc", data={"brand_id": "B1", "status": "created"}, headers=headers
    )
    assert resp.status == 200
    assert store.events[0].reason == "V2 ok"


async def test_ma_v2_with_the_main_token(make_client, store):
    receiver, client = await make_client(config(auth_token="some-other-subaccount-token"))
    headers = v2_only(signed(receiver, "POST", {}, token="not-the-sub-token", main=MAIN))
    resp = await client.post(PATH, data={"brand_id": "B1", "status": "created"}, headers=headers)
    assert resp.status == 200
    assert (store.events[0].verified, store.events[0].reason) == (True, "Ma-V2 ok")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda h: {**h, H_V2: tamper(h[H_V2]), H_MA_V2: tamper(h[H_MA_V2])},
            "wrong token",
        ),
        (lambda h: {}, "missing signature headers"),
    ],
)
async def test_tampered_or_missing_signature_is_403_journaled_not_applied(
    make_client, store, mutate, reason
):
    receiver, client = await make_client()
    payload = {"brand_id": "B1", "status": "registered"}
    resp = await client.post(
        PATH, data=payload, headers=mutate(v2_only(signed(receiver, "POST", payload)))
    )
    assert resp.status == 403
    assert reason in await resp.text()
    [(event, apply)] = store.calls
    assert (apply, event.verified, event.http_status, event.kind) == (False, False, 403, Kind.BRAND)
    assert event.reason.startswith(reason)


async def test_wrong_token_is_403(make_client, store):
    receiver, client = await make_client()
    payload = {"brand_id": "B1", "status": "registered"}
    resp = await client.post(
        PATH, data=payload, headers=signed(receiver, "POST", payload, token="nope", main="nope2")
    )
    assert resp.status == 403
    assert store.events[0].reason.startswith("wrong token")
    assert store.calls[0][1] is False


async def test_url_mismatch_names_the_expected_public_url(make_client, store):
    receiver, client = await make_client(config(public_url="https://abc.example.com"))
    local = receiver.config.local_callback_url
    payload = {"brand_id": "B1", "status": "registered"}
    resp = await client.post(
        PATH, data=payload, headers=signed(receiver, "POST", payload, url=local)
    )
    assert resp.status == 403
    reason = store.events[0].reason
    assert reason.startswith("URL mismatch")
    assert "expected https://abc.example.com/tendlc_status/" in reason
    assert f"signed for {local}" in reason


async def test_url_mismatch_explained_from_the_host_the_request_reached(make_client, store):
    receiver, client = await make_client(config(public_url="https://abc.example.com"))
    reached = str(client.make_url(PATH))
    resp = await client.post(
        PATH, data={"a": "1"}, headers=v2_only(signed(receiver, "POST", {}, url=reached))
    )
    assert resp.status == 403
    assert f"signed for {reached}" in store.events[0].reason


async def test_public_url_with_path_prefix_and_set_public_url(make_client, store):
    receiver, client = await make_client(config(public_url="https://proxy.example.com/hooks/"))
    assert receiver.config.callback_url == "https://proxy.example.com/hooks/tendlc_status/"
    payload = {"brand_id": "B1", "status": "created"}
    assert (
        await client.post(PATH, data=payload, headers=signed(receiver, "POST", payload))
    ).status == 200
    old = signed(receiver, "POST", payload)
    receiver.set_public_url("https://new.example.com")
    assert (await client.post(PATH, data=payload, headers=old)).status == 403
    assert store.events[-1].reason.endswith("for https://new.example.com/tendlc_status/")
    assert (
        await client.post(PATH, data=payload, headers=signed(receiver, "POST", payload))
    ).status == 200


async def test_replayed_signature_is_acknowledged_but_not_applied(make_client, store):
    receiver, client = await make_client()
    payload = {"brand_id": "B1", "status": "registered"}
    headers = signed(receiver, "POST", payload)
    assert (await client.post(PATH, data=payload, headers=headers)).status == 200
    assert (await client.post(PATH, data=payload, headers=headers)).status == 200
    (first, a1), (second, a2) = store.calls
    assert (a1, a2) == (True, False)
    assert second.replay_of == first.id and "replay of ev000001" in second.reason


async def test_body_over_the_limit_is_413_and_not_journaled(make_client, store):
    receiver, client = await make_client(config(max_body=1024))
    resp = await client.post(
        PATH, data=b"x" * 1025, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert resp.status == 413

    async def chunks():  # no Content-Length: the limit applies while reading
        for _ in range(10):
            yield b"y" * 512

    resp = await client.post(PATH, data=chunks())
    assert resp.status == 413
    assert store.calls == []
    assert (await client.post(PATH, data=b"a=" + b"z" * 1000)).status == 403  # just under: read


@pytest.mark.parametrize(
    ("ctype", "body", "why"),
    [
        ("application/json", b'{"brand_id": "B1", ', "bad JSON"),
        ("application/json", b'{"brand_id": "\xff\xfe"}', "not valid UTF-8"),
        ("application/x-www-form-urlencoded", b"brand_id=%ff", "not valid UTF-8"),
        ("multipart/form-data; boundary=QQ", b"nonsense", "bad multipart"),
    ],
)
async def test_undecodable_body_is_400_and_journaled_as_unknown(
    make_client, store, ctype, body, why
):
    receiver, client = await make_client()
    resp = await client.post(
        PATH, data=body, headers={**signed(receiver, "POST", {}), "Content-Type": ctype}
    )
    assert resp.status == 400
    assert why in await resp.text()
    [(event, apply)] = store.calls
    assert (event.kind, event.http_status, event.verified, apply) == (
        Kind.UNKNOWN,
        400,
        False,
        False,
    )
    assert event.reason.startswith(f"bad request: {why}") or why in event.reason
    assert event.body == body.decode("utf-8", errors="replace")


async def test_unknown_path_is_404_and_other_methods_405(make_client, store):
    receiver, client = await make_client()
    resp = await client.get("/elsewhere")
    assert resp.status == 404
    resp = await client.put(PATH, data="a=1")
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET, POST"
    assert (await client.delete("/tendlc_status")).status == 405
    assert store.calls == []


async def test_store_write_error_is_503_with_retry_after_then_recovers(make_client, store):
    receiver, client = await make_client()
    payload = {"brand_id": "B1", "status": "created"}
    store.fail = StoreWriteError("disk full: free some space")
    resp = await client.post(PATH, data=payload, headers=signed(receiver, "POST", payload))
    assert resp.status == 503
    assert resp.headers["Retry-After"] == "60"
    assert "disk full" in await resp.text()
    store.fail = None
    resp = await client.post(PATH, data=payload, headers=signed(receiver, "POST", payload))
    assert resp.status == 200
    assert store.events[0].replay_of is None


async def test_any_store_exception_is_503_never_500(make_client, store):
    receiver, client = await make_client()
    store.fail = RuntimeError("boom")
    resp = await client.post(PATH, data={"a": "1"}, headers=signed(receiver, "POST", {"a": "1"}))
    assert resp.status == 503


async def test_ack_only_after_the_store_returned(make_client, store):
    receiver, client = await make_client()
    store.gate = asyncio.Event()
    payload = {"brand_id": "B1", "status": "created"}
    request = asyncio.create_task(
        client.post(PATH, data=payload, headers=signed(receiver, "POST", payload))
    )
    await store.entered.wait()
    done, _ = await asyncio.wait({request}, timeout=0.2)  # checks absence: nothing may arrive
    assert not done and store.calls == []
    store.gate.set()
    resp = await request
    assert resp.status == 200 and len(store.calls) == 1


async def test_no_token_accepts_applies_and_warns_once(make_client, store, caplog):
    caplog.set_level(logging.WARNING, logger="tendlc.receiver")
    receiver, client = await make_client(ReceiverConfig())
    for _ in range(2):
        resp = await client.post(PATH, data={"brand_id": "B1", "status": "created"})
        assert resp.status == 200
    assert [(e.verified, e.reason, a) for e, a in store.calls] == [
        (False, "unverified: no token configured", True)
    ] * 2
    assert receiver.warnings == [NO_TOKEN_WARNING]
    assert [r.getMessage() for r in caplog.records if r.name == "tendlc.receiver"] == [
        NO_TOKEN_WARNING
    ]


async def test_healthz_reports_store_health(make_client, store):
    receiver, client = await make_client()
    resp = await client.get("/healthz")
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "ok" and body["store"]["healthy"] is True
    assert body["verifying"] is True
    store.healthy, store.last_error = False, "disk full"
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert (await resp.json())["store"] == {"healthy": False, "last_error": "disk full"}


async def test_start_binds_port_zero_and_reports_a_busy_port(store):
    first = Receiver(store, config(port=0))
    await first.start()
    try:
        assert first.port > 0 and first.config.port == first.port
        assert first.config.local_callback_url == f"http://127.0.0.1:{first.port}/tendlc_status/"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{first.port}/healthz") as resp:
                assert resp.status == 200
                assert (
                    json.loads(await resp.text())["local_callback_url"]
                    == first.config.local_callback_url
                )
        second = Receiver(store, config(port=first.port))
        with pytest.raises(ReceiverStartError) as info:
            await second.start()
        assert str(info.value) == (
            f"port {first.port} on 127.0.0.1 is in use: pass --port N (or --port 0) or stop the other process"
        )
    finally:
        await first.stop()
        await first.stop()


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert (
        not is_loopback("0.0.0.0")
        and not is_loopback("192.168.1.4")
        and not is_loopback("example.com")
    )


async def test_malformed_input_never_gives_a_500(make_client, store):
    receiver, client = await make_client()
    headers = {H_V2: "sig\u00e9", H_V2_NONCE: "123"}
    resp = await client.post(PATH, data={"brand_id": "B1"}, headers=headers)
    assert resp.status == 403
    assert store.events[-1].reason.startswith("wrong token")  # non-ASCII: a plain mismatch
    deep = b'{"a": ' + b"[" * 20000 + b"]" * 20000 + b"}"
    resp = await client.post(PATH, data=deep, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert store.events[-1].reason == "bad request: bad JSON: nested too deeply"


async def test_query_values_are_percent_decoded_once(make_client, store):
    receiver, client = await make_client(ReceiverConfig())
    resp = await client.get(PATH + "?brand_id=B%261&status=created&note=a%2Bb+c")
    assert resp.status == 200
    assert store.events[0].params == {"brand_id": "B&1", "status": "created", "note": "a+b c"}
    resp = await client.get(PATH + "?status=%ff")
    assert resp.status == 400
    assert "UTF-8" in store.events[1].reason
