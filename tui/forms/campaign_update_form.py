"""The "fix and resubmit" form: a rejected campaign's text, pre-filled from Plivo, with the decline
reason beside the field it concerns; submitting starts a new registration cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from plivo_client.account_requests import CAMPAIGN_UPDATABLE, CampaignUpdate
from plivo_client.types import GatewayError
from receiver.domain.declines import describe, explain
from tui.forms.campaign_form import TEXT_FIELDS
from tui.forms.common import FieldRule, FormScreen, field

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway

EDITABLE = tuple(name for name in TEXT_FIELDS if name in CAMPAIGN_UPDATABLE)


class CampaignUpdateForm(FormScreen):
    """Change a FAILED campaign's text and resubmit it; only the changed fields are sent."""

    TITLE_TEXT = "Fix and resubmit campaign"
    SUBMIT_LABEL = "Resubmit"
    FAILURE_TITLE = "Campaign not resubmitted"
    SHOWN_HERE = frozenset({"submit", "load"})
    AUTO_FOCUS = "#description"

    class Loaded(Message):
        """The campaign as the API returns it (posted from the load thread)."""

        def __init__(self, campaign: dict[str, Any] | None, error: str = "") -> None:
            super().__init__()
            self.campaign = campaign
            self.error = error

    def __init__(self, gateway: Gateway, campaign_id: str) -> None:
        super().__init__(gateway)
        self.campaign_id = campaign_id
        self.original: dict[str, str] = {}
        self.loaded = False

    def dialog_classes(self) -> str:
        return "-tall"

    def compose_body(self) -> ComposeResult:
        yield Static(f"Campaign {self.campaign_id}: loading from Plivo…", id="decline-summary")
        with VerticalScroll(id="form-body"):
            for name in EDITABLE:
                label, placeholder, minimum = TEXT_FIELDS[name]
                box = field(label, self.text(name, placeholder), counter=minimum)
                note = Static("", id=f"{name}-decline", classes="decline-note")
                note.display = False
                yield note  # the decline reason, right above the field it concerns
                yield box

    def text(self, name: str, placeholder: str) -> Input:
        return Input(placeholder=placeholder, id=name, validators=[FieldRule(self, name)])

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, group="load", description="campaign: read for update")
    def load(self) -> None:
        try:
            campaign = self.gateway.read_campaign(self.campaign_id)
        except GatewayError as error:
            self.post_message(self.Loaded(None, error.message))
            return
        self.post_message(self.Loaded(campaign))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        summary = self.query_one("#decline-summary", Static)
        if message.campaign is None:
            summary.update(f"Could not read campaign {self.campaign_id}: {message.error}")
            return
        campaign = message.campaign
        self.original = {n: str(campaign.get(n) or "") for n in EDITABLE}
        for name, value in self.original.items():
            self.query_one(f"#{name}", Input).value = value
        self.loaded = True
        status = str(campaign.get("registration_status") or "?")
        code, reason = campaign.get("error_code"), campaign.get("error_reason")
        if not (code or reason):
            summary.update(f"Campaign {self.campaign_id} ({status}): no decline reason given.")
            return
        known = explain(code)
        target = known.field if known is not None and known.field in EDITABLE else None
        head = f"Campaign {self.campaign_id} ({status}) was declined"
        if target is None or known is None:
            lines = [f"{head}: {describe(code, str(reason) if reason else None)}"]
        else:
            label = TEXT_FIELDS[target][0]
            lines = [f"{head}, code {known.code}: see the note above {label}. "
                     f"(source: {known.source})"]  # fmt: skip
            note = self.query_one(f"#{target}-decline", Static)
            note.update(f"↳ declined here: {known.meaning}. Fix: {known.fix}")
            note.display = True
            self.query_one(f"#field-{target}").add_class("-declined")
            self.query_one(f"#{target}", Input).focus()
        if known is not None and known.final:
            lines.append(
                "This decline is final: an update will not make the campaign registrable. "
                "Delete it (d) and register what can be sent instead."
            )
        summary.update("\n".join(lines))

    def changed(self) -> dict[str, str]:
        """The fields whose text differs from what Plivo has."""
        now = {n: self.query_one(f"#{n}", Input).value for n in EDITABLE}
        return {n: v for n, v in now.items() if v.strip() != self.original.get(n, "").strip()}

    def build_request(self) -> CampaignUpdate:
        return CampaignUpdate(self.campaign_id, self.changed())

    def extra_errors(self) -> dict[str, str]:
        return {} if self.loaded else {"campaign": "not loaded from Plivo yet"}

    @work(thread=True, exit_on_error=False, group="submit", description="campaign: resubmit")
    def send(self, request: CampaignUpdate) -> None:
        self.deliver(lambda: self.gateway.update_campaign(request))
