"""Campaign and number routes of the sandbox, success and documented error paths, via the plivo SDK."""

from __future__ import annotations

import asyncio

import plivo
import pytest
from plivo.exceptions import ResourceNotFoundError, ValidationError

from sandbox.server import Sandbox

to_thread = asyncio.to_thread


async def test_campaign_create_get_list(
    client: plivo.RestClient, sandbox: Sandbox, make_brand, campaign_fields, gate
) -> None:
    brand_id = await make_brand()
    gate.hold()
    created = await to_thread(client.campaign.create, brand_id=brand_id, **campaign_fields)
    assert set(vars(created)) == {"api_id", "campaign_id", "message"}
    assert created.message == "Request to create campaign was received and is being processed."
    campaign_id = created.campaign_id
    assert campaign_id.startswith("C") and len(campaign_id) == 7

    processing = (await to_thread(client.campaign.get, campaign_id)).campaign
    # Plivo's recorded lists show mno_metadata on PROCESSING (and FAILED) campaigns too
    assert processing.registration_status == "PROCESSING"
    assert processing.mno_metadata["T-Mobile"].brand_tier == "LOW"
    gate.release()
    await sandbox.idle()
    campaign = (await to_thread(client.campaign.get, campaign_id)).campaign
    assert campaign.registration_status == "ACTIVE"
    assert campaign.brand_id == brand_id and campaign.usecase == "MIXED"
    assert campaign.sub_usecase == "CUSTOMER_CARE,ACCOUNT_NOTIFICATION"  # singular, comma-joined
    assert campaign.campaign_attributes.subscriber_optin is True
    assert campaign.campaign_attributes.embedded_link is False
    # make_brand's STANDARD brand is unvetted (the SDK sends secondary_vetting=false):
    # Plivo records such a brand's campaigns at 240 TPM, T-Mobile tier LOW
    assert campaign.mno_metadata["T-Mobile"].brand_tier == "LOW"
    assert campaign.mno_metadata["AT&T"].tpm == 240
    assert campaign.campaign_source == "plivo" and campaign.campaign_alias == "dental-reminders"
    assert "sample3" not in campaign  # "" means absent

    listed = await to_thread(client.campaign.list, brand_id=brand_id)
    assert [c.campaign_id for c in listed.campaigns] == [campaign_id]
    assert listed.meta.total_count == 1 and listed.meta.limit == 20
    assert (
        await to_thread(client.campaign.list, registration_status="Active")
    ).meta.total_count == 1
    assert (await to_thread(client.campaign.list, usecase="2FA")).campaigns == []
    assert (await to_thread(client.campaign.list, campaign_source="shared")).campaigns == []
    with pytest.raises(ValidationError, match="limit must be between 1 and 20"):
        await to_thread(client.campaign.list, limit=50)


async def test_campaign_needs_a_completed_brand(
    client: plivo.RestClient, sandbox: Sandbox, campaign_fields, gate
) -> None:
    gate.hold()
    brand_id = (
        await to_thread(
            client.brand.create, "harbor", "STANDARD", sandbox.world.primary.profile_uuid
        )
    ).brand_id
    with pytest.raises(
        ValidationError, match=f"brand {brand_id} is PROCESSING; campaigns need a COMPLETED brand"
    ):
        await to_thread(client.campaign.create, brand_id=brand_id, **campaign_fields)
    gate.release()
    with pytest.raises(ResourceNotFoundError, match=r"^Brand not found\.$"):
        await to_thread(client.campaign.create, brand_id="BNOSUCH", **campaign_fields)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"description": "too short"}, "description must be at least 40 characters"),
        ({"sample1": "short"}, "sample1 must be at least 20 characters"),
        ({"sample2": ""}, "sample2 is required"),
        ({"message_flow": ""}, "message_flow is required"),
        ({"vertical": "SPACE"}, "vertical must be one of"),
        ({"usecase": "GOSSIP"}, "usecase must be one of"),
        ({"sub_usecases": ["2FA"]}, "needs 2 to 5 sub_usecases"),
        ({"sub_usecases": ["2FA", "MIXED"]}, "sub_usecases must be one of"),
        ({"sub_usecases": ["2FA", "2FA"]}, "must not repeat"),
        ({"usecase": "MARKETING"}, "sub_usecases are only allowed for"),
        ({"usecase": "STARTER", "sub_usecases": ["2FA", "MARKETING"]}, "only for STARTER brands"),
        ({"subscriber_optin": False}, "subscriber_optin must be true"),
        ({"help_keywords": "help,info"}, "help_keywords must be upper-case"),
        ({"optin_keywords": "YES, START"}, "without spaces"),
        ({"method": "PUT"}, "method must be one of"),
        ({"url": "ftp://example/x"}, "url must start with http"),
    ],
)
async def test_campaign_validation(
    client: plivo.RestClient, make_brand, campaign_fields, override, message
) -> None:
    brand_id = await make_brand()
    with pytest.raises(ValidationError, match=message):
        await to_thread(
            client.campaign.create, brand_id=brand_id, **{**campaign_fields, **override}
        )


