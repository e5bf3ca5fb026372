"""The whole loop in sandbox mode, as a user goes through it: check → submit → rejected →
explained (toast, detail, timeline) → the fix form opened at the field → fixed → resubmitted →
registered. The sandbox's `reject-1004` knob in the description picks the decline."""

from __future__ import annotations

from functools import partial

from textual.widgets import DataTable, Input, Label, Select, Static

from receiver.domain.models import Badge, Observation, ResourceType
from receiver.store.store import Store
from tui.app import make_app
from tui.forms import CampaignForm
from tui.forms.campaign_update_form import CampaignUpdateForm
from tui.screens.detail import ResourceDetailScreen

from .conftest import T0, ticking_clock
from .test_campaign_lifecycle_console import requests_of, said, select
from .test_preflight_in_forms import TEXT

SIZE = (120, 40)
B, C = ResourceType.BRAND, ResourceType.CAMPAIGN
FLOW_1004 = "code 1004: the message flow (how consent is collected) is missing or unclear"
VAGUE_FLOW = "Patients opt in at the front desk when they book a visit."
FIXED_FLOW = "Patients opt in on the intake form at the front desk by ticking the SMS checkbox."
KNOB = "Appointment reminders and follow-ups for Harbor Point Dental patients (reject-1004)."
FIXED = "Appointment reminders and follow-ups for Harbor Point Dental patients, by text."


LOOP_DEADLINE = 30.0  # seconds for each step: the sandbox, receiver and store all run for real


def detail_drawn(app) -> bool:
    """A resource's detail is on top and composed."""
    screen = app.screen
    return isinstance(screen, ResourceDetailScreen) and bool(screen.query("#timeline"))


def shown(widget) -> str:
    return str(widget.render())


async def test_check_submit_rejected_explained_fixed_registered(
    make_stack, started, wait_for, toasts, text_of
):
    stack = make_stack(ticking_clock())
    app = stack.app
    step = partial(wait_for, timeout=LOOP_DEADLINE)  # poll with a deadline for each step

    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await stack.create_brand("Harbor Dental")
        await step(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "brand")

        # -- check: the campaign form predicts the decline before anything is sent ----------
        await pilot.press("c")
        form = await step(pilot, lambda: isinstance(app.screen, CampaignForm), "the form")
        form = app.screen
        form.query_one("#brand_id", Select).value = brand_id
        usecase = form.query_one("#usecase", Select)
        await step(pilot, lambda: "CUSTOMER_CARE" in dict(usecase._options).values(), "uses")
        form.query_one("#vertical", Select).value = "HEALTHCARE"
        usecase.value = "CUSTOMER_CARE"
        for name, value in {**TEXT, "description": KNOB, "message_flow": VAGUE_FLOW}.items():
            form.query_one(f"#{name}", Input).value = value
        await pilot.pause()
        assert "likely rejection (1004)" in shown(form.query_one("#message_flow-finding"))
        assert "check: 1 likely rejection" in shown(form.query_one("#form-title", Label))

        # -- submit: a likely rejection never blocks ---------------------------------------
        await pilot.press("ctrl+s")
        await step(pilot, lambda: not isinstance(app.screen, CampaignForm), "submitted")
        (created,) = requests_of(stack, "campaign.create")
        campaign_id = created.campaign_id
        assert created.ok and campaign_id

        # -- rejected, and explained: the toast, the detail, the timeline ------------------
        def explained() -> bool:
            res = stack.store.registry.get(C, campaign_id)
            return res is not None and res.badge is Badge.REJECTED and "error_code" in res.detail

        await step(pilot, explained, "the rejection and its reasons")
        await step(
            pilot, lambda: any(FLOW_1004 in m for m in toasts.errors()), "the explaining toast"
        )
        toast = next(m for m in toasts.errors() if FLOW_1004 in m)
        assert campaign_id in toast and "f: fix and resubmit" in toast

        await select(pilot, C, campaign_id, step)
        await pilot.press("enter")
        await step(pilot, lambda: detail_drawn(app), "the detail")
        detail = app.screen
        summary = text_of(detail.query_one("#summary", Static))
        assert "why rejected" in summary and FLOW_1004 in summary
        assert "f: fix and resubmit" in summary
        timeline = detail.query_one("#timeline", DataTable)
        rows = stack.store.registry.get(C, campaign_id).timeline
        rejected = next(i for i, t in enumerate(rows) if t.badge is Badge.REJECTED)
        assert FLOW_1004 in str(timeline.get_cell(str(rejected), "detail"))

        # -- the fix form, opened from the detail at the field the decline concerns ---------
        await pilot.press("f")
        await step(
            pilot,
            lambda: isinstance(app.screen, CampaignUpdateForm) and app.screen.loaded,
            "the fix form, loaded",
        )
        fix = app.screen
        assert fix.focused is fix.query_one("#message_flow", Input)
        assert fix.query_one("#message_flow-decline").display
        assert "likely rejection (1004)" in shown(fix.query_one("#message_flow-finding"))
        before = len(fix.checks.findings)

        # -- fixed: the live check agrees, and the resubmit goes ---------------------------
        fix.query_one("#message_flow", Input).value = FIXED_FLOW
        fix.query_one("#description", Input).value = FIXED
        await pilot.pause()
        assert not fix.query_one("#message_flow-finding").display
        assert len(fix.checks.findings) == before - 1
        assert all(f.code != "1004" for f in fix.checks.findings)
        await pilot.press("ctrl+s")
        await step(pilot, lambda: app.screen is detail, "back on the detail")
        (resubmitted,) = requests_of(stack, "campaign.update")
        assert resubmitted.ok
        assert set(resubmitted.params) >= {"message_flow", "description"}

        # -- registered: the detail follows; the earlier rejection keeps its reasons -------
        await step(pilot, lambda: stack.badge(C, campaign_id) is Badge.REGISTERED, "reg")
        await step(
            pilot,
            lambda: "registered" in str(timeline.get_cell(str(timeline.row_count - 1), "badge")),
            "the detail's last row",
        )
        assert FLOW_1004 in str(timeline.get_cell(str(rejected), "detail"))
        assert "why rejected" not in text_of(detail.query_one("#summary", Static))
        pilot.app.main_screen.notices.flush()  # the burst the resubmission is in
        await pilot.pause()
        assert said(toasts, campaign_id, "resubmitted", "→ submitted", "→ registered")


