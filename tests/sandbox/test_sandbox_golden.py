"""Golden tests: the sandbox answers with every key path of Plivo's recorded responses.

`golden/*.paths.json` are tables derived from the response fixtures in Plivo's SDK repositories
(plivo-python `tests/resources/fixtures/`, plivo-go `fixtures/`, two bodies from plivo-node's
`lib/rest/request-test.js`); each names its repository, path and commit. A table holds only the
fixture's key paths (`brand.address.city`, `objects[].alias`: `[]` is any array element) and
the JSON types seen there (`null|string` when elements differ), plus the error wording when the
fixture is an error body. The fixtures themselves are not in this repository.

Each table has a scenario below that drives the sandbox through the real plivo SDK into the
state the recording shows and makes the same call. The answer, as it came over the wire, must
have every path of the table, with only types the recording shows there. Extra paths are fine.

Fixtures left out, and why:
- plivo-go `numberListResponse.json` / `numberGetResponse.json`: test data that gives local
  numbers toll-free verification ids and a subaccount; the sandbox follows plivo-python's
  recording (null for a local number's toll-free fields, no subaccounts).
- plivo-go `campaignNumberLinkUnlinkResponse.json` is the same error body as plivo-python's
  unlink fixture (kept, as `go_campaign_number_unlink_error`).
- plivo-node's other mocks are hand-typed (`first_nam`, carrier keys `AT_T`, camelCase
  `apiId`, a profile `address` given as one string, lists without `meta`), not recordings.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import plivo
import pytest

from sandbox.server import Sandbox

call = asyncio.to_thread

GOLDEN = Path(__file__).parent / "golden"
AUTH_ID = "MAZZYYXXWWVVUU123456"
TABLES = sorted(GOLDEN.glob("*.paths.json"))
JSON_TYPES = {"null", "boolean", "number", "string", "array", "object"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def paths_of(value: Any, prefix: str = "", out: dict[str, set[str]] | None = None):
    """Every key path in `value` with the JSON types seen there (`[]` for array elements)."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.setdefault(path, set()).add(json_type(item))
            paths_of(item, path, out)
    elif isinstance(value, list):
        path = prefix + "[]"
        for item in value:
            out.setdefault(path, set()).add(json_type(item))
            paths_of(item, path, out)
    return out


@pytest.fixture
async def sandbox(gate: Any) -> AsyncIterator[Sandbox]:
    """The account as `tendlc sandbox` starts it: a registered brand and campaign already."""
    sb = Sandbox(
        seed=7, delay=0, auth_id=AUTH_ID, auth_token="golden-token", retry_scale=0.001,
        sleep=gate.sleep, preregistered=True,
    )  # fmt: skip
    await sb.start()
    yield sb
    await sb.stop()


class Wire:
    """Keeps the body of every response the SDK receives (a `requests` response hook)."""

    def __init__(self, client: plivo.RestClient) -> None:
        self.bodies: list[Any] = []
        client.session.hooks["response"].append(self._keep)

    def _keep(self, response, *args, **kwargs):
        self.bodies.append(response.json())

    @property
    def last(self) -> Any:
        return self.bodies[-1]


