"""Pilot tests of the main screen against a real sandbox, receiver, store and gateway."""

from __future__ import annotations

import aiohttp

from receiver.domain.models import Badge, CallbackEvent, Kind, RequestRecord, ResourceType
from receiver.signature import signature_headers
from receiver.store.store import Store
from tui.app import make_app
from tui.forms import BrandForm
from tui.screens.detail import ResourceDetailScreen
from tui.screens.entry import EntryDetailScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.event_log import EventLog
from tui.widgets.resource_table import ResourceTable
from tui.widgets.status_bar import StatusBar

SIZE = (120, 40)


def brands(app) -> ResourceTable:
    return app.screen.query_one("#brand-table", ResourceTable)


def cell_badge(table: ResourceTable, id: str) -> str:
    return table.get_cell(id, "badge").plain.strip()


async def post_callback(stack, params: dict[str, str], *, signed: bool) -> int:
    """POST a form callback to the receiver, signed with the sandbox's token or not at all."""
    config = stack.receiver.config
    headers = {}
    if signed:
        headers = signature_headers("POST", config.callback_url, params, stack.sandbox.auth_token)
    async with aiohttp.ClientSession() as session:
        async with session.post(config.local_callback_url, data=params, headers=headers) as resp:
            return resp.status


async def test_brand_goes_submitted_then_registered(stack, started, wait_for, toasts) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        # hold the sandbox's callbacks so `submitted` is seen before any callback races it
        stack.sandbox.suppress_callbacks(True)
        brand_id = await stack.create_brand("Acme Dental")
        table = brands(app)
        await wait_for(
            pilot,
            lambda: brand_id in table.rows and cell_badge(table, brand_id) == "submitted",
            "the brand row to show submitted",
        )
        status = await post_callback(
            stack, {"brand_id": brand_id, "event": "brand", "status": "registered"}, signed=True
        )
        assert status == 200
        await wait_for(pilot, lambda: cell_badge(table, brand_id) == "registered", "registered")
        timeline = stack.store.registry.get(ResourceType.BRAND, brand_id).timeline
        assert [t.badge for t in timeline] == [Badge.SUBMITTED, Badge.REGISTERED]
        log = app.screen.query_one(EventLog)
        kinds = [log.get_cell(key, "kind") for key in log.rows]
        assert kinds == ["brand.create", "brand"]
        await wait_for(
            pilot,
            lambda: any(
                n.title == "brand" and n.message.endswith("submitted → registered") for n in toasts
            ),
            "a toast naming the change",
        )


