"""At 80x24 every key and every header fact is shown whole; tables drop columns by rank."""

from __future__ import annotations

import asyncio

from textual.content import Content

from receiver.domain.models import RequestRecord
from tui.widgets.event_log import COLUMNS as LOG_COLUMNS
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.status_bar import Fact, StatusBar, flow
from tui.widgets.table_rows import Column, fit_columns


def plain(markup: str) -> str:
    return Content.from_markup(markup).plain


def test_columns_keep_their_widths_when_there_is_room() -> None:
    columns = [Column("a", "A", 8), Column("b", "B", 10, min_width=4), Column("c", "C")]
    assert fit_columns(columns, 60) == [(0, 8), (1, 10), (2, 60 - 8 - 10 - 6)]


def test_narrow_tables_shrink_then_drop_the_highest_rank_first() -> None:
    columns = [
        Column("id", "Id", 10),
        Column("name", "Name", 20, min_width=10),
        Column("updated", "Updated", 8, drop=2),
        Column("last", "Last", 30, min_width=12, drop=1),
    ]
    assert fit_columns(columns, 80) == [(0, 10), (1, 20), (2, 8), (3, 30)]
    assert fit_columns(columns, 50) == [(0, 10), (1, 12), (2, 8), (3, 12)]  # Name grows 2
    assert [i for i, _ in fit_columns(columns, 44)] == [0, 1, 3]  # Updated goes first
    assert [i for i, _ in fit_columns(columns, 30)] == [0, 1]
    assert [i for i, _ in fit_columns(columns, 5)] == [0, 1]  # rank 0 always stays


def test_the_event_log_keeps_room_for_the_verification_reason_at_80_columns() -> None:
    shown = dict(fit_columns(LOG_COLUMNS, 78))  # 80 minus the scrollbar gutter
    keys = [LOG_COLUMNS[i].key for i in shown]
    assert keys == ["time", "kind", "resource", "status", "trust"]
    assert shown[5] >= 18
    assert len(fit_columns(LOG_COLUMNS, 118)) == len(LOG_COLUMNS)


def test_status_facts_flow_onto_lines_and_are_never_cut() -> None:
    facts = [Fact("A" * 30, "A" * 30), Fact("B" * 30 + " detail", "B" * 30), Fact("C" * 20, "C")]
    assert flow(facts, 100) == ["A" * 30 + "   " + "B" * 30 + " detail   " + "C" * 20]
    assert flow(facts, 64) == ["A" * 30 + "   " + "B" * 30, "C" * 20]  # detail dropped
    assert flow(facts, 40) == ["A" * 30, "B" * 30 + " detail", "C" * 20]
    assert flow([Fact("X" * 50, "X" * 45)], 40) == ["X" * 45]  # too long: its own line


def test_at_80x24_the_header_and_footer_show_everything_whole(snapshot_app) -> None:
    asyncio.run(check_80x24(snapshot_app(True)))


async def check_80x24(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.services.started:
            await pilot.pause(0.01)
        await pilot.pause()
        bar = app.main_screen.query_one(StatusBar)
        lines = [plain(str(label.content)) for label in bar.query(".status-line") if label.display]
        text = "\n".join(lines)
        assert len(lines) == 2 and all(len(line) <= 78 for line in lines)
        for fact in ("SANDBOX", "https://demo.tendlc.test/tendlc_status/", "tunnel OFF"):
            assert fact in text
        assert "receiver 127.0.0.1:8765" in text and "unverified 1" in text
        footer = app.main_screen.query_one(FittingFooter)
        keys = {key.key for key in footer.query("FooterKey")}
        assert {"b", "c", "l", "u", "slash", "y", "r", "question_mark", "q", "ctrl+p"} <= keys
        used = sum(key.outer_size.width for key in footer.query("FooterKey"))
        assert used <= 80
        assert footer.left_out  # `?` lists what the footer leaves out


def test_help_scrolls_to_its_last_key_at_80x24(snapshot_app) -> None:
    asyncio.run(check_help(snapshot_app(True)))


async def check_help(app) -> None:
    from textual.containers import VerticalScroll

    from tui.screens.help import HelpScreen

    async with app.run_test(size=(80, 24)) as pilot:
        while not app.services.started:
            await pilot.pause(0.01)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body", VerticalScroll)
        hint = app.screen.query_one("#help-hint")
        await pilot.pause()
        assert body.max_scroll_y > 0 and hint.region.bottom <= 24  # the closing line shows
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        keys = [k for section in app.screen.sections for k, _ in section[1]]
        for key in ("ctrl+s", "F2", "esc", "ctrl+p", "q", "r", "?"):
            assert key in keys, key


def test_the_command_palette_shows_each_commands_key(snapshot_app) -> None:
    asyncio.run(check_palette(snapshot_app(True)))


async def check_palette(app) -> None:
    from tui.commands import MainCommands

    async with app.run_test(size=(80, 24)) as pilot:
        while not app.services.started:
            await pilot.pause(0.01)
        provider = MainCommands(app.main_screen)
        shown = {hit.text: hit.display.plain async for hit in provider.discover()}
        assert shown["brand: create…"] == "brand: create…   b "
        assert shown["registry: reconcile all"].endswith(" r ")
        assert shown["help: keys"].endswith(" ? ")
        assert shown["view: show everything"].endswith(" N / esc ")
        assert shown["resource: reconcile"] == "resource: reconcile"  # no key on this screen


def test_help_lists_the_form_keys_f3_and_f4() -> None:
    from tui.screens.help import OTHER_KEYS

    forms = dict(dict(OTHER_KEYS)["Forms"])
    assert {"F2", "F3", "F4"} <= set(forms)


def test_every_screens_footer_fits_80_columns_whole(snapshot_app) -> None:
    asyncio.run(check_footers(snapshot_app(True)))


async def check_footers(app) -> None:
    """The detail of each kind and an event's detail: every key shown, none cut at the edge
    (Textual's own footer ended `q Qui` in a number's detail)."""
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.services.started:
            await pilot.pause(0.01)
        for keys in (["1", "enter"], ["2", "enter"], ["3", "enter"], ["e", "enter"]):
            await pilot.press(*keys)
            await pilot.pause()
            footer = app.screen.query_one(FittingFooter)
            shown = list(footer.query("FooterKey"))
            assert {"escape", "q", "ctrl+p"} <= {key.key for key in shown}, keys
            assert sum(key.outer_size.width for key in shown) <= 80, keys
            assert not footer.left_out
            await pilot.press("escape")
            await pilot.pause()


def test_a_narrow_log_says_how_many_numbers_rather_than_cut_and_more() -> None:
    from tui.widgets.formatting import entry_resource
    from tui.widgets.table_rows import cell_text

    record = RequestRecord(
        "rq1",
        0.0,
        "number.link",
        {},
        True,
        campaign_id="C1",
        numbers=("14155550101", "14155550000"),
    )
    resource = entry_resource(record)
    assert resource == "+14155550101 and 1 more"
    assert cell_text(resource, 23).plain == "+14155550101 and 1 more"
    assert cell_text(resource, 16).plain == "+14155550101 & 1"  # 80 columns: not "+14155550101 an…"
    assert cell_text(resource, 12).plain == "2 numbers   "