class Account:
    """Steps the scenarios share: SDK calls off the loop, settling the sandbox in between."""

    def __init__(
        self, client: plivo.RestClient, sandbox: Sandbox, gate: Any, campaign: dict[str, Any]
    ) -> None:
        self.client, self.sandbox, self.gate, self.fields = client, sandbox, gate, campaign
        self.profiles = {
            p.text["profile_alias"]: uuid for uuid, p in sandbox.world.profiles.items()
        }

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await call(fn, *args, **kwargs)

    async def attempt(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """A call Plivo refuses: the SDK raises, the wire keeps the error body."""
        with pytest.raises(plivo.exceptions.PlivoRestError):
            await call(fn, *args, **kwargs)

    async def brand(self, profile: str = "harbor-dental-primary", kind: str = "STANDARD") -> str:
        created = await call(
            self.client.brand.create, profile, kind, self.profiles[profile],
            secondary_vetting=kind == "STANDARD",
        )  # fmt: skip
        await self.sandbox.idle()
        return created.brand_id

    async def campaign(self, brand_id: str | None = None, **kw: Any) -> str:
        brand_id = brand_id or await self.brand()
        fields = {**self.fields, **kw}
        created = await call(self.client.campaign.create, brand_id=brand_id, **fields)
        await self.sandbox.idle()
        return created.campaign_id

    async def profile(self, alias: str) -> str:
        created = await call(
            self.client.profile.create,
            alias, "RESELLER", "PUBLIC", f"{alias} Holdings Inc.", "TECHNOLOGY",
            alt_business_id="804735132", alt_business_id_type="DUNS", ein="271234567",
            ein_issuing_country="US", stock_symbol="TLCO", stock_exchange="NYSE",
            website="https://example.com", doing_business_as=f"{alias} DBA",
            address={"street": "1 Main St", "city": "Austin", "state": "TX",
                     "postal_code": "73301", "country": "US"},
            authorized_contact={"first_name": "Ana", "last_name": "Diaz", "email": "ana@example.com",
                                "title": "CEO", "seniority": "admin", "phone": "+15125550123"},
        )  # fmt: skip
        return created.profile_uuid


Scenario = Callable[[Account], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(*names: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        for name in names:
            SCENARIOS[name] = fn
        return fn

    return register


@scenario("profile_create")
async def _profile_create(a: Account) -> None:
    await a.profile("newco")


@scenario("profile_get")
async def _profile_get(a: Account) -> None:
    await a.call(a.client.profile.get, await a.profile("newco"))


@scenario("profile_list")
async def _profile_list(a: Account) -> None:
    for alias in ("one", "two", "three"):
        await a.profile(alias)
    await a.call(a.client.profile.list, limit=2, offset=4)


@scenario("profile_update")
async def _profile_update(a: Account) -> None:
    await a.call(a.client.profile.update, await a.profile("newco"), {"company_name": "Renamed"})


@scenario("profile_delete_error")
async def _profile_delete_missing(a: Account) -> None:
    await a.attempt(a.client.profile.delete, "201faedc-7df9-4840-9ab1-3997ce3f7cf4")


@scenario("brand_create")
async def _brand_create(a: Account) -> None:
    await a.brand()


@scenario("brand_get")
async def _brand_get(a: Account) -> None:
    await a.call(a.client.brand.get, await a.brand())


@scenario("brand_list")
async def _brand_list(a: Account) -> None:
    await a.brand()
    await a.brand("northwind-freight")
    await a.call(a.client.brand.list, limit=2, offset=0)


@scenario("brand_usecases")
async def _brand_usecases(a: Account) -> None:
    await a.call(a.client.brand.get_usecases, await a.brand())


@scenario("brand_usecases_starter")
async def _brand_usecases_starter(a: Account) -> None:
    await a.call(a.client.brand.get_usecases, await a.brand("lena-bakes", "STARTER"))


@scenario("brand_trigger_otp")
async def _brand_otp(a: Account) -> None:
    # plivo-python has no method for it (plivo-node's brand.trigger_otp): the SDK's own request
    brand_id = await a.brand("lena-bakes", "STARTER")
    await a.call(a.client.request, "POST", ("10dlc", "Brand", brand_id, "OTP"), {})


@scenario("brand_delete")
async def _brand_delete(a: Account) -> None:
    await a.call(a.client.brand.delete, await a.brand())


@scenario("campaign_create")
async def _campaign_create(a: Account) -> None:
    await a.campaign()


@scenario("campaign_import")
async def _campaign_import(a: Account) -> None:
    await a.call(a.client.campaign.import_campaign, "C1234567", "imported from TCR")


@scenario("campaign_get")
async def _campaign_get(a: Account) -> None:
    await a.call(a.client.campaign.get, await a.campaign())


@scenario("campaign_list")
async def _campaign_list(a: Account) -> None:
    brand_id = await a.brand()
    await a.campaign(brand_id)
    await a.campaign(brand_id, campaign_alias="second")
    await a.call(a.client.campaign.list, limit=2, offset=0)


@scenario("campaign_update")
async def _campaign_update(a: Account) -> None:
    failed = await a.campaign(description="Please reject this campaign: it is a sandbox test.")
    await a.call(
        a.client.campaign.update, failed,
        sample1="Updated: your appointment is confirmed. Reply STOP to opt out.",
        help_keywords="HELP,INFO",
    )  # fmt: skip


@scenario("campaign_delete")
async def _campaign_delete(a: Account) -> None:
    await a.call(a.client.campaign.delete, await a.campaign())


async def _linked(a: Account, settled: list[str], pending: list[str]) -> str:
    campaign_id = await a.campaign()
    if settled:
        await a.call(a.client.campaign.number_link, campaign_id, numbers=settled)
        await a.sandbox.idle()
    if pending:
        a.gate.hold()  # the next link stays PROCESSING until the gate opens
        await a.call(a.client.campaign.number_link, campaign_id, numbers=pending)
    return campaign_id


@scenario("campaign_numbers")
async def _campaign_numbers(a: Account) -> None:
    campaign_id = await _linked(a, ["14845007032"], ["14845007033"])
    await a.call(a.client.campaign.get_numbers, campaign_id)


@scenario("campaign_number_get")
async def _campaign_number_get(a: Account) -> None:
    campaign_id = await _linked(a, [], ["14845007032"])
    await a.call(a.client.campaign.get_number, campaign_id, "14845007032")


@scenario("campaign_number_get_error")
async def _campaign_number_get_error(a: Account) -> None:
    await a.attempt(a.client.campaign.get_number, await a.campaign(), "14845007040")


@scenario("campaign_number_link_error")
async def _campaign_number_link_again(a: Account) -> None:
    campaign_id = await _linked(a, ["14845007032"], [])
    await a.attempt(a.client.campaign.number_link, campaign_id, numbers=["14845007032"])


@scenario("campaign_number_unlink_error")
async def _campaign_number_unlink_bad(a: Account) -> None:
    await a.attempt(a.client.campaign.number_unlink, await a.campaign(), "123")


@scenario("number_list")
async def _number_list(a: Account) -> None:
    await a.call(a.client.numbers.list, limit=3)


@scenario("number_get")
async def _number_get(a: Account) -> None:
    await a.call(a.client.numbers.get, "18135550102")  # unlinked, no alias: as recorded


def _table(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _scenario_name(path: Path) -> str:
    return path.name.removesuffix(".paths.json").split("_", 1)[1]


def test_every_table_names_its_source_and_has_a_scenario() -> None:
    assert len(TABLES) >= 40
    for path in TABLES:
        table = _table(path)
        source = table["source"]
        assert source["repository"].startswith("plivo/plivo-"), path.name
        assert source["path"] and re.fullmatch(r"[0-9a-f]{40}", source["commit"]), path.name
        assert table["paths"] and all(
            set(types.split("|")) <= JSON_TYPES for types in table["paths"].values()
        ), path.name
        assert _scenario_name(path) in SCENARIOS, f"{path.name} has no scenario"


@pytest.mark.parametrize("path", TABLES, ids=[p.name.removesuffix(".paths.json") for p in TABLES])
async def test_the_sandbox_answers_with_every_recorded_path(
    path: Path,
    client: plivo.RestClient,
    sandbox: Sandbox,
    gate: Any,
    campaign_fields: dict[str, Any],
) -> None:
    table = _table(path)
    wire = Wire(client)
    account = Account(client, sandbox, gate, campaign_fields)
    try:
        await SCENARIOS[_scenario_name(path)](account)
        answer = wire.last
    finally:
        gate.release()
    got = paths_of(answer)
    missing = sorted(p for p in table["paths"] if p not in got)
    assert not missing, f"missing {missing} in {json.dumps(answer)[:2000]}"
    wrong = {
        p: (sorted(got[p]), types)
        for p, types in table["paths"].items()
        if not got[p] <= set(types.split("|"))
    }
    assert not wrong, f"types differ (sandbox, recorded): {wrong}"
    if "error" in table:
        pattern = re.escape(table["error"]).replace(re.escape("{number}"), r"\d+")
        assert re.fullmatch(pattern, answer["error"]), (answer["error"], table["error"])
    await asyncio.wait_for(sandbox.idle(), 10)
