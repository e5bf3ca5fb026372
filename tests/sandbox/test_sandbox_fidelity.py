"""The fidelity decisions of issue 12 (README "Sandbox fidelity"), one test per gap, via the SDK."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import plivo
import pytest
from plivo.exceptions import ValidationError

from sandbox.server import Sandbox
from sandbox.world import Profile

to_thread = asyncio.to_thread


async def raw(sandbox: Sandbox, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request as curl would send it (the SDK would refuse some of these client-side)."""
    url = f"{sandbox.base_url}/v1/Account/{sandbox.auth_id}/{path}"
    token = base64.b64encode(f"{sandbox.auth_id}:{sandbox.auth_token}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as http,
        http.request(method, url, json=body) as resp,
    ):
        return resp.status, await resp.json()


async def test_gap1_mno_metadata_in_every_campaign_state(
    client: plivo.RestClient, sandbox: Sandbox, make_brand, make_campaign, campaign_fields, gate
) -> None:
    brand_id = await make_brand(secondary_vetting=True)
    failed = await make_campaign(brand_id, description="Please reject: prohibited content in here.")
    gate.hold()
    await to_thread(client.campaign.create, brand_id=brand_id, **campaign_fields)
    listed = await to_thread(client.campaign.list, brand_id=brand_id)
    states = {c.registration_status: c.mno_metadata for c in listed.campaigns}
    assert set(states) == {"FAILED", "PROCESSING"}
    for terms in states.values():  # a vetted STANDARD brand: TOP, 4500 TPM
        assert set(vars(terms)) == {"AT&T", "T-Mobile", "US Cellular", "Verizon Wireless"}
        assert terms["T-Mobile"].brand_tier == "TOP" and terms["Verizon Wireless"].tpm == 4500
    gate.release()
    campaign = (await to_thread(client.campaign.get, failed)).campaign
    assert campaign.error_description and campaign.error_code == "1001"


async def test_gap2_update_answers_as_found_and_a_second_update_is_accepted(
    client: plivo.RestClient, sandbox: Sandbox, make_campaign, gate
) -> None:
    failed = await make_campaign(description="Please reject: prohibited content in here.")
    gate.hold()
    first = await to_thread(
        client.campaign.update, failed, description="Appointment reminders, nothing else at all."
    )
    assert first.campaign.registration_status == "FAILED"
    assert first.campaign.mno_metadata["T-Mobile"].brand_tier == "LOW"
    assert (await to_thread(client.campaign.get, failed)).campaign.registration_status == (
        "PROCESSING"
    )
    again = await to_thread(
        client.campaign.update, failed, sample1="Your cleaning is on May 3. Reply STOP to opt out."
    )  # allowed while PROCESSING, as the docs say
    assert again.campaign.registration_status == "PROCESSING"
    gate.release()
    await sandbox.idle()
    assert (await to_thread(client.campaign.get, failed)).campaign.registration_status == "ACTIVE"


async def test_gap3_seniority_as_plivo_documents_and_records(
    client: plivo.RestClient, sandbox: Sandbox
) -> None:
    contact = {
        "first_name": "John", "last_name": "Doe", "email": "john@example.com", "title": "Doe",
        "seniority": "admin", "phone": "+12125557777",
    }  # fmt: skip
    address = {"street": "123", "city": "New York", "state": "NY", "postal_code": "10001",
               "country": "US"}  # fmt: skip
    for seniority in ("admin", "Admin", "C_LEVEL", "CEO"):
        created = await to_thread(
            client.profile.create, f"p-{seniority}", "DIRECT", "PRIVATE", "ABC Inc.", "ENERGY",
            address=address, authorized_contact={**contact, "seniority": seniority},
        )  # fmt: skip
        got = (await to_thread(client.profile.get, created.profile_uuid)).profile
        assert got.authorized_contact.seniority == seniority  # kept as sent, as recorded
        assert got.authorized_contact.name == "John Doe"


