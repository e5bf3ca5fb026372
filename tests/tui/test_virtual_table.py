"""The virtual table and the tables built on it: keyed rows, in-place updates, filter, 10,000 rows."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App, ComposeResult

from receiver.domain.models import Badge, CallbackEvent, Kind, RequestRecord, Resource, ResourceType
from tui.widgets.event_log import EventLog
from tui.widgets.resource_table import ResourceTable
from tui.widgets.virtual_table import VirtualTable

SIZE = (120, 20)  # the table gets 20 lines: a header and 19 rows
T0 = 1_767_225_600.0


def number(i: int, badge: Badge = Badge.SUBMITTED, campaign: str = "C1") -> Resource:
    return Resource(ResourceType.NUMBER, f"1415{i:07d}", badge, T0 + i, parent_id=campaign)


class TableApp(App[None]):
    """One widget filling the screen."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.widget.styles.height = "1fr"
        self.widget.focus()

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.selected.append(message.key)


def numbers_table(count: int) -> tuple[ResourceTable, list[Resource]]:
    campaign = Resource(ResourceType.CAMPAIGN, "C1", Badge.REGISTERED, T0, name="Reminders")
    table = ResourceTable(ResourceType.NUMBER, lambda t, i: campaign if i == "C1" else None)
    return table, [number(i) for i in range(count)]


def line_text(table: VirtualTable, index: int) -> str:
    """What the screen shows for row `index` (which must be in view)."""
    return table.render_line(index - round(table.scroll_y) + 1).text


def keys(table: VirtualTable) -> list[str]:
    return [k.value for k in table.rows]


async def test_rows_are_keyed_and_keep_registry_order() -> None:
    table, items = numbers_table(5)
    async with TableApp(table).run_test(size=SIZE) as pilot:
        table.load(items)
        await pilot.pause()
        assert keys(table) == [r.id for r in items]
        assert items[3].id in table.rows and "nope" not in table.rows
        assert table.get_row_index(items[3].id) == 3
        assert table.get_cell(items[0].id, "parent") == "C1 (Reminders)"

        table.apply([number(99)])  # a new resource goes at the end
        assert keys(table)[-1] == number(99).id and table.row_count == 6
        assert "C1 (Reminders)" in line_text(table, 5)


async def test_a_change_redraws_one_line_and_the_cursor_stays() -> None:
    table, items = numbers_table(30)
    async with TableApp(table).run_test(size=SIZE) as pilot:
        table.load(items)
        table.move_cursor(row=2)
        await pilot.pause()
        rebuilt, refreshed = [], []
        table.set_rows = lambda *a, **k: rebuilt.append(a)
        original_refresh = table.refresh

        def spy(*regions, **kwargs):
            refreshed.append(regions)
            return original_refresh(*regions, **kwargs)

        table.refresh = spy

        table.apply([replace(items[5], badge=Badge.LINKED)])

        assert rebuilt == []
        assert [(r.y, r.height) for (r,) in refreshed] == [(6, 1)]  # row 5 is line 6
        assert table.get_cell(items[5].id, "badge").plain.strip() == "linked"
        assert " linked " in line_text(table, 5)
        assert table.cursor_row == 2 and table.selected().id == items[2].id

        table.apply([replace(items[25], badge=Badge.FAILED)])  # out of view: nothing redrawn
        assert len(refreshed) == 1
        assert table.get_cell(items[25].id, "badge").plain.strip() == "failed"


async def test_filter_hides_rows_and_the_cursor_follows_its_row() -> None:
    table, items = numbers_table(30)
    items[7] = replace(items[7], badge=Badge.REJECTED)
    items[20] = replace(items[20], badge=Badge.REJECTED)
    async with TableApp(table).run_test(size=SIZE) as pilot:
        table.load(items)
        table.move_cursor(row=20)
        await pilot.pause()

        table.filter_text = "REJECTED"
        table.rebuild()
        assert keys(table) == [items[7].id, items[20].id]
        assert table.selected().id == items[20].id and table.total == 30

        table.apply([replace(items[20], badge=Badge.LINKED)])  # no longer matches: row leaves
        assert keys(table) == [items[7].id]
        assert table.selected().id == items[7].id

        table.filter_text = "c1"  # the campaign, in any case
        table.rebuild()
        assert table.row_count == 30 and table.selected().id == items[7].id
        table.filter_text = "0000020\0c"  # never across two fields
        table.rebuild()
        assert table.row_count == 0

        table.filter_text = ""
        table.rebuild()
        assert keys(table) == [r.id for r in items]
        assert table.selected().id == items[7].id
        assert table.get_cell(items[20].id, "badge").plain.strip() == "linked"


