"""Pilot tests of the link-numbers form and the unlink confirmation against a fake gateway."""

from __future__ import annotations

from textual.widgets import Button, Select, Static, TextArea

from plivo_client.types import GatewayError, Submitted
from plivo_client.validation import LinkRequest
from tui.forms import LinkForm, UnlinkConfirm
from tui.forms.common import FieldError


def options(select: Select) -> list[str]:
    return [value for _, value in select._options if value != Select.NULL]


async def test_only_active_campaigns_are_offered(host, gateway, registry, wait):
    app = host(lambda: LinkForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert options(form.query_one("#campaign_id", Select)) == ["CACT001", "CACT002"]
        assert "CPEND01 (promo) pending" in str(form.query_one("#campaign-note", Static).render())
        assert form.focused is form.query_one("#campaign_id")


async def test_pasted_numbers_are_normalised_and_linked(host, gateway, registry, wait):
    app = host(lambda: LinkForm(gateway, registry, campaign_id="CACT002"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert form.focused is form.query_one("#numbers")
        await pilot.press(*"+1 484 555 1234, (484) 555-1235")
        await pilot.press("enter", *"14845551234")
        await pilot.pause()
        preview = str(form.query_one("#numbers-preview", Static).render())
        assert preview == "2 numbers: +14845551234, +14845551235"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert gateway.submissions() == [
            ("number.link", LinkRequest("CACT002", ("14845551234", "14845551235")))
        ]
        assert isinstance(app.results[0], Submitted)


async def test_invalid_numbers_are_reported_and_nothing_is_sent(host, gateway, registry, wait):
    app = host(lambda: LinkForm(gateway, registry, campaign_id="CACT001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        form.query_one("#numbers", TextArea).text = "4845551234\nabc, 12345"
        await pilot.pause()
        preview = str(form.query_one("#numbers-preview", Static).render())
        assert preview == "1 number: +14845551234\nNot numbers: abc, 12345"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        error = form.query_one("#numbers-error", FieldError)
        assert error.display and "abc, 12345" in str(error.render())
        preview = str(form.query_one("#numbers-preview", Static).render())
        assert preview == "1 number: +14845551234"  # the error names them: said once
        assert gateway.submissions() == []
        form.query_one("#numbers", TextArea).text = "4845551234"
        await pilot.pause()
        assert not error.display


async def test_non_us_numbers_are_refused_per_number(host, gateway, registry, wait):
    """10DLC is US-only: +44 20 7946 0958 is named in the form, never sent to fail the batch."""
    app = host(lambda: LinkForm(gateway, registry, campaign_id="CACT001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        form.query_one("#numbers", TextArea).text = "+1 484 555 1234\n+44 20 7946 0958"
        await pilot.pause()
        preview = str(form.query_one("#numbers-preview", Static).render())
        assert preview == (
            "1 number: +14845551234\nNot US numbers (10DLC is US-only): +442079460958"
        )
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        error = form.query_one("#numbers-error", FieldError)
        assert error.display and "not US numbers" in str(error.render())
        assert "+442079460958" in str(error.render())
        preview = str(form.query_one("#numbers-preview", Static).render())
        assert preview == "1 number: +14845551234"  # not said twice (the error names it)
        assert gateway.submissions() == []
        assert form.query_one("#numbers", TextArea).text.endswith("+44 20 7946 0958")


async def test_link_gateway_error_keeps_numbers(host, gateway, registry, wait):
    gateway.fail_with = GatewayError(
        "link numbers to campaign CACT001 failed: The number 14845551234 is already requested "
        "for linking",
        status=400,
        field="numbers",
    )
    app = host(lambda: LinkForm(gateway, registry, campaign_id="CACT001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        form.query_one("#numbers", TextArea).text = "+14845551234"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert app.screen is form and app.results == []
        assert "already requested" in str(form.query_one("#numbers-error", FieldError).render())
        assert form.query_one("#numbers", TextArea).text == "+14845551234"
        assert form.query_one("#campaign_id", Select).value == "CACT001"


async def test_empty_link_form_marks_both_fields(host, gateway, registry, wait):
    app = host(lambda: LinkForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert form.query_one("#campaign_id-error", FieldError).display
        assert form.query_one("#numbers-error", FieldError).display
        assert gateway.submissions() == []


async def test_unlink_confirm_sends_and_dismisses(host, gateway, wait):
    app = host(lambda: UnlinkConfirm(gateway, "CACT001", "14845551234"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        text = str(form.query_one("#confirm-text", Static).render())
        assert text.startswith("Unlink +14845551234 from campaign CACT001?")
        assert "messages will stop" in text
        assert form.focused is form.query_one("#cancel", Button)
        await pilot.click("#submit")
        await wait(pilot, "submit")
        assert gateway.submissions() == [("number.unlink", ("CACT001", "14845551234"))]
        assert isinstance(app.results[0], Submitted)


async def test_unlink_cancel_and_escape_send_nothing(host, gateway, wait):
    for key in ("enter", "escape"):  # enter presses the focused Cancel button
        app = host(lambda: UnlinkConfirm(gateway, "CACT001", "+14845551234"))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert app.results == [None], key
    assert gateway.submissions() == []


async def test_unlink_failure_stays_open(host, gateway, wait):
    gateway.fail_with = GatewayError(
        "unlink 14845551234 from campaign CACT001 failed: The number 14845551234 is not linked "
        "to this campaign",
        status=400,
    )
    app = host(lambda: UnlinkConfirm(gateway, "CACT001", "14845551234"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert app.screen is form and app.results == []
        assert "not linked" in str(form.query_one("#form-error", FieldError).render())
        assert not form.query_one("#submit", Button).disabled
