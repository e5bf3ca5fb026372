"""The raw detail of one event-log entry (a callback or a request); `esc` goes back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from tui.formatting import Entry, entry_kind, entry_resource
from tui.payload_view import PayloadView


class EntryDetailScreen(Screen):
    """Headers, body and parsed fields of a callback, or parameters and response of a request."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="entry.back")]

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield PayloadView(id="entry-payload")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{entry_kind(self.entry)} {entry_resource(self.entry)}"
        self.sub_title = self.entry.id
        view = self.query_one(PayloadView)
        view.show(self.entry)
        view.focus()