async def test_campaign_update_only_when_failed(
    client: plivo.RestClient, sandbox: Sandbox, make_brand, make_campaign
) -> None:
    brand_id = await make_brand()
    active = await make_campaign(brand_id)
    with pytest.raises(
        ValidationError,
        match=f"campaign {active} is ACTIVE; only a FAILED or PROCESSING campaign can be updated",
    ):
        await to_thread(
            client.campaign.update, active, sample1="A brand new sample message for you."
        )

    failed = await make_campaign(
        brand_id, description="Please reject this campaign: it talks about prohibited things."
    )
    campaign = (await to_thread(client.campaign.get, failed)).campaign
    assert campaign.registration_status == "FAILED"
    assert campaign.error_code == "1001" and "prohibited" in campaign.error_reason
    with pytest.raises(ValidationError, match="description must be at least 40"):
        await to_thread(client.campaign.update, failed, description="still short")
    with pytest.raises(ValidationError, match="nothing to update"):
        await to_thread(client.campaign.update, failed)

    fixed = "Appointment reminders for patients; nothing prohibited in here at all."
    updated = await to_thread(client.campaign.update, failed, description=fixed)
    # the answer shows the campaign as the update found it (Plivo's recorded update keeps
    # FAILED, with mno_metadata); resubmission starts right after
    assert (
        updated.campaign.registration_status == "FAILED"
        and updated.campaign.description == fixed
        and "mno_metadata" in updated.campaign
    )
    await sandbox.idle()
    assert (await to_thread(client.campaign.get, failed)).campaign.registration_status == "ACTIVE"
    with pytest.raises(ResourceNotFoundError):
        await to_thread(client.campaign.update, "CNOSUCH", description=fixed)


async def test_campaign_delete_and_import(
    client: plivo.RestClient, sandbox: Sandbox, make_campaign, gate
) -> None:
    campaign_id = await make_campaign()
    gate.hold()
    await to_thread(client.campaign.number_link, campaign_id, numbers=["+14845007032"])
    with pytest.raises(ValidationError, match="has numbers still PROCESSING \\(14845007032\\)"):
        await to_thread(client.campaign.delete, campaign_id)
    gate.release()
    await sandbox.idle()
    deleted = await to_thread(client.campaign.delete, campaign_id)
    assert deleted.campaign_id == campaign_id and deleted.message == "Campaign Deactivated"
    after = (await to_thread(client.campaign.get, campaign_id)).campaign
    assert after.registration_status == "EXPIRED"
    assert (await to_thread(client.campaign.get_numbers, campaign_id)).phone_numbers == []
    with pytest.raises(ValidationError, match="already deactivated"):
        await to_thread(client.campaign.delete, campaign_id)
    with pytest.raises(ResourceNotFoundError):
        await to_thread(client.campaign.delete, "CNOSUCH")

    imported = await to_thread(client.campaign.import_campaign, "CTCR123", "shared-campaign")
    assert imported.campaign_id == "CTCR123"
    assert imported.message == "Request to import campaign was received and is being processed."
    await sandbox.idle()
    shared = (await to_thread(client.campaign.get, "CTCR123")).campaign
    assert shared.campaign_source == "shared" and shared.registration_status == "ACTIVE"
    with pytest.raises(ValidationError, match="already exists"):
        await to_thread(client.campaign.import_campaign, "CTCR123", "again")
    with pytest.raises(ValidationError, match="TCR campaign id"):
        await to_thread(client.campaign.import_campaign, "not-an-id", "bad")