async def test_a_cell_set_by_hand_stays_until_its_resource_changes() -> None:
    drawn: list[str] = []
    table, items = numbers_table(300)
    source = table.source
    table.source = lambda key: drawn.append(key) or source(key)
    async with TableApp(table).run_test(size=SIZE) as pilot:
        table.load(items)
        await pilot.pause()
        for resource in items:  # marks on every row compute no row that is out of view
            table.update_cell(resource.id, "last", "⚠ callbacks go to old URL")
        assert len(drawn) <= 19
        assert table.get_cell(items[299].id, "last") == "⚠ callbacks go to old URL"
        table.update_cell(items[1].id, "last", "⏰ callback overdue")
        table.filter_text = "1415"
        table.rebuild()
        assert table.get_cell(items[1].id, "last") == "⏰ callback overdue"
        assert "⏰ callback overdue" in line_text(table, 1)
        table.apply([replace(items[1], badge=Badge.LINKED)])
        assert table.get_cell(items[1].id, "last").plain == ""


async def test_ten_thousand_rows_draw_only_what_is_in_view() -> None:
    drawn: list[str] = []
    table, items = numbers_table(10_000)
    source = table.source
    table.source = lambda key: drawn.append(key) or source(key)
    async with TableApp(table).run_test(size=SIZE) as pilot:
        table.load(items)
        await pilot.pause()
        assert table.row_count == 10_000
        assert 0 < len(drawn) <= 19  # only the rows on screen had their cells computed

        await pilot.press("end")
        assert table.cursor_row == 9_999 and table.selected().id == items[-1].id
        assert table.scroll_y == table.max_scroll_y
        assert items[-1].id in line_text(table, 9_999)

        await pilot.press("pageup")
        assert table.cursor_row == 9_999 - 18
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_y == 0
        assert len(drawn) <= 3 * 19


async def test_enter_and_a_click_on_the_highlighted_row_select_it() -> None:
    table, items = numbers_table(5)
    app = TableApp(table)
    async with app.run_test(size=SIZE) as pilot:
        table.load(items)
        await pilot.pause()
        await pilot.click(table, offset=(3, 3))  # line 3 is row 2
        assert table.cursor_row == 2 and app.selected == []
        await pilot.click(table, offset=(3, 3))
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.selected == [items[2].id, items[3].id]


def callback(n: int) -> CallbackEvent:
    return CallbackEvent(
        f"ev{n:04d}", T0 + n, "POST", "/tendlc_status/", {}, "", {}, Kind.BRAND, "registered",
        brand_id=f"B{n}", verified=True, reason="V2 ok",
    )  # fmt: skip


async def test_event_log_follows_the_newest_row_and_keeps_the_last_rows() -> None:
    log = EventLog(max_rows=50)
    async with TableApp(log).run_test(size=SIZE) as pilot:
        log.add_entries([callback(n) for n in range(30)])
        await pilot.pause()
        assert log.cursor_row == 29 and log.scroll_y == log.max_scroll_y
        assert log.get_cell("ev0029", "kind") == "brand"

        request = RequestRecord("rq1", T0, "brand.create", {}, True, brand_id="B1")
        log.add_entries([callback(n) for n in range(30, 60)] + [request, callback(5)])
        assert log.row_count == 50
        assert keys(log)[0] == "ev0011" and keys(log)[-1] == "rq1"
        assert log.selected() is request and log.scroll_y == log.max_scroll_y

        await pilot.press("home")  # the user looks at old rows: new ones do not move them
        log.add_entries([callback(60)])
        assert log.cursor_row == 0 and log.scroll_y == 0
        assert keys(log)[0] == "ev0012" and log.selected().id == "ev0012"
