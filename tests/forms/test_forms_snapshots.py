"""What the forms look like: each one empty and with a validation (or gateway) error."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from plivo_client.types import GatewayError
from tui.forms import BrandForm, CampaignForm, LinkForm, UnlinkConfirm

SIZE = (120, 40)


def loaded(wait):
    async def run_before(pilot) -> None:
        await wait(pilot, "load", "usecases")

    return run_before


def test_brand_form_empty(snap_compare, host, gateway, wait):
    assert snap_compare(
        host(lambda: BrandForm(gateway)), terminal_size=SIZE, run_before=loaded(wait)
    )


def test_brand_form_errors(snap_compare, host, gateway, wait):
    async def run_before(pilot) -> None:
        await wait(pilot, "load")
        form = pilot.app.screen
        form.query_one("#profile_uuid", Select).value = "p-solo"
        form.query_one("#business_contact_email", Input).value = "ops at acme"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    assert snap_compare(host(lambda: BrandForm(gateway)), terminal_size=SIZE, run_before=run_before)


def test_campaign_form_empty(snap_compare, host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry))
    assert snap_compare(app, terminal_size=SIZE, run_before=loaded(wait))


def test_campaign_form_errors(snap_compare, host, gateway, registry, wait):
    async def run_before(pilot) -> None:
        await wait(pilot, "usecases")
        form = pilot.app.screen
        form.query_one("#usecase", Select).value = "MIXED"
        form.query_one("#alias", Input).value = "acme-alerts"
        form.query_one("#vertical", Select).value = "RETAIL"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_link_form_empty(snap_compare, host, gateway, registry, wait):
    app = host(lambda: LinkForm(gateway, registry))
    assert snap_compare(app, terminal_size=SIZE, run_before=loaded(wait))


def test_link_form_errors(snap_compare, host, gateway, registry, wait):
    async def run_before(pilot) -> None:
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#numbers", TextArea).text = "+1 484 555 1234\n484-555-1235, abc\n12345"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    app = host(lambda: LinkForm(gateway, registry, campaign_id="CACT001"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_unlink_confirm(snap_compare, host, gateway, wait):
    app = host(lambda: UnlinkConfirm(gateway, "CACT001", "14845551234"))
    assert snap_compare(app, terminal_size=SIZE, run_before=loaded(wait))


def test_unlink_confirm_refused(snap_compare, host, gateway, wait):
    gateway.fail_with = GatewayError(
        "unlink 14845551234 from campaign CACT001 failed: The number 14845551234 is still "
        "PROCESSING; wait for the link to finish",
        status=400,
    )

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    app = host(lambda: UnlinkConfirm(gateway, "CACT001", "14845551234"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_campaign_form_with_findings(snap_compare, host, gateway, registry, wait, size):
    """The check's findings under the fields, counted in the title (issue 14)."""

    async def run_before(pilot) -> None:
        await wait(pilot, "usecases")
        form = pilot.app.screen
        form.query_one("#vertical", Select).value = "RETAIL"
        form.query_one("#usecase", Select).value = "CUSTOMER_CARE"
        for name, value in {
            "alias": "acme-care",
            "description": "Support replies and order questions for Acme customers.",
            "sample1": "Acme: 20% off jackets today only at https://acme.test/sale",
            "sample2": "Acme: your loan payment is due Friday.",
        }.items():
            form.query_one(f"#{name}", Input).value = value
        await pilot.pause()
        form.query_one("#description", Input).focus()

    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_campaign_form_at_80x24(snap_compare, host, gateway, registry, wait):
    """One-row fields; the body scrolls; title and buttons stay on screen."""
    app = host(lambda: CampaignForm(gateway, registry))
    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded(wait))


def test_campaign_form_at_120x36(snap_compare, host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry))
    assert snap_compare(app, terminal_size=(120, 36), run_before=loaded(wait))


def test_brand_form_at_80x24(snap_compare, host, gateway, wait):
    assert snap_compare(
        host(lambda: BrandForm(gateway)), terminal_size=(80, 24), run_before=loaded(wait)
    )


def test_brand_form_at_120x36(snap_compare, host, gateway, wait):
    assert snap_compare(
        host(lambda: BrandForm(gateway)), terminal_size=(120, 36), run_before=loaded(wait)
    )


TWO_SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


@TWO_SIZES
def test_link_form_at(snap_compare, host, gateway, registry, wait, size):
    app = host(lambda: LinkForm(gateway, registry, campaign_id="CACT001"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@TWO_SIZES
def test_unlink_confirm_at(snap_compare, host, gateway, wait, size):
    app = host(lambda: UnlinkConfirm(gateway, "CACT001", "14845551234"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))
