"""The screen shown while a large store opens: the receiver already listens and holds callbacks."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, LoadingIndicator


class LoadingScreen(Screen[None]):
    """Shown until the store is open; the app then switches to the main screen."""

    DEFAULT_CSS = """
    LoadingScreen #loading-text { width: auto; padding: 0 2; }
    LoadingScreen LoadingIndicator { width: 12; height: 1; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Middle():
            with Center():
                yield Label(
                    "Opening the store…\n"
                    "The receiver is listening: callbacks that arrive meanwhile wait for it.",
                    id="loading-text",
                )
            with Center():
                yield LoadingIndicator()
        yield Footer()
