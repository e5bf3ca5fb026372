"""The "unlink number" confirmation: a destructive action, asked before it is sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Static

from plivo_client.validation import is_valid_number
from tui.forms.common import FormScreen
from tui.widgets.formatting import plus

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway


@dataclass(frozen=True, slots=True)
class UnlinkTarget:
    """The number to unlink and its campaign."""

    campaign_id: str
    number: str  # E.164 digits, no "+"

    def validate(self) -> dict[str, str]:
        """Field -> what is wrong; empty when the unlink can be sent."""
        errors: dict[str, str] = {}
        if not self.campaign_id.strip():
            errors["campaign_id"] = "no campaign: select a linked number first"
        if not is_valid_number(self.number):
            errors["number"] = f"{self.number!r} is not an E.164 number"
        return errors


class UnlinkConfirm(FormScreen):
    """Ask before unlinking a number from its campaign; Cancel has the focus."""

    AUTO_FOCUS = "#cancel"
    TITLE_TEXT = "Unlink number"
    SUBMIT_LABEL = "Unlink"
    SUBMIT_VARIANT = "error"
    FAILURE_TITLE = "Number not unlinked"
    KEYS_HINT = "ctrl+s unlink · esc cancel"

    def __init__(
        self,
        gateway: Gateway,
        campaign_id: str,
        number: str,
        *,
        sending: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(gateway)
        self.target = UnlinkTarget(campaign_id.strip(), number.strip().lstrip("+"))
        self.sending = sending  # told True the moment the unlink is confirmed, False if refused

    def dialog_classes(self) -> str:
        return "-destructive"

    def compose_body(self) -> ComposeResult:
        number, campaign = plus(self.target.number), self.target.campaign_id
        yield Static(
            f"Unlink [b]{number}[/b] from campaign [b]{campaign}[/b]?\n\n"
            f"Its messages will stop being sent under this campaign's registration: carriers "
            f"may filter or block them until {number} is linked to another campaign.",
            id="confirm-text",
        )

    def build_request(self) -> UnlinkTarget:
        return self.target

    def ready_to_send(self, request: UnlinkTarget) -> bool:
        if self.sending is not None:
            self.sending(True)
        return True

    @on(FormScreen.Refused)
    def _not_sent(self, message: FormScreen.Refused) -> None:
        if self.sending is not None:
            self.sending(False)

    @work(thread=True, exit_on_error=False, group="submit", description="number: unlink")
    def send(self, request: UnlinkTarget) -> None:
        self.deliver(lambda: self.gateway.unlink_number(request.campaign_id, request.number))
