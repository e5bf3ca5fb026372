"""Public-URL changes: when the callback URL moves, flag what still awaits the old one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from receiver.wording import plural

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.controllers.reconcile import ReconcileController


class UrlController:
    """Owned by the main screen; `check()` on start, on tunnel changes and on every tick."""

    def __init__(self, node: DOMNode, reconciler: ReconcileController) -> None:
        self.node = node
        self.reconciler = reconciler
        self.known_url: str | None = None

    def check(self) -> None:
        """A new callback URL: re-judge every row, and say how many wait at the old one."""
        url = self.reconciler.callback_url_now()
        if not url or url == self.known_url:
            return
        old, self.known_url = self.known_url, url
        stale = self.reconciler.rescan()
        if old is not None and stale:
            self.node.notify(
                f"now {url}: {plural(stale, 'resource')} still await callbacks sent to the old "
                "URL (marked ⚠); press r to reconcile them",
                title="callback URL changed",
                severity="warning",
                timeout=15,
                markup=False,
            )
