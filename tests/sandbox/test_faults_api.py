"""API faults: 5xx (applied or not), 429 with Retry-After, slow answers, timeouts; filters."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import plivo
import pytest
import requests
from plivo import exceptions as px

from sandbox.faults.catalogue import parse_flag
from sandbox.server import Sandbox
from sandbox.transport import point_client_at

from .conftest import call


def arm(sandbox: Sandbox, *flags: str) -> None:
    sandbox.faults.arm([parse_flag(f) for f in flags])


def basic(login: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def test_a_5xx_not_applied_changes_nothing(sandbox, client, receiver):
    arm(sandbox, "api-error:status=503,method=POST,path=10dlc/Brand")
    profile = sandbox.world.primary.profile_uuid
    listed = await call(client.brand.list)  # a GET is not matched
    assert listed.meta.total_count == 0
    with pytest.raises(px.PlivoRestError, match="503"):
        await call(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    await sandbox.idle()
    assert sandbox.world.brands == {} and receiver.received == []
    created = await call(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    assert created.brand_id  # count=1: the next one goes through


async def test_a_5xx_applied_loses_the_answer_but_not_the_change(sandbox, client, receiver):
    arm(sandbox, "api-error:applied=true,path=10dlc/Brand")
    profile = sandbox.world.primary.profile_uuid
    with pytest.raises(px.PlivoServerError, match="sandbox fault f1"):
        await call(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    await sandbox.idle()
    (brand,) = sandbox.world.brands.values()
    assert brand.registration_status == "COMPLETED"
    assert [r.params["status"] for r in receiver.received] == ["created", "registered"]
    with pytest.raises(px.ValidationError, match="one brand per profile"):  # retrying is refused
        await call(client.brand.create, "harbor", "STANDARD", profile)


async def test_a_refused_request_keeps_its_own_error(sandbox, client):
    arm(sandbox, "api-error:applied=true")
    with pytest.raises(px.ResourceNotFoundError):
        await call(client.brand.get, "BNOPE00")


async def test_rate_limit_answers_429_with_retry_after(sandbox, client):
    arm(sandbox, "rate-limit:retry_after=7,count=2")
    url = f"{sandbox.base_url}/v1/Account/{sandbox.auth_id}/10dlc/Brand/"
    headers = basic(sandbox.auth_id, sandbox.auth_token)
    async with aiohttp.ClientSession(headers=headers) as http, http.get(url) as resp:
        assert resp.status == 429 and resp.headers["Retry-After"] == "7"
        body = await resp.json()
    assert set(body) == {"api_id", "error"} and "retry after 7 seconds" in body["error"]
    with pytest.raises(px.PlivoRestError, match="status code 429"):
        await call(client.brand.list)
    assert (await call(client.brand.list)).meta.total_count == 0
    assert [f.name for f in sandbox.faults.firings] == ["rate-limit", "rate-limit"]


async def test_faults_never_fire_before_auth_nor_outside_the_api(sandbox):
    arm(sandbox, "rate-limit:count=always")
    url = f"{sandbox.base_url}/v1/Account/{sandbox.auth_id}/10dlc/Brand/"
    wrong = basic(sandbox.auth_id, "wrong")
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=wrong) as resp:
            assert resp.status == 401
        async with http.get(sandbox.base_url + "/healthz") as resp:
            assert resp.status == 200
    assert sandbox.faults.firings == []


async def test_slow_answers_wait_on_the_injected_clock(sandbox, client, gate):
    arm(sandbox, "slow-answer:seconds=4,path=Profile")
    listed = await call(client.profile.list)
    assert listed.meta.total_count == 3 and gate.requested == [4.0]


@pytest.mark.parametrize("applied", [False, True])
async def test_a_timeout_never_answers(sandbox, applied):
    arm(sandbox, f"timeout:seconds=60,applied={str(applied).lower()},path=10dlc/Brand")
    client = plivo.RestClient(sandbox.auth_id, sandbox.auth_token, timeout=0.3)
    point_client_at(client, sandbox.base_url)
    profile = sandbox.world.primary.profile_uuid
    with pytest.raises(requests.Timeout):
        await call(client.brand.create, "harbor", "STANDARD", profile)
    async with asyncio.timeout(30):  # the held handler may lag the client on a busy machine
        while not sandbox.faults.firings or (applied and not sandbox.world.brands):
            await asyncio.sleep(0.01)
    await sandbox.idle()
    assert len(sandbox.world.brands) == (1 if applied else 0)
    assert (await call(client.brand.list)).meta.total_count == len(sandbox.world.brands)


async def test_skip_and_count_choose_which_calls_fail(sandbox, client):
    arm(sandbox, "api-error:skip=1,count=2,method=GET")
    outcomes = []
    for _ in range(5):
        try:
            await call(client.profile.list)
            outcomes.append("ok")
        except px.PlivoServerError:
            outcomes.append("500")
    assert outcomes == ["ok", "500", "500", "ok", "ok"]
    (armed,) = sandbox.faults.armed
    assert (armed.matched, armed.fired, armed.spent) == (3, 2, True)
