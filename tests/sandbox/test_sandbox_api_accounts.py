"""Profiles, brands, auth, paging and raw-HTTP details of the sandbox, driven by the real plivo SDK."""

from __future__ import annotations

import asyncio

import aiohttp
import plivo
import pytest
from plivo.exceptions import AuthenticationError, ResourceNotFoundError, ValidationError

from sandbox.server import Sandbox
from sandbox.transport import point_client_at

to_thread = asyncio.to_thread

NEW_PROFILE = {
    "profile_alias": "copperline",
    "customer_type": "DIRECT",
    "entity_type": "PRIVATE",
    "company_name": "Copperline Plumbing Co.",
    "vertical": "CONSTRUCTION",
    "ein": "371112223",
    "ein_issuing_country": "US",
    "website": "https://copperline.example",
    "address": {
        "street": "12 Pipe Ln",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78701",
        "country": "US",
    },
    "authorized_contact": {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana@copperline.example",
        "title": "Owner",
        "seniority": "CEO",
        "phone": "+15125550100",
    },
}


async def test_seeded_profiles_are_listed_with_meta(client: plivo.RestClient) -> None:
    listed = await to_thread(client.profile.list)
    assert set(vars(listed.meta)) == {"limit", "offset", "next", "previous", "total_count"}
    assert (
        listed.meta.total_count == 3 and listed.meta.next is None and listed.meta.previous is None
    )
    kinds = [p.profile_type for p in listed.profiles]
    assert kinds == ["PRIMARY", "SECONDARY", "SECONDARY"]
    eins = [bool(p["ein"]) if "ein" in p else False for p in listed.profiles]
    assert eins == [True, True, False]
    assert all(p.address.country == "US" and p.authorized_contact.email for p in listed.profiles)


async def test_profile_create_get_update_delete(client: plivo.RestClient, sandbox: Sandbox) -> None:
    created = await to_thread(client.profile.create, **NEW_PROFILE)
    assert created.message == "Profile created successfully." and created.api_id
    uuid = created.profile_uuid
    got = await to_thread(client.profile.get, uuid)
    assert got.profile.company_name == "Copperline Plumbing Co."
    assert got.profile.profile_type == "SECONDARY"
    assert got.profile.authorized_contact.phone == "15125550100"
    assert got.profile.primary_profile == sandbox.world.primary.profile_uuid

    updated = await to_thread(
        client.profile.update,
        uuid,
        {"website": "https://copper.example", "address": {"city": "Dallas"}},
    )
    assert updated.profile.website == "https://copper.example"
    assert (
        updated.profile.address.city == "Dallas" and updated.profile.address.street == "12 Pipe Ln"
    )

    deleted = await to_thread(client.profile.delete, uuid)
    assert deleted.message == "Profile deleted successfully."
    with pytest.raises(ResourceNotFoundError, match=r"^Profile not found\.$"):  # Plivo's words
        await to_thread(client.profile.get, uuid)


async def test_profile_errors(client: plivo.RestClient, sandbox: Sandbox) -> None:
    with pytest.raises(ValidationError, match="vertical must be one of"):
        await to_thread(client.profile.create, **{**NEW_PROFILE, "vertical": "SPACE"})
    with pytest.raises(ValidationError, match="address needs street"):
        await to_thread(client.profile.create, **{**NEW_PROFILE, "address": {"city": "Austin"}})
    with pytest.raises(ValidationError, match="seniority"):
        contact = {**NEW_PROFILE["authorized_contact"], "seniority": "INTERN"}
        await to_thread(client.profile.create, **{**NEW_PROFILE, "authorized_contact": contact})
    primary = sandbox.world.primary.profile_uuid
    with pytest.raises(ValidationError, match="ein cannot be updated"):
        await to_thread(client.profile.update, primary, {"ein": "123456789"})
    with pytest.raises(ValidationError, match="is the primary profile and cannot be deleted"):
        await to_thread(client.profile.delete, primary)
    with pytest.raises(ResourceNotFoundError):
        await to_thread(client.profile.update, "no-such-uuid", {"website": "https://x.example"})


