"""The sandbox scheduler: `created` first, then the terminal status, with API statuses in step."""

from __future__ import annotations

import asyncio

import plivo

from sandbox.server import Sandbox

to_thread = asyncio.to_thread


async def wait_for(predicate, timeout: float = 5.0) -> None:
    """Poll `predicate` until true, failing after `timeout` seconds (no fixed sleeps)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


def events(receiver) -> list[tuple[str, str]]:
    return [(r.params["event"], r.params["status"]) for r in receiver.received]


async def test_brand_created_then_registered_with_api_in_step(
    client: plivo.RestClient, sandbox: Sandbox, receiver, gate
) -> None:
    sandbox.scheduler.delay = 2.0
    gate.hold()
    profile = sandbox.world.primary.profile_uuid
    brand_id = (
        await to_thread(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    ).brand_id
    await wait_for(lambda: len(receiver.received) == 1)
    assert events(receiver) == [("brand", "created")]
    assert receiver.received[0].params == {
        "brand_id": brand_id,
        "event": "brand",
        "status": "created",
        "registration_status": "PROCESSING",
    }
    assert (await to_thread(client.brand.get, brand_id)).brand.registration_status == "PROCESSING"
    assert gate.requested == [2.0]  # the configured delay is what the scheduler waits
    gate.release()
    await sandbox.idle()
    assert events(receiver) == [("brand", "created"), ("brand", "registered")]
    assert receiver.received[1].params["registration_status"] == "COMPLETED"
    assert (await to_thread(client.brand.get, brand_id)).brand.registration_status == "COMPLETED"


async def test_delay_zero_still_sends_created_first(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand, make_campaign
) -> None:
    brand_id = await make_brand(url=receiver.url)
    campaign_id = await make_campaign(brand_id, url=receiver.url)
    await to_thread(
        client.campaign.number_link, campaign_id, url=receiver.url, numbers=["14845007032"]
    )
    await sandbox.idle()
    assert events(receiver) == [
        ("brand", "created"),
        ("brand", "registered"),
        ("campaign", "created"),
        ("campaign", "registered"),
        ("number_linking", "created"),
        ("number_linking", "success"),
    ]
    campaign_cb = receiver.received[3].params
    assert campaign_cb == {
        "brand_id": brand_id,
        "campaign_id": campaign_id,
        "event": "campaign",
        "status": "registered",
        "registration_status": "ACTIVE",
    }
    assert receiver.received[5].params == {
        "campaign_id": campaign_id,
        "number": "14845007032",
        "event": "number_linking",
        "status": "success",
    }


async def test_rejections_are_controlled_by_names(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_brand, make_campaign
) -> None:
    rejected_brand = await make_brand("please REJECT this brand", url=receiver.url)
    brand = (await to_thread(client.brand.get, rejected_brand)).brand
    assert brand.registration_status == "FAILED"
    assert brand.declined_reasons[0].code == "1101"
    assert brand.declined_reasons[0].message == "The US EIN provided is invalid."
    assert events(receiver)[-1] == ("brand", "rejected")

    good_brand = await make_brand("fine", profile=list(sandbox.world.profiles)[1])
    description = "We will reject nothing, but this word makes the sandbox reject the campaign."
    campaign_id = await make_campaign(good_brand, description=description, url=receiver.url)
    campaign = (await to_thread(client.campaign.get, campaign_id)).campaign
    assert campaign.registration_status == "FAILED" and campaign.error_code == "1001"
    assert events(receiver)[-1] == ("campaign", "rejected")
    assert receiver.received[-1].params["registration_status"] == "FAILED"


async def test_number_outcomes_and_unlink(
    client: plivo.RestClient, sandbox: Sandbox, receiver, make_campaign
) -> None:
    campaign_id = await make_campaign()
    numbers = ["12125550000", "12125559999", "12125551234"]
    await to_thread(
        client.campaign.number_link, campaign_id, url=receiver.url, method="POST", numbers=numbers
    )
    await sandbox.idle()
    statuses = {
        n.number: n.status
        for n in (await to_thread(client.campaign.get_numbers, campaign_id)).phone_numbers
    }
    assert statuses == {
        "12125550000": "FAILED",
        "12125559999": "COMPLETED",
        "12125551234": "COMPLETED",
    }
    terminal = {
        r.params["number"]: r.params["status"]
        for r in receiver.received
        if r.params["status"] != "created"
    }
    assert terminal == {"12125550000": "failed", "12125559999": "success", "12125551234": "success"}

    receiver.received.clear()
    await to_thread(client.campaign.number_unlink, campaign_id, "12125551234", url=receiver.url)
    await to_thread(client.campaign.number_unlink, campaign_id, "+12125559999", url=receiver.url)
    await sandbox.idle()
    by_number = {}
    for r in receiver.received:
        by_number.setdefault(r.params["number"], []).append((r.params["event"], r.params["status"]))
    assert by_number == {
        "12125551234": [("number_unlinking", "created"), ("number_unlinking", "success")],
        "12125559999": [("number_unlinking", "created"), ("number_unlinking", "failed")],
    }
    left = {
        n.number: n.status
        for n in (await to_thread(client.campaign.get_numbers, campaign_id)).phone_numbers
    }
    assert left == {"12125550000": "FAILED", "12125559999": "COMPLETED"}  # 1234 is gone, 9999 stays

    # a failed link may be retried (it fails again: the outcome depends on the number only)
    await to_thread(client.campaign.number_link, campaign_id, numbers=["12125550000"])
    await sandbox.idle()
    assert sandbox.world.numbers["12125550000"].status == "FAILED"


async def test_unlinked_number_can_move_to_another_campaign(
    client: plivo.RestClient, sandbox: Sandbox, make_brand, make_campaign
) -> None:
    first = await make_campaign()
    second = await make_campaign(
        await make_brand("second", profile=list(sandbox.world.profiles)[1])
    )
    await to_thread(client.campaign.number_link, first, numbers=["13105550101"])
    await sandbox.idle()
    await to_thread(client.campaign.number_unlink, first, "13105550101")
    await sandbox.idle()
    await to_thread(client.campaign.number_link, second, numbers=["13105550101"])
    await sandbox.idle()
    assert sandbox.world.numbers["13105550101"].campaign_id == second
    assert sandbox.world.numbers["13105550101"].status == "COMPLETED"


async def test_transition_of_a_deleted_brand_is_dropped(
    client: plivo.RestClient, sandbox: Sandbox, receiver, gate
) -> None:
    gate.hold()
    profile = sandbox.world.primary.profile_uuid
    brand_id = (
        await to_thread(client.brand.create, "harbor", "STANDARD", profile, url=receiver.url)
    ).brand_id
    await wait_for(lambda: len(receiver.received) == 1)
    await to_thread(client.brand.delete, brand_id)
    gate.release()
    await sandbox.idle()
    assert events(receiver) == [("brand", "created")]
    assert brand_id not in sandbox.world.brands
