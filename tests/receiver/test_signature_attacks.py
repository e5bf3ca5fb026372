"""Attacks on callback signatures: replays, forged bodies and header games change nothing."""

import base64
import sqlite3

import pytest
from aiohttp.test_utils import TestClient, TestServer

from receiver.config import ReceiverConfig
from receiver.domain.models import ResourceType, sequential_ids
from receiver.http.server import Receiver, make_app
from receiver.signature import (
    H_MA_V2,
    H_MA_V3,
    H_V2,
    H_V2_NONCE,
    H_V3,
    H_V3_NONCE,
    signature_headers,
    verify,
)
from receiver.store.nonces import NONCES_NAME
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"
PATH = "/tendlc_status/"
NOW = 1_700_000_000.0
URL = "http://127.0.0.1:8089/tendlc_status/"
BRAND = {"brand_id": "B1", "event": "brand", "status": "registered"}
LINK = {
    "campaign_id": "C1",
    "number": "14845007032",
    "event": "number_linking",
    "status": "success",
}
UNLINK = {**LINK, "event": "number_unlinking", "status": "success"}


class Harness:
    def __init__(self, path) -> None:
        self.path = path

    async def __aenter__(self):
        self.store = Store.open(self.path, clock=lambda: NOW)
        self.receiver = Receiver(
            self.store,
            ReceiverConfig(auth_token=TOKEN, main_auth_token=MAIN),
            clock=lambda: NOW,
            ids=sequential_ids(),
        )
        self.client = TestClient(TestServer(make_app(self.receiver)))
        await self.client.start_server()
        return self

    async def __aexit__(self, *exc):
        await self.client.close()
        await self.store.close()

    def sign(self, payload: dict, **kw) -> dict:
        return signature_headers(
            "POST", self.receiver.config.callback_url, payload, TOKEN, MAIN, **kw
        )

    async def post(self, payload: dict, headers: dict, query: str = "") -> int:
        resp = await self.client.post(PATH + query, data=payload, headers=headers)
        return resp.status

    def badges(self) -> dict:
        reg = self.store.registry
        return {
            t: {r.id: (r.badge, len(r.timeline)) for r in reg.all(t)}
            for t in (ResourceType.BRAND, ResourceType.NUMBER)
        }


def test_a_signature_list_is_parsed_strictly():
    headers = signature_headers("POST", URL, BRAND, TOKEN)
    good = headers[H_V2]
    for value in (good, f" {good} ", f"{good},{good}", f"{'A' * 43}=,{good}"):
        assert verify("POST", URL, {**headers, H_V2: value}, BRAND, TOKEN).verified, value
    for value in (f"{good},x", f"{good},", f"x,{good}", good[:-2], good + "AAAA"):
        assert not verify("POST", URL, {**headers, H_V2: value}, BRAND, TOKEN).verified, value


def test_v3_present_and_failing_is_refused_even_if_v2_passes():
    headers = signature_headers("POST", URL, BRAND, TOKEN)
    forged = {**BRAND, "status": "rejected"}
    result = verify("POST", URL, headers, forged, TOKEN)
    assert not result.verified and not result.accept and "V3" in result.reason


def test_a_verified_callback_carries_every_nonce_present():
    headers = signature_headers("POST", URL, BRAND, TOKEN, nonce="111", v3_nonce="222")
    assert verify("POST", URL, headers, BRAND, TOKEN).nonces == (("V2", "111"), ("V3", "222"))


def _only(headers: dict, *names: str) -> dict:
    return {k: v for k, v in headers.items() if k in names}


async def _first_then(h: Harness, payload: dict, headers: dict, copies) -> None:
    assert await h.post(payload, headers) == 200
    before = h.badges()
    for copy_payload, copy_headers, query in copies:
        assert await h.post(copy_payload, copy_headers, query) == 200
    assert h.badges() == before  # never applied
    events = list(h.store.journal())
    assert len(events) == 1 and events[0].replay_of is None
    assert h.store.replay_count(events[0].id) == len(copies)


async def test_header_games_on_a_captured_callback_are_replays(tmp_path):
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(BRAND)
        await _first_then(
            h,
            BRAND,
            headers,
            [
                (BRAND, headers, ""),  # byte-identical
                (BRAND, {**headers, H_V2: headers[H_V2] + "," + headers[H_V2]}, ""),
                (BRAND, _only(headers, H_V3, H_V3_NONCE), ""),  # V2 dropped, V3 falls back
                (BRAND, _only(headers, H_MA_V3, H_V3_NONCE), ""),
                (BRAND, _only(headers, H_V2, H_V2_NONCE), ""),  # V3 dropped
                (BRAND, _only(headers, H_MA_V2, H_V2_NONCE), ""),  # Ma-only
            ],
        )


