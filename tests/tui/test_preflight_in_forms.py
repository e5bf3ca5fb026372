"""Preflight before submit: the checks themselves, and how the forms use them in the app."""

from __future__ import annotations

import asyncio

import aiohttp
from textual.widgets import Input, Select, TextArea

from plivo_client.preflight import (
    FindingKind,
    check_campaign,
    check_link,
    earlier_attempt,
    unanswered,
)
from plivo_client.validation import CampaignRequest, LinkRequest
from receiver.domain.models import Badge, RequestRecord, ResourceType
from receiver.signature import signature_headers
from tui.forms import BrandForm, CampaignForm, LinkForm
from tui.forms.common import FieldError
from tui.screens.main import MainScreen
from tui.screens.prompt import ChoiceScreen

SIZE = (120, 40)
B, C, N = ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER
TEXT = {
    "alias": "harbor-reminders",
    "description": "Appointment reminders and follow-ups for Harbor Point Dental patients.",
    "sample1": "Harbor Point Dental: your cleaning is tomorrow at 9:30. Reply STOP to opt out.",
    "sample2": "Harbor Point Dental: reply C to confirm your appointment, HELP for help.",
    "message_flow": "Patients opt in on the intake form at the front desk, with a checkbox.",
    "help_message": "Harbor Point Dental: call 813-555-0142 for help. Reply STOP to opt out.",
    "optout_message": "You are unsubscribed from Harbor Point Dental texts. Reply START to rejoin.",
}
TIMED_OUT = (
    "create brand failed: Plivo at https://api.plivo.com did not answer within 10 s "
    "(sent, but no answer: it may still have been received, refresh before retrying)"
)


def campaign_request(brand_id: str, usecase: str = "CUSTOMER_CARE") -> CampaignRequest:
    return CampaignRequest(brand_id, "HEALTHCARE", usecase, **TEXT)


def form_errors(form) -> str:
    return " ".join(str(e.render()) for e in form.query(FieldError) if e.display)


def requests_of(stack, action: str) -> list[RequestRecord]:
    return [e for e in stack.store.recent() if isinstance(e, RequestRecord) and e.action == action]


async def forge_registered(stack, brand_id: str) -> None:
    """A signed `registered` callback for a brand the API actually refused (a stale registry)."""
    params = {"brand_id": brand_id, "event": "brand", "status": "registered"}
    config = stack.receiver.config
    headers = signature_headers("POST", config.callback_url, params, stack.sandbox.auth_token)
    async with aiohttp.ClientSession() as session:
        async with session.post(config.local_callback_url, data=params, headers=headers) as resp:
            assert resp.status == 200


async def active_campaign(stack, wait_for, pilot) -> tuple[str, str]:
    """A registered brand and an ACTIVE, registered campaign, through the gateway."""
    brand_id = await stack.create_brand("Harbor Dental")
    await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "brand")
    submitted = await asyncio.to_thread(stack.gateway.create_campaign, campaign_request(brand_id))
    campaign_id = submitted.campaign_id
    await wait_for(pilot, lambda: stack.badge(C, campaign_id) is Badge.REGISTERED, "campaign")
    return brand_id, campaign_id


# -- the checks, without a screen -----------------------------------------------------------


