"""The main screen: status bar, brand/campaign/number tabs, the live event log, filter and keys."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Label, TabbedContent

from receiver.domain.models import CallbackEvent, Change, Resource, ResourceType, system_clock
from receiver.http.server import is_loopback
from receiver.store.export import default_name, export_events
from receiver.tunnels.base import TunnelStatus
from tui.commands import MainCommands, SandboxCommands
from tui.controllers.attached import AttachedLink
from tui.controllers.events import EventController
from tui.controllers.exports import Export, ask_and_export
from tui.controllers.flags import RowFlags
from tui.controllers.forms import FormsController
from tui.controllers.forwards import ForwardMarks
from tui.controllers.lifecycle import LifecycleController
from tui.controllers.reconcile import ReconcileController
from tui.controllers.sandbox_faults import arm_from_palette
from tui.controllers.scope import ScopeController
from tui.controllers.urls import UrlController
from tui.messages import RegistryChanged, ServicesStarted, TunnelChanged, follow_store
from tui.notices import Notice, Notices, is_health_notice
from tui.screens.detail import DetailHooks, ResourceDetailScreen
from tui.screens.entry import EntryDetailScreen
from tui.screens.help import OTHER_KEYS, HelpScreen, KeySection, key_label
from tui.services import Services
from tui.widgets.event_log import EventLog
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.formatting import Entry
from tui.widgets.resource_table import ResourceTable
from tui.widgets.resources_view import ResourcesView
from tui.widgets.status_bar import StatusBar
from tui.widgets.toast_place import keep_toasts_above
from tui.widgets.virtual_table import VirtualTable

# Seconds: changes arriving within this window are applied together. A batch costs the virtual
# tables ~3-5 ms, so 30 ms keeps a badge's p99 under 100 ms in a 1,000/s burst (benchmarks/ui.py).
FLUSH_INTERVAL = 0.03


# The footer at 80 columns: short labels, and these keys left out first (`?` lists them all).
SHORT_LABELS = {
    "new_campaign": "Camp",
    "open_detail": "Open",
    "copy_url": "Copy",
    "reconcile_all": "Sync",
}
LEAVE_OUT = ("open_detail", "narrow", "filter")


def unreachable_warning(callback_url: str) -> str | None:
    """LIVE mode with a loopback callback URL: Plivo can never call it; say how to fix that."""
    if not is_loopback(urlsplit(callback_url).hostname or ""):
        return None
    return (
        "Plivo cannot reach a loopback callback URL: restart with --tunnel cloudflared "
        "(or ngrok) or --public-url https://…"
    )


class MainScreen(Screen):
    """Coordinates its widgets and the controllers it owns (reconcile and flags, URL changes,
    forms, event actions); store changes arrive as RegistryChanged and are coalesced."""

    COMMANDS = {MainCommands, SandboxCommands}
    BINDINGS = [
        Binding("b", "new_brand", "Brand", id="brand.create"),
        Binding("c", "new_campaign", "Campaign", id="campaign.create"),
        Binding("i", "import_campaign", "Import campaign", show=False, id="campaign.import"),
        Binding("l", "link_numbers", "Link", id="number.link"),
        Binding("u", "unlink_number", "Unlink", id="number.unlink"),
        Binding("f", "fix", "Fix rejected", show=False, id="campaign.update"),
        Binding("d", "delete_selected", "Delete", show=False, id="resource.delete"),
        Binding("o", "brand_otp", "Brand OTP", show=False, id="brand.otp"),
        Binding("p", "profiles", "Profiles", show=False, id="profiles.view"),
        Binding("m", "campaign_numbers", "Campaign numbers", show=False, id="campaign.numbers"),
        Binding("L", "bulk_link", "Bulk link", show=False, id="number.bulk_link"),
        Binding("U", "bulk_unlink", "Unlink all", show=False, id="number.bulk_unlink"),
        Binding("enter", "open_detail", "Details", id="view.detail"),
        Binding("slash", "filter", "Filter", id="view.filter"),
        Binding("n", "narrow", "Narrow", id="view.narrow"),
        Binding("N,escape", "clear_scope", "All", show=False, id="view.clear"),
        Binding("1", "show_tab('brand')", "Brands", show=False, id="view.brands"),
        Binding("2", "show_tab('campaign')", "Campaigns", show=False, id="view.campaigns"),
        Binding("3", "show_tab('number')", "Numbers", show=False, id="view.numbers"),
        Binding("e", "focus_log", "Event log", show=False, id="view.log"),
        Binding("y", "copy_url", "Copy URL", id="callback_url.copy"),
        Binding("r", "reconcile_all", "Reconcile", id="registry.reconcile"),
        Binding("x", "export_log", "Export log", show=False, id="log.export"),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    def __init__(
        self,
        services: Services,
        mode: str,
        *,
        clock: Callable[[], float] = system_clock,
        overdue_after: float | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.store = services.store
        self.mode = mode
        self.clock = clock
        self._pending: list[Change] = []
        self._flush_timer = None
        self._unsubscribe = None
        self.notices = Notices(self)
        view = self._resources_view  # a callable: the widget exists once composed
        self.reconciler = ReconcileController(self, services, view, clock, overdue_after)
        self.urls = UrlController(self, self.reconciler)
        self.forms = FormsController(self, services, view)
        self.lifecycle = LifecycleController(self, services, view)
        self.events = EventController(self, services, lambda: self.event_log.selected())
        self.scope = ScopeController(self, mode, view, self.reconciler.redecorate)
        self.link = AttachedLink(self, self.store)  # --attach: the server's stream
        self.forward_marks = ForwardMarks(self, services)

    @property
    def flags(self) -> RowFlags:
        return self.reconciler.flags

    @property
    def startup_reconciled(self) -> bool:
        """The start-up reconcile finished (or there was nothing to reconcile with)."""
        return self.reconciler.startup_reconciled

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield StatusBar(id="status-bar")
        with Vertical(id="body"):
            yield ResourcesView(self._lookup, id="resources")
            with Vertical(id="log-panel"):
                yield Label("Event log", classes="section-title")
                yield EventLog(id="event-log")
        yield Input(
            placeholder="filter by id, name or status — enter keeps it, esc clears", id="filter"
        )
        yield FittingFooter(short=SHORT_LABELS, leave_out=LEAVE_OUT)

    # ---- wiring -------------------------------------------------------------------------
    def _lookup(self, type: ResourceType, id: str) -> Resource | None:
        return self.store.registry.get(type, id)

    @property
    def resources(self) -> ResourcesView:
        return self.query_one(ResourcesView)

    def _resources_view(self) -> ResourcesView:
        return self.resources

    @property
    def event_log(self) -> EventLog:
        return self.query_one(EventLog)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.title = "tendlc"
        self.scope.show()
        self.status_bar.mode = self.mode
        self.resources.load_ids(self.store.registry.ids)
        recent = self.store.recent(500)
        self.event_log.add_entries(recent)
        self.count_callbacks(recent)
        self._unsubscribe = follow_store(self.store, self)
        self.check_store()
        for warning in self.store.warnings:
            self.notify(warning, title="store", severity="warning", timeout=15)
        self.reconciler.start(each_tick=self.urls.check)
        keep_toasts_above(self, self.query_one("#log-panel"))
        self.link.start()
        if self.services.started:
            self.on_services_started(ServicesStarted())
        self.resources.current_table.focus()

    def on_unmount(self) -> None:
        self.link.stop()
        self.forward_marks.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()

    def check_store(self) -> None:
        """A failed write shows a red line until a write succeeds again (the store announces both)."""
        healthy = self.store.healthy
        self.status_bar.store_error = None if healthy else (self.store.last_error or "unknown")

    def show_addresses(self) -> None:
        config = self.services.receiver.config
        self.status_bar.callback_url = config.callback_url
        local = getattr(self.services.receiver, "address", config.local_base)  # or the server's
        self.status_bar.receiver_address = local.removeprefix("http://")
        self.status_bar.reach_warning = (
            unreachable_warning(config.callback_url) if self.mode == "LIVE" else None
        )

    def on_services_started(self, message: ServicesStarted) -> None:
        self.show_addresses()
        self.show_tunnel(self.services.tunnel_status)
        for warning in self.services.receiver.warnings:
            self.notify(warning, title="receiver", severity="warning", timeout=15)
        self.urls.check()
        self.forward_marks.start()
        self.reconciler.services_started()

    def show_tunnel(self, status: TunnelStatus) -> None:
        self.status_bar.tunnel_state = status.state.value
        self.status_bar.tunnel_reason = status.reason
        self.status_bar.tunnel_url = status.url or ""

    def on_tunnel_changed(self, message: TunnelChanged) -> None:
        self.show_tunnel(message.status)
        self.show_addresses()
        self.urls.check()
        if message.status.state.value == "down":  # a flapping tunnel: one toast, counted
            self.notices.post(Notice("tunnel down", message.status.reason, "error", timeout=15))

    # ---- live changes -------------------------------------------------------------------
    def on_registry_changed(self, message: RegistryChanged) -> None:
        self._pending.append(message.change)
        if self._flush_timer is None:
            self._flush_timer = self.set_timer(FLUSH_INTERVAL, self.flush_changes)

    def flush_changes(self) -> None:
        """Apply every change that arrived since the last flush, in one batch."""
        self._flush_timer = None
        changes, self._pending = self._pending, []
        if not changes:
            return
        latest: dict[str, Resource] = {}
        entries: list[Entry] = []
        for change in changes:
            for resource in change.resources:
                latest[resource.key] = resource
            entries.extend(e for e in (change.event, change.request) if e is not None)
        with self.app.batch_update():
            self.resources.apply(latest.values())
            self.reconciler.reflag(latest.values())
            self.event_log.add_entries(entries)
        self.count_callbacks(entries)
        if any(is_health_notice(c) for c in changes):
            self.check_store()
        self.notices.announce(changes)
        self.reconciler.fetch_reasons(changes)

    def count_callbacks(self, entries: list[Entry]) -> None:
        events = [e for e in entries if isinstance(e, CallbackEvent)]
        self.status_bar.callbacks += len(events)
        self.status_bar.unverified += sum(1 for e in events if not e.verified)

    # ---- actions: the controllers' ------------------------------------------------------
    def action_new_brand(self) -> None:
        self.forms.new_brand()

    def action_new_campaign(self) -> None:
        self.forms.new_campaign()

    def action_import_campaign(self) -> None:
        self.forms.import_campaign()

    def action_link_numbers(self) -> None:
        self.forms.link_numbers()

    def action_unlink_number(self) -> None:
        self.forms.unlink_number()

    def action_fix(self) -> None:
        self.lifecycle.fix_selected()

    def action_delete_selected(self) -> None:
        self.lifecycle.delete_selected()

    def action_brand_otp(self) -> None:
        self.lifecycle.brand_otp()

    def action_campaign_numbers(self) -> None:
        self.lifecycle.campaign_numbers()

    def action_bulk_link(self) -> None:
        self.lifecycle.bulk_link()

    def action_bulk_unlink(self) -> None:
        self.lifecycle.bulk_unlink()

    def action_profiles(self) -> None:
        self.lifecycle.profiles()

    def action_reconcile_all(self) -> None:
        self.reconciler.reconcile_all()

    def action_reconcile_selected(self) -> None:
        self.reconciler.reconcile_selected()

    def action_replay_event(self) -> None:
        self.events.replay()

    def action_copy_curl(self) -> None:
        self.events.copy_curl()

    def action_export_log(self) -> None:
        store = self.store
        default = default_name("events", self.clock())
        export = Export(
            "Export the event log to",
            default,
            lambda path: export_events(store, path),
            description="export the event log",
            done_title="event log exported",
        )
        ask_and_export(self, export)

    # ---- actions: the screen's own ------------------------------------------------------
    def selected(self) -> Resource | None:
        return self.resources.current_table.selected()

    def open_resource(self, resource: Resource) -> None:
        rec = self.reconciler
        hooks = DetailHooks(
            rec.flags, rec.reconcile_resource, rec.callback_url_now, self.clock,
            fix=self.lifecycle.fix, numbers_of=self.lifecycle.numbers_of,
        )  # fmt: skip
        self.app.push_screen(ResourceDetailScreen(self.store, resource.type, resource.id, hooks))

    def open_entry(self, entry: Entry) -> None:
        self.app.push_screen(EntryDetailScreen(entry, self.services))

    def action_show_tab(self, type: str) -> None:
        self.resources.show(ResourceType(type))

    def action_focus_log(self) -> None:
        self.event_log.focus()

    def action_open_detail(self) -> None:
        if self.focused is self.event_log:
            entry = self.event_log.selected()
            if entry is not None:
                self.open_entry(entry)
            return
        resource = self.selected()
        if resource is None:
            self.notify("Nothing selected.", severity="warning")
            return
        self.open_resource(resource)

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        """A click on the highlighted row opens it, as enter does."""
        message.stop()
        if isinstance(message.table, EventLog):
            entry = message.table.selected()
            if entry is not None:
                self.open_entry(entry)
        elif isinstance(message.table, ResourceTable):
            resource = message.table.selected()
            if resource is not None:
                self.open_resource(resource)

    def action_filter(self) -> None:
        self.scope.open_filter()

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id == "filter":
            self.scope.typed()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "filter":
            self.scope.submitted(message.input)

    def on_tabbed_content_tab_activated(self, message: TabbedContent.TabActivated) -> None:
        self.scope.tab_activated()

    def action_narrow(self) -> None:
        self.scope.narrow()

    def action_clear_scope(self) -> None:
        self.scope.clear()

    def action_copy_url(self) -> None:
        url = self.services.receiver.config.callback_url
        self.app.copy_to_clipboard(url)
        self.notify(
            f"{url}\nSent to the terminal's clipboard (OSC 52). A terminal that ignores OSC 52 "
            "copies nothing: select the URL here or in the header (shift+drag) instead.",
            title="callback URL sent to the clipboard",
            markup=False,
            timeout=10,
        )

    def action_sandbox_fault(self, flag: str) -> None:
        arm_from_palette(self, flag)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.key_sections()))

    def key_sections(self) -> list[KeySection]:
        own = [(key_label(b.key), b.description) for b in self.BINDINGS]
        return [("Main screen", own), *OTHER_KEYS]
