"""Brands, campaigns and numbers in three tabs, with filter and narrowing to one brand/campaign."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane

from receiver.domain.models import Resource, ResourceType
from tui.widgets.resource_table import Lookup, ResourceTable, Scope

TAB_TITLES = {
    ResourceType.BRAND: "Brands",
    ResourceType.CAMPAIGN: "Campaigns",
    ResourceType.NUMBER: "Numbers",
}


EMPTY_HINTS = {
    ResourceType.BRAND: "No brands yet. Press [b]b[/] to register one.",
    ResourceType.CAMPAIGN: "No campaigns yet. Press [b]c[/] to create one for a registered brand.",
    ResourceType.NUMBER: "No numbers yet. Press [b]l[/] to link numbers to a campaign.",
}


def no_match_hint(title: str, filter_text: str, total: int) -> Text:
    """What an empty tab says when rows exist but the filter or narrowing hides all of them."""
    hint = Text(f"No {title.lower()} ")
    if filter_text:
        hint.append("match ")
        hint.append(f"“{filter_text}”", style="bold")
        hint.append(f" ({total} hidden). Press ")
        hint.append("esc", style="bold")
        hint.append(" to clear the filter.")
    else:
        hint.append(f"under this selection ({total} hidden). Press ")
        hint.append("N", style="bold")
        hint.append(" to show everything.")
    return hint


def pane_id(type: ResourceType) -> str:
    return f"tab-{type.value}"


class ResourcesView(Vertical):
    """One tab per resource type; each holds a ResourceTable."""

    def __init__(self, lookup: Lookup, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lookup = lookup
        self.scope: Scope | None = None
        self._labels: dict[ResourceType, str] = {}
        self._hints: dict[ResourceType, str | Text] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(initial=pane_id(ResourceType.BRAND)):
            for type, title in TAB_TITLES.items():
                with TabPane(title, id=pane_id(type)):
                    yield Static(EMPTY_HINTS[type], id=f"{type.value}-empty", classes="empty-hint")
                    yield ResourceTable(type, self.lookup, id=f"{type.value}-table")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    def table(self, type: ResourceType) -> ResourceTable:
        return self.query_one(f"#{type.value}-table", ResourceTable)

    @property
    def current_type(self) -> ResourceType:
        return ResourceType((self.tabs.active or pane_id(ResourceType.BRAND)).removeprefix("tab-"))

    @property
    def current_table(self) -> ResourceTable:
        return self.table(self.current_type)

    def show(self, type: ResourceType) -> None:
        """Switch to the tab of `type` and focus its table."""
        self.tabs.active = pane_id(type)
        self.table(type).focus()

    def load(self, resources: Iterable[Resource]) -> None:
        by_type: dict[ResourceType, list[Resource]] = {t: [] for t in ResourceType}
        for resource in resources:
            by_type[resource.type].append(resource)
        for type, items in by_type.items():
            self.table(type).load(items)
        self.refresh_titles()

    def load_ids(self, ids: Callable[[ResourceType], Iterable[str]]) -> None:
        """Every table from the ids of its type (resources built when first drawn)."""
        for type in ResourceType:
            self.table(type).load_ids(ids(type))
        self.refresh_titles()

    def apply(self, resources: Iterable[Resource]) -> None:
        """Apply changed resources to their tables, cell by cell."""
        by_type: dict[ResourceType, list[Resource]] = {}
        for resource in resources:
            by_type.setdefault(resource.type, []).append(resource)
        for type, items in by_type.items():
            self.table(type).apply(items)
        self.refresh_titles()

    def narrow(self, scope: Scope | None) -> None:
        """Show only what belongs to `scope` (None shows everything)."""
        self.scope = scope
        for type in ResourceType:
            table = self.table(type)
            table.scope = scope
            table.rebuild()
        self.refresh_titles()

    def set_filter(self, text: str) -> None:
        table = self.current_table
        if table.filter_text != text:
            table.filter_text = text
            table.rebuild()
            self.refresh_titles()

    def show_hint(self, type: ResourceType, title: str, table: ResourceTable) -> None:
        """The tab's hint: how to add the first one, or why nothing matches."""
        hint = self.query_one(f"#{type.value}-empty", Static)
        shown, total = table.row_count, table.total
        hint.display = shown == 0
        if total == 0:
            content: str | Text = EMPTY_HINTS[type]
        elif shown == 0:
            content = no_match_hint(title, table.filter_text, total)
        else:
            return
        if self._hints.get(type) != content:
            self._hints[type] = content
            hint.update(content)

    def refresh_titles(self) -> None:
        """Tab labels say how many rows are shown, and of how many."""
        for type, title in TAB_TITLES.items():
            table = self.table(type)
            shown, total = table.row_count, table.total
            self.show_hint(type, title, table)
            count = f"{shown}" if shown == total else f"{shown}/{total}"
            label = f"{title} [dim]{count}[/]"
            if self._labels.get(type) != label:
                self._labels[type] = label
                self.tabs.get_tab(pane_id(type)).label = label
