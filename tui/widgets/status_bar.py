"""The status bar under the header: mode, callback URL, tunnel, receiver, counters, store health
(and, attached to a server, a red line while its stream is down).

Its facts flow onto as many lines as the width needs: each fact has a full and a short form
(the short one drops detail, such as a key hint or a tunnel's reason), and none is ever cut,
so the mode, the callback URL and the tunnel state stay readable at 80 columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
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
MODE_STYLES = {"LIVE": "bold white on $error", "SANDBOX": "bold black on $warning"}
GAP = 3  # blank cells between two facts on a line
MAX_LINES = 3  # the facts never need more, even at 40 columns


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact in markup, in full and with its detail dropped."""

    full: str
    short: str


def cells(markup: str) -> int:
    return Content.from_markup(markup).cell_length


def flow(facts: Sequence[Fact], width: int) -> list[str]:
    """Facts laid out on lines of `width` cells: the full form where it fits on the current
    line, else the short one, else the full form on a new line, else the short one there
    (a fact longer than a whole line takes a line of its own and wraps)."""
    lines: list[list[str]] = [[]]
    used = 0
    for fact in facts:
        for form in (fact.full, fact.short):
            need = cells(form) + (GAP if lines[-1] else 0)
            if used + need <= width:
                lines[-1].append(form)
                used += need
                break
        else:
            form = fact.full if cells(fact.full) <= width else fact.short
            if lines[-1]:
                lines.append([])
            lines[-1].append(form)
            used = cells(form)
    return [(" " * GAP).join(line) for line in lines if line]


class StatusBar(Vertical):
    """The facts a developer checks first; a red line when the store fails, a yellow one when
    Plivo cannot reach the callback URL."""

    mode: reactive[str] = reactive("SANDBOX")
    callback_url: reactive[str] = reactive("")
    receiver_address: reactive[str] = reactive("starting…")
    tunnel_state: reactive[str] = reactive("off")
    tunnel_reason: reactive[str] = reactive("")
    tunnel_url: reactive[str] = reactive("")
    callbacks: reactive[int] = reactive(0)
    unverified: reactive[int] = reactive(0)
    store_error: reactive[str | None] = reactive(None)
    link_problem: reactive[str | None] = reactive(None)  # attached: the server's stream is down
    reach_warning: reactive[str | None] = reactive(None)

    def compose(self) -> ComposeResult:
        for index in range(MAX_LINES):
            yield Label(id=f"status-line-{index}", classes="status-line")
        yield Label(id="store-health")
        yield Label(id="link-health")
        yield Label(id="reach-warning")

    def on_mount(self) -> None:
        self._show_facts()
        self._show_store()
        self._show_link()
        self._show_reach()

    def on_resize(self, event: events.Resize) -> None:
        self._show_facts()

    def watch_mode(self) -> None:
        self._show_facts()

    def watch_callback_url(self) -> None:
        self._show_facts()

    def watch_receiver_address(self) -> None:
        self._show_facts()

    def watch_tunnel_state(self) -> None:
        self._show_facts()

    def watch_tunnel_reason(self) -> None:
        self._show_facts()

    def watch_tunnel_url(self) -> None:
        self._show_facts()

    def watch_callbacks(self) -> None:
        self._show_facts()

    def watch_unverified(self) -> None:
        self._show_facts()

    def watch_store_error(self) -> None:
        self._show_store()

    def watch_link_problem(self) -> None:
        self._show_link()

    def watch_reach_warning(self) -> None:
        self._show_reach()

    def _label(self, id: str) -> Label:
        return self.query_one(f"#{id}", Label)

    def facts(self) -> list[Fact]:
        """What the bar says, most important first."""
        mode = f"[{MODE_STYLES.get(self.mode, 'bold')}] {escape(self.mode)} [/]"
        url = escape(self.callback_url) if self.callback_url else "…"
        callback = f"[b]callback[/] {url}"
        state = self.tunnel_state.lower()
        tunnel = f"[b]tunnel[/] [{TUNNEL_STYLES.get(state, '')}]{state.upper()}[/]"
        detail = ""
        if state == "up" and self.tunnel_url:
            detail = f" {escape(self.tunnel_url)}"
        elif self.tunnel_reason:
            detail = f" [dim]{escape(self.tunnel_reason)}[/]"
        bad = f"[b $text-error]{self.unverified}[/]" if self.unverified else "0"
        return [
            Fact(mode, mode),
            Fact(f"{callback} [dim]([b]y[/] copy)[/]", callback),
            Fact(tunnel + detail, tunnel),
            Fact(f"[b]receiver[/] {escape(self.receiver_address)}", escape(self.receiver_address)),
            Fact(
                f"[b]callbacks[/] {self.callbacks}  [b]unverified[/] {bad}",
                f"[b]callbacks[/] {self.callbacks}/[b]✗[/]{bad}",
            ),
        ]

    def _width(self) -> int:
        width = self.content_region.width if self.is_mounted else 0
        return width or max(20, self.app.size.width - 2)

    def _show_facts(self) -> None:
        if not self.is_mounted:
            return
        lines = flow(self.facts(), self._width())
        for index in range(MAX_LINES):
            label = self._label(f"status-line-{index}")
            label.display = index < len(lines)
            label.update(lines[index] if index < len(lines) else "")

    def _show_store(self) -> None:
        label = self._label("store-health")
        label.display = self.store_error is not None
        if self.store_error is not None:
            label.update(f"store: write failing — {escape(self.store_error)}")

    def _show_link(self) -> None:
        label = self._label("link-health")
        label.display = self.link_problem is not None
        if self.link_problem is not None:
            label.update(escape(self.link_problem))

    def _show_reach(self) -> None:
        label = self._label("reach-warning")
        label.display = self.reach_warning is not None
        if self.reach_warning is not None:
            label.update(escape(self.reach_warning))
