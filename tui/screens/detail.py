"""The detail of one brand, campaign or number: facts, timeline, and the raw journal entries."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from plivo_client.fees import MMS_NOTE, TMOBILE_NOTE, brand_throughput, campaign_throughput
from receiver.domain.declines import LINK_FAILED_UNEXPLAINED, explain, resource_declines
from receiver.domain.models import Badge, Change, Clock, Resource, ResourceType, resource_key
from receiver.domain.status import REASON_KEYS
from receiver.store.entries import entry_time
from receiver.store.export import default_name, export_timeline
from tui.commands import ResourceCommands
from tui.controllers.exports import Export, ask_and_export
from tui.controllers.flags import RowFlags
from tui.messages import RegistryChanged, follow_store
from tui.screens.entry import EntryDetailScreen
from tui.widgets.badges import badge_text
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.formatting import (
    Entry,
    clock_time,
    day_time,
    entry_kind,
    entry_source,
    entry_status,
    entry_trust,
    resource_label,
)
from tui.widgets.payload_view import PayloadView
from tui.widgets.resource_table import parent_of

if TYPE_CHECKING:
    from receiver.store.store import Store


@dataclass(frozen=True, slots=True)
class DetailHooks:
    """What the detail view borrows from the main screen: flags, reconcile, URL, clock, and
    the fix form for a rejected campaign or brand."""

    flags: RowFlags
    reconcile: Callable[[ResourceType, str], None]
    callback_url: Callable[[], str]
    clock: Clock
    fix: Callable[[Resource], None] | None = None
    numbers_of: Callable[[str], None] | None = None  # open a campaign's numbers view


def summary_renderable(
    resource: Resource,
    parent: Resource | None,
    flags: list[tuple[str, Text]] | None = None,
    *,
    theme: Mapping[str, str],
) -> Table:
    """Badge, flags and facts of a resource, two columns; `theme`: App.theme_variables."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("status", badge_text(resource.badge, theme))
    declines = resource_declines(resource.type.value, resource.detail)
    failed_link = resource.type is ResourceType.NUMBER and resource.badge is Badge.FAILED
    label = "why it failed" if resource.type is ResourceType.NUMBER else "why rejected"
    for why in declines or ([LINK_FAILED_UNEXPLAINED] if failed_link else []):
        grid.add_row(Text(label, style="bold"), why)  # first: the summary's height is capped
    if declines and fixable(resource):
        grid.add_row("next", next_step(resource))
    for label, text in flags or ():
        grid.add_row(Text(label, style=f"bold {theme.get('warning', 'yellow')}"), text)
    if resource.name:
        grid.add_row("name", resource.name)
    if resource.parent_id:
        parent_kind = "brand" if resource.type is ResourceType.CAMPAIGN else "campaign"
        grid.add_row(parent_kind, resource_label(parent, resource.parent_id))
    cycle = f"{resource.cycle.value} ({'done' if resource.cycle_terminal else 'in progress'})"
    grid.add_row("cycle", cycle)
    grid.add_row("API status", resource.api_status or "—")
    if resource.awaiting_since and not resource.cycle_terminal:
        grid.add_row("awaiting callback since", day_time(resource.awaiting_since))
    grid.add_row("callback URL", resource.callback_url or "—")
    for key, value in resource.detail.items():
        if declines and key in REASON_KEYS:
            continue  # said once, explained, above (the raw payload keeps it as sent)
        grid.add_row(key, value if isinstance(value, str) else json.dumps(value))
    for line in throughput_lines(resource):
        grid.add_row("throughput", line)
    return grid


def next_step(resource: Resource) -> str:
    """What to do about a rejection: a campaign is fixed and resubmitted, unless its decline is
    final; a brand's profile is fixed, then the brand registered again."""
    if resource.type is ResourceType.BRAND:
        return (
            "f: fix its profile (opens at the field the decline concerns), then register the "
            "brand again"
        )
    known = explain(resource.detail.get("error_code"))
    if known is not None and known.final:
        return "an update cannot fix this decline: delete it (d on the main screen)"
    return "f: fix and resubmit (opens at the field the decline concerns)"


def fixable(resource: Resource) -> bool:
    """A rejected campaign or brand: its fix form is offered."""
    return resource.type is not ResourceType.NUMBER and resource.badge is Badge.REJECTED