async def test_number_link_list_get_unlink(
    client: plivo.RestClient, sandbox: Sandbox, make_campaign, gate
) -> None:
    campaign_id = await make_campaign()
    gate.hold()
    linked = await to_thread(
        client.campaign.number_link, campaign_id, numbers=["+14845007032", "14845007033"]
    )
    assert linked.message == (
        f"Request to link 14845007032, 14845007033 to campaign {campaign_id} was received and is being processed"
    )
    listing = await to_thread(client.campaign.get_numbers, campaign_id)
    assert listing.campaign_id == campaign_id and listing.campaign_alias == "dental-reminders"
    assert listing.usecase == "MIXED"
    assert [(n.number, n.status) for n in listing.phone_numbers] == [
        ("14845007032", "PROCESSING"),
        ("14845007033", "PROCESSING"),
    ]
    with pytest.raises(
        ValidationError, match="The number 14845007032 is already requested for linking"
    ):
        await to_thread(client.campaign.number_link, campaign_id, numbers=["14845007032"])
    with pytest.raises(ValidationError, match="still PROCESSING"):
        await to_thread(client.campaign.number_unlink, campaign_id, "14845007032")
    gate.release()
    await sandbox.idle()

    one = await to_thread(client.campaign.get_number, campaign_id, "+14845007032")
    assert [(n.number, n.status) for n in one.phone_numbers] == [("14845007032", "COMPLETED")]
    page = await to_thread(client.campaign.get_numbers, campaign_id, limit=1, offset=1)
    assert [n.number for n in page.phone_numbers] == ["14845007033"]
    assert page.phone_numbers_summary.COMPLETED == 2

    unlinked = await to_thread(client.campaign.number_unlink, campaign_id, "14845007032")
    assert unlinked.message == (
        f"Request to unlink 14845007032 from campaign {campaign_id} was received and is being processed"
    )
    await sandbox.idle()
    with pytest.raises(
        ResourceNotFoundError, match="The number 14845007032 is not linked to this campaign"
    ):
        await to_thread(client.campaign.get_number, campaign_id, "14845007032")


async def test_number_errors(
    client: plivo.RestClient, sandbox: Sandbox, make_brand, make_campaign, campaign_fields, gate
) -> None:
    campaign_id = await make_campaign()
    with pytest.raises(ValidationError, match="The number 12345 is not a valid number"):
        await to_thread(client.campaign.number_link, campaign_id, numbers=["12345"])
    with pytest.raises(ValidationError, match="numbers is required"):
        await to_thread(client.campaign.number_link, campaign_id)
    with pytest.raises(ResourceNotFoundError, match=r"^Campaign not found\.$"):
        await to_thread(client.campaign.number_link, "CNOSUCH", numbers=["14845007032"])
    with pytest.raises(ResourceNotFoundError, match="not linked to this campaign"):
        await to_thread(client.campaign.number_unlink, campaign_id, "14845007099")
    with pytest.raises(ValidationError, match="is not a valid number"):
        await to_thread(client.campaign.get_number, campaign_id, "abc")

    brand_id = await make_brand("other", profile=list(sandbox.world.profiles)[1])
    gate.hold()
    pending = (
        await to_thread(client.campaign.create, brand_id=brand_id, **campaign_fields)
    ).campaign_id
    with pytest.raises(
        ValidationError,
        match=f"campaign {pending} is PROCESSING; numbers can only be linked to an ACTIVE campaign",
    ):
        await to_thread(client.campaign.number_link, pending, numbers=["14845007032"])
    gate.release()
    await sandbox.idle()
    # a number linked to one campaign cannot be linked to another
    await to_thread(client.campaign.number_link, campaign_id, numbers=["14845007040"])
    await sandbox.idle()
    with pytest.raises(ValidationError, match="already requested for linking"):
        await to_thread(client.campaign.number_link, pending, numbers=["14845007040"])
