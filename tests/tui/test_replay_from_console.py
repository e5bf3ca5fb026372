"""Pilot tests of event replay, copy-as-curl and export from the UI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from plivo.utils import validate_signature
from textual.widgets import Input

from receiver.domain.models import Badge, CallbackEvent, ResourceType
from tui.screens.detail import ResourceDetailScreen
from tui.screens.entry import EntryDetailScreen
from tui.screens.main import MainScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.event_log import EventLog

SIZE = (120, 40)
B = ResourceType.BRAND


@dataclass
class Hook:
    """A second local receiver (the user's own webhook handler) that checks Plivo signatures."""

    url: str
    token: str
    seen: list[dict] = field(default_factory=list)


@pytest.fixture
async def hook(stack) -> AsyncIterator[Hook]:
    state = Hook("", stack.sandbox.auth_token)

    async def handle(request: web.Request) -> web.Response:
        body = await request.post()
        valid = validate_signature(
            state.url,
            request.headers.get("X-Plivo-Signature-V2-Nonce", ""),
            request.headers.get("X-Plivo-Signature-V2", ""),
            state.token,
        )
        state.seen.append({"method": request.method, "fields": dict(body), "valid": valid})
        return web.Response(status=200 if valid else 403, text="ok" if valid else "bad signature")

    app = web.Application()
    app.router.add_post("/my/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}/my/hook"
    yield state
    await runner.cleanup()


async def open_a_callback(app, pilot, stack, wait_for, status: str = "registered") -> CallbackEvent:
    """Register a brand, then open its `status` callback from the event log."""
    brand_id = await stack.create_brand("Acme Dental")
    await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "registered")
    log = app.screen.query_one(EventLog)

    def row_of_callback():
        for index, key in enumerate(log.rows):
            entry = log._entries.get(key.value)
            if isinstance(entry, CallbackEvent) and entry.status == status:
                return index + 1  # truthy even for the first row
        return None

    row = await wait_for(pilot, row_of_callback, "the callback in the event log")
    log.focus()
    log.move_cursor(row=row - 1)
    await pilot.press("enter")
    screen = app.screen
    assert isinstance(screen, EntryDetailScreen)
    return screen.entry


async def test_replay_to_a_second_receiver_carries_a_valid_signature(
    stack, hook, started, wait_for, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        event = await open_a_callback(app, pilot, stack, wait_for)

        await pilot.press("p")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        field_ = prompt.query_one(Input)
        assert field_.value == stack.receiver.config.callback_url  # our receiver by default
        field_.value = "ftp://nowhere"
        await pilot.press("enter")
        assert app.screen is prompt  # refused: not http(s)
        assert "http://" in str(prompt.query_one("#prompt-error").render())
        field_.value = hook.url
        await pilot.press("enter")

        await wait_for(pilot, lambda: hook.seen, "the replay at the second receiver")
        (seen,) = hook.seen
        assert seen["valid"] is True
        assert seen["method"] == "POST"
        assert seen["fields"] == event.params
        await wait_for(
            pilot,
            lambda: (
                f"replayed to {hook.url}: HTTP 200"
                in [n.message for n in toasts if n.title == "replay"]
            ),
            "the replay toast",
        )


async def test_replay_to_our_own_receiver_is_verified(stack, started, wait_for, toasts) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await open_a_callback(app, pilot, stack, wait_for)
        before = stack.app.main_screen.status_bar.callbacks
        await pilot.press("p", "enter")  # the default: our receiver
        await wait_for(
            pilot,
            lambda: any("HTTP 200" in n.message for n in toasts if n.title == "replay"),
            "the replay toast",
        )
        await wait_for(
            pilot, lambda: stack.app.main_screen.status_bar.callbacks > before, "a new callback"
        )
        assert stack.app.main_screen.status_bar.unverified == 0


async def test_replay_to_a_closed_port_is_an_error_toast(stack, started, wait_for, toasts) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await open_a_callback(app, pilot, stack, wait_for)
        await pilot.press("p")
        app.screen.query_one(Input).value = "http://127.0.0.1:9/nothing-listens"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: [n for n in toasts if n.title == "replay failed"],
            "the error toast",
        )
        assert isinstance(app.screen, EntryDetailScreen)


async def test_copy_as_curl_puts_a_signed_command_on_the_clipboard(
    stack, started, wait_for, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        event = await open_a_callback(app, pilot, stack, wait_for)

        await pilot.press("c")

        url = stack.receiver.config.callback_url
        assert app.clipboard.splitlines()[1].startswith(f"curl -X POST {url}")
        assert "X-Plivo-Signature-V2:" in app.clipboard
        assert f"X-Tendlc-Replay-Of: {event.id}" in app.clipboard
        assert stack.sandbox.auth_token not in app.clipboard
        assert any(n.title == "curl command copied" for n in toasts)


async def test_event_palette_commands_act_on_the_selected_log_row(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        event = await open_a_callback(app, pilot, stack, wait_for)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+p", *"copy as curl", "enter")
        await wait_for(pilot, lambda: f"X-Tendlc-Replay-Of: {event.id}" in app.clipboard, "curl")


async def test_export_writes_the_event_log_as_jsonl(
    stack, started, wait_for, tmp_path, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await stack.create_brand("Acme Dental")
        await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "registered")

        await pilot.press("x")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        default = prompt.query_one(Input).value
        assert default.startswith("tendlc-events-20260101-") and default.endswith(".jsonl")
        target = tmp_path / "out"
        target.mkdir()
        prompt.query_one(Input).value = str(target)  # a directory: the default name inside
        await pilot.press("enter")

        path = target / default
        await wait_for(
            pilot,
            lambda: [n for n in toasts if n.title == "event log exported"],
            "the export toast",
        )
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert {line["type"] for line in lines} == {"request", "callback"}
        assert any(line.get("brand_id") == brand_id for line in lines)
        assert any(str(path) in n.message for n in toasts if n.title == "event log exported")

        await pilot.press("x")  # the same name again: refused, never overwritten
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: [n for n in toasts if n.title == "export failed"],
            "the error toast",
        )
        failed = [n for n in toasts if n.title == "export failed"][0]
        assert "already exists" in failed.message and failed.severity == "error"


async def test_export_a_timeline_as_csv_and_an_unwritable_path(
    stack, started, wait_for, tmp_path, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await stack.create_brand("Acme Dental")
        await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "registered")
        table = app.screen.query_one("#brand-table")
        await wait_for(pilot, lambda: table.row_count == 1, "the brand row")
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourceDetailScreen), "the detail")

        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "missing-dir" / "t.csv")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: [n for n in toasts if n.title == "export failed"],
            "the error toast",
        )
        assert isinstance(app.screen, ResourceDetailScreen)

        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "timeline.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "timeline.csv").exists(), "the file")
        await wait_for(
            pilot,
            lambda: [n for n in toasts if n.title == "timeline exported"],
            "the toast",
        )
        rows = (tmp_path / "timeline.csv").read_text().splitlines()
        assert rows[0] == "type,id,time,cause,badge,detail,ref"
        resource = stack.store.registry.get(B, brand_id)
        assert len(rows) == 1 + len(resource.timeline)
        assert rows[-1].startswith(f"brand,{brand_id},") and ",callback,registered," in rows[-1]
