"""Where a screen's toasts sit: just above a widget the user reads, never over it.

Textual docks the toast rack at the bottom right, which on the main screen is the event log's
Status and Verification columns: the very rows a toast is about. `keep_toasts_above` lifts the
rack so its bottom edge is the top of that widget (the event log panel): toasts then cover the
lower right of the tables, which is empty on a small account and holds Updated and Last change
(what the toast itself says) on a big one. More toasts than fit there stack on upwards.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

RACK_ID = "textual-toastrack"


def place_rack(screen: Screen, below: Widget) -> None:
    """Lift the rack so it ends where `below` (laid out) begins."""
    racks = screen.query(f"#{RACK_ID}")
    if not racks or not below.region.height:
        return
    rack = racks.first()
    lift = max(0, screen.size.height - below.region.y)
    if rack.styles.margin.bottom != lift:
        rack.styles.margin = (0, 0, lift, 0)


def keep_toasts_above(screen: Screen, below: Widget) -> None:
    """Place `screen`'s toasts above `below` now and after every layout of the screen (the
    header grows and shrinks, the terminal is resized)."""

    def place(_screen: Screen) -> None:
        place_rack(screen, below)

    screen.screen_layout_refresh_signal.subscribe(screen, place)
    screen.call_after_refresh(place, screen)
