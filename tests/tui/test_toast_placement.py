"""On the main screen toasts sit above the event log, so its Status and Verification columns
stay readable while they show (issue 15)."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widgets._toast import Toast

from tui.widgets.event_log import EventLog


async def wait_for_toasts(pilot, screen, count: int) -> list[Toast]:
    for _ in range(200):  # a deadline in pilot pauses, not in seconds
        await pilot.pause()
        toasts = [t for t in screen.query(Toast) if t.region.height]
        if len(toasts) >= count:
            return toasts
    raise AssertionError(f"{count} toasts never showed")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_main_screen_toasts_leave_the_event_logs_status_column_clear(
    stack, started, size
) -> None:
    """Three toasts at once (a burst's most before they become one summary, plus one): none
    covers the event log's Status column or anything right of it, none reaches into the log
    panel, and they stay at the right, over the tables' lower rows."""
    app = stack.app
    async with app.run_test(size=size, notifications=True) as pilot:
        await started(pilot)
        screen = app.main_screen
        for n in range(3):
            app.notify(f"+1415555010{n}: pending → linked", title="number", timeout=30)
        toasts = await wait_for_toasts(pilot, screen, 3)
        log = screen.query_one(EventLog)
        shown = log.layout()  # (column index, cells) as drawn, each padded on both sides
        keys = [log.columns[i].key for i, _ in shown]
        status_x = sum(cells + 2 for _, cells in shown[: keys.index("status")])
        region = log.region
        status = Region(region.x + status_x, region.y, region.width - status_x, region.height)
        assert all(not t.region.overlaps(status) for t in toasts)
        panel = screen.query_one("#log-panel")
        assert all(t.region.bottom <= panel.region.y for t in toasts)
        assert all(t.region.x >= status.x - 8 for t in toasts)  # still at the right