async def test_an_open_detail_explains_the_rejection_row_when_reasons_arrive(
    tmp_path, fill_registry, still_receiver, wait_for
) -> None:
    store = Store.open(tmp_path / "store", clock=lambda: T0)
    await fill_registry(store)  # BINIT03: rejected by callback, no reasons yet
    app = make_app(
        store=store, receiver=still_receiver, gateway=None, clock=lambda: T0, overdue_after=None
    )
    async with app.run_test(size=SIZE) as pilot:
        table = app.main_screen.query_one("#brand-table")
        await wait_for(
            pilot, lambda: app.screen is app.main_screen and table.rows, "the main screen"
        )
        app.main_screen.open_resource(store.registry.get(B, "BINIT03"))
        await wait_for(pilot, lambda: detail_drawn(app), "the detail")
        detail = app.screen
        timeline = detail.query_one("#timeline", DataTable)
        row = str(timeline.row_count - 1)
        assert str(timeline.get_cell(row, "detail")) == "callback: rejected"
        assert detail.check_action("fix", ())  # a rejected brand: its profile, then again

        reasons = [{"code": "1101", "message": "The US EIN provided is invalid."}]
        obs = Observation(B, "BINIT03", "FAILED", detail={"declined_reasons": reasons})
        await store.record_observations([obs])
        explained = "callback: rejected — code 1101: the US EIN provided is invalid"
        await wait_for(pilot, lambda: str(timeline.get_cell(row, "detail")) == explained, "the row")
        assert timeline.row_count == int(row) + 1  # the row was updated, not added
    await store.close()


async def test_f_in_a_detail_is_offered_only_for_a_rejected_campaign(
    stack, started, wait_for, toasts
) -> None:
    from .test_preflight_in_forms import active_campaign

    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_drawn(app), "the detail")
        detail = app.screen
        assert not detail.check_action("fix", ())
        await pilot.press("f")
        await pilot.pause()
        assert app.screen is detail  # nothing opened
