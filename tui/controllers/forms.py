"""The main screen's form keys (b, c, i, l, u): push the modal form, then show what it submitted."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from plivo_client.preflight import Preflight
from receiver.domain.models import ResourceType
from tui.controllers.connecting import gateway_or_say
from tui.forms import BrandForm, CampaignForm, LinkForm, UnlinkConfirm
from tui.forms.campaign_import_form import CampaignImportForm

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from plivo_client.gateway import Gateway
    from plivo_client.types import Submitted
    from tui.services import Services
    from tui.widgets.resources_view import ResourcesView


class FormsController:
    """Owned by the main screen: the create/link/unlink forms, their defaults and results."""

    def __init__(
        self, node: DOMNode, services: Services, resources: Callable[[], ResourcesView]
    ) -> None:
        self.node = node
        self.services = services
        self._resources = resources

    def _gateway(self, title: str) -> Gateway | None:
        return gateway_or_say(self.node, self.services, title)

    def _scoped(self, type: ResourceType) -> str | None:
        """The id of the selected (or narrowed-to) resource of `type`, for a form's default."""
        view = self._resources()
        selected = view.current_table.selected()
        if selected is not None:
            if selected.type is type:
                return selected.id
            if type is ResourceType.BRAND and selected.type is ResourceType.CAMPAIGN:
                return selected.parent_id
        scope = view.scope
        return scope.id if scope is not None and scope.type is type else None

    def _preflight(self, gateway: Gateway) -> Preflight:
        return Preflight(gateway, self.services.store)

    def new_brand(self) -> None:
        if (gateway := self._gateway("brand")) is not None:
            form = BrandForm(gateway, preflight=self._preflight(gateway))
            self.node.app.push_screen(form, self._submitted_to(ResourceType.BRAND))

    def new_campaign(self) -> None:
        if (gateway := self._gateway("campaign")) is not None:
            form = CampaignForm(
                gateway,
                self.services.store.registry,
                self._scoped(ResourceType.BRAND),
                preflight=self._preflight(gateway),
            )
            self.node.app.push_screen(form, self._submitted_to(ResourceType.CAMPAIGN))

    def import_campaign(self) -> None:
        if (gateway := self._gateway("import")) is not None:
            form = CampaignImportForm(gateway)
            self.node.app.push_screen(form, self._submitted_to(ResourceType.CAMPAIGN))

    def link_numbers(self) -> None:
        if (gateway := self._gateway("link")) is not None:
            form = LinkForm(
                gateway,
                self.services.store.registry,
                self._scoped(ResourceType.CAMPAIGN),
                preflight=self._preflight(gateway),
            )
            self.node.app.push_screen(form, self._submitted_to(ResourceType.NUMBER))

    def unlink_number(self) -> None:
        selected = self._resources().current_table.selected()
        if selected is None or selected.type is not ResourceType.NUMBER:
            self.node.notify(
                "Select a number on the Numbers tab first.", title="unlink", severity="warning"
            )
            return
        if not selected.parent_id:
            self.node.notify(f"{selected.id} has no campaign to unlink from.", severity="warning")
            return
        if (gateway := self._gateway("unlink")) is not None:
            table = self._resources().table(ResourceType.NUMBER)
            number = selected.id

            def sending(on: bool) -> None:
                table.mark_sending(number, on)

            form = UnlinkConfirm(gateway, selected.parent_id, number, sending=sending)
            shown = self._submitted_to(ResourceType.NUMBER)

            def done(result: Submitted | None) -> None:
                if result is None or result.journal_error:
                    table.mark_sending(number, False)  # no change will come to clear it
                shown(result)

            self.node.app.push_screen(form, done)

    def _submitted_to(self, type: ResourceType) -> Callable[[Submitted | None], None]:
        """A result callback: on success show the tab the new resource lands in, its row
        under the cursor (so `enter` opens what was just submitted)."""

        def done(result: Submitted | None) -> None:
            if result is None:
                return
            view = self._resources()
            view.show(type)
            if (key := submitted_id(result, type)) is not None:
                view.table(type).follow(key)
            if result.journal_error:
                self.node.notify(result.journal_error, title="not journaled", severity="error")

        return done


def submitted_id(result: Submitted, type: ResourceType) -> str | None:
    """The id of the `type` resource a request concerns (a link: its first number)."""
    if type is ResourceType.BRAND:
        return result.brand_id
    if type is ResourceType.CAMPAIGN:
        return result.campaign_id
    return result.numbers[0] if result.numbers else None