async def test_brand_create_answers_like_plivo_then_completes(
    client: plivo.RestClient, sandbox: Sandbox, gate
) -> None:
    profile = sandbox.world.primary.profile_uuid
    gate.hold()
    created = await to_thread(
        client.brand.create, "harbor", "STANDARD", profile, secondary_vetting=True
    )
    assert set(vars(created)) == {"api_id", "brand_id", "message"}
    assert created.message == "Request to create brand was received and is being processed."
    assert len(created.brand_id) == 7 and created.brand_id.startswith("B")
    first = await to_thread(client.brand.get, created.brand_id)
    assert first.brand.registration_status == "PROCESSING"
    gate.release()
    await sandbox.idle()
    brand = (await to_thread(client.brand.get, created.brand_id)).brand
    assert brand.registration_status == "COMPLETED"
    assert brand.company_name == "Harbor Point Dental Group LLC" and brand.ein == "841234567"
    assert brand.profile_uuid == profile and brand.brand_type == "STANDARD"
    assert brand.vetting_status == "ACTIVE" and brand.vetting_score == 80
    assert brand.created_at.endswith("Z")


async def test_brand_rules(client: plivo.RestClient, sandbox: Sandbox) -> None:
    seeded = list(sandbox.world.profiles)
    no_ein = seeded[2]
    with pytest.raises(ValidationError, match="STANDARD brand needs an EIN"):
        await to_thread(client.brand.create, "bakery", "STANDARD", no_ein)
    starter = await to_thread(client.brand.create, "bakery", "STARTER", no_ein)
    with pytest.raises(ValidationError, match=f"already backs brand {starter.brand_id}"):
        await to_thread(client.brand.create, "bakery-2", "STARTER", no_ein)
    with pytest.raises(ResourceNotFoundError, match=r"^Profile not found\.$"):
        await to_thread(client.brand.create, "ghost", "STARTER", "nope")
    with pytest.raises(ValidationError, match="profile_uuid is required"):
        await to_thread(client.brand.create, "ghost", None, "")
    # secondary_vetting is "only applicable for STANDARD": ignored on a STARTER brand
    vet = await to_thread(client.brand.create, "vet", "STARTER", seeded[1], secondary_vetting=True)
    assert sandbox.world.brands[vet.brand_id].secondary_vetting is False


async def test_brand_list_filters_paging_and_usecases(
    client: plivo.RestClient, sandbox: Sandbox, make_brand, gate
) -> None:
    seeded = list(sandbox.world.profiles)
    standard = await make_brand("harbor")
    rejected = await make_brand("please reject me", profile=seeded[1])
    gate.hold()
    starter = (
        await to_thread(client.brand.create, "bakery", "STARTER", seeded[2])
    ).brand_id  # still PROCESSING

    listed = await to_thread(client.brand.list)
    assert [b.brand_id for b in listed.brands] == [standard, rejected, starter]
    assert listed.meta.total_count == 3
    by_sdk_status = await to_thread(
        client.brand.list, status="COMPLETED"
    )  # the SDK sends `status=`
    assert [b.brand_id for b in by_sdk_status.brands] == [standard]
    by_type = await to_thread(client.brand.list, type="STARTER")
    assert [b.brand_id for b in by_type.brands] == [starter]

    first = await to_thread(client.brand.list, limit=2, offset=0)
    assert len(first.brands) == 2
    assert first.meta.next == f"/v1/Account/{sandbox.auth_id}/10dlc/Brand/?limit=2&offset=2"
    assert first.meta.previous is None
    second = await to_thread(client.brand.list, limit=2, offset=2)
    assert [b.brand_id for b in second.brands] == [starter] and second.meta.next is None
    assert second.meta.previous == f"/v1/Account/{sandbox.auth_id}/10dlc/Brand/?limit=2&offset=0"
    with pytest.raises(ValidationError, match="limit must be between 1 and 20"):
        await to_thread(client.brand.list, limit=21)

    usecases = await to_thread(client.brand.get_usecases, standard)
    codes = [u.code for u in usecases.use_cases]
    assert usecases.brand_id == standard and "MIXED" in codes and len(codes) == 12
    assert all(set(vars(u)) == {"name", "code", "details"} for u in usecases.use_cases)
    starter_cases = await to_thread(client.brand.get_usecases, starter)
    assert [u.code for u in starter_cases.use_cases] == ["STARTER"]
    failed = await to_thread(client.brand.list, status="failed")
    assert [b.brand_id for b in failed.brands] == [rejected]
    gate.release()


