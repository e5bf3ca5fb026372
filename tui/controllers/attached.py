"""Attached to a server (`tendlc --attach URL`): the header says so and to what, and a lost
stream is shown the moment it drops (a red line with the next retry, one toast), until the
stream is back and caught up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from receiver.attached.follow import Link, LinkState

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


def attached_title(link: Link) -> str:
    """The header's subtitle: ATTACHED, to what, and how the link stands when not connected."""
    title = f"ATTACHED to {link.url}"
    if link.state is LinkState.CONNECTED:
        return title
    if link.state is LinkState.LOST:
        return f"{title} · LOST"
    if link.state is LinkState.CONNECTING and link.attempt:
        return f"{title} · LOST, reconnecting…"
    return f"{title} · {link.state.value}"


class AttachedLink:
    """Owned by the main screen; does nothing unless its store is an attached one."""

    def __init__(self, screen: MainScreen, store: Any) -> None:
        self.screen = screen
        self.store = store
        self._unsubscribe: Callable[[], None] | None = None
        self._lost = False

    @property
    def attached(self) -> bool:
        return hasattr(self.store, "on_link")

    def start(self) -> None:
        if not self.attached:
            return
        self._unsubscribe = self.store.on_link(self.show)  # announced on the loop thread
        self.screen.scope.lead = attached_title(self.store.link)  # from the first frame on
        self.screen.scope.show()
        self.show(self.store.link)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def show(self, link: Link) -> None:
        if not self.screen.is_mounted:
            return
        self.screen.scope.lead = attached_title(link)  # kept beside a filter or narrowing
        self.screen.scope.show()
        bar = self.screen.status_bar
        if link.state in (LinkState.LOST, LinkState.REFUSED):
            bar.link_problem = f"server {link.line()}"  # the header names the server
            if not self._lost:
                self._lost = True
                self.screen.notify(
                    f"{link.url}: {link.reason}. The console keeps what it has and retries; "
                    "nothing is missed once it is back.",
                    title="server connection lost",
                    severity="error",
                    timeout=10,
                    markup=False,
                )
        elif link.state is LinkState.CONNECTED:
            bar.link_problem = None
            if self._lost:
                self._lost = False
                self.screen.notify(
                    f"{link.url}: caught up", title="server connection back", markup=False
                )
