"""Fix and resubmit, delete a campaign; delete a brand and send its OTP: from the main screen,
against the sandbox."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from textual.widgets import Input, Static

from plivo_client.validation import BrandRequest
from receiver.domain.models import Badge, RequestRecord, ResourceType
from tui.forms.campaign_update_form import CampaignUpdateForm
from tui.forms.delete_confirm import BrandDeleteConfirm, BrandOtpConfirm, CampaignDeleteConfirm
from tui.widgets.resource_table import ResourceTable

from .test_preflight_in_forms import campaign_request

SIZE = (120, 40)
B, C = ResourceType.BRAND, ResourceType.CAMPAIGN
FIXED_FLOW = "Patients opt in on the intake form at the front desk by ticking the SMS checkbox."


def requests_of(stack, action: str) -> list[RequestRecord]:
    return [e for e in stack.store.recent() if isinstance(e, RequestRecord) and e.action == action]


def badge_cell(table: ResourceTable, id: str) -> str:
    return table.get_cell(id, "badge").plain.strip()


async def select(pilot, type: ResourceType, id: str, wait_for) -> None:
    screen = pilot.app.main_screen
    screen.resources.show(type)
    table = screen.query_one(f"#{type.value}-table", ResourceTable)
    await wait_for(pilot, lambda: id in table.rows, f"{id} in the table")
    table.move_cursor(row=table.get_row_index(id))
    table.focus()
    await pilot.pause()


async def rejected_campaign(stack, wait_for, pilot) -> tuple[str, str]:
    brand_id = await stack.create_brand("Harbor Dental")
    await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "brand")
    request = replace(
        campaign_request(brand_id),
        description="Appointment reminders for Harbor Point Dental patients (reject-1004).",
    )
    submitted = await asyncio.to_thread(stack.gateway.create_campaign, request)
    campaign_id = submitted.campaign_id
    await wait_for(pilot, lambda: stack.badge(C, campaign_id) is Badge.REJECTED, "rejected")
    return brand_id, campaign_id


async def test_fix_and_resubmit_a_rejected_campaign(make_stack, started, wait_for, toasts):
    from .conftest import ticking_clock

    stack = make_stack(ticking_clock())
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await rejected_campaign(stack, wait_for, pilot)
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("f")
        form = await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, CampaignUpdateForm) and pilot.app.screen.loaded,
            "the update form, loaded",
        )
        form = pilot.app.screen
        # pre-filled from the campaign as the API returns it
        assert "reject-1004" in form.query_one("#description", Input).value
        assert form.query_one("#sample1", Input).value.startswith("Harbor Point Dental")
        # the decline reason sits beside the field it concerns
        note = form.query_one("#message_flow-decline", Static)
        assert note.display and "message flow" in str(note.content)
        assert "code 1004" in str(form.query_one("#decline-summary", Static).content)
        assert "Message flow" in str(form.query_one("#decline-summary", Static).content)
        assert form.focused is form.query_one("#message_flow", Input)

        # nothing changed: not sent, said so
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "nothing to update" in str(form.query_one("#form-error").content)
        assert not requests_of(stack, "campaign.update")

        form.query_one("#message_flow", Input).value = FIXED_FLOW
        form.query_one(
            "#description", Input
        ).value = "Appointment reminders and follow-ups for Harbor Point Dental patients."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CampaignUpdateForm), "close")
        (sent,) = requests_of(stack, "campaign.update")
        assert sent.ok and sent.params["message_flow"] == FIXED_FLOW
        assert "sample1" not in sent.params  # only the changed fields
        await wait_for(pilot, lambda: stack.badge(C, campaign_id) is Badge.REGISTERED, "re-reg")
        timeline = stack.store.registry.get(C, campaign_id).timeline
        badges = [t.badge for t in timeline]
        rejected = badges.index(Badge.REJECTED)  # the first cycle ends rejected
        assert Badge.SUBMITTED in badges[rejected:] and badges[-1] is Badge.REGISTERED
        pilot.app.main_screen.notices.flush()  # the burst the resubmission is in
        await pilot.pause()
        assert said(toasts, campaign_id, "resubmitted", "→ submitted", "→ registered")


def said(toasts, id: str, *words: str) -> list[str]:
    """The toasts about `id` (a title naming its type, or a summary) with any of `words`."""
    return [
        n.message for n in toasts.shown if id in n.message and any(w in n.message for w in words)
    ]


async def test_refused_update_keeps_what_was_typed(make_stack, started, wait_for, toasts):
    from .conftest import ticking_clock

    stack = make_stack(ticking_clock())
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await rejected_campaign(stack, wait_for, pilot)
        # a fresh registration makes the campaign no longer FAILED at Plivo: the update is refused
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("f")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, CampaignUpdateForm) and pilot.app.screen.loaded,
            "loaded",
        )
        form = pilot.app.screen
        form.query_one("#message_flow", Input).value = FIXED_FLOW
        await asyncio.to_thread(stack.gateway.delete_campaign, campaign_id)
        # the rejection's own toast (with its reason, read after the callback) comes first
        await wait_for(pilot, lambda: any("1004" in m for m in toasts.errors()), "rejection")
        before = len(toasts.errors())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(toasts.errors()) > before, "refusal")
        await pilot.pause()
        # one toast for one refusal, not the form's and the log's
        (refusal,) = toasts.errors()[before:]
        assert refusal.startswith(f"update campaign {campaign_id} failed")
        assert pilot.app.screen is form
        assert form.query_one("#message_flow", Input).value == FIXED_FLOW
        (sent,) = requests_of(stack, "campaign.update")
        assert not sent.ok


async def test_a_registered_campaign_is_not_offered_for_update(stack, started, wait_for, toasts):
    from .test_preflight_in_forms import active_campaign

    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, CampaignUpdateForm)
        assert any("only a rejected campaign" in m for m in toasts.messages("resubmit"))


async def test_delete_a_campaign_then_its_brand(stack, started, wait_for, toasts):
    from .test_preflight_in_forms import active_campaign

    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id, campaign_id = await active_campaign(stack, wait_for, pilot)
        # the brand first: Plivo refuses while it has a campaign, and says why
        await select(pilot, B, brand_id, wait_for)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrandDeleteConfirm), "confirm")
        confirm = pilot.app.screen
        assert confirm.focused.id == "cancel"
        await pilot.press("ctrl+s")
        await wait_for(pilot, toasts.errors, "refusal")
        assert pilot.app.screen is confirm
        reason = str(confirm.query_one("#form-error").content)
        assert "campaign" in reason.lower()
        await pilot.press("escape")

        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignDeleteConfirm), "ask")
        confirm = pilot.app.screen
        text = str(confirm.query_one("#confirm-text", Static).content)
        assert "cannot be undone" in text
        fees = str(confirm.query_one("#fee-lines", Static).content)
        assert "pricing" in fees
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: said(toasts, campaign_id, "deactivated", "→ deleted"), "told")
        (sent,) = requests_of(stack, "campaign.delete")
        assert sent.ok and sent.campaign_id == campaign_id
        last = stack.store.registry.get(C, campaign_id).timeline[-1]
        assert (last.ref, last.badge) == (sent.id, Badge.DELETED)  # in the campaign's timeline
        table = pilot.app.main_screen.query_one("#campaign-table", ResourceTable)
        await wait_for(pilot, lambda: badge_cell(table, campaign_id) == "deleted", "its row")
        pilot.app.main_screen.notices.flush()  # whatever the burst still held
        await pilot.pause()
        assert len(said(toasts, campaign_id, "deactivated", "→ deleted")) == 1  # said once

        await select(pilot, B, brand_id, wait_for)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrandDeleteConfirm), "again")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: said(toasts, brand_id, "deleted"), "brand deleted")
        assert sorted(r.ok for r in requests_of(stack, "brand.delete")) == [False, True]
        table = pilot.app.main_screen.query_one("#brand-table", ResourceTable)
        await wait_for(pilot, lambda: badge_cell(table, brand_id) == "deleted", "the brand row")


async def test_brand_otp_shows_plivos_message_or_reason(stack, started, wait_for, toasts):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        standard = await stack.create_brand("Harbor Dental")
        await select(pilot, B, standard, wait_for)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrandOtpConfirm), "confirm")
        confirm = pilot.app.screen
        await pilot.press("ctrl+s")
        await wait_for(pilot, toasts.errors, "refusal")
        assert "OTP is for STARTER brands" in str(confirm.query_one("#form-error").content)
        await pilot.press("escape")

        profiles = await asyncio.to_thread(stack.gateway.list_profiles)
        solo = next(p for p in profiles if not p.has_ein)
        submitted = await asyncio.to_thread(
            stack.gateway.create_brand,
            BrandRequest(profile_uuid=solo.uuid, alias="Lena bakes", brand_type="STARTER"),
        )
        await select(pilot, B, submitted.brand_id, wait_for)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrandOtpConfirm), "confirm")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: toasts.messages("brand OTP"), "Plivo's message")
        (told,) = toasts.messages("brand OTP")
        assert "reply YES to confirm" in told
        assert sorted(r.ok for r in requests_of(stack, "brand.otp")) == [False, True]
