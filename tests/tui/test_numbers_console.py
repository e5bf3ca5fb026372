"""Numbers from the console against the sandbox: pick from the account's numbers, bulk link from
a file with a per-number result, bulk unlink with one confirm."""

from __future__ import annotations

import asyncio
import threading

from textual.widgets import DataTable, Input, SelectionList, TextArea

from plivo_client.validation import LinkRequest
from receiver.domain.models import Badge, Cause, RequestRecord, ResourceType
from sandbox.outcomes import LINK_FAILURE_REASON
from tui.forms import LinkForm, UnlinkConfirm
from tui.forms.bulk_link import BulkLinkScreen, BulkUnlinkScreen
from tui.forms.number_picker import NumberPicker
from tui.widgets.resource_table import SENDING

from .test_campaign_lifecycle_console import select
from .test_preflight_in_forms import active_campaign

SIZE = (120, 40)
C, N = ResourceType.CAMPAIGN, ResourceType.NUMBER


def requests_of(stack, action: str) -> list[RequestRecord]:
    return [e for e in stack.store.recent() if isinstance(e, RequestRecord) and e.action == action]


async def free_numbers(stack) -> list[str]:
    rows = await asyncio.to_thread(stack.gateway.account_numbers)
    return [
        r["number"]
        for r in rows
        if not r.get("tendlc_campaign_id") and r.get("number_type") == "local"
    ]


async def test_pick_numbers_from_the_account_in_the_link_form(stack, started, wait_for, toasts):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        free = await free_numbers(stack)
        await asyncio.to_thread(
            stack.gateway.link_numbers,
            LinkRequest(campaign_id, (free[0],)),
        )
        await wait_for(pilot, lambda: stack.badge(N, free[0]) is Badge.LINKED, "one linked")
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LinkForm), "link form")
        form = pilot.app.screen
        await pilot.press("f3")
        picker = await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, NumberPicker) and pilot.app.screen.rows,
            "the account's numbers",
        )
        picker = pilot.app.screen
        options = picker.query_one("#account-numbers", SelectionList)
        by_number = {options.get_option_at_index(i).value: options.get_option_at_index(i)
                     for i in range(options.option_count)}  # fmt: skip
        linked = by_number[free[0]]
        assert linked.disabled and f"linked to {campaign_id}" in str(linked.prompt)
        assert not by_number[free[1]].disabled and "free" in str(by_number[free[1]].prompt)
        assert "1 linked" in str(picker.query_one("#picker-summary").content)
        options.select(free[1])
        options.select(free[2])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is form, "back in the link form")
        text = form.query_one("#numbers", TextArea).text
        assert f"+{free[1]}" in text and f"+{free[2]}" in text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, LinkForm), "linked")
        await wait_for(pilot, lambda: stack.badge(N, free[2]) is Badge.LINKED, "picked linked")


async def test_bulk_link_from_a_file_then_unlink_all(
    stack, started, wait_for, toasts, tmp_path
) -> None:
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        free = (await free_numbers(stack))[:3]
        path = tmp_path / "numbers.csv"
        failing = "14155550000"  # the sandbox's carriers reject it (sandbox/outcomes.py)
        lines = [f"+{n}" for n in free] + ["+1 212 555 0199", "+1 415 555 0000"]
        path.write_text("number\n" + "\n".join(lines) + "\n")
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("L")
        screen = await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, BulkLinkScreen), "bulk link"
        )
        screen = pilot.app.screen
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("enter")
        assert "5 numbers in the file" in str(screen.query_one("#file-preview").content)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.finished, "every number answered")
        table = screen.query_one("#bulk-results", DataTable)
        results = {key.value: str(table.get_cell(key, "result")) for key in table.rows}
        assert all(results[n].startswith("✓") for n in free)
        refused = results["12125550199"]
        assert refused.startswith("✗")  # not on the account: Plivo's reason is shown
        assert screen.sent == [*free, failing] and screen.refused == ["12125550199"]
        # One request for the file; Plivo refused it naming the stranger, so the rest went
        # again without it: two requests, not one per number.
        refused_batch, sent_batch = requests_of(stack, "number.link")
        assert not refused_batch.ok and "12125550199" in refused_batch.error
        assert sent_batch.ok and sorted(sent_batch.numbers) == sorted([*free, failing])

        def result(number: str) -> str:
            return str(table.get_cell(number, "result"))

        # Each row then follows its number to the end of the link: the callback, and for the
        # failure the reason read from the API afterwards.
        for n in free:
            await wait_for(pilot, lambda n=n: result(n) == "✓ linked", f"{n}'s row: linked")
        await wait_for(
            pilot, lambda: result(failing) == f"✗ failed: {LINK_FAILURE_REASON}", "its reason"
        )
        assert result("12125550199") == refused  # refused before sending: stays as it was
        summary = str(screen.query_one("#bulk-summary").content)
        assert summary == "3 linked, 1 failed, 1 refused (see each one's reason)"
        # The dialog says what it did; no toast repeats it over the dialog (issue 15).
        assert not toasts.messages(screen.TITLE_TEXT.lower())
        await pilot.press("escape")
        for n in free:
            await wait_for(pilot, lambda n=n: stack.badge(N, n) is Badge.LINKED, f"{n} linked")

        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("U")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkUnlinkScreen), "confirm")
        confirm = pilot.app.screen
        assert confirm.focused.id == "cancel"
        assert "Unlink 3 numbers" in str(confirm.query_one("#confirm-text").content)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: confirm.finished, "unlinks answered")
        assert confirm.sent == sorted(free)
        rows = confirm.query_one("#bulk-results", DataTable)
        for n in free:
            await wait_for(
                pilot, lambda n=n: str(rows.get_cell(n, "result")) == "✓ unlinked", f"{n} row"
            )
        await pilot.press("escape")
        for n in free:
            await wait_for(pilot, lambda n=n: stack.badge(N, n) is Badge.UNLINKED, f"{n} gone")


