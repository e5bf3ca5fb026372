"""Import a TCR campaign from the console, and a campaign's numbers view, against the sandbox."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input

from plivo_client.validation import LinkRequest
from receiver.domain.models import Badge, RequestRecord, ResourceType
from tui.forms.campaign_import_form import CampaignImportForm
from tui.screens.campaign_numbers import CampaignNumbersScreen
from tui.screens.detail import ResourceDetailScreen
from tui.screens.main import MainScreen

from .test_campaign_lifecycle_console import select
from .test_numbers_console import free_numbers
from .test_preflight_in_forms import active_campaign

SIZE = (120, 40)
C, N = ResourceType.CAMPAIGN, ResourceType.NUMBER


def requests_of(stack, action: str) -> list[RequestRecord]:
    return [e for e in stack.store.recent() if isinstance(e, RequestRecord) and e.action == action]


async def fill_import(pilot, campaign_id: str, alias: str) -> CampaignImportForm:
    form = pilot.app.screen
    assert isinstance(form, CampaignImportForm)
    form.query_one("#campaign_id", Input).value = campaign_id
    form.query_one("#campaign_alias", Input).value = alias
    return form


async def test_import_a_tcr_campaign_from_the_palette_and_see_it_register(
    stack, started, wait_for, toasts, text_of
) -> None:
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await pilot.press("ctrl+p", *"import from TCR", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignImportForm), "form")
        form = await fill_import(pilot, "cshr001", "shared-alerts")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen), "dismissed")
        (record,) = requests_of(stack, "campaign.import")
        assert record.ok and record.campaign_id == "CSHR001"
        assert record.params["campaign_alias"] == "shared-alerts"
        assert record.params["url"] == stack.receiver.config.callback_url  # callbacks follow it
        assert pilot.app.main_screen.resources.current_table.id == "campaign-table"
        await wait_for(pilot, lambda: stack.badge(C, "CSHR001") is Badge.REGISTERED, "registered")
        assert stack.store.registry.get(C, "CSHR001").name == "shared-alerts"

        # The same id again: Plivo refuses; the form stays open with its reason, nothing typed is lost.
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignImportForm), "again")
        form = await fill_import(pilot, "CSHR001", "second try")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.busy and form.tried, "refused")
        await wait_for(pilot, lambda: len(requests_of(stack, "campaign.import")) == 2, "journaled")
        assert isinstance(pilot.app.screen, CampaignImportForm)
        assert "already exists" in text_of(form.query_one("#form-error"))
        assert form.query_one("#campaign_alias", Input).value == "second try"
        assert not requests_of(stack, "campaign.import")[-1].ok


async def test_import_checks_the_id_before_sending(stack, started, wait_for, text_of) -> None:
    async with stack.app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignImportForm), "form")
        form = await fill_import(pilot, "not an id", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "TCR campaign id" in text_of(form.query_one("#campaign_id-error"))
        assert "required" in text_of(form.query_one("#campaign_alias-error"))
        assert not requests_of(stack, "campaign.import")
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, MainScreen)


def rows_of(screen: CampaignNumbersScreen) -> dict[str, tuple[str, str]]:
    """number -> (badge, Plivo's status) as the view shows them."""
    table = screen.query_one("#campaign-numbers", DataTable)
    return {
        key.value: (str(table.get_cell(key, "badge")).strip(), str(table.get_cell(key, "api")))
        for key in table.rows
    }


async def test_a_campaigns_numbers_with_their_status_live(stack, started, wait_for) -> None:
    async with stack.app.run_test(size=SIZE) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        free = (await free_numbers(stack))[:2]
        await asyncio.to_thread(stack.gateway.link_numbers, LinkRequest(campaign_id, tuple(free)))
        for n in free:
            await wait_for(pilot, lambda n=n: stack.badge(N, n) is Badge.LINKED, f"{n} linked")
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignNumbersScreen), "view")
        view = pilot.app.screen
        assert view.campaign_id == campaign_id
        await wait_for(pilot, lambda: view.at_plivo is not None, "Plivo's list")
        assert rows_of(view) == {n: ("linked", "COMPLETED") for n in free}
        summary = str(view.query_one("#numbers-summary").content)
        assert "2 numbers: 2 linked" in summary and "Plivo lists 2 numbers" in summary

        # An unlink made elsewhere shows up in the open view, then `r` reads Plivo again.
        await asyncio.to_thread(stack.gateway.unlink_number, campaign_id, free[0])
        await wait_for(pilot, lambda: rows_of(view)[free[0]][0] == "unlinked", "live")
        await pilot.press("r")
        await wait_for(pilot, lambda: free[0] not in (view.at_plivo or {free[0]: ""}), "re-read")
        assert rows_of(view)[free[0]] == ("unlinked", "—")
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, MainScreen)

        # From a number's detail: `m` opens its campaign's numbers.
        await select(pilot, N, free[1], wait_for)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResourceDetailScreen), "detail")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignNumbersScreen), "again")
        assert pilot.app.screen.campaign_id == campaign_id


async def test_campaign_numbers_needs_a_campaign(stack, started, toasts) -> None:
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        pilot.app.main_screen.resources.show(ResourceType.BRAND)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)
        assert toasts.messages("campaign numbers") == [
            "Select a campaign (or one of its numbers) first."
        ]