async def test_checks_name_the_brand_status_usecase_and_linked_numbers(
    stack, started, wait_for
) -> None:
    async with stack.app.run_test(size=SIZE) as pilot:
        await started(pilot)
        gateway = stack.gateway
        refused = await stack.create_brand("please reject me")
        await stack.sandbox.idle()
        (finding,) = await asyncio.to_thread(check_campaign, gateway, campaign_request(refused))
        assert finding.kind is FindingKind.BRAND_NOT_READY and finding.blocking
        assert f"brand {refused} is FAILED" in finding.message
        assert finding.field == "brand_id"

        brand_id, campaign_id = await active_campaign(stack, wait_for, pilot)
        wrong = campaign_request(brand_id, usecase="NOT_A_USECASE")
        (finding,) = await asyncio.to_thread(check_campaign, gateway, wrong)
        assert finding.kind is FindingKind.USECASE_NOT_ALLOWED and finding.field == "usecase"
        assert "CUSTOMER_CARE" in finding.message
        ok = await asyncio.to_thread(check_campaign, gateway, campaign_request(brand_id))
        assert ok == []

        await asyncio.to_thread(
            gateway.link_numbers, LinkRequest(campaign_id, ("18135550100", "18135550101"))
        )
        await stack.sandbox.idle()
        check = await asyncio.to_thread(
            check_link, gateway, LinkRequest(campaign_id, ("18135550100", "18135550102"))
        )
        assert check.request == LinkRequest(campaign_id, ("18135550102",))
        (finding,) = check.findings
        assert finding.kind is FindingKind.ALREADY_LINKED and not finding.blocking
        assert finding.numbers == ("18135550100",)
        assert "+18135550100 (linked)" in finding.message
        check = await asyncio.to_thread(
            check_link, gateway, LinkRequest(campaign_id, ("18135550101",))
        )
        assert check.request is None
        assert check.findings[0].kind is FindingKind.NOTHING_TO_LINK


def test_an_unanswered_or_awaited_identical_create_is_found(tmp_path) -> None:
    from receiver.domain.registry import Registry

    params = {"profile_uuid": "P1", "brand_alias": "Acme", "brand_type": "STANDARD"}
    lost = RequestRecord("rq1", 1.0, "brand.create", params, False, error=TIMED_OUT)
    refused = RequestRecord("rq2", 2.0, "brand.create", params, False, error="invalid EIN")
    other = RequestRecord("rq3", 3.0, "brand.create", {**params, "brand_alias": "Other"}, False)
    registry = Registry()
    assert unanswered(lost) and not unanswered(refused)

    finding = earlier_attempt([lost, refused, other], registry, "brand.create", params)
    assert finding is not None and finding.kind is FindingKind.POSSIBLE_DUPLICATE
    assert finding.earlier == (lost,)
    assert "'Acme'" in finding.message and "duplicate" in finding.message
    same_alias_other_case = {**params, "brand_alias": " acme "}
    assert earlier_attempt([lost], registry, "brand.create", same_alias_other_case) is not None
    assert earlier_attempt([refused, other], registry, "brand.create", params) is None

    accepted = RequestRecord("rq4", 4.0, "brand.create", params, True, {}, brand_id="B1")
    registry.apply_request(accepted, "https://cb.test/")
    finding = earlier_attempt([accepted], registry, "brand.create", params)
    assert finding is not None and "B1, still submitted" in finding.message


# -- in the app -----------------------------------------------------------------------------


async def test_campaign_on_a_brand_plivo_refused_is_not_sent(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        stack.sandbox.suppress_callbacks(True)
        brand_id = await stack.create_brand("please reject me")
        await stack.sandbox.idle()  # FAILED at the API
        await forge_registered(stack, brand_id)  # ... but the registry believes registered
        await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "stale")

        await pilot.press("c")
        form = app.screen
        assert isinstance(form, CampaignForm)
        await wait_for(pilot, lambda: form.query_one("#usecase", Select)._options[1:], "usecases")
        form.query_one("#vertical", Select).value = "HEALTHCARE"
        usecase = form.query_one("#usecase", Select)
        usecase.value = usecase._options[1][1]
        for name, value in TEXT.items():
            form.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")

        await wait_for(pilot, lambda: "is FAILED at Plivo" in form_errors(form), "the refusal")
        assert app.screen is form  # still open, everything kept
        assert form.query_one("#alias", Input).value == TEXT["alias"]
        assert f"brand {brand_id} is FAILED" in form.query_one("#brand_id-error").render().plain
        assert requests_of(stack, "campaign.create") == []


