"""The control API under /_sandbox/: Basic auth, arm / list / remove faults, scenarios, logs."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from sandbox.faults.catalogue import CATALOGUE
from sandbox.server import Sandbox


def basic(login: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Control:
    def __init__(self, sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
        self.base = sandbox.base_url + "/_sandbox/"
        self.http = http
        self.headers = basic(sandbox.auth_id, sandbox.auth_token)

    async def __call__(self, method: str, path: str, body: Any = None, **kw: Any):
        kw.setdefault("headers", self.headers)
        if body is not None:
            kw["json"] = body
        async with self.http.request(method, self.base + path, **kw) as resp:
            return resp.status, await resp.json()


@pytest.fixture
async def control(sandbox):
    async with aiohttp.ClientSession() as http:
        yield Control(sandbox, http)


async def test_the_control_api_needs_the_sandbox_credentials(control, sandbox):
    status, body = await control("GET", "faults", headers={})
    assert status == 401 and "no Authorization header" in body["error"]
    status, body = await control("POST", "faults", {"name": "drop-callback"},
                                 headers=basic(sandbox.auth_id, "nope"))  # fmt: skip
    assert status == 401 and "wrong auth_id or auth_token" in body["error"]
    assert sandbox.faults.armed == []


async def test_arm_list_and_remove_faults(control, sandbox):
    status, body = await control("POST", "faults", {"name": "drop-callback", "kind": "brand"})
    assert status == 201
    assert body["armed"] == [
        {"fault": "f1", "name": "drop-callback", "count": 1, "kind": "brand", "matched": 0,
         "fired": 0, "state": "armed"}
    ]  # fmt: skip
    status, body = await control(
        "POST", "faults", [{"name": "rate-limit", "count": "always"}, {"name": "slow-answer"}]
    )
    assert status == 201 and [a["fault"] for a in body["armed"]] == ["f2", "f3"]
    status, body = await control("POST", "faults/", {"faults": [{"name": "stuck-processing"}]})
    assert status == 201 and body["armed"][0]["fault"] == "f4"

    status, listing = await control("GET", "faults")
    assert status == 200 and listing["seed"] == 0
    assert [(f["fault"], f["name"]) for f in listing["faults"]] == [
        ("f1", "drop-callback"), ("f2", "rate-limit"), ("f3", "slow-answer"),
        ("f4", "stuck-processing"),
    ]  # fmt: skip
    assert listing["faults"][2]["seconds"] == 3.0  # defaults are listed

    assert await control("DELETE", "faults/f2") == (200, {"removed": 1})
    status, body = await control("DELETE", "faults/f2")
    assert status == 404 and "no fault 'f2' is armed (armed: f1, f3, f4)" in body["error"]
    assert await control("DELETE", "faults") == (200, {"removed": 3})
    assert (await control("GET", "faults"))[1]["faults"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "drop-the-ball"}, "unknown fault 'drop-the-ball'; known faults: drop-callback"),
        ({"kind": "brand"}, "needs a `name`"),
        ({"name": "drop-callback", "knd": "brand"}, "unknown key 'knd'; drop-callback takes"),
        ({"name": "api-error", "status": 404}, "status must be one of 500, 502, 503, 504"),
        ({"name": "slow-answer", "seconds": "3"}, "seconds must be a number of seconds"),
        ({"name": "rate-limit", "count": 0}, 'count must be 1 or more, or "always"'),
        ({"name": "rate-limit", "probability": 2}, "probability must be a number above 0"),
        ({"name": "drop-callback", "method": "GET"}, "unknown key 'method'"),
        ([{"name": "drop-callback"}, {"name": "nope"}], "faults[1]: unknown fault 'nope'"),
        ("drop-callback", "must be a table/object with a `name`"),
    ],
)
async def test_bad_faults_are_refused_whole_with_the_reason(control, sandbox, body, message):
    status, answer = await control("POST", "faults", body)
    assert status == 400 and message in answer["error"]
    assert sandbox.faults.armed == []  # nothing of a refused body is armed


async def test_a_body_that_is_not_json_is_refused(control, sandbox):
    status, answer = await control("POST", "faults", data=b"{nope", headers={
        **control.headers, "Content-Type": "application/json"})  # fmt: skip
    assert status == 400 and answer["error"] == "the body is not valid JSON"


async def test_a_scenario_reseeds_and_arms(control, sandbox):
    scenario = {"description": "x", "seed": 99, "faults": [{"name": "fail-link", "id": "*0101"}]}
    status, body = await control("POST", "scenario", scenario)
    assert status == 201 and body["seed"] == 99 and body["armed"][0]["name"] == "fail-link"
    listed = (await control("GET", "faults"))[1]["faults"]
    assert [(f["fault"], f["id"]) for f in listed] == [("f1", "*0101")]  # fault id vs id filter
    status, body = await control("POST", "scenario", {"seed": 1, "fault": []})
    assert (
        status == 400
        and "unknown key 'fault'; a scenario has description, seed, faults" in (body["error"])
    )


async def test_catalogue_and_deliveries(control, sandbox, receiver, make_brand):
    status, catalogue = await control("GET", "catalogue")
    assert status == 200 and set(catalogue) == set(CATALOGUE)
    assert catalogue["rate-limit"]["params"] == {"retry_after": 5}
    assert catalogue["drop-callback"]["filters"] == ["kind", "status", "id"]

    await control("POST", "faults", {"name": "drop-callback", "status": "registered"})
    brand_id = await make_brand(url=receiver.url)
    status, body = await control("GET", "deliveries")
    got = [(d["kind"], d["event_status"], d["status"], d["fault"]) for d in body["deliveries"]]
    assert got == [("brand", "created", 200, ""), ("brand", "registered", None, "f1 drop-callback")]
    assert body["deliveries"][0]["params"]["brand_id"] == brand_id
    status, listing = await control("GET", "faults")
    assert listing["fired"] == [
        {"fault": "f1", "name": "drop-callback", "at": listing["fired"][0]["at"],
         "target": f"brand {brand_id} registered callback"}
    ]  # fmt: skip
    assert listing["faults"][0]["state"] == "spent"


async def test_removing_a_stuck_fault_over_http_releases_the_request(
    control, sandbox, receiver, make_brand
):
    await control("POST", "faults", {"name": "stuck-processing", "kind": "brand"})
    brand_id = await make_brand(url=receiver.url)
    assert sandbox.world.brands[brand_id].registration_status == "PROCESSING"
    assert await control("DELETE", "faults/f1") == (200, {"removed": 1})
    await sandbox.idle()
    assert sandbox.world.brands[brand_id].registration_status == "COMPLETED"
