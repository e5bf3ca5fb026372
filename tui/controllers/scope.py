"""What the main screen's tables show: the `/` filter (applied once typing pauses), narrowing
to a brand or campaign (`n`), clearing both (`esc`), and the subtitle that says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widgets import Input

from receiver.domain.models import ResourceType
from tui.widgets.formatting import resource_label
from tui.widgets.resource_table import Scope

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

    from tui.widgets.resources_view import ResourcesView

FILTER_DELAY = 0.15  # seconds of no typing before the filter applies
MODE_LINES = {"SANDBOX": "SANDBOX · offline simulator", "LIVE": "LIVE · Plivo API"}


class ScopeController:
    """Owned by the main screen; `redecorate` puts the row flags back after a table rebuild."""

    def __init__(
        self,
        screen: Screen,
        mode: str,
        resources: Callable[[], ResourcesView],
        redecorate: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.mode = mode
        self._resources = resources
        self._redecorate = redecorate
        self._timer: Timer | None = None
        self.lead: str | None = None  # the subtitle's first part instead of the mode (--attach)

    @property
    def field(self) -> Input:
        return self.screen.query_one("#filter", Input)

    def open_filter(self) -> None:
        field = self.field
        field.add_class("-shown")
        field.focus()

    def typed(self) -> None:
        """Filter once typing pauses: a rebuild of thousands of rows per key would lag."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(FILTER_DELAY, self.apply_filter)

    def apply_filter(self) -> None:
        self._timer = None
        self._resources().set_filter(self.field.value)
        self._redecorate()
        self.show()

    def submitted(self, field: Input) -> None:
        self.apply_filter()
        if not field.value:
            field.remove_class("-shown")
        self._resources().current_table.focus()

    def tab_activated(self) -> None:
        """Each tab keeps its own filter: show this tab's in the field."""
        field = self.field
        text = self._resources().current_table.filter_text
        with field.prevent(Input.Changed):
            field.value = text
        field.set_class(bool(text), "-shown")
        self.show()

    def narrow(self) -> None:
        view = self._resources()
        resource = view.current_table.selected()
        if resource is None:
            self.screen.notify("Select a brand, campaign or number first.", severity="warning")
            return
        if resource.type is ResourceType.NUMBER:
            if resource.parent_id is None:
                self.screen.notify("This number has no campaign.", severity="warning")
                return
            campaign = view.lookup(ResourceType.CAMPAIGN, resource.parent_id)
            label = resource_label(campaign, resource.parent_id)
            scope = Scope(ResourceType.CAMPAIGN, resource.parent_id, label)
            target = ResourceType.NUMBER
        else:
            scope = Scope(resource.type, resource.id, resource_label(resource))
            target = (
                ResourceType.CAMPAIGN
                if resource.type is ResourceType.BRAND
                else ResourceType.NUMBER
            )
        view.narrow(scope)
        self._redecorate()
        view.show(target)
        self.show()

    def clear(self) -> None:
        """esc / N: drop the filter of this tab first, then the narrowing."""
        view = self._resources()
        field = self.field
        if field.value or field.has_class("-shown"):
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            with field.prevent(Input.Changed):
                field.value = ""
            field.remove_class("-shown")
            view.set_filter("")
            view.current_table.focus()
        elif view.scope is not None:
            view.narrow(None)
        self._redecorate()
        self.show()

    def show(self) -> None:
        """The header's subtitle: the mode, then any narrowing and filter."""
        view = self._resources()
        parts = [self.lead or MODE_LINES.get(self.mode, self.mode)]
        if view.scope is not None:
            parts.append(f"{view.scope.type.value} {view.scope.label}")
        text = view.current_table.filter_text
        if text:
            parts.append(f"filter “{text}”")
        self.screen.sub_title = " · ".join(parts)