async def test_bulk_link_refuses_a_file_with_words_and_sends_nothing(
    stack, started, wait_for, toasts, tmp_path
) -> None:
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        path = tmp_path / "numbers.txt"
        path.write_text("+14155550101, front desk\n")
        await select(pilot, C, campaign_id, wait_for)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkLinkScreen), "bulk")
        screen = pilot.app.screen
        await pilot.press("enter")  # nothing typed yet: the form asks for a path
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(screen.query_one("#form-error").content) == (
            "Not sent: no numbers read yet (type the file's path, then enter)"
        )
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not numbers" in str(screen.query_one("#form-error").content)
        assert not screen.running and not requests_of(stack, "number.link")
        screen.query_one("#path", Input).value = str(tmp_path / "missing.txt")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "cannot read" in str(screen.query_one("#form-error").content)


async def test_a_failed_link_says_why_read_from_the_api(stack, started, wait_for, toasts, text_of):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        failing = "14155550000"  # the sandbox's carriers reject it (sandbox/outcomes.py)
        await asyncio.to_thread(stack.gateway.link_numbers, LinkRequest(campaign_id, (failing,)))
        await wait_for(pilot, lambda: stack.badge(N, failing) is Badge.FAILED, "link failed")
        # The callback carries no reason: the console reads it from the campaign's numbers.
        await wait_for(
            pilot,
            lambda: stack.store.registry.get(N, failing).detail.get("failure_reason"),
            "the reason from the API",
        )
        resource = stack.store.registry.get(N, failing)
        assert resource.detail["failure_reason"] == LINK_FAILURE_REASON
        last = resource.timeline[-1]
        assert last.cause is Cause.RECONCILE and last.badge is Badge.FAILED
        assert last.detail == f"reconcile: failure reason: {LINK_FAILURE_REASON}"
        await wait_for(
            pilot,
            lambda: [t for t in toasts if f"+{failing}: {LINK_FAILURE_REASON}" in t.message],
            "the toast with the reason",
        )
        await select(pilot, N, failing, wait_for)
        await pilot.press("enter")
        summary = text_of(pilot.app.screen.query_one("#summary"))
        assert "why it failed" in summary and LINK_FAILURE_REASON in summary
        assert summary.count(LINK_FAILURE_REASON) == 1  # said once (not again as failure_reason)


async def test_confirming_an_unlink_shows_sending_on_the_row_at_once(
    stack, started, wait_for, toasts, monkeypatch
):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        _, campaign_id = await active_campaign(stack, wait_for, pilot)
        number = (await free_numbers(stack))[0]
        await asyncio.to_thread(stack.gateway.link_numbers, LinkRequest(campaign_id, (number,)))
        await wait_for(pilot, lambda: stack.badge(N, number) is Badge.LINKED, "linked")
        release = threading.Event()
        real_unlink = stack.gateway.unlink_number

        def held_unlink(campaign: str, digits: str):
            release.wait(10)  # the API is slow to answer: the row must not wait for it
            return real_unlink(campaign, digits)

        monkeypatch.setattr(stack.gateway, "unlink_number", held_unlink)
        await select(pilot, N, number, wait_for)
        table = pilot.app.main_screen.resources.table(N)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UnlinkConfirm), "confirm")

        await pilot.press("ctrl+s")

        await wait_for(
            pilot, lambda: table.get_cell(number, "badge").plain.strip() == SENDING, "sending…"
        )
        assert stack.badge(N, number) is Badge.LINKED  # nothing has reached the API yet
        release.set()
        await wait_for(
            pilot,
            lambda: table.get_cell(number, "badge").plain.strip() in ("unlinking", "unlinked"),
            "the store's answer replaces it",
        )