def throughput_lines(resource: Resource) -> list[str]:
    """What a registered brand's vetting score gets, or a campaign's per-carrier figures."""
    if resource.type is ResourceType.CAMPAIGN:
        return campaign_throughput(resource.detail.get("mno_metadata"))
    if resource.type is ResourceType.BRAND and resource.badge is Badge.REGISTERED:
        return [brand_throughput(resource.detail.get("vetting_score")), TMOBILE_NOTE, MMS_NOTE]
    return []


NARROW = 100
"""Below this many columns the raw payload pane gives its width to the timeline (at 80 its
"What happened" column showed 10 characters); `enter` on a row opens its raw entry instead."""


class ResourceDetailScreen(Screen):
    """Opened with `enter` on a resource row; `esc` goes back. Follows changes live."""

    COMMANDS = {ResourceCommands}
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("r", "reconcile", "Reconcile", id="resource.reconcile"),
        Binding("x", "export_timeline", "Export timeline", id="resource.export"),
        Binding("f", "fix", "Fix rejection", id="resource.fix"),
        Binding("m", "campaign_numbers", "Campaign numbers", id="resource.numbers"),
    ]

    def __init__(
        self, store: Store, type: ResourceType, id: str, hooks: DetailHooks | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.hooks = hooks
        self.resource_type = type
        self.resource_id = id
        self._entries: dict[str, Entry] = {}
        self._timeline_rows = 0
        self._row_details: list[str] = []  # what each timeline row shows in "What happened"
        self._unsubscribe = None
        self._unflag = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="summary")
        with Horizontal(id="detail-body"):
            with Vertical(id="detail-left"):
                yield Label("Timeline  (enter: its raw entry)", classes="section-title")
                yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
                yield Label("Journal entries  (enter: raw entry)", classes="section-title")
                yield DataTable(id="journal", cursor_type="row")
            with Vertical(id="detail-right"):
                yield Label("Raw payload", classes="section-title")
                yield PayloadView(id="detail-payload")
        yield FittingFooter(
            short={
                "export_timeline": "Export",
                "fix": "Fix",
                "campaign_numbers": "Numbers",
            }
        )  # short labels at 80 columns, never a key cut

    def on_mount(self) -> None:
        timeline = self.query_one("#timeline", DataTable)
        timeline.add_column("Time", key="time", width=8)
        timeline.add_column("Cause", key="cause", width=9)
        timeline.add_column("Status", key="badge")
        timeline.add_column("What happened", key="detail")
        journal = self.query_one("#journal", DataTable)
        journal.add_column("Time", key="time", width=8)
        journal.add_column("Source", key="source", width=8)
        journal.add_column("Kind", key="kind", width=16)
        journal.add_column("Status", key="status", width=10)
        journal.add_column("Verification", key="trust")
        self._unsubscribe = follow_store(self.store, self)
        if self.hooks is not None:
            self._unflag = self.hooks.flags.subscribe(self._flags_changed)
        self.app.theme_changed_signal.subscribe(self, self._recolour)
        self.refresh_view()
        timeline.focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._unflag is not None:
            self._unflag()

    @property
    def key(self) -> str:
        return resource_key(self.resource_type, self.resource_id)

    def _recolour(self, _theme: object) -> None:
        """A new theme: the badges already drawn take its colours."""
        self.refresh_view()
        resource = self.resource
        if resource is None:
            return
        timeline = self.query_one("#timeline", DataTable)
        for row, entry in enumerate(resource.timeline[: self._timeline_rows]):
            timeline.update_cell(
                str(row), "badge", badge_text(entry.badge, self.app.theme_variables)
            )

    def _flags_changed(self, keys: set[str]) -> None:
        if self.key in keys:
            self.refresh_view()

    def flag_lines(self, resource: Resource) -> list[tuple[str, Text]]:
        if self.hooks is None:
            return []
        return self.hooks.flags.lines(resource, self.hooks.callback_url())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":
            resource = self.resource
            return self.hooks is not None and resource is not None and fixable(resource)
        if action == "campaign_numbers":
            return self.resource_type is not ResourceType.BRAND  # a brand has no numbers
        return True

    def action_fix(self) -> None:
        """`f` on a rejected campaign or brand: its fix form, at the declined field."""
        resource = self.resource
        if self.hooks is None or self.hooks.fix is None or resource is None:
            return
        if not fixable(resource):
            self.notify(
                "Only a rejected campaign or brand can be fixed.",
                title="fix",
                severity="warning",
            )
            return
        self.hooks.fix(resource)

    def action_reconcile(self) -> None:
        if self.hooks is None:
            self.notify("Reconcile from the main screen (r).", title="reconcile")
            return
        self.hooks.reconcile(self.resource_type, self.resource_id)

    def action_campaign_numbers(self) -> None:
        """The numbers of this campaign, or of this number's campaign."""
        resource = self.resource
        campaign_id = self.resource_id if self.resource_type is ResourceType.CAMPAIGN else None
        if self.resource_type is ResourceType.NUMBER and resource is not None:
            campaign_id = resource.parent_id
        if not campaign_id or self.hooks is None or self.hooks.numbers_of is None:
            self.notify("Open a campaign (or one of its numbers) first.", title="numbers")
            return
        self.hooks.numbers_of(campaign_id)

    def action_export_timeline(self) -> None:
        resource = self.resource
        if resource is None:
            self.notify("Not in the registry: nothing to export.", severity="warning")
            return
        clock = self.hooks.clock if self.hooks is not None else None
        now = clock() if clock is not None else resource.updated_at
        export = Export(
            f"Export the timeline of {resource.type.value} {resource.id} to",
            default_name(f"{resource.type.value}-{resource.id}", now),
            lambda path: export_timeline(self.resource or resource, path),
            description=f"export the timeline of {resource.type.value} {resource.id}",
            done_title="timeline exported",
            word="timeline entry",
            words="timeline entries",
        )
        ask_and_export(self, export)

    @property
    def resource(self) -> Resource | None:
        return self.store.registry.get(self.resource_type, self.resource_id)

    def refresh_view(self) -> None:
        """Show the resource as the registry has it now; rows are appended, never rebuilt."""
        resource = self.resource
        if resource is None:
            self.title = f"{self.resource_type.value} {self.resource_id}"
            self.query_one("#summary", Static).update(Text("Not in the registry.", style="dim"))
            return
        parent = parent_of(resource, self.store.registry.get)
        self.title = f"{resource.type.value} {resource_label(resource)}"
        self.sub_title = resource.badge.value
        self.query_one("#summary", Static).update(
            summary_renderable(
                resource, parent, self.flag_lines(resource), theme=self.app.theme_variables
            )
        )
        self.refresh_bindings()  # `f` is offered while the campaign is rejected
        timeline = self.query_one("#timeline", DataTable)
        for row, entry in enumerate(resource.timeline[: self._timeline_rows]):
            if entry.detail != self._row_details[row]:  # a rejection's reasons arrived
                timeline.update_cell(str(row), "detail", entry.detail, update_width=True)
                self._row_details[row] = entry.detail
        for entry in resource.timeline[self._timeline_rows :]:
            timeline.add_row(
                clock_time(entry.at),
                entry.cause.value,
                badge_text(entry.badge, self.app.theme_variables),
                entry.detail,
                key=str(self._timeline_rows),
            )
            self._row_details.append(entry.detail)
            self._timeline_rows += 1
        journal = self.query_one("#journal", DataTable)
        for entry in self.store.entries_for(self.resource_type, self.resource_id):
            if entry.id in self._entries:
                continue
            self._entries[entry.id] = entry
            journal.add_row(
                clock_time(entry_time(entry)),
                entry_source(entry),
                entry_kind(entry),
                entry_status(entry),
                entry_trust(entry),
                key=entry.id,
            )

    def on_registry_changed(self, message: RegistryChanged) -> None:
        change: Change = message.change
        if any(r.key == self.key for r in change.resources):
            self.refresh_view()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def row_entry(self, table: str, key: str | None) -> Entry | None:
        """The journal entry behind a row of the timeline or of the journal table."""
        if table == "journal":
            return self._entries.get(key or "")
        resource = self.resource
        index = int(key or 0)
        if resource is None or index >= len(resource.timeline):
            return None
        ref = resource.timeline[index].ref
        entry = self._entries.get(ref or "")
        if entry is None and ref:
            entry = self.store.find_entry(ref)
        return entry

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        """`enter` on a row: its raw entry, full screen (the pane beside may be hidden)."""
        entry = self.row_entry(message.data_table.id or "", message.row_key.value)
        if entry is None:
            self.notify("No journal entry behind this row.", title="raw entry")
            return
        self.app.push_screen(EntryDetailScreen(entry))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        payload = self.query_one("#detail-payload", PayloadView)
        table = message.data_table.id or ""
        if table in ("journal", "timeline"):
            payload.show(self.row_entry(table, message.row_key.value))
