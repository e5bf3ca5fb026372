"""A DataTable of one resource type, keyed by resource id, updated cell by cell."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from receiver.models import Resource, ResourceType
from tui.badges import BADGE_WIDTH, badge_text
from tui.formatting import clock_time, resource_label

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


def brand_of(resource: Resource, lookup: Lookup) -> str | None:
    if resource.type is ResourceType.BRAND:
        return resource.id
    if resource.type is ResourceType.CAMPAIGN:
        return resource.parent_id
    campaign = lookup(ResourceType.CAMPAIGN, resource.parent_id) if resource.parent_id else None
    return campaign.parent_id if campaign else None


COLUMNS: dict[ResourceType, tuple[tuple[str, str, int | None], ...]] = {
    # (label, key, width)
    ResourceType.BRAND: (
        ("Brand", "id", 14),
        ("Name", "name", 24),
        ("Status", "badge", BADGE_WIDTH),
        ("Updated", "updated", 8),
        ("Last change", "last", 32),
    ),
    ResourceType.CAMPAIGN: (
        ("Campaign", "id", 14),
        ("Name", "name", 20),
        ("Brand", "parent", 30),
        ("Status", "badge", BADGE_WIDTH),
        ("Updated", "updated", 8),
        ("Last change", "last", 32),
    ),
    ResourceType.NUMBER: (
        ("Number", "id", 14),
        ("Campaign", "parent", 36),
        ("Status", "badge", BADGE_WIDTH),
        ("Updated", "updated", 8),
        ("Last change", "last", 32),
    ),
}


class ResourceTable(DataTable):
    """Rows of one resource type; filter and scope hide rows without losing the others."""

    def __init__(self, type: ResourceType, lookup: Lookup, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.resource_type = type
        self.lookup = lookup
        self.filter_text = ""
        self.scope: Scope | None = None
        self._resources: dict[str, Resource] = {}

    def on_mount(self) -> None:
        for label, key, width in COLUMNS[self.resource_type]:
            self.add_column(label, key=key, width=width)

    @property
    def total(self) -> int:
        return len(self._resources)

    def selected(self) -> Resource | None:
        """The resource under the cursor, if any."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self._resources.get(key or "")

    def visible(self, resource: Resource) -> bool:
        if self.scope is not None and not self.scope.contains(resource, self.lookup):
            return False
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(
            needle in part.lower()
            for part in (resource.id, resource.name, resource.badge.value, resource.parent_id or "")
        )

    def cells(self, resource: Resource) -> dict[str, object]:
        parent_type = (
            ResourceType.BRAND if resource.type is ResourceType.CAMPAIGN else ResourceType.CAMPAIGN
        )
        parent = self.lookup(parent_type, resource.parent_id) if resource.parent_id else None
        last = resource.timeline[-1].detail if resource.timeline else ""
        return {
            "id": Text(resource.id, style="bold"),
            "name": resource.name,
            "parent": resource_label(parent, resource.parent_id or "—"),
            "badge": badge_text(resource.badge),
            "updated": clock_time(resource.updated_at),
            "last": Text(last, style="dim"),
        }

    def _row(self, resource: Resource) -> list[object]:
        cells = self.cells(resource)
        return [cells[key] for _, key, _ in COLUMNS[self.resource_type]]

    def load(self, resources: Iterable[Resource]) -> None:
        """Replace all rows (start-up, filter or scope change); keeps the cursor on its row."""
        self._resources = {r.id: r for r in resources}
        self.rebuild()

    def rebuild(self) -> None:
        current = self.selected()
        self.clear()
        for resource in self._resources.values():
            if self.visible(resource):
                self.add_row(*self._row(resource), key=resource.id)
        if current is not None and current.id in self.rows:
            self.move_cursor(row=self.get_row_index(current.id), animate=False)

    def apply(self, resources: Iterable[Resource]) -> None:
        """Bring changed resources up to date in place: update cells, add or drop rows."""
        keys = [key for _, key, _ in COLUMNS[self.resource_type]]
        for resource in resources:
            self._resources[resource.id] = resource
            shown = resource.id in self.rows
            if not self.visible(resource):
                if shown:
                    self.remove_row(resource.id)
                continue
            if not shown:
                self.add_row(*self._row(resource), key=resource.id)
                continue
            cells = self.cells(resource)
            old = self.get_row(resource.id)
            for key, before in zip(keys, old, strict=True):
                if cells[key] != before:
                    self.update_cell(resource.id, key, cells[key])