async def test_rejected_brand_shows_rejected_and_an_error_toast(
    stack, started, wait_for, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await stack.create_brand("please reject me")
        table = brands(app)
        await wait_for(
            pilot,
            lambda: brand_id in table.rows and cell_badge(table, brand_id) == "rejected",
            "the brand row to show rejected",
        )
        await wait_for(
            pilot,
            lambda: any(n.severity == "error" and brand_id in n.message for n in toasts),
            "an error toast naming the brand",
        )
        # The callback carries no reasons: the app reads them from the API by itself.
        await wait_for(
            pilot,
            lambda: stack.store.registry.get(ResourceType.BRAND, brand_id).detail.get(
                "declined_reasons"
            ),
            "the declined reasons fetched from the API",
        )


async def test_callback_updates_badge_in_place_without_moving_cursor(
    stack, monkeypatch, started, wait_for
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        first = await stack.create_brand("First brand")
        table = brands(app)
        await wait_for(
            pilot,
            lambda: stack.badge(ResourceType.BRAND, first) is Badge.REGISTERED,
            "first registered",
        )
        stack.sandbox.suppress_callbacks(True)
        second = await stack.create_brand("Second brand")
        await wait_for(pilot, lambda: second in table.rows, "second brand row")
        assert cell_badge(table, second) == "submitted"
        table.focus()
        table.move_cursor(row=table.get_row_index(first))
        await pilot.pause()
        cleared = []
        monkeypatch.setattr(table, "clear", lambda *a, **k: cleared.append(a))

        status = await post_callback(
            stack, {"brand_id": second, "event": "brand", "status": "registered"}, signed=True
        )

        assert status == 200
        await wait_for(pilot, lambda: cell_badge(table, second) == "registered", "badge update")
        assert table.cursor_row == table.get_row_index(first)
        assert table.selected().id == first
        assert cleared == []
        assert table.row_count == 2


async def test_unsigned_callback_is_logged_as_unverified(stack, started, wait_for, toasts) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        status = await post_callback(
            stack, {"brand_id": "BFORGED1", "event": "brand", "status": "registered"}, signed=False
        )
        assert status == 403
        log = app.screen.query_one(EventLog)
        await wait_for(pilot, lambda: log.row_count == 1, "the event log row")
        key = next(iter(log.rows))
        trust = log.get_cell(key, "trust")
        assert trust.plain.startswith("✗ unverified")
        assert "red" in str(trust.style)
        bar = app.screen.query_one(StatusBar)
        assert (bar.callbacks, bar.unverified) == (1, 1)
        assert stack.badge(ResourceType.BRAND, "BFORGED1") is None
        await wait_for(  # toasts come when the burst ends
            pilot,
            lambda: any(n.title == "unverified callback" for n in toasts),
            "the unverified toast",
        )

        await pilot.press("e", "enter")
        assert isinstance(app.screen, EntryDetailScreen)
        assert app.screen.entry.id == key.value
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_filter_narrows_rows_and_escape_restores_them(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        kept = await stack.create_brand("Acme Dental")
        other = await stack.create_brand("Globex Tours")
        table = brands(app)
        await wait_for(pilot, lambda: table.row_count == 2, "two brand rows")

        await pilot.press("slash", *"globex")
        await wait_for(pilot, lambda: list(table.rows) == [other], "the filter to apply")
        await wait_for(pilot, lambda: "globex" in app.screen.sub_title, "the whole filter")

        await pilot.press("escape")
        assert sorted(k.value for k in table.rows) == sorted([kept, other])
        assert "globex" not in app.screen.sub_title


async def test_a_filter_that_matches_nothing_says_so(stack, started, wait_for, text_of) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await stack.create_brand("Acme Dental")
        table = brands(app)
        await wait_for(pilot, lambda: table.row_count == 1, "the brand row")
        hint = app.screen.query_one("#brand-empty")
        assert not hint.display

        await pilot.press("slash", *"[zzz]")
        await wait_for(pilot, lambda: table.row_count == 0, "the filter to apply")
        await wait_for(pilot, lambda: hint.display, "the hint")
        assert text_of(hint).strip() == (
            "No brands match “[zzz]” (1 hidden). Press esc to clear the filter."
        )

        await pilot.press("escape")
        await wait_for(pilot, lambda: table.row_count == 1, "the filter to clear")
        assert not hint.display


async def test_narrow_to_brand_shows_only_its_campaigns_and_numbers(
    stack, started, wait_for, fill_registry
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await fill_registry(stack.store)
        table = brands(app)
        await wait_for(pilot, lambda: table.row_count == 3, "three brands")
        table.focus()
        table.move_cursor(row=table.get_row_index("BACME01"))

        await pilot.press("n")

        screen = app.screen
        campaigns = screen.query_one("#campaign-table", ResourceTable)
        numbers = screen.query_one("#number-table", ResourceTable)
        assert screen.resources.current_type is ResourceType.CAMPAIGN
        assert [k.value for k in campaigns.rows] == ["CACME01"]
        assert sorted(k.value for k in numbers.rows) == [
            "14155550101",
            "14155550102",
            "14155550103",
        ]
        assert "BACME01" in screen.sub_title

        await pilot.press("N")
        assert campaigns.row_count == 2 and numbers.row_count == 4
        assert "BACME01" not in screen.sub_title


async def test_enter_opens_the_timeline_and_escape_returns(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        brand_id = await stack.create_brand("Acme Dental")
        table = brands(app)
        await wait_for(
            pilot,
            lambda: brand_id in table.rows and cell_badge(table, brand_id) == "registered",
            "registered",
        )
        table.focus()
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ResourceDetailScreen)
        timeline = screen.query_one("#timeline")
        journal = screen.query_one("#journal")
        resource = stack.store.registry.get(ResourceType.BRAND, brand_id)
        assert timeline.row_count == len(resource.timeline) >= 2
        assert journal.row_count == len(stack.store.entries_for(ResourceType.BRAND, brand_id))
        assert brand_id in screen.title
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert brands(app).selected().id == brand_id


async def test_keys_open_help_form_and_copy_the_callback_url(
    stack, started, wait_for, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("b")
        assert isinstance(app.screen, BrandForm)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("y")
        assert app.clipboard == stack.receiver.config.callback_url
        (toast,) = [n for n in toasts if n.title == "callback URL sent to the clipboard"]
        assert "OSC 52" in toast.message and "copies nothing" in toast.message


async def test_quit_stops_the_receiver_and_closes_the_store(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        url = stack.receiver.config.local_callback_url
        await pilot.press("q")
    assert app.return_code == 0
    reopened = Store.open(stack.path)  # the writer lock was released
    reopened.close_sync()
    async with aiohttp.ClientSession() as session:
        try:
            await session.post(url, data={"brand_id": "B1", "status": "registered"})
        except aiohttp.ClientConnectionError:
            pass
        else:
            raise AssertionError("the receiver still answers after quit")


async def test_ten_thousand_numbers_update_in_place(
    tmp_path, wait_for, monkeypatch, still_receiver
) -> None:
    """A callback for one of 10,000 numbers changes one cell; the cursor stays put."""
    numbers = tuple(f"1415{i:07d}" for i in range(10_000))
    store = Store.open(tmp_path / "store")
    link = RequestRecord("rq1", 1.0, "number.link", {}, True, {}, campaign_id="C1", numbers=numbers)
    app = make_app(store=store, receiver=still_receiver, gateway=None)
    async with app.run_test(size=SIZE) as pilot:
        await store.record_request(link, callback_url="https://demo.tendlc.test/tendlc_status/")
        table = app.screen.query_one("#number-table", ResourceTable)
        await wait_for(pilot, lambda: table.row_count == 10_000, "10,000 number rows", 60)
        await pilot.press("3")
        table.move_cursor(row=5_000)
        await pilot.pause()
        rebuilt = []
        monkeypatch.setattr(table, "clear", lambda *a, **k: rebuilt.append(a))
        monkeypatch.setattr(table, "add_row", lambda *a, **k: rebuilt.append(a))

        event = CallbackEvent(
            "ev1", 2.0, "POST", "/tendlc_status/", {}, "", {}, Kind.NUMBER_LINKING, "success",
            campaign_id="C1", number=numbers[9_999], verified=True,
        )  # fmt: skip
        await store.record_callback(event, apply=True)

        await wait_for(pilot, lambda: cell_badge(table, numbers[9_999]) == "linked", "linked")
        assert table.cursor_row == 5_000
        assert rebuilt == []


def test_unreachable_warning_only_for_loopback_urls() -> None:
    from tui.screens.main import unreachable_warning

    warning = unreachable_warning("http://127.0.0.1:8765/tendlc_status/")
    assert warning is not None and "--tunnel" in warning and "--public-url" in warning
    assert unreachable_warning("http://localhost:8765/tendlc_status/") is not None
    assert unreachable_warning("https://abc.trycloudflare.com/tendlc_status/") is None
