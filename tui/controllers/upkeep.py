"""Main-screen upkeep: reconcile (all, one, overdue), row flags, public-URL changes, log export."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from plivo_client.reconcile import reconcile
from plivo_client.types import GatewayError
from receiver.domain.models import Badge, Cause, Change, Resource, ResourceType
from receiver.domain.registry import REASON_KEYS
from receiver.store.export import ExportFailed, default_name, export_events, target_path
from receiver.store.store import StoreError
from tui.controllers.flags import FlagRule, RowFlags, split_key
from tui.screens.detail import DetailHooks, ResourceDetailScreen
from tui.screens.entry import EntryDetailScreen
from tui.screens.prompt import PromptScreen

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from receiver.store.store import Store
    from tui.services import Services
    from tui.widgets.event_log import EventLog
    from tui.widgets.formatting import Entry
    from tui.widgets.resources_view import ResourcesView

OVERDUE_TICK = 5.0  # seconds between overdue checks
MAX_SINGLE_RECONCILES = 10  # more overdue resources than this: reconcile everything at once
WORKER_GROUPS = ("reconcile", "reconcile-one", "reconcile-overdue", "replay", "export")

Target = tuple[ResourceType, str]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def overdue_targets(keys: Iterable[str], lookup: Any) -> list[Target]:
    """What to reconcile for overdue resources: numbers through their campaign (one read)."""
    targets: list[Target] = []
    for key in sorted(keys):
        type, id = split_key(key)
        if type is ResourceType.NUMBER:
            number = lookup(type, id)
            if number is not None and number.parent_id:
                type, id = ResourceType.CAMPAIGN, number.parent_id
        if (type, id) not in targets:
            targets.append((type, id))
    return targets


class Upkeep:
    """Mixin for the main screen. Call `init_upkeep()` in __init__, `upkeep_started()` once
    services run, `reflag(resources)` after applying changes, `redecorate()` after a rebuild."""

    services: Services
    store: Store
    resources: ResourcesView
    event_log: EventLog

    def init_upkeep(self) -> None:
        self.flags = RowFlags()
        self.startup_reconciled = False  # the start-up reconcile finished (or had nothing to do)
        self._known_url: str | None = None
        self._auto_reconciled: dict[str, float] = {}

    # ---- time, URL and rules ------------------------------------------------------------
    @property
    def overdue_after(self) -> float | None:
        return getattr(self.app, "overdue_after", None)

    def now(self) -> float:
        return self.app.clock()

    def callback_url_now(self) -> str:
        """The callback URL submissions carry now ("" until the receiver is bound)."""
        return self.services.receiver.config.callback_url if self.services.started else ""

    def rule(self) -> FlagRule:
        return FlagRule(self.now(), self.overdue_after, self.callback_url_now())

    # ---- start ---------------------------------------------------------------------------
    def start_upkeep(self) -> None:
        """On mount: flags for what is already in the registry, and the overdue timer."""
        self.flags.rescan(self.store.registry.all(), self.rule())
        self.redecorate()
        self.set_interval(OVERDUE_TICK, self.check_overdue, name="overdue")

    def upkeep_started(self) -> None:
        """Services are up: remember the callback URL, then reconcile once (LIVE and SANDBOX)."""
        self.check_public_url()
        if self.services.gateway is None:
            self.startup_reconciled = True
            return
        self.reconcile_all(quiet=True, startup=True)

    # ---- reconcile -----------------------------------------------------------------------
    def _gateway_or_say(self) -> Gateway | None:
        gateway = self.services.gateway
        if gateway is None:
            self.notify("Still connecting; try again in a moment.", title="reconcile")
        return gateway

    def action_reconcile_all(self) -> None:
        self.reconcile_all()

    def reconcile_all(self, *, quiet: bool = False, startup: bool = False) -> None:
        """Read brands, campaigns and numbers from the API (latest request wins)."""
        gateway = self._gateway_or_say()
        if gateway is not None:
            self.run_worker(
                self._reconcile(gateway, None, quiet=quiet, startup=startup),
                group="reconcile",
                exclusive=True,
                exit_on_error=False,
                description="reconcile: everything",
            )

    def action_reconcile_selected(self) -> None:
        resource = self.resources.current_table.selected()
        if resource is None:
            self.notify("Select a brand, campaign or number first.", title="reconcile")
            return
        self.reconcile_resource(resource.type, resource.id)

    def reconcile_resource(self, type: ResourceType, id: str) -> None:
        """Read one resource (a campaign with its numbers) from the API."""
        gateway = self._gateway_or_say()
        if gateway is not None:
            self.run_worker(
                self._reconcile(gateway, (type, id)),
                group="reconcile-one",
                exit_on_error=False,
                description=f"reconcile: {type.value} {id}",
            )

    def fetch_reasons(self, changes: Iterable[Change]) -> None:
        """A rejection arrives by callback without its reasons: read them from the API, quietly."""
        gateway = self.services.gateway
        if gateway is None:
            return
        for change in changes:
            if change.cause is not Cause.CALLBACK:
                continue
            for res in change.resources:
                if res.badge is Badge.REJECTED and not any(k in res.detail for k in REASON_KEYS):
                    self.run_worker(
                        self._reconcile(gateway, (res.type, res.id), silent=True),
                        group="reconcile-one",
                        exit_on_error=False,
                        description=f"read why {res.type.value} {res.id} was rejected",
                    )

    async def _reconcile(
        self,
        gateway: Gateway,
        target: Target | None,
        *,
        quiet: bool = False,
        startup: bool = False,
        silent: bool = False,
    ) -> None:
        what = "everything" if target is None else f"{target[0].value} {target[1]}"
        try:
            if target is None:
                change = await reconcile(gateway, self.store)
            else:
                change = await reconcile(gateway, self.store, type=target[0], id=target[1])
        except (GatewayError, StoreError) as exc:
            self.notify(f"{what}: {exc}", title="reconcile failed", severity="error", timeout=10)
            return
        finally:
            if startup:
                self.startup_reconciled = True
        count = len(change.resources)
        if silent:
            return
        if count or not quiet:
            self.notify(f"{plural(count, 'change')} ({what})", title="reconcile")

    def check_overdue(self) -> None:
        """Flag what waits too long for a callback, and reconcile it (each at most once per
        overdue interval)."""
        rule = self.rule()
        self.decorate(self.flags.tick(rule))
        self.check_public_url()
        after, gateway = rule.after, self.services.gateway
        if after is None or gateway is None:
            return
        due = [
            key
            for key in self.flags.overdue
            if rule.now - self._auto_reconciled.get(key, float("-inf")) >= after
        ]
        if not due:
            return
        for key in due:
            self._auto_reconciled[key] = rule.now
        targets = overdue_targets(due, self.store.registry.get)
        if len(targets) > MAX_SINGLE_RECONCILES:
            self.reconcile_all(quiet=True)
            return
        self.run_worker(
            self._reconcile_overdue(gateway, targets),
            group="reconcile-overdue",
            exit_on_error=False,
            description="reconcile: overdue callbacks",
        )

    async def _reconcile_overdue(self, gateway: Gateway, targets: list[Target]) -> None:
        changed = 0
        for type, id in targets:
            try:
                change = await reconcile(gateway, self.store, type=type, id=id)
            except (GatewayError, StoreError) as exc:
                self.notify(f"{type.value} {id}: {exc}", title="reconcile failed", severity="error")
                continue
            changed += len(change.resources)
        if changed:
            self.notify(f"{plural(changed, 'change')} (overdue callbacks)", title="reconcile")

    # ---- flags ---------------------------------------------------------------------------
    def reflag(self, resources: Iterable[Resource]) -> None:
        """After the tables applied `resources`: re-judge them and put their marks back."""
        resources = list(resources)
        changed = self.flags.update(resources, self.rule())
        flagged = {r.key for r in resources} & self.flags.keys
        self.decorate(changed | flagged)

    def redecorate(self) -> None:
        """After a table rebuild (filter, narrowing): every flagged row shows its mark again."""
        self.decorate(self.flags.keys)

    def decorate(self, keys: Iterable[str]) -> None:
        """Show each key's flag in its row's last-change cell (or the plain text again)."""
        for key in keys:
            type, id = split_key(key)
            table = self.resources.table(type)
            if id not in table.rows:
                continue
            mark = self.flags.mark(key)
            if mark is None:
                resource = self.store.registry.get(type, id)
                if resource is None:
                    continue
                mark = table.cells(resource)["last"]
            table.update_cell(id, "last", mark)

    def check_public_url(self) -> None:
        """When the callback URL moves, mark what still awaits callbacks at the old one."""
        url = self.callback_url_now()
        if not url or url == self._known_url:
            return
        old, self._known_url = self._known_url, url
        self.decorate(self.flags.rescan(self.store.registry.all(), self.rule()))
        stale = len(self.flags.old_url)
        if old is not None and stale:
            self.notify(
                f"now {url}: {plural(stale, 'resource')} still await callbacks sent to the old "
                "URL (marked ⚠); press r to reconcile them",
                title="callback URL changed",
                severity="warning",
                timeout=15,
            )

    # ---- screens -------------------------------------------------------------------------
    def selected_entry(self) -> Entry | None:
        return self.event_log.selected()

    def open_resource(self, resource: Resource) -> None:
        hooks = DetailHooks(self.flags, self.reconcile_resource, self.callback_url_now, self.now)
        self.app.push_screen(ResourceDetailScreen(self.store, resource.type, resource.id, hooks))

    def open_entry(self, entry: Entry) -> None:
        self.app.push_screen(EntryDetailScreen(entry, self.services))

    # ---- export --------------------------------------------------------------------------
    def action_export_log(self) -> None:
        default = default_name("events", self.now())
        prompt = PromptScreen(
            "Export the event log to",
            default,
            hint="a new file (.jsonl, or .csv for CSV) or a directory",
            check=lambda text: None if text.strip() else "type a file name",
        )

        def chosen(typed: str | None) -> None:
            if typed:
                path = target_path(typed, default)
                self.run_worker(
                    self._export_log(path), group="export", exit_on_error=False,
                    description="export the event log",
                )  # fmt: skip

        self.app.push_screen(prompt, chosen)

    async def _export_log(self, path: Path) -> None:
        try:
            count = await asyncio.to_thread(export_events, self.store, path)
        except (ExportFailed, StoreError) as exc:
            self.notify(str(exc), title="export failed", severity="error", timeout=10)
            return
        noun = "entry" if count == 1 else "entries"
        self.notify(f"{count} {noun} → {path.resolve()}", title="event log exported")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Anything unexpected that broke a reconcile, replay or export: an error toast."""
        if event.state is WorkerState.ERROR and event.worker.group in WORKER_GROUPS:
            what = event.worker.description or event.worker.group
            self.notify(f"{what}: {event.worker.error!r}", title="failed", severity="error")