async def test_gap4_starter_brand_otp(client: plivo.RestClient, sandbox: Sandbox) -> None:
    bakery = list(sandbox.world.profiles)[2]
    status, body = await raw(
        sandbox, "POST", "10dlc/Brand/",
        {"brand_alias": "bakery", "profile_uuid": bakery, "brand_type": "STARTER",
         "mobile_phone": "+18025550177"},
    )  # fmt: skip
    assert status == 200
    brand_id = body["brand_id"]
    await sandbox.idle()  # STARTER brands settle without an OTP step in the sandbox
    assert (await to_thread(client.brand.get, brand_id)).brand.registration_status == "COMPLETED"
    status, body = await raw(sandbox, "POST", f"10dlc/Brand/{brand_id}/OTP/")
    assert status == 200 and body["brand_id"] == brand_id
    assert body["message"] == "Message sent to XXXXXXX0177, reply YES to confirm registration."
    standard = await to_thread(
        client.brand.create, "harbor", "STANDARD", sandbox.world.primary.profile_uuid
    )
    status, body = await raw(sandbox, "POST", f"10dlc/Brand/{standard.brand_id}/OTP")
    assert status == 400 and "OTP is for STARTER brands" in body["error"]


async def test_gap5_import_takes_the_docs_example_id(
    client: plivo.RestClient, sandbox: Sandbox
) -> None:
    imported = await to_thread(client.campaign.import_campaign, "C1234567", "from TCR")
    assert imported.campaign_id == "C1234567"
    await sandbox.idle()
    shared = (await to_thread(client.campaign.get, "C1234567")).campaign
    assert shared.campaign_source == "shared" and shared.mno_metadata["T-Mobile"].brand_tier
    with pytest.raises(ValidationError, match="letters and digits"):
        await to_thread(client.campaign.import_campaign, "C-1234", "bad")


async def test_gap6_what_sdk_tests_send_is_accepted(
    client: plivo.RestClient, sandbox: Sandbox, make_campaign
) -> None:
    profiles = list(sandbox.world.profiles)
    # lower-case brand_type (plivo-node's own test), secondary_vetting absent (default true)
    status, body = await raw(
        sandbox, "POST", "10dlc/Brand/",
        {"brand_alias": "starter", "profile_uuid": profiles[2], "brand_type": "starter"},
    )  # fmt: skip
    assert status == 200
    assert sandbox.world.brands[body["brand_id"]].brand_type == "STARTER"
    status, body = await raw(
        sandbox, "POST", "10dlc/Brand/",
        {"brand_alias": "vetted", "profile_uuid": profiles[0], "brand_type": "STANDARD"},
    )  # fmt: skip
    await sandbox.idle()
    assert sandbox.world.brands[body["brand_id"]].vetting_status == "ACTIVE"
    # plivo-node sends sample3..5 as sample_3..sample_5: ignored on update as on create
    failed = await make_campaign(
        body["brand_id"], description="Please reject: prohibited content in here."
    )
    status, answer = await raw(
        sandbox, "POST", f"10dlc/Campaign/{failed}/",
        {"sample1": "A new sample message that is long enough.", "sample_3": ""},
    )  # fmt: skip
    assert status == 200 and answer["campaign"]["sample1"].startswith("A new sample")
    status, answer = await raw(sandbox, "POST", f"10dlc/Campaign/{failed}/", {"usecase": "2FA"})
    assert status == 400 and answer["error"] == "usecase cannot be updated on a campaign"
    # the documented maximum page is 20; the SDK's numbers.list refuses more client-side too
    with pytest.raises(ValidationError, match="limit must be between 1 and 20"):
        await to_thread(client.brand.list, limit=21)


async def test_gap7_use_case_catalogue_is_plivos(
    client: plivo.RestClient, sandbox: Sandbox, make_brand
) -> None:
    cases = (await to_thread(client.brand.get_usecases, await make_brand())).use_cases
    names = {c.code: c.name for c in cases}
    assert names["2FA"] == "Two-Factor Authentication" and names["LOW_VOLUME"] == "Low Volume"
    assert names["POLLING_VOTING"] == "Polling Voting" and len(cases) == 12


async def test_gap8_vocabularies_and_blank_objects(
    client: plivo.RestClient, sandbox: Sandbox
) -> None:
    profile = (await to_thread(client.profile.list)).profiles[1]
    created = await to_thread(
        client.profile.create, "tcr-words", "DIRECT", "PRIVATE_PROFIT", "ABC Inc.", "ENERGY",
        address=dict(vars(profile.address)),
        authorized_contact={k: v for k, v in vars(profile.authorized_contact).items()
                            if k != "name"},
    )  # fmt: skip
    got = (await to_thread(client.profile.get, created.profile_uuid)).profile
    assert got.entity_type == "PRIVATE_PROFIT"
    bare = Profile("u", "SECONDARY", 0.0, text={"profile_alias": "bare"}).to_json()
    assert bare["address"] == dict.fromkeys(
        ("street", "city", "state", "postal_code", "country"), ""
    )
    assert bare["authorized_contact"] == {}


