"""The main screen's lifecycle keys: fix and resubmit or delete a campaign, fix (its profile, then
register again), delete a brand or send its OTP, bulk link and unlink numbers, and the profiles
screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from plivo_client.preflight import Preflight
from receiver.domain.models import Badge, ResourceType
from tui.controllers.connecting import gateway_or_say
from tui.forms.brand_fix import BrandFixForm
from tui.forms.brand_form import BrandForm
from tui.forms.bulk_link import BulkLinkScreen, BulkOutcome, BulkUnlinkScreen
from tui.forms.campaign_update_form import CampaignUpdateForm
from tui.forms.delete_confirm import BrandDeleteConfirm, BrandOtpConfirm, CampaignDeleteConfirm
from tui.notices import Notice, Notices
from tui.screens.campaign_numbers import CampaignNumbersScreen
from tui.screens.profiles import ProfilesScreen

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from plivo_client.gateway import Gateway
    from plivo_client.types import Submitted
    from receiver.domain.models import Resource
    from tui.services import Services
    from tui.widgets.resources_view import ResourcesView


class LifecycleController:
    """Owned by the main screen; each action works on the selected row."""

    def __init__(
        self, node: DOMNode, services: Services, resources: Callable[[], ResourcesView]
    ) -> None:
        self.node = node
        self.services = services
        self._resources = resources

    def _gateway(self, title: str) -> Gateway | None:
        return gateway_or_say(self.node, self.services, title)

    def _selected(self, type: ResourceType, title: str, what: str) -> Resource | None:
        selected = self._resources().current_table.selected()
        if selected is None or selected.type is not type:
            self.node.notify(f"Select a {what} first.", title=title, severity="warning")
            return None
        return selected

    def _told(
        self, title: str, about: Resource | None = None
    ) -> Callable[[Submitted | None], None]:
        """A result callback: Plivo's answer as a toast (the request is in the timeline).

        About a resource, it joins the screen's burst of notices as that resource's: the
        status change the request made ("registered → deleted") and Plivo's answer ("campaign
        C1 deactivated") are one toast, not two."""

        def done(result: Submitted | None) -> None:
            if result is None:
                return
            notices: Notices | None = getattr(self.node, "notices", None)
            if about is None or notices is None:
                self.node.notify(result.message, title=title, markup=False)
                return
            notices.post(Notice(about.type.value, result.message, "information", about=about.key))

        return done

    # ---- fixing a rejection ----------------------------------------------------------------
    def fix_selected(self) -> None:
        """`f`: fix the selected rejected campaign or brand."""
        selected = self._resources().current_table.selected()
        if selected is None or selected.type is ResourceType.NUMBER:
            self.node.notify(
                "Select a rejected campaign or brand first.", title="fix", severity="warning"
            )
            return
        self.fix(selected)

    def fix(self, resource: Resource) -> None:
        """The fix form for a rejected campaign or brand (the main screen's row, or a detail's)."""
        if resource.type is ResourceType.BRAND:
            self.fix_brand(resource)
        else:
            self.fix_campaign(resource)

    def _rejected(self, resource: Resource, title: str, only: str) -> bool:
        """True for a rejected resource; else say why there is nothing to fix."""
        if resource.badge is Badge.REJECTED:
            return True
        self.node.notify(
            f"{resource.type.value.capitalize()} {resource.id} is {resource.badge.value}: {only}.",
            title=title,
            severity="warning",
        )
        return False

    def fix_brand(self, brand: Resource) -> None:
        """Plivo has no brand update: fix its profile, then register the brand again."""
        if not self._rejected(
            brand,
            "fix brand",
            "only a rejected brand is fixed (its profile, then registered again)",
        ):
            return
        if (gateway := self._gateway("fix brand")) is None:
            return
        form = BrandFixForm(gateway, brand.id)

        def profile_done(_result: Submitted | None) -> None:
            if form.again is not None:  # step 1 done (its note says what it did): step 2
                again = BrandForm(
                    gateway, preflight=Preflight(gateway, self.services.store), again=form.again
                )
                self.node.app.push_screen(again, self._told("brand registered again"))

        self.node.app.push_screen(form, profile_done)

    # ---- campaigns ----------------------------------------------------------------------
    def fix_campaign(self, campaign: Resource) -> None:
        """The fix-and-resubmit form for `campaign`."""
        if not self._rejected(
            campaign, "resubmit", "only a rejected campaign can be fixed and resubmitted"
        ):
            return
        if (gateway := self._gateway("resubmit")) is not None:
            form = CampaignUpdateForm(gateway, campaign.id)
            self.node.app.push_screen(form, self._told("campaign resubmitted", campaign))

    def delete_selected(self) -> None:
        """`d`: delete the selected campaign or brand (each after its own confirm)."""
        selected = self._resources().current_table.selected()
        if selected is None or selected.type is ResourceType.NUMBER:
            self.node.notify(
                "Select a brand or a campaign to delete (numbers: u unlinks).",
                title="delete",
                severity="warning",
            )
            return
        if (gateway := self._gateway("delete")) is None:
            return
        kind = (
            CampaignDeleteConfirm if selected.type is ResourceType.CAMPAIGN else BrandDeleteConfirm
        )
        title = f"{selected.type.value} deleted"
        confirm = kind(gateway, selected.id, selected.name)
        self.node.app.push_screen(confirm, self._told(title, selected))

    # ---- brands -------------------------------------------------------------------------
    def brand_otp(self) -> None:
        brand = self._selected(ResourceType.BRAND, "OTP", "Starter brand")
        if brand is not None and (gateway := self._gateway("OTP")) is not None:
            self.node.app.push_screen(
                BrandOtpConfirm(gateway, brand.id, brand.name), self._told("brand OTP")
            )

    # ---- numbers ------------------------------------------------------------------------
    def _campaign_in_view(self) -> str | None:
        """The selected campaign, or the selected number's campaign, or the narrowed-to one."""
        view = self._resources()
        selected = view.current_table.selected()
        if selected is not None and selected.type is ResourceType.CAMPAIGN:
            return selected.id
        if selected is not None and selected.type is ResourceType.NUMBER:
            return selected.parent_id
        scope = view.scope
        return scope.id if scope is not None and scope.type is ResourceType.CAMPAIGN else None

    def _shown(self, type: ResourceType) -> Callable[[BulkOutcome | None], None]:
        def done(result: BulkOutcome | None) -> None:
            if result is not None and result.sent:
                self._resources().show(type)

        return done

    def campaign_numbers(self) -> None:
        """`m`: the numbers of the selected campaign (or of the selected number's campaign)."""
        campaign_id = self._campaign_in_view()
        if not campaign_id:
            self.node.notify(
                "Select a campaign (or one of its numbers) first.",
                title="campaign numbers",
                severity="warning",
            )
            return
        self.numbers_of(campaign_id)

    def numbers_of(self, campaign_id: str) -> None:
        screen = CampaignNumbersScreen(self.services.store, campaign_id, self.services.gateway)
        self.node.app.push_screen(screen)

    def bulk_link(self) -> None:
        if (gateway := self._gateway("bulk link")) is not None:
            store = self.services.store
            screen = BulkLinkScreen(gateway, store.registry, self._campaign_in_view(), store=store)
            self.node.app.push_screen(screen, self._shown(ResourceType.NUMBER))

    def bulk_unlink(self) -> None:
        campaign_id = self._campaign_in_view()
        if not campaign_id:
            self.node.notify(
                "Select a campaign (or one of its numbers) first.",
                title="unlink all",
                severity="warning",
            )
            return
        numbers = sorted(
            n.id
            for n in self.services.store.registry.all(ResourceType.NUMBER)
            if n.parent_id == campaign_id and n.badge is Badge.LINKED
        )
        if not numbers:
            self.node.notify(f"Campaign {campaign_id} has no linked numbers.", title="unlink all")
            return
        if (gateway := self._gateway("unlink all")) is not None:
            screen = BulkUnlinkScreen(gateway, campaign_id, numbers, store=self.services.store)
            self.node.app.push_screen(screen, self._shown(ResourceType.NUMBER))

    # ---- profiles -----------------------------------------------------------------------
    def profiles(self) -> None:
        if (gateway := self._gateway("profiles")) is not None:
            self.node.app.push_screen(ProfilesScreen(gateway))
