"""The live event log: every callback and request as it arrives, newest at the bottom."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable

from tui.formatting import (
    Entry,
    clock_time,
    entry_kind,
    entry_resource,
    entry_source,
    entry_status,
    entry_time,
    entry_trust,
)

MAX_ROWS = 2000


class EventLog(DataTable):
    """Rows keyed by journal entry id; follows the newest row unless the user scrolled up."""

    def __init__(self, *, id: str | None = None, max_rows: int = MAX_ROWS) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.max_rows = max_rows
        self._entries: dict[str, Entry] = {}

    def on_mount(self) -> None:
        self.add_column("Time", key="time", width=8)
        self.add_column("Source", key="source", width=8)
        self.add_column("Kind", key="kind", width=16)
        self.add_column("Resource", key="resource", width=14)
        self.add_column("Status", key="status", width=12)
        self.add_column("Verification", key="trust")

    @property
    def following(self) -> bool:
        """True while the view sits at the newest row (the user has not scrolled up)."""
        return self.row_count == 0 or self.scroll_y >= self.max_scroll_y

    def selected(self) -> Entry | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self._entries.get(key or "")

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Append entries (oldest first); drop the oldest rows past `max_rows`."""
        follow = self.following
        cursor_at_end = self.cursor_row >= self.row_count - 1
        added = 0
        for entry in entries:
            if entry.id in self._entries:
                continue
            self._entries[entry.id] = entry
            self.add_row(
                clock_time(entry_time(entry)),
                entry_source(entry),
                entry_kind(entry),
                entry_resource(entry),
                entry_status(entry),
                entry_trust(entry),
                key=entry.id,
            )
            added += 1
        overflow = len(self._entries) - self.max_rows
        if overflow > 0:
            for key in list(self._entries)[:overflow]:
                del self._entries[key]
                self.remove_row(key)
        if added and follow:
            if cursor_at_end:
                self.move_cursor(row=self.row_count - 1, animate=False)
            self.scroll_end(animate=False)
