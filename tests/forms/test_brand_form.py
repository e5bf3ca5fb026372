"""Pilot tests of the create-brand form against a fake gateway."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Static, Switch

from plivo_client.types import GatewayError, Submitted
from plivo_client.validation import BrandRequest
from tui.forms import BrandForm
from tui.forms.common import FieldError


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.press(*text)


async def test_valid_submit_sends_brand_request_and_dismisses(host, gateway, wait):
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        assert isinstance(form, BrandForm)
        form.query_one("#profile_uuid", Select).value = "p-acme"
        await type_into(pilot, "#alias", "acme-brand")
        await type_into(pilot, "#business_contact_email", "ops@acme.test")
        await pilot.press("enter")
        await wait(pilot, "submit")
        assert gateway.submissions() == [
            (
                "brand.create",
                BrandRequest(
                    profile_uuid="p-acme",
                    alias="acme-brand",
                    brand_type="STANDARD",
                    secondary_vetting=False,
                    business_contact_email="ops@acme.test",
                ),
            )
        ]
        assert len(app.results) == 1
        assert isinstance(app.results[0], Submitted)
        assert app.results[0].brand_id == "BNEW001"
        assert not isinstance(app.screen, BrandForm)


async def test_profiles_show_alias_company_and_missing_ein(host, gateway, wait):
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        select = app.screen.query_one("#profile_uuid", Select)
        labels = [str(prompt) for prompt, value in select._options if value != Select.NULL]
        assert labels == [
            "acme-main — Acme Corp",
            "jane-solo — Jane Doe  (no EIN: STARTER only)",
            "new profile…  (F4)",  # last: the same as F4
        ]


async def test_missing_alias_shows_inline_error_and_sends_nothing(host, gateway, wait):
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        form.query_one("#profile_uuid", Select).value = "p-acme"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        error = form.query_one("#alias-error", FieldError)
        assert error.display
        assert "required" in str(error.render())
        assert form.query_one("#field-alias").has_class("-has-error")
        assert form.focused is form.query_one("#alias")
        assert gateway.submissions() == []
        assert app.screen is form and app.results == []


async def test_standard_brand_on_profile_without_ein_is_refused_locally(host, gateway, wait):
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        form.query_one("#profile_uuid", Select).value = "p-solo"
        form.query_one("#alias", Input).value = "solo"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert "no EIN" in str(form.query_one("#brand_type-error", FieldError).render())
        assert gateway.submissions() == []
        form.query_one("#brand_type", Select).value = "STARTER"
        await pilot.pause()
        assert not form.query_one("#brand_type-error", FieldError).display
        assert form.query_one("#secondary_vetting", Switch).disabled
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert gateway.submissions()[0][1].brand_type == "STARTER"


async def test_gateway_error_keeps_form_open_with_values(host, gateway, wait):
    gateway.fail_with = GatewayError(
        "create brand failed: brand alias already in use", status=400, field="alias"
    )
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        form.query_one("#profile_uuid", Select).value = "p-acme"
        await type_into(pilot, "#alias", "acme-brand")
        form.query_one("#secondary_vetting", Switch).value = True
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert app.screen is form and app.results == []
        top = form.query_one("#form-error", FieldError)
        assert top.display and "already in use" in str(top.render())
        assert "already in use" in str(form.query_one("#alias-error", FieldError).render())
        assert form.query_one("#profile_uuid", Select).value == "p-acme"
        assert form.query_one("#alias", Input).value == "acme-brand"
        assert form.query_one("#secondary_vetting", Switch).value is True
        submit = form.query_one("#submit", Button)
        assert not submit.disabled and str(submit.label) == "Create brand"
        assert len(gateway.submissions()) == 1


async def test_submit_shows_progress_and_ignores_escape_meanwhile(host, gateway, wait):
    gateway.hold.clear()
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        form.query_one("#profile_uuid", Select).value = "p-acme"
        form.query_one("#alias", Input).value = "acme-brand"
        await pilot.press("ctrl+s")
        await pilot.pause()
        submit = form.query_one("#submit", Button)
        assert submit.disabled and str(submit.label) == "Submitting…"
        await pilot.press("escape", "ctrl+s")
        assert app.screen is form
        gateway.hold.set()
        await wait(pilot, "submit")
        assert len(gateway.submissions()) == 1
        assert isinstance(app.results[0], Submitted)


async def test_escape_dismisses_with_none(host, gateway, wait):
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert gateway.submissions() == []


async def test_profile_load_failure_is_shown(host, gateway, wait):
    gateway.profiles_error = GatewayError("list profiles failed: cannot reach Plivo")
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        note = app.screen.query_one("#profile-note", Static)
        assert note.display
        assert "cannot reach Plivo" in str(note.render())


async def test_the_fees_follow_the_brand_type_and_secondary_vetting(host, gateway, wait):
    """Before brand registration the form names the fees that apply, as published (issue 14)."""
    app = host(lambda: BrandForm(gateway))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen

        def fees() -> str:
            return str(form.query_one("#fees", Static).render())

        assert "no published fee found" in fees() and "plivo.com/pricing" in fees()
        form.query_one("#secondary_vetting", Switch).value = True
        await pilot.pause()
        assert "secondary vetting may carry a fee" in fees()
        form.query_one("#brand_type", Select).value = "STARTER"
        await pilot.pause()
        assert "Starter brand: $4, plus $2 per month (Plivo support" in fees()
        assert "read late 2026" in fees() and "secondary vetting" not in fees()
        assert not form.query_one("#secondary_vetting", Switch).value
