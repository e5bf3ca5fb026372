"""The status bar under the header: mode, callback URL, tunnel, receiver, counters, store health."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.reactive import reactive
from textual.widgets import Label

# Theme variables, resolved by Textual's markup when drawn: a theme change recolours them.
TUNNEL_STYLES = {
    "up": "$text-success",
    "starting": "$text-warning",
    "down": "$text-error",
    "off": "dim",
}


class StatusBar(Vertical):
    """Two lines of facts a developer checks first; a red line when the store fails."""

    mode: reactive[str] = reactive("SANDBOX")
    callback_url: reactive[str] = reactive("")
    receiver_address: reactive[str] = reactive("starting…")
    tunnel_state: reactive[str] = reactive("off")
    tunnel_reason: reactive[str] = reactive("")
    tunnel_url: reactive[str] = reactive("")
    callbacks: reactive[int] = reactive(0)
    unverified: reactive[int] = reactive(0)
    store_error: reactive[str | None] = reactive(None)
    reach_warning: reactive[str | None] = reactive(None)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="status-line"):
            yield Label(id="mode")
            yield Label(id="callback-url")
            yield Label(id="tunnel")
        with Horizontal(classes="status-line"):
            yield Label(id="receiver")
            yield Label(id="counters")
        yield Label(id="store-health")
        yield Label(id="reach-warning")

    def on_mount(self) -> None:
        self._show_mode()
        self._show_url()
        self._show_tunnel()
        self._show_receiver()
        self._show_counters()
        self._show_store()
        self._show_reach()

    def watch_mode(self) -> None:
        self._show_mode()

    def watch_callback_url(self) -> None:
        self._show_url()

    def watch_receiver_address(self) -> None:
        self._show_receiver()

    def watch_tunnel_state(self) -> None:
        self._show_tunnel()

    def watch_tunnel_reason(self) -> None:
        self._show_tunnel()

    def watch_tunnel_url(self) -> None:
        self._show_tunnel()

    def watch_callbacks(self) -> None:
        self._show_counters()

    def watch_unverified(self) -> None:
        self._show_counters()

    def watch_store_error(self) -> None:
        self._show_store()

    def watch_reach_warning(self) -> None:
        self._show_reach()

    def _label(self, id: str) -> Label:
        return self.query_one(f"#{id}", Label)

    def _show_mode(self) -> None:
        label = self._label("mode")
        label.update(f" {self.mode} ")
        label.set_class(self.mode == "LIVE", "-live")
        label.set_class(self.mode != "LIVE", "-sandbox")

    def _show_url(self) -> None:
        url = escape(self.callback_url) if self.callback_url else "…"
        self._label("callback-url").update(f"[b]callback[/] {url} [dim]([b]y[/] copy)[/]")

    def _show_tunnel(self) -> None:
        state = self.tunnel_state.lower()
        style = TUNNEL_STYLES.get(state, "")
        reason = f" [dim]{escape(self.tunnel_reason)}[/]" if self.tunnel_reason else ""
        if state == "up" and self.tunnel_url:
            reason = f" {escape(self.tunnel_url)}"
        self._label("tunnel").update(f"[b]tunnel[/] [{style}]{state.upper()}[/]{reason}")

    def _show_receiver(self) -> None:
        self._label("receiver").update(f"[b]receiver[/] {self.receiver_address}")

    def _show_counters(self) -> None:
        bad = f"[b $text-error]{self.unverified}[/]" if self.unverified else "0"
        self._label("counters").update(f"[b]callbacks[/] {self.callbacks}  [b]unverified[/] {bad}")

    def _show_store(self) -> None:
        label = self._label("store-health")
        label.display = self.store_error is not None
        if self.store_error is not None:
            label.update(f"store: write failing — {escape(self.store_error)}")

    def _show_reach(self) -> None:
        label = self._label("reach-warning")
        label.display = self.reach_warning is not None
        if self.reach_warning is not None:
            label.update(escape(self.reach_warning))
