"""The detail at 80 columns: the timeline takes the width (its "What happened" readable), the
raw payload pane steps aside, and `enter` on a row shows that row's raw entry full screen."""

from __future__ import annotations

from textual.widgets import DataTable

from receiver.domain.models import ResourceType
from receiver.store.store import Store
from tui.app import make_app
from tui.screens.entry import EntryDetailScreen

from .conftest import T0
from .test_campaign_loop import detail_drawn


async def filled_app(tmp_path, fill_registry, still_receiver):
    store = Store.open(tmp_path / "store", clock=lambda: T0)
    await fill_registry(store)
    app = make_app(
        store=store, receiver=still_receiver, gateway=None, clock=lambda: T0, overdue_after=None
    )
    return store, app


async def open_detail(pilot, app, store, wait_for):
    table = app.main_screen.query_one("#brand-table")
    await wait_for(pilot, lambda: app.screen is app.main_screen and table.rows, "main screen")
    app.main_screen.open_resource(store.registry.get(ResourceType.BRAND, "BINIT03"))
    await wait_for(pilot, lambda: detail_drawn(app), "the detail")
    return app.screen


async def test_at_80_columns_the_timeline_takes_the_width_and_enter_shows_the_raw_entry(
    tmp_path, fill_registry, still_receiver, wait_for
) -> None:
    store, app = await filled_app(tmp_path, fill_registry, still_receiver)
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await open_detail(pilot, app, store, wait_for)
        await pilot.pause()
        assert not detail.query_one("#detail-right").display
        timeline = detail.query_one("#timeline", DataTable)
        assert timeline.size.width >= 76  # the whole screen, not 3/5 of it
        assert "callback: rejected" in str(timeline.get_cell(str(timeline.row_count - 1), "detail"))
        timeline.focus()
        timeline.move_cursor(row=timeline.row_count - 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryDetailScreen), "raw entry")
        ref = store.registry.get(ResourceType.BRAND, "BINIT03").timeline[-1].ref
        assert app.screen.entry.id == ref
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail, "back")
    await store.close()


async def test_at_120_columns_the_raw_payload_sits_beside_the_timeline(
    tmp_path, fill_registry, still_receiver, wait_for
) -> None:
    store, app = await filled_app(tmp_path, fill_registry, still_receiver)
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await open_detail(pilot, app, store, wait_for)
        await pilot.pause()
        assert detail.query_one("#detail-right").display  # wide enough for both
    await store.close()