async def test_brand_delete(client: plivo.RestClient, make_brand, make_campaign) -> None:
    brand_id = await make_brand()
    campaign_id = await make_campaign(brand_id)
    with pytest.raises(ValidationError, match=f"has active campaigns \\({campaign_id}\\)"):
        await to_thread(client.brand.delete, brand_id)
    await to_thread(client.campaign.delete, campaign_id)
    deleted = await to_thread(client.brand.delete, brand_id)
    assert deleted.brand_id == brand_id and deleted.message == "Brand Deactivated"
    with pytest.raises(ResourceNotFoundError):
        await to_thread(client.brand.get, brand_id)
    with pytest.raises(ResourceNotFoundError):
        await to_thread(client.brand.delete, brand_id)


async def test_wrong_credentials_are_401(sandbox: Sandbox) -> None:
    wrong_token = plivo.RestClient(sandbox.auth_id, "not-the-token")
    point_client_at(wrong_token, sandbox.base_url)
    with pytest.raises(AuthenticationError, match="wrong auth_id or auth_token"):
        await to_thread(wrong_token.profile.list)
    other_account = plivo.RestClient("MA" + "B" * 18, sandbox.auth_token)
    point_client_at(other_account, sandbox.base_url)
    with pytest.raises(AuthenticationError):
        await to_thread(other_account.brand.list)


async def test_raw_http_details(sandbox: Sandbox) -> None:
    auth = {"Authorization": aiohttp.encode_basic_auth(sandbox.auth_id, sandbox.auth_token)}
    base = f"{sandbox.base_url}/v1/Account/{sandbox.auth_id}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.base_url}/healthz") as resp:
            assert resp.status == 200
        for path in ("/Profile", "/Profile/"):  # with and without the trailing slash
            async with http.get(base + path, headers=auth) as resp:
                assert resp.status == 200 and (await resp.json())["meta"]["total_count"] == 3
        async with http.get(base + "/Profile/") as resp:  # no Authorization header
            body = await resp.json()
            assert resp.status == 401 and set(body) == {"api_id", "error"}
        other = f"{sandbox.base_url}/v1/Account/MA{'C' * 18}/Profile/"
        async with http.get(other, headers=auth) as resp:  # right credentials, someone else's path
            assert resp.status == 401 and "is not" in (await resp.json())["error"]
        async with http.get(base + "/10dlc/Nothing/", headers=auth) as resp:
            assert resp.status == 404 and set(await resp.json()) == {"api_id", "error"}
        async with http.get(base + "/10dlc/Brand/?limit=abc", headers=auth) as resp:
            assert resp.status == 400 and "limit must be an integer" in (await resp.json())["error"]
        async with http.get(
            base + "/10dlc/Brand/?registration_status=FAILED&limit=", headers=auth
        ) as resp:
            assert resp.status == 200 and (await resp.json())["brands"] == []
        async with http.post(base + "/10dlc/Brand/", data=b"{not json", headers=auth) as resp:
            assert resp.status == 400 and "not valid JSON" in (await resp.json())["error"]
        async with http.put(base + "/10dlc/Brand/", headers=auth) as resp:
            assert resp.status == 405 and "not allowed" in (await resp.json())["error"]
