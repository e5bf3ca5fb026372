"""Confirmations for the irreversible deletes (campaign, brand, profile) and the brand OTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Static

from plivo_client.fees import fee_lines
from tui.forms.common import FormScreen

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.types import Submitted


@dataclass(frozen=True, slots=True)
class Target:
    """What is about to be deleted: its kind and id."""

    kind: str  # campaign / brand / profile
    id: str

    def validate(self) -> dict[str, str]:
        return {} if self.id.strip() else {f"{self.kind}_id": "nothing selected"}


class DeleteConfirm(FormScreen):
    """Ask before an irreversible delete; Cancel has the focus. Plivo's refusal stays on screen."""

    AUTO_FOCUS = "#cancel"
    SUBMIT_LABEL = "Delete"
    SUBMIT_VARIANT = "error"
    KEYS_HINT = "ctrl+s delete · esc cancel"
    KIND: ClassVar[str] = ""
    WHY: ClassVar[str] = ""
    FEES: ClassVar[str | None] = None  # a plivo_client.fees action, or None for no fee lines

    def __init__(self, gateway: Gateway, id: str, name: str = "") -> None:
        super().__init__(gateway)
        self.target = Target(self.KIND, id.strip())
        self.name_text = name

    def dialog_classes(self) -> str:
        return "-destructive"

    def on_mount(self) -> None:
        self.query_one("#callback-line").display = False  # these requests get no callback

    def compose_body(self) -> ComposeResult:
        named = f" ({self.name_text})" if self.name_text else ""
        text = Text.assemble(
            f"Delete {self.KIND} ", (self.target.id, "bold"), f"{named}?\n\n",
            (f"This cannot be undone. {self.WHY}".strip(), "bold red"),
        )  # fmt: skip
        yield Static(text, id="confirm-text")
        if self.FEES is not None:
            # the fee text lives in plivo_client/fees.py; the confirm shows its lines as given
            yield Static("\n".join(fee_lines(self.FEES)), id="fee-lines", classes="note")

    def build_request(self) -> Target:
        return self.target

    def call(self) -> Callable[[], Submitted]:
        raise NotImplementedError

    @work(thread=True, exit_on_error=False, group="submit", description="delete")
    def send(self, request: Target) -> None:
        self.deliver(self.call())


class CampaignDeleteConfirm(DeleteConfirm):
    KIND = "campaign"
    TITLE_TEXT = "Delete (deactivate) campaign"
    FAILURE_TITLE = "Campaign not deleted"
    WHY = (
        "The campaign is deactivated at Plivo and with the carriers; its numbers are "
        "released and a new campaign must be registered (and vetted again) to send under it."
    )
    FEES = "campaign_delete"

    def call(self) -> Callable[[], Submitted]:
        return lambda: self.gateway.delete_campaign(self.target.id)


class BrandDeleteConfirm(DeleteConfirm):
    KIND = "brand"
    TITLE_TEXT = "Delete brand"
    FAILURE_TITLE = "Brand not deleted"
    WHY = "Plivo refuses while the brand still has campaigns: delete those first."

    def call(self) -> Callable[[], Submitted]:
        return lambda: self.gateway.delete_brand(self.target.id)


class ProfileDeleteConfirm(DeleteConfirm):
    KIND = "profile"
    TITLE_TEXT = "Delete profile"
    FAILURE_TITLE = "Profile not deleted"
    WHY = "Plivo refuses while a brand is registered on the profile."

    def call(self) -> Callable[[], Submitted]:
        return lambda: self.gateway.delete_profile(self.target.id)


class BrandOtpConfirm(DeleteConfirm):
    """Trigger a Starter brand's OTP (not destructive: same frame, a plain Send button)."""

    KIND = "brand"
    TITLE_TEXT = "Send the brand OTP"
    SUBMIT_LABEL = "Send OTP"
    SUBMIT_VARIANT = "primary"
    FAILURE_TITLE = "OTP not sent"
    KEYS_HINT = "ctrl+s send · esc cancel"

    def dialog_classes(self) -> str:
        return ""

    def compose_body(self) -> ComposeResult:
        named = f" ({self.name_text})" if self.name_text else ""
        yield Static(
            Text.assemble(
                "Ask Plivo to send the verification OTP of Starter brand ",
                (self.target.id, "bold"),
                f"{named} to its contact's mobile?\n\n",
                "Plivo's answer is shown when it comes back.",
            ),  # fmt: skip
            id="confirm-text",
        )

    def call(self) -> Callable[[], Submitted]:
        return lambda: self.gateway.brand_otp(self.target.id)
