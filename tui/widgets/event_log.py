"""The live event log: every callback and request as it arrives, newest at the bottom."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text

from receiver.domain.models import CallbackEvent
from receiver.store.entries import entry_time
from tui.widgets.formatting import (
    Entry,
    clock_time,
    entry_kind,
    entry_resource,
    entry_source,
    entry_status,
    entry_trust,
    forward_mark,
)
from tui.widgets.virtual_table import Cell, Column, VirtualTable

MAX_ROWS = 2000

# Narrow terminals drop Source first (the kind says it: `number.link` vs `number_linking`)
# and shrink Resource and Status, so Verification keeps room for its reason at 80 columns.
COLUMNS = (
    Column("time", "Time", 8),
    Column("source", "Source", 8, drop=1),
    Column("kind", "Kind", 16),
    Column("resource", "Resource", 23, min_width=16),  # "+14155550101 and 2 more"
    Column("status", "Status", 12, min_width=10),
    Column("trust", "Verification", min_width=18),
)


Forwards = Callable[[str], Iterable[Any]]  # a callback's id -> its forwards (--forward-to)


def entry_cells(entry: Entry, forwards: Forwards | None = None) -> list[Cell]:
    return [
        clock_time(entry_time(entry)),
        entry_source(entry),
        entry_kind(entry),
        entry_resource(entry),
        entry_status(entry),
        trust_cell(entry, forwards),
    ]


def trust_cell(entry: Entry, forwards: Forwards | None) -> Cell:
    """Verification, led by what forwarding did with a callback ("fwd ✓ · ✓ V2 ok")."""
    trust = entry_trust(entry)
    if forwards is None or not isinstance(entry, CallbackEvent):
        return trust
    mark = forward_mark(forwards(entry.id))
    return trust if mark is None else Text.assemble(mark, " · ", trust)


class EventLog(VirtualTable):
    """Rows keyed by journal entry id; follows the newest row unless the user scrolled up."""

    def __init__(self, *, id: str | None = None, max_rows: int = MAX_ROWS) -> None:
        super().__init__(COLUMNS, id=id)
        self.max_rows = max_rows
        self._entries: dict[str, Entry] = {}
        self.forwards: Forwards | None = None  # set when callbacks are forwarded

    @property
    def following(self) -> bool:
        """True while the view sits at the newest row (the user has not scrolled up)."""
        return self.row_count == 0 or self.scroll_y >= self.max_scroll_y

    def selected(self) -> Entry | None:
        key = self.cursor_key
        return None if key is None else self._entries.get(key)

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Append entries (oldest first); drop the oldest rows past `max_rows`."""
        follow = self.following
        cursor_at_end = self.cursor_row >= self.row_count - 1
        fresh = []
        for entry in entries:
            if entry.id not in self._entries:
                self._entries[entry.id] = entry
                fresh.append(entry)
        added = self.append_rows((e.id, entry_cells(e, self.forwards)) for e in fresh)
        overflow = len(self._entries) - self.max_rows
        if overflow > 0:
            oldest = list(self._entries)[:overflow]
            for key in oldest:
                del self._entries[key]
            self.remove_rows(oldest)
        if added and follow:
            if cursor_at_end:
                self.move_cursor(row=self.row_count - 1)
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def show_forwards(self, forwards: Forwards, event_ids: Iterable[str] | None = None) -> None:
        """Mark forwarded callbacks: those named, or every row (when forwarding starts)."""
        self.forwards = forwards
        for key in self._entries if event_ids is None else event_ids:
            entry = self._entries.get(key)
            if isinstance(entry, CallbackEvent):
                self.update_cell(key, "trust", trust_cell(entry, forwards))