async def test_gap9_numbers_inventory(client: plivo.RestClient, sandbox: Sandbox) -> None:
    numbers = await to_thread(client.numbers.list)
    assert numbers.meta.total_count == len(sandbox.world.inventory) == 26
    assert numbers.meta.limit == 20 and numbers.meta.next.endswith("limit=20&offset=20")
    first = list(numbers)[0]
    assert (first.number, first.number_type, first.region) == (
        "17205550140", "local", "Colorado, UNITED STATES",
    )  # fmt: skip
    assert first.tendlc_registration_status == "UNREGISTERED" and first.tendlc_campaign_id is None
    sf = await to_thread(client.numbers.list, number_startswith="1415", type="local", limit=5)
    assert [n.number for n in sf][:2] == ["14155550100", "14155550101"]
    assert sf.meta.total_count == 7
    tollfree = await to_thread(client.numbers.list, type="tollfree")
    assert [(n.number, n.tendlc_registration_status) for n in tollfree] == [("18335550100", None)]
    no_mms = await to_thread(client.numbers.list, services=["voice", "mms"], number_startswith="1")
    assert "14155550199" not in {n.number for n in no_mms}
    with pytest.raises(plivo.exceptions.ResourceNotFoundError):
        await to_thread(client.numbers.get, "14155550123")


async def test_gap9_link_only_owned_long_codes(
    client: plivo.RestClient, sandbox: Sandbox, make_campaign, gate
) -> None:
    campaign_id = await make_campaign()
    with pytest.raises(
        ValidationError, match="^The number 14155550123 does not belong to your account$"
    ):
        await to_thread(client.campaign.number_link, campaign_id, numbers=["+14155550123"])
    with pytest.raises(ValidationError, match="tollfree number; only local"):
        await to_thread(client.campaign.number_link, campaign_id, numbers=["18335550100"])
    assert sandbox.world.numbers == {}  # nothing of a refused request was kept
    gate.hold()
    await to_thread(client.campaign.number_link, campaign_id, numbers=["+14155550101"])
    pending = await to_thread(client.numbers.get, "14155550101")
    assert (pending.tendlc_campaign_id, pending.tendlc_registration_status) == (
        campaign_id, "PROCESSING",
    )  # fmt: skip
    gate.release()
    await sandbox.idle()
    linked = await to_thread(client.numbers.list, tendlc_campaign_id=campaign_id)
    assert [(n.number, n.tendlc_registration_status) for n in linked] == [
        ("14155550101", "COMPLETED")
    ]
    await to_thread(client.campaign.number_unlink, campaign_id, "14155550101")
    await sandbox.idle()
    after = await to_thread(client.numbers.get, "14155550101")
    assert (after.tendlc_campaign_id, after.tendlc_registration_status) == (None, "UNREGISTERED")


async def test_gap9_preregistered_account_has_linked_numbers(gate) -> None:
    sandbox = Sandbox(seed=3, delay=0, auth_id="MA" + "P" * 18, auth_token="t", preregistered=True)
    await sandbox.start()
    try:
        client = plivo.RestClient(sandbox.auth_id, sandbox.auth_token)
        from sandbox.transport import point_client_at

        point_client_at(client, sandbox.base_url)
        linked = await to_thread(client.numbers.list, tendlc_registration_status="COMPLETED")
        assert {(n.number, n.tendlc_campaign_id) for n in linked} == {
            ("17205550140", "CSR4K9D"), ("17205550141", "CSR4K9D"),
        }  # fmt: skip
        listing = await to_thread(client.campaign.get_numbers, "CSR4K9D")
        assert {n.number for n in listing.phone_numbers} == {"17205550140", "17205550141"}
        brand = (await to_thread(client.brand.get, "BSR7H2Q")).brand
        assert brand.registration_status == "COMPLETED" and brand.entity_type == "PRIVATE_PROFIT"
    finally:
        await sandbox.stop()
