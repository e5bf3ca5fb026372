"""A campaign's numbers: every number the registry holds under it, with its badge, what Plivo
lists for it and its last change; follows the store live and re-reads Plivo with `r`."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label
from textual.worker import Worker, WorkerState

from plivo_client.types import GatewayError
from receiver.domain.models import Resource, ResourceType
from receiver.wording import plural
from tui.messages import RegistryChanged, follow_store
from tui.widgets.badges import badge_text
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.formatting import clock_time, plus

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.types import NumberInfo
    from receiver.store.store import Store

COLUMNS = (("number", "number", 14), ("badge", "status", 14), ("api", "at Plivo", 11),
           ("at", "time", 8), ("last", "last change", None))  # fmt: skip


class CampaignNumbersScreen(Screen):
    """Opened with `m` on a campaign (or one of its numbers); `esc` goes back."""

    DEFAULT_CSS = """
    CampaignNumbersScreen #campaign-numbers { height: 1fr; }
    CampaignNumbersScreen #numbers-title, CampaignNumbersScreen #numbers-summary { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "app.pop_screen", "Back", id="campaign_numbers.back"),
        Binding("r", "refresh", "Read from Plivo", id="campaign_numbers.refresh"),
    ]

    class Listed(Message):
        """What Plivo lists on the campaign (posted from the read thread)."""

        def __init__(self, numbers: list[NumberInfo] | None, error: str = "") -> None:
            super().__init__()
            self.numbers = numbers
            self.error = error

    def __init__(self, store: Store, campaign_id: str, gateway: Gateway | None = None) -> None:
        super().__init__()
        self.store = store
        self.campaign_id = campaign_id
        self.gateway = gateway
        self.at_plivo: dict[str, str] | None = None  # number -> Plivo's status, once read
        self.plivo_note = "not read from Plivo" if gateway is None else "reading from Plivo…"
        self._unsubscribe = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="numbers-body"):
            yield Label("", id="numbers-title", classes="section-title")
            yield DataTable[str](id="campaign-numbers", cursor_type="row", zebra_stripes=True)
            yield Label("", id="numbers-summary")
        yield FittingFooter(
            short={"refresh": "Refresh"}
        )  # short labels at 80 columns, never a key cut

    def on_mount(self) -> None:
        campaign = self.store.registry.get(ResourceType.CAMPAIGN, self.campaign_id)
        named = f" ({campaign.name})" if campaign is not None and campaign.name else ""
        self.title = f"tendlc — numbers of campaign {self.campaign_id}"
        self.query_one("#numbers-title", Label).update(
            f"Numbers of campaign {self.campaign_id}{named}"
        )
        table = self.query_one("#campaign-numbers", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self._unsubscribe = follow_store(self.store, self)
        self.show()
        table.focus()
        self.action_refresh()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def numbers(self) -> list[Resource]:
        """The registry's numbers under this campaign, in number order."""
        found = self.store.registry.all(ResourceType.NUMBER)
        return sorted((n for n in found if n.parent_id == self.campaign_id), key=lambda n: n.id)

    def cells(self, number: Resource) -> dict[str, object]:
        last = number.timeline[-1] if number.timeline else None
        api = (self.at_plivo or {}).get(number.id, "—" if self.at_plivo is not None else "")
        return {
            "number": plus(number.id),
            "badge": badge_text(number.badge, self.app.theme_variables),
            "api": api,
            "at": clock_time(last.at if last else number.updated_at),
            "last": last.detail if last else "",
        }

    def show(self) -> None:
        """Add the rows not shown yet and update the others in place (the cursor stays)."""
        table = self.query_one("#campaign-numbers", DataTable)
        numbers = self.numbers()
        rows = {n.id: self.cells(n) for n in numbers}
        for number, status in (self.at_plivo or {}).items():
            if number not in rows:  # Plivo has it, the registry does not (yet)
                rows[number] = {
                    "number": plus(number), "badge": badge_text("?", self.app.theme_variables),
                    "api": status, "at": "", "last": "listed by Plivo only (r on the main "
                    "screen reconciles)",
                }  # fmt: skip
        for key, cells in rows.items():
            if key in table.rows:
                for column, value in cells.items():
                    table.update_cell(key, column, value)
            else:
                table.add_row(*cells.values(), key=key)
        counts = Counter(n.badge.value for n in numbers)
        said = " · ".join(f"{count} {badge}" for badge, count in sorted(counts.items()))
        head = plural(len(numbers), "number") + (f": {said}" if said else "")
        if self.at_plivo is not None:
            tail = f"Plivo lists {plural(len(self.at_plivo), 'number')}"
        else:
            tail = self.plivo_note
        self.query_one("#numbers-summary", Label).update(f"{head} · {tail}")

    def on_registry_changed(self, message: RegistryChanged) -> None:
        if any(
            r.type is ResourceType.NUMBER and r.parent_id == self.campaign_id
            for r in message.change.resources
        ):
            self.show()

    def action_refresh(self) -> None:
        if self.gateway is not None:
            self.list_numbers()

    @work(thread=True, exit_on_error=False, group="numbers", description="campaign: its numbers")
    def list_numbers(self) -> None:
        assert self.gateway is not None
        try:
            numbers = self.gateway.list_numbers(self.campaign_id)
        except GatewayError as error:
            self.post_message(self.Listed(None, error.message))
            return
        self.post_message(self.Listed(numbers))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        if message.numbers is None:
            self.plivo_note = f"could not read Plivo: {message.error}"
        else:
            self.at_plivo = {n.number: n.status for n in message.numbers}
        self.show()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(event)  # Textual does not bubble worker states: the app's handler
