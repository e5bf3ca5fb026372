"""Refused material (400/403) stays out of the journal, bytes-faithful and within a byte budget."""

import asyncio
import io
import itertools
import json
import random

import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import CallbackEvent, Kind, sequential_ids
from receiver.http.server import Receiver, make_app
from receiver.refused import RAW_CAP, raw_body
from receiver.signature import signature_headers
from receiver.store.export import stored_events, write_events
from receiver.store.store import Store
from receiver.store.unverified import UNVERIFIED_NAME

TOKEN = "SubAcctToken_0123456789abcdef"
PATH = "/tendlc_status/"
NOW = 1000.0


async def _app(tmp_path, aiohttp_client, clock=lambda: NOW, **store_options):
    store = Store.open(tmp_path / "db", clock=lambda: NOW, **store_options)
    receiver = Receiver(store, ReceiverConfig(auth_token=TOKEN), clock=clock, ids=sequential_ids())
    return store, receiver, await aiohttp_client(make_app(receiver))


async def test_an_undecodable_body_is_kept_raw_and_capped_outside_the_journal(
    tmp_path, aiohttp_client
):
    store, _, client = await _app(tmp_path, aiohttp_client)
    body = b"\xff" * 65_000
    resp = await client.post(PATH, data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert list(store.journal()) == []
    [kept] = store.unverified()
    assert kept.http_status == 400 and kept.body_length == 65_000
    assert raw_body(kept) == body[:RAW_CAP]
    await store.flush()
    await store.close()
    again = Store.open(tmp_path / "db", readonly=True)
    [loaded] = again.unverified()
    assert raw_body(loaded) == body[:RAW_CAP] and loaded.body_length == 65_000
    await again.close()


async def test_a_flood_of_large_forgeries_stays_within_the_byte_budget(tmp_path, aiohttp_client):
    budget = 64 * 1024
    store, _, client = await _app(tmp_path, aiohttp_client, unverified_budget=budget)
    ring = store._ring
    for i in range(50):
        body = f"brand_id=B{i}&status=registered&pad=".encode() + b"x" * 8192
        resp = await client.post(
            PATH, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert resp.status == 403
        assert ring.size <= budget
    await store.flush()
    kept = store.unverified()
    assert 0 < len(kept) < 50
    assert ring.dropped == 50 - len(kept)
    assert ring.dropped_bytes > (50 - len(kept)) * 8192
    assert sum(len(e.body) for e in kept) <= budget
    assert (tmp_path / "db" / UNVERIFIED_NAME).stat().st_size <= budget + 200
    assert list(store.journal()) == []
    await store.close()
    again = Store.open(tmp_path / "db", readonly=True, unverified_budget=budget)
    assert [e.id for e in again.unverified()] == [e.id for e in kept]
    assert (again._ring.dropped, again._ring.dropped_bytes) == (ring.dropped, ring.dropped_bytes)
    await again.close()


def _event(i: int, **changes) -> CallbackEvent:
    fields = {
        "id": f"ev{i}",
        "received_at": NOW,
        "method": "POST",
        "url": PATH,
        "headers": {"X-Plivo-Signature-V2-Nonce": f"n{i}"},
        "body": f"brand_id=B{i}",
        "params": {"brand_id": f"B{i}"},
        "kind": Kind.BRAND,
        "status": "created",
        "brand_id": f"B{i}",
        "verified": True,
        "reason": "V2 ok",
    }
    return CallbackEvent(**{**fields, **changes})


async def test_one_entry_with_surrogates_does_not_fail_its_batch(tmp_path):
    store = Store.open(tmp_path / "db", clock=lambda: NOW)
    bad = _event(
        5,
        headers={"X-Junk": "caf\udce9"},  # header byte 0xE9 read with surrogateescape
        body='{"brand_id": "\\ud800"}',
        params={"brand_id": "B5", "note": "\ud800"},  # a lone surrogate from a JSON body
    )
    events = [_event(i) for i in range(5)] + [bad] + [_event(i) for i in range(6, 10)]
    results = await asyncio.gather(
        *(store.record_callback(e, apply=True) for e in events), return_exceptions=True
    )
    assert not [r for r in results if isinstance(r, BaseException)]
    assert store.healthy
    stored = {e.id: e for e in store.journal()}
    assert sorted(stored) == sorted(e.id for e in events)
    assert stored["ev5"].headers == {"X-Junk": "caf\\xe9"}  # the byte, escaped
    assert stored["ev5"].params["note"] == "\\ud800"
    await store.close()
    again = Store.open(tmp_path / "db", readonly=True)
    reread = {e.id: e for e in again.journal()}
    assert reread["ev5"].params["note"] == "\\ud800" and len(reread) == 10
    out = io.StringIO()
    assert write_events(stored_events(again), "csv", out, again.replay_count) == 10
    assert "\\ud800" in out.getvalue()  # the params column
    out.getvalue().encode("utf-8")  # what `tendlc events` writes: encodable
    await again.close()


async def _raw_request(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1]) if status_line else 0
    finally:
        writer.close()
        await writer.wait_closed()


def _http(method: str, headers: dict[str, bytes], body: bytes) -> bytes:
    lines = [f"{method} {PATH} HTTP/1.1".encode(), b"Host: 127.0.0.1"]
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    lines += [b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.mark.parametrize("seed", [1, 2])
async def test_raw_socket_fuzz_with_non_utf8_bytes(tmp_path, aiohttp_client, seed):
    store, receiver, client = await _app(tmp_path, aiohttp_client)
    port = client.server.port
    rng = random.Random(seed)
    statuses = []
    for i in range(24):
        junk = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randrange(1, 12)))
        body = bytes(rng.randrange(0, 0x100) for _ in range(rng.randrange(0, 300)))
        headers = {"X-Junk": junk, "Content-Type": rng.choice([b"application/json", b"text/plain"])}
        if i % 3 == 0:  # signed (V2 only signs URL + nonce): reaches the journal
            signed = signature_headers("POST", receiver.config.callback_url, {}, TOKEN)
            headers |= {k: v.encode() for k, v in signed.items() if "V3" not in k}
            body = json.dumps({"brand_id": f"B{i}", "note": "\ud800"}).encode()
            headers["Content-Type"] = b"application/json"
        statuses.append(await _raw_request(port, _http("POST", headers, body)))
    assert set(statuses) <= {200, 400, 403}, statuses
    assert 200 in statuses
    assert store.healthy
    health = await client.get("/healthz")
    assert health.status == 200
    assert len(list(store.journal())) == statuses.count(200)
    await store.close()


async def test_tendlc_events_still_lists_refused_callbacks(tmp_path, aiohttp_client):
    ticks = itertools.count(NOW)
    store, receiver, client = await _app(tmp_path, aiohttp_client, clock=lambda: next(ticks))
    bad = await client.post(PATH, data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    forged = await client.post(PATH, data={"brand_id": "B1", "status": "registered"})
    payload = {"brand_id": "B2", "status": "created"}
    signed = signature_headers("POST", receiver.config.callback_url, payload, TOKEN)
    good = await client.post(PATH, data=payload, headers=signed)
    assert (bad.status, forged.status, good.status) == (400, 403, 200)
    await store.flush()
    await store.close()
    again = Store.open(tmp_path / "db", readonly=True)
    listed = [(e.http_status, e.verified) for e in stored_events(again)]
    assert listed == [(400, False), (403, False), (200, True)]
    await again.close()
