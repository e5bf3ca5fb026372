"""The four forms end to end: the real Gateway and plivo SDK against the in-process Sandbox."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Select, TextArea

from plivo_client.gateway import Gateway
from plivo_client.types import Submitted
from plivo_client.validation import CampaignRequest
from receiver.domain.models import Observation, ResourceType, sequential_ids
from receiver.domain.registry import Registry
from sandbox.server import Sandbox
from tui.forms import BrandForm, CampaignForm, LinkForm, UnlinkConfirm
from tui.forms.common import FieldError

CAMPAIGN_TEXT = {
    "alias": "harbor-reminders",
    "description": "Appointment reminders and follow-ups for Harbor Point Dental patients.",
    "sample1": "Harbor Point Dental: your cleaning is tomorrow at 9:30. Reply STOP to opt out.",
    "sample2": "Harbor Point Dental: reply C to confirm your appointment, HELP for help.",
    "message_flow": "Patients opt in on the intake form at the front desk, with a checkbox.",
    "help_message": "Harbor Point Dental: call 813-555-0142 for help. Reply STOP to opt out.",
    "optout_message": "You are unsubscribed from Harbor Point Dental texts. Reply START to rejoin.",
}


@pytest.fixture
async def stack():
    sandbox = Sandbox(delay=0.0, seed=11)
    await sandbox.start()
    gateway = Gateway(
        sandbox.auth_id,
        sandbox.auth_token,
        base_url=sandbox.base_url,
        callback_url="",
        clock=lambda: 1_700_000_000.0,
        ids=sequential_ids("rq"),
    )
    try:
        yield sandbox, gateway
    finally:
        gateway.close()
        await sandbox.stop()


async def run_form(host, wait, make, act) -> object:
    """Push the form, let `act(pilot, form)` fill it, submit, and return what it was dismissed with."""
    app = host(make)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load", "usecases")
        form = app.screen
        await act(pilot, form)
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        errors = [str(e.render()) for e in form.query(FieldError) if e.display]
        assert app.results, f"form still open: {errors}"
        return app.results[0]


async def test_brand_campaign_link_unlink_through_the_sandbox(stack, host, wait):
    sandbox, gateway = stack
    registry = Registry()

    async def fill_brand(pilot, form):
        select = form.query_one("#profile_uuid", Select)
        labels = {str(label): value for label, value in select._options if value != Select.NULL}
        assert "lena-bakes — Lena's Corner Bakery  (no EIN: STARTER only)" in labels
        select.value = labels["harbor-dental-primary — Harbor Point Dental Group LLC"]
        form.query_one("#alias", Input).value = "harbor-dental"

    brand = await run_form(host, wait, lambda: BrandForm(gateway), fill_brand)
    assert isinstance(brand, Submitted) and brand.brand_id
    await sandbox.idle()
    info = await asyncio.to_thread(gateway.get_brand, brand.brand_id)
    assert info.alias == "harbor-dental"
    registry.apply_observation(
        Observation(ResourceType.BRAND, brand.brand_id, info.status, name=info.alias), at=1.0
    )

    async def fill_campaign(pilot, form):
        assert form.query_one("#brand_id", Select).value == brand.brand_id
        usecase = form.query_one("#usecase", Select)
        assert "CUSTOMER_CARE" in [v for _, v in usecase._options]
        form.query_one("#vertical", Select).value = "HEALTHCARE"
        usecase.value = "CUSTOMER_CARE"
        for name, value in CAMPAIGN_TEXT.items():
            form.query_one(f"#{name}", Input).value = value

    campaign = await run_form(
        host, wait, lambda: CampaignForm(gateway, registry, brand.brand_id), fill_campaign
    )
    assert isinstance(campaign, Submitted) and campaign.campaign_id
    assert campaign.record.params["campaign_alias"] == "harbor-reminders"
    sent = CampaignRequest(brand.brand_id, "HEALTHCARE", "CUSTOMER_CARE", **CAMPAIGN_TEXT)
    assert campaign.record.params == {**sent.params(), "url": "", "method": "POST"}
    await sandbox.idle()
    info = await asyncio.to_thread(gateway.get_campaign, campaign.campaign_id)
    registry.apply_observation(
        Observation(
            ResourceType.CAMPAIGN,
            campaign.campaign_id,
            info.status,
            name=info.alias,
            parent_id=brand.brand_id,
        ),
        at=2.0,
    )

    async def fill_link(pilot, form):
        form.query_one("#numbers", TextArea).text = "+1 (813) 555-0100\n8135550101"

    link = await run_form(
        host, wait, lambda: LinkForm(gateway, registry, campaign.campaign_id), fill_link
    )
    assert isinstance(link, Submitted)
    assert link.numbers == ("18135550100", "18135550101")
    await sandbox.idle()
    numbers = await asyncio.to_thread(gateway.list_numbers, campaign.campaign_id)
    assert {n.number: n.status for n in numbers} == {
        "18135550100": "COMPLETED",
        "18135550101": "COMPLETED",
    }

    async def confirm(pilot, form):
        assert form.focused is form.query_one("#cancel")

    unlink = await run_form(
        host, wait, lambda: UnlinkConfirm(gateway, campaign.campaign_id, "18135550100"), confirm
    )
    assert isinstance(unlink, Submitted)
    assert unlink.record.action == "number.unlink"
    assert unlink.numbers == ("18135550100",)