async def test_ma_v2_only_callbacks_get_a_replay_key(tmp_path):
    async with Harness(tmp_path / "db") as h:
        headers = _only(h.sign(UNLINK), H_MA_V2, H_V2_NONCE)
        await _first_then(h, UNLINK, headers, [(UNLINK, headers, "")] * 2)


async def test_reused_nonces_with_new_bodies_are_never_applied(tmp_path):
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(UNLINK)
        v2 = _only(headers, H_V2, H_MA_V2, H_V2_NONCE)
        rejected = {"brand_id": "B1", "event": "brand", "status": "rejected", "reason": "forged"}
        other = {**LINK, "number": "15550000000"}
        await _first_then(
            h,
            UNLINK,
            headers,
            [
                (rejected, v2, ""),
                (LINK, v2, ""),
                (other, v2, ""),
                (UNLINK, v2, "?status=linked"),
            ],
        )


async def test_extra_query_fields_break_v3(tmp_path):
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(UNLINK)
        assert await h.post(UNLINK, headers, "?status=linked") == 403
        assert h.badges()[ResourceType.NUMBER] == {}


async def test_a_replay_after_many_newer_callbacks(tmp_path):
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(UNLINK)
        assert await h.post(UNLINK, headers) == 200
        for i in range(10):
            assert (
                await h.post({**BRAND, "brand_id": f"B{i}"}, h.sign(BRAND | {"brand_id": f"B{i}"}))
                == 200
            )
        before = h.badges()
        assert await h.post(UNLINK, headers) == 200
        assert h.badges() == before
        assert h.store.replay_count("ev000001") == 1


@pytest.mark.parametrize("copy", ["same", "v3-only"])
async def test_a_replay_across_a_restart_is_never_applied(tmp_path, copy):
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(UNLINK)
        assert await h.post(UNLINK, headers) == 200
    if copy == "v3-only":
        headers = _only(headers, H_V3, H_V3_NONCE)
    async with Harness(tmp_path / "db") as h:
        before = h.badges()
        assert await h.post(UNLINK, headers) == 200
        assert h.badges() == before
        assert h.store.replay_count("ev000001") == 1


async def test_a_lost_nonce_index_is_rebuilt_from_the_journal(tmp_path):
    """A store written before the index existed, or whose index was deleted."""
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(UNLINK)
        assert await h.post(UNLINK, headers) == 200
    for f in (tmp_path / "db").glob(NONCES_NAME + "*"):
        f.unlink()
    async with Harness(tmp_path / "db") as h:
        before = h.badges()
        assert await h.post(UNLINK, headers) == 200
        assert h.badges() == before
        assert h.store.replay_count("ev000001") == 1
    assert (tmp_path / "db" / NONCES_NAME).stat().st_mode & 0o777 == 0o600


async def test_a_crash_that_lost_the_newest_index_writes_is_caught_at_restart(tmp_path):
    """The index is not fsynced (the journal is): a power cut can roll it back to an earlier
    commit. The next open indexes every journal entry after the index's `through_seq`."""
    async with Harness(tmp_path / "db") as h:
        headers = h.sign(UNLINK)
        assert await h.post(UNLINK, headers) == 200
    db = sqlite3.connect(tmp_path / "db" / NONCES_NAME)
    with db:
        db.execute("DELETE FROM nonces")
        db.execute("UPDATE meta SET value = 0 WHERE name = 'through_seq'")
    db.close()
    async with Harness(tmp_path / "db") as h:
        before = h.badges()
        assert await h.post(UNLINK, headers) == 200
        assert h.badges() == before
        assert h.store.replay_count("ev000001") == 1


async def test_a_failing_index_write_still_refuses_the_replay(tmp_path):
    """Disk full for the index: the callback is durable in the journal, so it is acknowledged;
    its nonces are held in memory, so a replay in this process is still not applied."""
    async with Harness(tmp_path / "db") as h:
        h.store.nonces._db.close()  # every index write now fails
        headers = h.sign(UNLINK)
        assert await h.post(UNLINK, headers) == 200
        before = h.badges()
        assert await h.post(UNLINK, _only(headers, H_V2, H_V2_NONCE)) == 200
        assert h.badges() == before
        assert h.store.replay_count("ev000001") == 1
    async with Harness(tmp_path / "db") as h:  # and the next open indexes it from the journal
        assert await h.post(UNLINK, headers) == 200
        assert h.store.replay_count("ev000001") == 2


def test_malformed_base64_items_do_not_match():
    headers = signature_headers("POST", URL, BRAND, TOKEN)
    short = base64.b64encode(b"\0" * 31).decode()
    assert not verify("POST", URL, {**headers, H_V2: short}, BRAND, TOKEN).verified
