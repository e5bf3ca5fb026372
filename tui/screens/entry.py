"""The raw detail of one event-log entry (a callback or a request); `esc` goes back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from tui.commands import EventCommands
from tui.controllers.events import EventController
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.formatting import Entry, entry_kind, entry_resource
from tui.widgets.payload_view import PayloadView

if TYPE_CHECKING:
    from tui.services import Services


class EntryDetailScreen(Screen):
    """Headers, body and parsed fields of a callback, or parameters and response of a request.

    With `services`, a callback can be replayed (`p`) or copied as a curl command (`c`).
    """

    COMMANDS = {EventCommands}
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="entry.back"),
        Binding("p", "replay_event", "Replay…", id="event.replay"),
        Binding("c", "copy_curl", "Copy as curl", id="event.curl"),
    ]

    def __init__(self, entry: Entry, services: Services | None = None) -> None:
        super().__init__()
        self.entry = entry
        self.forwarder = getattr(services, "forwards", None)  # local, or the server's
        self._forwards_seen: list[tuple[str, str, int]] | None = None
        self.events = (
            EventController(self, services, lambda: self.entry) if services is not None else None
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Replay and curl need the services (and the footer hides them without)."""
        if action in ("replay_event", "copy_curl"):
            return self.events is not None
        return True

    def action_replay_event(self) -> None:
        if self.events is not None:
            self.events.replay()

    def action_copy_curl(self) -> None:
        if self.events is not None:
            self.events.copy_curl()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield PayloadView(id="entry-payload")
        yield FittingFooter(
            short={"copy_curl": "curl"}
        )  # short labels at 80 columns, never a key cut

    def on_mount(self) -> None:
        self.title = f"{entry_kind(self.entry)} {entry_resource(self.entry)}"
        self.sub_title = self.entry.id
        view = self.query_one(PayloadView)
        view.show(self.entry, self._forwards())
        view.focus()
        if self.forwarder is not None:
            self.set_interval(1.0, self._refresh_forwards)  # attempts land while it is open

    def _forwards(self) -> list:
        return self.forwarder.for_event(self.entry.id) if self.forwarder is not None else []

    def _refresh_forwards(self) -> None:
        forwards = self._forwards()
        seen = [(f.target, f.state, len(f.attempts)) for f in forwards]
        if seen != self._forwards_seen:
            self._forwards_seen = seen
            self.query_one(PayloadView).show(self.entry, forwards, keep_place=True)