async def test_link_leaves_out_a_number_already_linked(stack, started, wait_for, toasts) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        await asyncio.to_thread(
            stack.gateway.link_numbers, LinkRequest(campaign_id, ("18135550100",))
        )
        await wait_for(pilot, lambda: stack.badge(N, "18135550100") is Badge.LINKED, "linked")

        await pilot.press("l")
        form = app.screen
        assert isinstance(form, LinkForm)
        assert form.query_one("#campaign_id", Select).value == campaign_id
        form.query_one("#numbers", TextArea).text = "+1 813 555 0100, +1 813 555 0101"
        await pilot.press("ctrl+s")

        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the form to close")
        links = requests_of(stack, "number.link")
        assert links[-1].numbers == ("18135550101",)
        warnings = [n for n in toasts if n.title == "link"]
        assert warnings and warnings[0].severity == "warning"
        assert "+18135550100 (linked)" in warnings[0].message


async def test_link_of_only_linked_numbers_is_refused_inline(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        await asyncio.to_thread(
            stack.gateway.link_numbers, LinkRequest(campaign_id, ("18135550100",))
        )
        await wait_for(pilot, lambda: stack.badge(N, "18135550100") is Badge.LINKED, "linked")
        before = len(requests_of(stack, "number.link"))

        await pilot.press("l")
        form = app.screen
        form.query_one("#numbers", TextArea).text = "8135550100"
        await pilot.press("ctrl+s")

        await wait_for(pilot, lambda: "nothing was sent" in form_errors(form), "the refusal")
        assert app.screen is form
        assert len(requests_of(stack, "number.link")) == before


async def test_duplicate_create_warns_and_offers_to_reconcile_first(
    stack, started, wait_for
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        profiles = [p for p in await asyncio.to_thread(stack.gateway.list_profiles) if p.has_ein]
        profile = profiles[0]
        params = {"profile_uuid": profile.uuid, "brand_alias": "Acme Dental"}
        lost = RequestRecord("rqlost", 5.0, "brand.create", params, False, error=TIMED_OUT)
        lost = (await stack.store.record_request(lost)).request

        await pilot.press("b")
        form = app.screen
        assert isinstance(form, BrandForm)
        await wait_for(pilot, lambda: form.profiles, "profiles")
        form.query_one("#profile_uuid", Select).value = profile.uuid
        form.query_one("#alias", Input).value = "Acme Dental"
        await pilot.press("ctrl+s")

        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the warning")
        warning = app.screen
        assert "duplicate" in warning.text and "rqlost got no answer" in warning.text
        assert requests_of(stack, "brand.create") == [lost]  # nothing sent yet

        await pilot.press("enter")  # "Reconcile first" has the focus

        await wait_for(pilot, lambda: "Reconciled:" in form_errors(form), "the reconcile note")
        assert app.screen is form
        assert "Nothing named 'Acme Dental'" in form_errors(form)
        assert requests_of(stack, "brand.create") == [lost]

        await pilot.press("ctrl+s")  # the user decided: send it

        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the form to close")
        sent = requests_of(stack, "brand.create")
        assert len(sent) == 2 and sent[-1].ok and sent[-1].params["brand_alias"] == "Acme Dental"


async def test_submit_anyway_sends_at_once(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        stack.sandbox.suppress_callbacks(True)
        first = await stack.create_brand("Acme Dental")  # accepted, still awaiting callbacks
        profile_uuid = requests_of(stack, "brand.create")[0].params["profile_uuid"]

        await pilot.press("b")
        form = app.screen
        await wait_for(pilot, lambda: form.profiles, "profiles")
        form.query_one("#profile_uuid", Select).value = profile_uuid
        form.query_one("#alias", Input).value = "acme dental"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the warning")
        assert f"made {first}, still submitted" in app.screen.text

        await pilot.click("#submit-anyway")

        await wait_for(pilot, lambda: len(requests_of(stack, "brand.create")) == 2, "sent")
