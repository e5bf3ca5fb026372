"""Reconcile (everything, one resource, the overdue ones) and the row flags it clears."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from plivo_client.reconcile import reconcile
from plivo_client.types import GatewayError
from receiver.domain.declines import resource_declines
from receiver.domain.models import Badge, Cause, Change, Resource, ResourceType, split_key
from receiver.domain.registry import REASON_KEYS
from receiver.store.store import StoreError
from receiver.wording import plural
from tui.controllers.connecting import gateway_or_say
from tui.controllers.flags import FlagRule, RowFlags
from tui.notices import Notice
from tui.widgets.formatting import resource_label
from tui.workers import run_background

if TYPE_CHECKING:
    from textual.screen import Screen

    from plivo_client.gateway import Gateway
    from receiver.domain.models import Clock
    from receiver.domain.registry import Registry
    from tui.services import Services
    from tui.widgets.resources_view import ResourcesView

UNEXPLAINED = (Badge.REJECTED, Badge.FAILED)  # outcomes whose reason is read from the API
# A rejection's reasons show in its detail; a failed link's reason is also said in a toast.
OVERDUE_TICK = 5.0  # seconds between overdue checks
MAX_SINGLE_RECONCILES = 10  # more overdue resources than this: reconcile everything at once

Target = tuple[ResourceType, str]


def overdue_targets(keys: Iterable[str], lookup: Callable) -> list[Target]:
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


class ReconcileController:
    """Owned by the main screen: reads the API back into the store, and keeps the row flags
    (overdue, old callback URL) and their marks in the tables.

    The screen calls `start()` on mount, `services_started()` once the services run,
    `reflag(resources)` after applying changes and `redecorate()` after a table rebuild.
    """

    def __init__(
        self,
        screen: Screen,
        services: Services,
        resources: Callable[[], ResourcesView],
        clock: Clock,
        overdue_after: float | None,
    ) -> None:
        self.screen = screen
        self.services = services
        self._resources = resources
        self.clock = clock
        self.overdue_after = overdue_after  # seconds awaiting a callback before "overdue"
        self.flags = RowFlags()
        self.startup_reconciled = False  # the start-up reconcile finished (or had nothing to do)
        self._auto_reconciled: dict[str, float] = {}

    @property
    def registry(self) -> Registry:
        return self.services.store.registry

    # ---- time, URL and rules ------------------------------------------------------------
    def callback_url_now(self) -> str:
        """The callback URL submissions carry now ("" until the receiver is bound)."""
        return self.services.receiver.config.callback_url if self.services.started else ""

    def rule(self) -> FlagRule:
        return FlagRule(self.clock(), self.overdue_after, self.callback_url_now())

    # ---- start ---------------------------------------------------------------------------
    def start(self, each_tick: Callable[[], None] | None = None) -> None:
        """On mount: flags for what is already in the registry, and the overdue timer (which
        calls `each_tick` first: the URL check)."""
        self.flags.rescan(self.registry.unsettled(), self.rule())
        self.redecorate()

        def tick() -> None:
            if each_tick is not None:
                each_tick()
            self.check_overdue()

        self.screen.set_interval(OVERDUE_TICK, tick, name="overdue")

    def services_started(self) -> None:
        """Services are up: reconcile once (LIVE and SANDBOX), quietly."""
        if self.services.gateway is None:
            self.startup_reconciled = True
            return
        self.reconcile_all(quiet=True, startup=True)

    # ---- reconcile -----------------------------------------------------------------------
    def reconcile_all(self, *, quiet: bool = False, startup: bool = False) -> None:
        """Read brands, campaigns and numbers from the API (latest request wins)."""
        gateway = gateway_or_say(self.screen, self.services, "reconcile")
        if gateway is not None:
            run_background(
                self.screen,
                self._reconcile(gateway, None, quiet=quiet, startup=startup),
                group="reconcile",
                exclusive=True,
                description="reconcile: everything",
            )

    def reconcile_selected(self) -> None:
        resource = self._resources().current_table.selected()
        if resource is None:
            self.screen.notify("Select a brand, campaign or number first.", title="reconcile")
            return
        self.reconcile_resource(resource.type, resource.id)

    def reconcile_resource(self, type: ResourceType, id: str) -> None:
        """Read one resource (a campaign with its numbers) from the API."""
        gateway = gateway_or_say(self.screen, self.services, "reconcile")
        if gateway is not None:
            run_background(
                self.screen,
                self._reconcile(gateway, (type, id)),
                group="reconcile-one",
                description=f"reconcile: {type.value} {id}",
            )

    def fetch_reasons(self, changes: Iterable[Change]) -> None:
        """A rejection or a failed link arrives by callback without its reason: read it from
        the API (a number through its campaign), quietly, and say it in one toast each."""
        gateway = self.services.gateway
        if gateway is None:
            return
        unexplained = [
            res
            for change in changes
            if change.cause is Cause.CALLBACK
            for res in change.resources
            if res.badge in UNEXPLAINED and not any(k in res.detail for k in REASON_KEYS)
        ]
        if unexplained:
            run_background(
                self.screen,
                self._explain(gateway, unexplained),
                group="reconcile-one",
                description=f"read why {plural(len(unexplained), 'resource')} did not succeed",
            )

    async def _explain(self, gateway: Gateway, resources: list[Resource]) -> None:
        keys = {r.key for r in resources}
        for type, id in overdue_targets(keys, self.registry.get):
            await self._reconcile(gateway, (type, id), silent=True)
        for key in sorted(keys):
            resource = self.registry.get(*split_key(key))
            if resource is None or resource.badge not in UNEXPLAINED:
                continue
            if resource.type is not ResourceType.NUMBER:
                continue
            whys = resource_declines(resource.type.value, resource.detail)
            if whys:
                label = resource_label(resource, resource.id)
                self.post(Notice("number link failed", f"{label}: {whys[0]}", "error", about=key))

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
        store = self.services.store
        try:
            if target is None:
                change = await reconcile(gateway, store)
            else:
                change = await reconcile(gateway, store, type=target[0], id=target[1])
        except (GatewayError, StoreError) as exc:
            self.screen.notify(
                f"{what}: {exc}", title="reconcile failed", severity="error", timeout=10
            )
            return
        finally:
            if startup:
                self.startup_reconciled = True
        count = len(change.resources)
        if silent:
            return
        if count or not quiet:
            self.say(f"{plural(count, 'change')} ({what})")

    def check_overdue(self) -> None:
        """Flag what waits too long for a callback, and reconcile it (each at most once per
        overdue interval)."""
        rule = self.rule()
        self.decorate(self.flags.tick(rule))
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
        targets = overdue_targets(due, self.registry.get)
        if len(targets) > MAX_SINGLE_RECONCILES:
            self.reconcile_all(quiet=True)
            return
        run_background(
            self.screen,
            self._reconcile_overdue(gateway, targets),
            group="reconcile-overdue",
            description="reconcile: overdue callbacks",
        )

    async def _reconcile_overdue(self, gateway: Gateway, targets: list[Target]) -> None:
        changed = 0
        for type, id in targets:
            try:
                change = await reconcile(gateway, self.services.store, type=type, id=id)
            except (GatewayError, StoreError) as exc:
                self.screen.notify(
                    f"{type.value} {id}: {exc}", title="reconcile failed", severity="error"
                )
                continue
            changed += len(change.resources)
        if changed:
            self.say(f"{plural(changed, 'change')} (overdue callbacks)")

    def say(self, message: str) -> None:
        """The reconcile's one toast (its changes raise none of their own)."""
        self.post(Notice("reconcile", message, "information"))

    def post(self, notice: Notice) -> None:
        notices = getattr(self.screen, "notices", None)
        if notices is None:
            self.screen.notify(notice.message, title=notice.title, severity=notice.severity)
        else:
            notices.post(notice)

    # ---- flags ---------------------------------------------------------------------------
    def reflag(self, resources: Iterable[Resource]) -> None:
        """After the tables applied `resources`: re-judge them and put their marks back."""
        resources = list(resources)
        changed = self.flags.update(resources, self.rule())
        flagged = {r.key for r in resources} & self.flags.keys
        self.decorate(changed | flagged)

    def rescan(self) -> int:
        """Re-judge every resource (the callback URL moved); how many await the old URL."""
        self.decorate(self.flags.rescan(self.registry.unsettled(), self.rule()))
        return len(self.flags.old_url)

    def redecorate(self) -> None:
        """After a table rebuild (filter, narrowing): every flagged row shows its mark again."""
        self.decorate(self.flags.keys)

    def decorate(self, keys: Iterable[str]) -> None:
        """Show each key's flag in its row's last-change cell (or the plain text again)."""
        view = self._resources()
        for key in keys:
            type, id = split_key(key)
            table = view.table(type)
            if id not in table.rows:
                continue
            mark = self.flags.mark(key)
            if mark is None:
                resource = self.registry.get(type, id)
                if resource is None:
                    continue
                mark = table.cells(resource)["last"]
            table.update_cell(id, "last", mark)
