"""`--serve-api`: the store over HTTP, bearer tokens, a resumable stream, and --attach."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, RequestRecord, ResourceType, sequential_ids
from receiver.http.api import PREFIX, ApiConfigError, ApiTokens, StoreApi
from receiver.http.server import Receiver, make_app
from receiver.signature import signature_headers
from receiver.store.store import Store
from tendlc.attach import run_events_attached, run_status_attached

TOKEN = "SubAcctToken_0123456789abcdef"
WRITE = "write-token-0123456789abcdef"
READ = "read-token-0123456789abcdef0"
NOW = 1_700_000_000.0


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Server:
    def __init__(self, path):
        self.path = path

    async def __aenter__(self):
        self.store = Store.open(self.path, clock=lambda: NOW)
        config = ReceiverConfig(auth_token=TOKEN)
        self.receiver = Receiver(self.store, config, clock=lambda: NOW, ids=sequential_ids())
        self.api = StoreApi(self.store, ApiTokens(WRITE, READ))
        self.receiver.extra_routes = self.api.routes()
        self.client = TestClient(TestServer(make_app(self.receiver), host="127.0.0.1"))
        await self.client.start_server()
        return self

    async def __aexit__(self, *exc):
        await self.client.close()
        await self.store.close()

    @property
    def base(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    async def callback(self, brand: str, status: str = "registered") -> None:
        payload = {"brand_id": brand, "event": "brand", "status": status}
        url = self.receiver.config.callback_url
        headers = signature_headers("POST", url, payload, TOKEN)
        resp = await self.client.post("/tendlc_status/", data=payload, headers=headers)
        assert resp.status == 200


class Stream:
    """An SSE reader: `events()` yields (id, event, data) until told to stop."""

    def __init__(self, response):
        self.response = response

    async def next(self):
        fields: dict[str, str] = {}
        async with asyncio.timeout(10):
            while True:
                line = (await self.response.content.readline()).decode()
                assert line, "stream closed"
                line = line.rstrip("\n")
                if not line:
                    if fields:
                        data = json.loads(fields.get("data", "null"))
                        return fields.get("id"), fields.get("event"), data
                    continue
                if line.startswith(":"):
                    continue
                key, _, value = line.partition(": ")
                fields[key] = value

    async def until_ready(self):
        got = []
        while True:
            item = await self.next()
            if item[1] == "ready":
                return got, item[2]
            got.append(item)


@pytest.mark.parametrize(
    "path", ["/registry", "/journal", "/stream", "/info", "/resource/brand/B1"]
)
async def test_a_missing_or_wrong_token_gets_401_and_nothing(tmp_path, path):
    async with Server(tmp_path / "db") as s:
        await s.callback("B1")
        for headers in ({}, auth("wrong-token-0123456789abcdef"), {"Authorization": WRITE}):
            resp = await s.client.get(PREFIX + path, headers=headers)
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
            assert "B1" not in await resp.text()


async def test_a_read_token_reads_but_cannot_record(tmp_path):
    async with Server(tmp_path / "db") as s:
        assert (await s.client.get(PREFIX + "/registry", headers=auth(READ))).status == 200
        body = {"record": RequestRecord("rq1", NOW, "brand.create", {}, True).to_dict()}
        resp = await s.client.post(PREFIX + "/requests", json=body, headers=auth(READ))
        assert resp.status == 403
        assert list(s.store.journal()) == []


async def test_registry_and_journal_pages(tmp_path):
    async with Server(tmp_path / "db") as s:
        for i in range(3):
            await s.callback(f"B{i}")
        reg = await (await s.client.get(PREFIX + "/registry", headers=auth(READ))).json()
        assert reg["seq"] == 3 and [r["id"] for r in reg["resources"]] == ["B0", "B1", "B2"]
        page = await (
            await s.client.get(PREFIX + "/journal?after=1&limit=1", headers=auth(READ))
        ).json()
        assert [e["brand_id"] for e in page["entries"]] == ["B1"] and page["more"]
        bad = await s.client.get(PREFIX + "/journal?after=-1", headers=auth(READ))
        assert bad.status == 400


async def test_the_stream_resumes_with_nothing_missed_or_repeated(tmp_path):
    async with Server(tmp_path / "db") as s:
        await s.callback("B1")
        resp = await s.client.get(PREFIX + "/stream", headers=auth(READ))
        stream = Stream(resp)
        caught, ready = await stream.until_ready()
        assert [(i, e, d["entry"]["brand_id"]) for i, e, d in caught] == [("1", "change", "B1")]
        assert ready["seq"] == 1
        await s.callback("B2")
        ident, event, data = await stream.next()
        assert (ident, event, data["entry"]["brand_id"]) == ("2", "change", "B2")
        assert [r["id"] for r in data["resources"]] == ["B2"]
        resp.close()  # the connection drops
        await s.callback("B3")
        await s.callback("B4", "rejected")
        again = await s.client.get(
            PREFIX + "/stream", headers={**auth(READ), "Last-Event-ID": ident}
        )
        resumed, ready = await Stream(again).until_ready()
        assert [(i, d["entry"]["brand_id"]) for i, _, d in resumed] == [("3", "B3"), ("4", "B4")]
        assert resumed[1][2]["resources"][0]["badge"] == "rejected"
        assert ready["seq"] == 4
        again.close()


async def test_two_attached_streams_see_the_same_change(tmp_path):
    async with Server(tmp_path / "db") as s:
        one = Stream(await s.client.get(PREFIX + "/stream", headers=auth(READ)))
        two = Stream(await s.client.get(PREFIX + "/stream", headers=auth(WRITE)))
        await one.until_ready()
        await two.until_ready()
        await s.callback("B9")
        a, b = await one.next(), await two.next()
        assert a == b and a[2]["entry"]["brand_id"] == "B9"


async def test_a_recorded_request_lands_in_the_store_and_the_stream(tmp_path):
    async with Server(tmp_path / "db") as s:
        stream = Stream(await s.client.get(PREFIX + "/stream", headers=auth(READ)))
        await stream.until_ready()
        record = RequestRecord(
            "rq1", NOW, "brand.create", {"brand_alias": "x"}, True, brand_id="B7"
        )
        body = {"record": record.to_dict(), "callback_url": "https://example.test/cb"}
        resp = await s.client.post(PREFIX + "/requests", json=body, headers=auth(WRITE))
        assert resp.status == 201 and (await resp.json())["seq"] == 1
        _, _, data = await stream.next()
        assert data["entry"]["type"] == "request" and data["entry"]["id"] == "rq1"
        assert [r.id for r in s.store.journal()] == ["rq1"]
        for junk in (b"{", b"[]", b'{"record": {"id": 1}}'):
            bad = await s.client.post(PREFIX + "/requests", data=junk, headers=auth(WRITE))
            assert bad.status == 400


async def test_status_and_events_attach(tmp_path, monkeypatch):
    monkeypatch.setenv("TENDLC_API_READ_TOKEN", READ)
    monkeypatch.delenv("TENDLC_API_TOKEN", raising=False)
    async with Server(tmp_path / "db") as s:
        await s.callback("B1")
        await s.callback("B2", "rejected")
        out = io.StringIO()
        assert await asyncio.to_thread(run_status_attached, s.base, True, out) == 0
        assert [(r["id"], r["badge"]) for r in json.loads(out.getvalue())] == [
            ("B1", "registered"),
            ("B2", "rejected"),
        ]
        out = io.StringIO()
        assert await asyncio.to_thread(run_events_attached, s.base, "jsonl", out) == 0
        assert [json.loads(x)["brand_id"] for x in out.getvalue().splitlines()] == ["B1", "B2"]
        monkeypatch.setenv("TENDLC_API_READ_TOKEN", "wrong-token-0123456789abcdef")
        err = io.StringIO()
        assert await asyncio.to_thread(run_status_attached, s.base, True, io.StringIO(), err) == 1
        assert "refused the API token (401)" in err.getvalue()


async def test_info_resource_and_observations(tmp_path):
    async with Server(tmp_path / "db") as s:
        await s.callback("B1")
        info = await (await s.client.get(PREFIX + "/info", headers=auth(READ))).json()
        assert info == {"callback_url": "", "seq": 1, "scope": "read"}
        got = await s.client.get(PREFIX + "/resource/brand/B1", headers=auth(READ))
        assert (await got.json())["badge"] == "registered"
        missing = await s.client.get(PREFIX + "/resource/brand/NOPE", headers=auth(READ))
        assert missing.status == 404
        body = {"observations": [{"type": "brand", "id": "B2", "api_status": "FAILED"}]}
        refused = await s.client.post(PREFIX + "/observations", json=body, headers=auth(READ))
        assert refused.status == 403 and s.store.registry.get(ResourceType.BRAND, "B2") is None
        done = await s.client.post(PREFIX + "/observations", json=body, headers=auth(WRITE))
        assert done.status == 200 and (await done.json())["changed"] == 1
        assert s.store.registry.get(ResourceType.BRAND, "B2").badge is Badge.REJECTED
        bad = await s.client.post(
            PREFIX + "/observations", json={"observations": [{"id": 1}]}, headers=auth(WRITE)
        )
        assert bad.status == 400


def test_the_api_refuses_to_start_without_a_token():
    for env in ({}, {"TENDLC_API_TOKEN": "short"}):
        with pytest.raises(ApiConfigError, match="TENDLC_API_TOKEN"):
            ApiTokens.from_env(env)
    with pytest.raises(ApiConfigError):
        ApiTokens.from_env({"TENDLC_API_TOKEN": WRITE, "TENDLC_API_READ_TOKEN": WRITE})
    tokens = ApiTokens.from_env({"TENDLC_API_TOKEN": WRITE})
    assert tokens.scope(f"Bearer {WRITE}") == "write" and tokens.scope(f"Bearer {READ}") is None


def test_tendlc_receive_serve_api_without_a_token_exits_2(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PLIVO_AUTH_TOKEN": TOKEN}
    cmd = [sys.executable, "-m", "tendlc", "receive", "--serve-api", "--db", str(tmp_path / "db")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "TENDLC_API_TOKEN" in done.stderr
