"""Plivo's 10DLC examples, called exactly as written, against the sandbox (plivo-python).

The calls follow the forms Plivo shows: the docs' Python snippets (keyword arguments, e.g.
`client.campaign.list(limit=1, offset=0)`) and plivo-python's own tests
(`tests/resources/test_brand.py`, `test_campaign.py`, `test_profile.py`, `test_numbers.py`),
whose argument values the docs examples share, plus the positional forms of the same methods.
Placeholders (`<profile_uuid>`, `<brand_id>`) are filled with what the sandbox handed out; the
numbers are ones the sandbox account rents.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import plivo
import pytest

from sandbox.server import Sandbox
from sandbox.transport import point_client_at

CALLBACK = "http://127.0.0.1:9/tendlc_status/"  # nobody listens: deliveries just fail, on loopback


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sb = Sandbox(
        seed=12, delay=0, auth_id="MADOCSEXAMPLES000012", auth_token="docs-token",
        retry_scale=0, preregistered=True,
    )  # fmt: skip
    await sb.start()
    yield sb
    await sb.stop()


class Docs:
    """Runs each example in a thread (the SDK blocks) and lets the sandbox settle after it."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.client = plivo.RestClient(sandbox.auth_id, sandbox.auth_token)
        point_client_at(self.client, sandbox.base_url)

    async def __call__(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        response = await asyncio.to_thread(fn, *args, **kwargs)
        await self.sandbox.idle()
        return response


ADDRESS = {"street": "123", "city": "New York", "state": "NY", "postal_code": "10001",
           "country": "US"}  # fmt: skip
CONTACT = {"first_name": "John", "last_name": "Doe", "email": "test@plivo.com", "title": "Doe",
           "seniority": "admin", "phone": "919074079045"}  # fmt: skip


async def test_profile_examples(box: Sandbox) -> None:
    docs = Docs(box)
    client = docs.client
    created = await docs(
        client.profile.create,
        profile_alias="profile name sample", customer_type="DIRECT", entity_type="PRIVATE",
        company_name="ABC Inc.", ein="111111111", ein_issuing_country="US", stock_symbol="ABC",
        stock_exchange="NASDAQ", website="www.google.com", vertical="ENERGY",
        alt_business_id="", alt_business_id_type="NONE", plivo_subaccount="",
        address=ADDRESS, authorized_contact=CONTACT,
    )  # fmt: skip
    assert created.message == "Profile created successfully."
    uuid = created.profile_uuid
    # plivo-python's test_profile.py: C_LEVEL, a hyphenated EIN, a +E.164 phone
    sdk_test = await docs(
        client.profile.create,
        profile_alias="Test Profile", customer_type="DIRECT", entity_type="PUBLIC",
        company_name="Test Company Inc", ein="12-3456789", ein_issuing_country="US",
        stock_symbol="TEST", stock_exchange="NASDAQ", website="https://testcompany.com",
        vertical="TECHNOLOGY", alt_business_id="", alt_business_id_type="NONE",
        plivo_subaccount="",
        address={"street": "123 Main Street", "city": "San Francisco", "state": "CA",
                 "postal_code": "94105", "country": "US"},
        authorized_contact={"first_name": "John", "last_name": "Doe", "phone": "+14155551234",
                            "email": "test@example.com", "title": "CEO", "seniority": "C_LEVEL"},
        business_contact_email="employee@company.com",
    )  # fmt: skip
    assert sdk_test.profile_uuid
    assert (await docs(client.profile.get, profile_uuid=uuid)).profile.profile_alias == (
        "profile name sample"
    )
    assert (await docs(client.profile.get, uuid)).profile.authorized_contact.seniority == "admin"
    listed = await docs(client.profile.list, limit=20, offset=0)
    assert uuid in {p.profile_uuid for p in listed.profiles}
    updated = await docs(
        client.profile.update, profile_uuid=uuid, params={"company_name": "google"}
    )
    assert updated.profile.company_name == "google"
    updated = await docs(client.profile.update, uuid, {"website": "www.example.com"})
    assert updated.profile.website == "www.example.com"
    deleted = await docs(client.profile.delete, profile_uuid=uuid)
    assert deleted.message == "Profile deleted successfully."


async def test_brand_examples(box: Sandbox) -> None:
    docs = Docs(box)
    client = docs.client
    profiles = {p.profile_alias: p.profile_uuid for p in (await docs(client.profile.list)).profiles}
    starter = await docs(
        client.brand.create,
        brand_alias="brand name sample", brand_type="STARTER",
        profile_uuid=profiles["lena-bakes"], secondary_vetting=False,
        url="http://example.come/test", method="POST",
    )  # fmt: skip
    assert starter.message == "Request to create brand was received and is being processed."
    standard = await docs(client.brand.create, "govt", "STANDARD", profiles["northwind-freight"])
    brand_id = standard.brand_id
    assert (await docs(client.brand.get, brand_id=brand_id)).brand.registration_status == (
        "COMPLETED"
    )
    assert (await docs(client.brand.get, brand_id)).brand.brand_type == "STANDARD"
    listed = await docs(client.brand.list, limit=2, offset=0)
    assert len(listed.brands) == 2 and listed.meta.total_count == 3
    completed = await docs(client.brand.list, type="STANDARD", status="COMPLETED")
    assert {b.brand_id for b in completed.brands} == {brand_id, "BSR7H2Q"}
    cases = await docs(client.brand.get_usecases, brand_id=brand_id)
    assert "MIXED" in {c.code for c in cases.use_cases}
    assert [
        c.code for c in (await docs(client.brand.get_usecases, starter.brand_id)).use_cases
    ] == ["STARTER"]
    deleted = await docs(client.brand.delete, brand_id=starter.brand_id)
    assert deleted.message == "Brand Deactivated"


async def test_campaign_and_number_examples(box: Sandbox) -> None:
    docs = Docs(box)
    client = docs.client
    brand_id = (
        await docs(client.brand.create, "harbor", "STANDARD", box.world.primary.profile_uuid)
    ).brand_id
    # plivo-python's test_campaign.py test_create, argument for argument (sample3 = "test 1")
    created = await docs(
        client.campaign.create,
        brand_id=brand_id, campaign_alias="campaign name sssample", vertical="INSURANCE",
        usecase="MIXED", sub_usecases=["CUSTOMER_CARE", "2FA"],
        description="sample description  is mandatory param and minimum 40 character,sample description  is mandatory param and minimum 40 character",
        embedded_link=False, embedded_phone=False, age_gated=False, direct_lending=False,
        subscriber_optin=True, subscriber_optout=True, subscriber_help=True,
        affiliate_marketing=False,
        sample1="sample messgae 1 is mandatory param and minimum 20 character",
        sample2="sample messgae 2 is mandatory param and minimum 20 character",
        sample3="test 1", sample4="test 2", sample5="test 2",
        url="http://example.com/test", method="POST",
        message_flow="message flow is mandatory field with 40 minimum character length,message flow is mandatory field with 40 minimum character length",
        help_message="help messgae is mandatory param and minimum 20 character",
        optin_keywords="", optin_message="", optout_keywords="",
        optout_message="optout message should be mandatory and 20 minimum character",
        help_keywords="",
    )  # fmt: skip
    campaign_id = created.campaign_id
    assert created.message == "Request to create campaign was received and is being processed."
    assert (await docs(client.campaign.get, campaign_id=campaign_id)).campaign.sample3 == "test 1"
    assert (await docs(client.campaign.get, campaign_id)).campaign.registration_status == "ACTIVE"
    first = await docs(client.campaign.list, limit=1, offset=0)  # the docs' example
    assert len(first.campaigns) == 1 and first.meta.next
    mine = await docs(client.campaign.list, brand_id=brand_id, usecase="MIXED")
    assert [c.campaign_id for c in mine.campaigns] == [campaign_id]

    linked = await docs(
        client.campaign.number_link, campaign_id=campaign_id, url="http://example.com/test",
        method="POST", numbers=["14845007032", "14845007033"],
    )  # fmt: skip
    assert linked.message.startswith("Request to link 14845007032, 14845007033 to campaign")
    await docs(client.campaign.number_link, campaign_id, CALLBACK, "POST", ["+14845007040"])
    numbers = await docs(client.campaign.get_numbers, campaign_id=campaign_id, limit=20, offset=0)
    assert {n.number: n.status for n in numbers.phone_numbers} == dict.fromkeys(
        ("14845007032", "14845007033", "14845007040"), "COMPLETED"
    )
    one = await docs(client.campaign.get_number, campaign_id=campaign_id, number="14845007032")
    assert one.phone_numbers[0].status == "COMPLETED"
    assert (await docs(client.campaign.get_number, campaign_id, "14845007033")).phone_numbers
    unlinked = await docs(
        client.campaign.number_unlink, campaign_id=campaign_id, number="14845007032"
    )
    assert unlinked.message.startswith("Request to unlink 14845007032 from campaign")
    await docs(client.campaign.number_unlink, campaign_id, "14845007033", CALLBACK, "POST")

    rented = await docs(
        client.numbers.list, number_startswith="1484", services=["voice", "sms"], type="local"
    )
    assert {n.number: n.tendlc_registration_status for n in rented}["14845007040"] == "COMPLETED"
    assert (await docs(client.numbers.get, "14845007032")).tendlc_registration_status == (
        "UNREGISTERED"
    )

    imported = await docs(
        client.campaign.import_campaign,
        campaign_id="C1234567",
        campaign_alias="New Contact by vinay for ct",
    )
    assert imported.campaign_id == "C1234567"
    assert (await docs(client.campaign.import_campaign, "CNTQ0OD", "second import")).campaign_id

    failed = (
        await docs(client.campaign.create, brand_id, "RETAIL", "MARKETING",
                   description="This one will be rejected by the sandbox for prohibited content.",
                   sample1="Weekly offers for members. Reply STOP to opt out.",
                   sample2="Your reward is ready to redeem. Reply STOP to opt out.",
                   message_flow="Members opt in at checkout by ticking the SMS offers box.",
                   help_message="Reply STOP to opt out, call 555-0100 for help.",
                   optout_message="You are unsubscribed and will get no more messages.",
                   subscriber_optin=True, subscriber_optout=True, subscriber_help=True)
    ).campaign_id  # fmt: skip
    updated = await docs(
        client.campaign.update, failed, sample1="sample message 1 needs minimum 20 character"
    )
    assert updated.campaign.campaign_id == failed
    await docs(client.campaign.delete, campaign_id=campaign_id)
    deleted = await docs(client.campaign.delete, failed)
    assert deleted.message == "Campaign Deactivated"
