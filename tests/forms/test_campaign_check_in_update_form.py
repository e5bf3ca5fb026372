"""The campaign check in the fix-and-resubmit form: run live on what is typed, findings under
their fields (those an update cannot change in a panel of their own), counted in the title;
only blockers stop a resubmit. The form opens at the field the decline concerns."""

from __future__ import annotations

from textual.widgets import Input, Label, Static

from tui.forms.campaign_update_form import NOT_HERE, CampaignUpdateForm

from .lifecycle_fakes import LifecycleGateway

FIXED_FLOW = "Patients opt in on the intake form at the front desk by ticking the SMS checkbox."


def _text(form, selector: str) -> str:
    return str(form.query_one(selector, Static).render())


def _title(form) -> str:
    return str(form.query_one("#form-title", Label).render())


def updates(gateway) -> list:
    return [request for action, request in gateway.calls if action == "campaign.update"]


async def test_findings_are_live_under_their_fields_and_counted(host, wait):
    gateway = LifecycleGateway()
    app = host(lambda: CampaignUpdateForm(gateway, "CREJ001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        # declined for 1004: the form opens at the message flow, and the check agrees
        assert form.focused is form.query_one("#message_flow", Input)
        assert "likely rejection (1004)" in _text(form, "#message_flow-finding")
        assert "advice: carries no opt-out language" in _text(form, "#sample2-finding")
        assert _title(form) == "Fix and resubmit campaign · check: 1 likely rejection, 1 advice"
        assert ("brand.read", "BREG001") in gateway.calls  # the brand's name feeds the check
        fees = _text(form, "#fees")  # a resubmit is vetted again: the fee is named
        assert "$15 per campaign" in fees and "plivo.com/pricing" in fees

        form.query_one("#message_flow", Input).value = FIXED_FLOW
        await pilot.pause()
        assert not form.query_one("#message_flow-finding").display  # fixed: the line goes
        assert _title(form) == "Fix and resubmit campaign · check: 1 advice"

        # samples that no longer name the brand (Harbor Point Dental, read from Plivo)
        form.query_one("#sample1", Input).value = "Your cleaning is tomorrow at 9:30. Reply STOP."
        form.query_one(
            "#sample2", Input
        ).value = "Reply C to confirm your appointment. STOP to end."
        await pilot.pause()
        assert "likely rejection (603)" in _text(form, "#sample1-finding")


async def test_findings_an_update_cannot_fix_are_set_apart(host, wait):
    gateway = LifecycleGateway()
    app = host(lambda: CampaignUpdateForm(gateway, "CREJ001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        assert not form.query_one("#findings").display
        form.query_one(
            "#sample2", Input
        ).value = "Harbor Point Dental: confirm at https://harbor.example/c. Reply STOP to opt out."
        await pilot.pause()
        panel = _text(form, "#findings")
        assert form.query_one("#findings").display
        assert panel.startswith(NOT_HERE)
        assert (
            "likely rejection (601): the samples contain a link but embedded_link is off" in panel
        )


async def test_a_blocker_stops_the_resubmit_and_the_rest_never_do(host, wait):
    gateway = LifecycleGateway()
    app = host(lambda: CampaignUpdateForm(gateway, "CREJ001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        description = "Appointment reminders and CBD wellness offers for Harbor Point Dental."
        form.query_one("#description", Input).value = description
        await pilot.pause()
        assert "blocker (1001)" in _text(form, "#description-finding")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert updates(gateway) == []
        assert "blocker" in _text(form, "#description-error")

        form.query_one(
            "#description", Input
        ).value = "Appointment reminders and follow-ups for Harbor Point Dental patients, by text."
        await pilot.pause()
        await pilot.press("ctrl+s")  # the 1004 likely rejection and the advice remain: sent
        await wait(pilot, "submit")
        [sent] = updates(gateway)
        assert list(sent.fields) == ["description"]  # only what changed
        assert app.results and app.results[-1] is not None


async def test_a_decline_about_an_attribute_opens_at_the_samples(host, wait):
    gateway = LifecycleGateway()
    gateway.campaign.update(error_code="601", error_reason="Attributes do not match.")
    app = host(lambda: CampaignUpdateForm(gateway, "CREJ001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        assert form.focused is form.query_one("#sample1", Input)
        note = _text(form, "#sample1-decline")
        assert "the campaign's attributes do not match its samples" in note
        assert "An update cannot change embedded_link" in note
        assert "code 601" in _text(form, "#decline-summary")


async def test_an_unknown_code_is_shown_as_plivo_wrote_it(host, wait):
    gateway = LifecycleGateway()
    gateway.campaign.update(error_code="4242", error_reason="Carrier review failed.")
    app = host(lambda: CampaignUpdateForm(gateway, "CREJ001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "load")
        form = app.screen
        summary = _text(form, "#decline-summary")
        assert (
            summary == "Campaign CREJ001 (FAILED) was declined: code 4242: Carrier review failed."
        )
        assert not any(n.display for n in form.query(".decline-note"))
