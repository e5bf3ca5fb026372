"""A virtual table of one resource type, keyed by resource id, updated row by row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.text import Text

from receiver.domain.models import Resource, ResourceType
from receiver.safetext import printable
from tui.widgets.badges import BADGE_WIDTH, badge_text
from tui.widgets.formatting import clock_time, resource_label, shown_id
from tui.widgets.virtual_table import Cell, Column, VirtualTable

SENDING = "sending…"  # a row's status while its request is on its way

Lookup = Callable[[ResourceType, str], Resource | None]


@dataclass(frozen=True, slots=True)
class Scope:
    """Narrowing to one brand or one campaign (and what belongs to it)."""

    type: ResourceType
    id: str
    label: str

    def contains(self, resource: Resource, lookup: Lookup) -> bool:
        if self.type is ResourceType.BRAND:
            return brand_of(resource, lookup) == self.id
        if resource.type is ResourceType.CAMPAIGN:
            return resource.id == self.id
        if resource.type is ResourceType.NUMBER:
            return resource.parent_id == self.id
        campaign = lookup(ResourceType.CAMPAIGN, self.id)
        return campaign is not None and campaign.parent_id == resource.id


def parent_of(resource: Resource, lookup: Lookup) -> Resource | None:
    """A campaign's brand or a number's campaign, if it has one and it is known."""
    if not resource.parent_id:
        return None
    parent_type = (
        ResourceType.BRAND if resource.type is ResourceType.CAMPAIGN else ResourceType.CAMPAIGN
    )
    return lookup(parent_type, resource.parent_id)


def brand_of(resource: Resource, lookup: Lookup) -> str | None:
    if resource.type is ResourceType.BRAND:
        return resource.id
    if resource.type is ResourceType.CAMPAIGN:
        return resource.parent_id
    campaign = parent_of(resource, lookup)
    return campaign.parent_id if campaign else None


# (label, key, width, least width, drop rank): a narrow terminal first drops Updated (the
# detail has every time), then the parent, then Last change; Id, Name and Status always stay.
ColumnSpec = tuple[str, str, int | None, int | None, int]
COLUMNS: dict[ResourceType, tuple[ColumnSpec, ...]] = {
    ResourceType.BRAND: (
        ("Brand", "id", 14, 9, 0),
        ("Name", "name", 24, 14, 0),
        ("Status", "badge", BADGE_WIDTH, None, 0),
        ("Updated", "updated", 8, None, 3),
        ("Last change", "last", 32, 16, 1),
    ),
    ResourceType.CAMPAIGN: (
        ("Campaign", "id", 14, 9, 0),
        ("Name", "name", 20, 14, 0),
        ("Brand", "parent", 30, 12, 2),
        ("Status", "badge", BADGE_WIDTH, None, 0),
        ("Updated", "updated", 8, None, 3),
        ("Last change", "last", 32, 16, 1),
    ),
    ResourceType.NUMBER: (
        ("Number", "id", 14, 13, 0),
        ("Campaign", "parent", 36, 12, 2),
        ("Status", "badge", BADGE_WIDTH, None, 0),
        ("Updated", "updated", 8, None, 3),
        ("Last change", "last", 32, 16, 1),
    ),
}


class ResourceTable(VirtualTable):
    """Rows of one resource type; filter and scope hide rows without losing the others.

    Cells are computed from the resource when a row is first drawn, so loading 10,000
    resources costs a dict and a list; a change re-draws its one line."""

    def __init__(self, type: ResourceType, lookup: Lookup, *, id: str | None = None) -> None:
        columns = [
            Column(key, label, width, least, drop)
            for label, key, width, least, drop in COLUMNS[type]
        ]
        super().__init__(columns, source=self._source, zebra_stripes=True, id=id)
        self.resource_type = type
        self.lookup = lookup
        self.filter_text = ""
        self.scope: Scope | None = None
        self._resources: dict[str, Resource | None] = {}  # None: not built yet, ask lookup
        self._sending: set[str] = set()  # rows whose request is on its way (mark_sending)
        self._follow: str | None = None  # a row to put the cursor on once it appears (follow)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.recompute_cells())

    @property
    def total(self) -> int:
        return len(self._resources)

    def resource(self, key: str) -> Resource | None:
        """The resource of a row (built on first use: a start shows 200,000 rows and builds
        only the ones drawn)."""
        held = self._resources.get(key)
        return held if held is not None else self.lookup(self.resource_type, key)

    def selected(self) -> Resource | None:
        """The resource under the cursor, if any."""
        key = self.cursor_key
        return None if key is None else self.resource(key)

    def visible(self, resource: Resource) -> bool:
        """Inside the scope, and the filter (any case) is in its id, name, status or parent."""
        if self.scope is not None and not self.scope.contains(resource, self.lookup):
            return False
        if not self.filter_text:
            return True
        fields = (shown_id(resource), resource.name, resource.badge, resource.parent_id or "")
        return self.filter_text.lower() in "\0".join(fields).lower()

    def cells(self, resource: Resource) -> dict[str, Cell]:
        parent = parent_of(resource, self.lookup)
        last = resource.timeline[-1].detail if resource.timeline else ""
        return {
            "id": Text(shown_id(resource), style="bold"),
            "name": printable(resource.name),
            "parent": resource_label(parent, resource.parent_id or "—"),
            "badge": self.sending_text()
            if resource.id in self._sending
            else badge_text(resource.badge, self.app.theme_variables),
            "updated": clock_time(resource.updated_at),
            "last": Text(printable(last), style="dim"),
        }

    def sending_text(self) -> Text:
        pill = f" {SENDING} ".ljust(BADGE_WIDTH)
        return Text(pill, style=f"bold {self.app.theme_variables.get('warning', 'yellow')}")

    def mark_sending(self, id: str, sending: bool = True) -> None:
        """Show `sending…` as the row's status from the moment a request is confirmed until
        the store says what became of the resource (`apply`) or the request is refused."""
        if sending:
            self._sending.add(id)
        else:
            self._sending.discard(id)
        if id in self._resources:
            self.update_row(id)

    def follow(self, key: str) -> None:
        """Put the cursor on `key`'s row: now if it is shown, else as soon as it appears (a
        resource just submitted, whose row the store adds when it records the request)."""
        if key in self.rows:
            self._follow = None
            self.move_cursor(row=self.get_row_index(key))
        else:
            self._follow = key

    def _source(self, key: str) -> list[Cell]:
        resource = self.resource(key)
        if resource is None:  # unreadable in registry.json (the store warned)
            return [Text("") for _ in self.columns]
        cells = self.cells(resource)
        return [cells[column.key] for column in self.columns]

    def load(self, resources: Iterable[Resource]) -> None:
        """Replace all rows (start-up); keeps the cursor on its row."""
        self._resources = {r.id: r for r in resources}
        self.drop_cells()
        self.rebuild()

    def load_ids(self, ids: Iterable[str]) -> None:
        """Replace all rows with the resources of these ids, built when first drawn."""
        self._resources = dict.fromkeys(ids)
        self.drop_cells()
        self.rebuild()

    def rebuild(self) -> None:
        """Show the resources that pass the filter and scope, in registry order (unfiltered,
        without building any)."""
        if self.scope is None and not self.filter_text:
            self.set_rows(self._resources)
            return
        found = ((key, self.resource(key)) for key in self._resources)
        self.set_rows(key for key, r in found if r is not None and self.visible(r))

    def apply(self, resources: Iterable[Resource]) -> None:
        """Bring changed resources up to date in place: redraw their rows, add or drop rows."""
        hidden, new = [], []
        for resource in resources:
            key = resource.id
            self._resources[key] = resource
            self._sending.discard(key)
            self.update_row(key)  # cells are taken afresh when drawn, even for hidden rows
            shown = key in self.rows
            if shown and not self.visible(resource):
                hidden.append(key)
            elif not shown and self.visible(resource):
                new.append((key, None))
        self.append_rows(new)
        self.remove_rows(hidden)
        if self._follow is not None and self._follow in self.rows:
            self.follow(self._follow)
