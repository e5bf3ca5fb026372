"""An unexpected error in background work, from any screen, is one error toast (never lost)."""

from __future__ import annotations

from textual.notifications import Notification, Notify
from textual.widgets import Input

import tui.controllers.events
import tui.screens.detail
import tui.screens.main
from receiver.domain.models import Badge, CallbackEvent, ResourceType
from tui.forms import CampaignForm
from tui.screens.detail import ResourceDetailScreen
from tui.screens.entry import EntryDetailScreen
from tui.widgets.event_log import EventLog

SIZE = (120, 40)
B = ResourceType.BRAND


class Toasts:
    """A `message_hook` for `run_test`: every notification the app was asked to show."""

    def __init__(self) -> None:
        self.shown: list[Notification] = []

    def __call__(self, message) -> None:
        if isinstance(message, Notify):
            self.shown.append(message.notification)

    def titled(self, title: str) -> list[Notification]:
        return [n for n in self.shown if n.title == title]


def broken(*args, **kwargs):
    raise RuntimeError("disk on [bold]fire[/]")


async def registered_brand(app, pilot, stack, wait_for) -> str:
    brand_id = await stack.create_brand("Acme Dental")
    await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "registered")
    table = app.screen.query_one("#brand-table")
    await wait_for(pilot, lambda: table.row_count == 1, "the brand row")
    return brand_id


def assert_one_failure(toasts: Toasts, what: str) -> None:
    (failed,) = toasts.titled("failed")
    assert failed.severity == "error"
    assert failed.markup is False  # the error's text is shown as it is, never as markup
    assert failed.message == f"{what}: unexpected RuntimeError: disk on [bold]fire[/]"


async def test_an_unexpected_error_in_a_timeline_export_is_an_error_toast(
    stack, started, wait_for, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(tui.screens.detail, "export_timeline", broken)
    app, toasts = stack.app, Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await registered_brand(app, pilot, stack, wait_for)
        app.screen.query_one("#brand-table").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourceDetailScreen), "the detail")

        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "timeline.jsonl")
        await pilot.press("enter")

        await wait_for(pilot, lambda: toasts.titled("failed"), "the error toast")
        await pilot.pause()
        assert_one_failure(toasts, f"export the timeline of brand {brand_id}")
        assert not toasts.titled("timeline exported")
        assert isinstance(app.screen, ResourceDetailScreen)
        assert not (tmp_path / "timeline.jsonl").exists()


async def test_an_unexpected_error_in_a_replay_is_an_error_toast(
    stack, started, wait_for, monkeypatch
) -> None:
    monkeypatch.setattr(tui.controllers.events, "replay", broken)
    app, toasts = stack.app, Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await registered_brand(app, pilot, stack, wait_for)
        log = app.screen.query_one(EventLog)

        def row_of_a_callback():
            for index, key in enumerate(log.rows):
                if isinstance(log._entries.get(key.value), CallbackEvent):
                    return index + 1  # truthy even for the first row
            return None

        row = await wait_for(pilot, row_of_a_callback, "a callback in the event log")
        log.focus()
        log.move_cursor(row=row - 1)
        await pilot.press("enter")
        assert isinstance(app.screen, EntryDetailScreen)
        event_id = app.screen.entry.id

        await pilot.press("p", "enter")  # replay to our own receiver, the default

        await wait_for(pilot, lambda: toasts.titled("failed"), "the error toast")
        await pilot.pause()
        assert_one_failure(toasts, f"replay {event_id}")
        assert not toasts.titled("replay")
        assert isinstance(app.screen, EntryDetailScreen)


async def test_an_unexpected_error_in_the_event_log_export_is_one_error_toast(
    stack, started, wait_for, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(tui.screens.main, "export_events", broken)
    app, toasts = stack.app, Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "log.jsonl")
        await pilot.press("enter")

        await wait_for(pilot, lambda: toasts.titled("failed"), "the error toast")
        await pilot.pause()
        assert_one_failure(toasts, "export the event log")
        assert not toasts.titled("event log exported")


async def test_a_form_worker_it_does_not_show_itself_reaches_the_app(
    stack, started, wait_for, monkeypatch
) -> None:
    """The campaign form shows submit failures inline; a broken use-case load is a toast."""
    app, toasts = stack.app, Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await registered_brand(app, pilot, stack, wait_for)
        monkeypatch.setattr(stack.gateway, "brand_usecases", broken)

        await pilot.press("c")  # the only registered brand is chosen: its use cases load

        await wait_for(pilot, lambda: toasts.titled("failed"), "the error toast")
        await pilot.pause()
        assert_one_failure(toasts, "campaign form: load use cases")
        assert isinstance(app.screen, CampaignForm)
