"""Forwarded callbacks in the event log: each row marked with what --forward-to did (here, or
on the server an attached console follows), kept live as attempts land, a burst at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.screens.main import MainScreen
    from tui.services import Services

FLUSH_INTERVAL = 0.05  # seconds: forwards moving within this window redraw their rows once


class ForwardMarks:
    """Owned by the main screen; started once the services are (the forwarder starts then)."""

    def __init__(self, screen: MainScreen, services: Services) -> None:
        self.screen = screen
        self.services = services
        self._source: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._moved: dict[str, None] = {}
        self._timer: Any = None

    def start(self) -> None:
        source = self.services.forwards
        if source is None or source is self._source:
            return
        self.stop()
        self._source = source
        self.screen.event_log.show_forwards(source.for_event)
        self._unsubscribe = source.listen(self._moved_one)  # called on the loop thread

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _moved_one(self, fwd: Any) -> None:
        self._moved[fwd.event_id] = None
        if self._timer is None and self.screen.is_mounted:
            self._timer = self.screen.set_timer(FLUSH_INTERVAL, self._flush)

    def _flush(self) -> None:
        self._timer = None
        moved, self._moved = list(self._moved), {}
        if moved and self._source is not None:
            self.screen.event_log.show_forwards(self._source.for_event, moved)
