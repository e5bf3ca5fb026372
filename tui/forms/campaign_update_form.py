"""The "fix and resubmit" form: a rejected campaign's text, pre-filled from Plivo, with the decline
reason beside the field it concerns and the campaign check run live on what is typed; submitting
starts a new registration cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from plivo_client.account_requests import CAMPAIGN_UPDATABLE, CampaignUpdate, updated_campaign
from plivo_client.types import GatewayError
from receiver.domain.declines import Decline, describe, explain
from tui.forms.campaign_form import TEXT_FIELDS
from tui.forms.common import FieldRule, FormScreen, field, group_title
from tui.forms.findings import CampaignChecks, fees_note

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.validation import CampaignRequest

EDITABLE = tuple(name for name in TEXT_FIELDS if name in CAMPAIGN_UPDATABLE)
SAMPLES_INSTEAD = "sample1"
"""Where a decline about what an update cannot change (attributes, use case: plivo-10dlc.md,
campaign update) sends the user: the samples are what an update can make match."""
NOT_HERE = (
    "An update cannot change these (attributes, use case): change the samples so they match, "
    "or create a new campaign"
)


def decline_target(known: Decline | None) -> str | None:
    """The field the fix-and-resubmit form opens at for a decline (None: none of them)."""
    if known is None or known.field is None:
        return None
    return known.field if known.field in EDITABLE else SAMPLES_INSTEAD


class CampaignUpdateForm(FormScreen):
    """Change a FAILED campaign's text and resubmit it; only the changed fields are sent."""

    TITLE_TEXT = "Fix and resubmit campaign"
    SUBMIT_LABEL = "Resubmit"
    FAILURE_TITLE = "Campaign not resubmitted"
    SHOWN_HERE = frozenset({"submit", "load"})
    AUTO_FOCUS = "#description"

    class Loaded(Message):
        """The campaign as the API returns it, and its brand's name and type when they could be
        read (posted from the load thread)."""

        def __init__(
            self,
            campaign: dict[str, Any] | None,
            error: str = "",
            brand: tuple[str, str] = ("", ""),
        ) -> None:
            super().__init__()
            self.campaign = campaign
            self.error = error
            self.brand = brand

    def __init__(self, gateway: Gateway, campaign_id: str) -> None:
        super().__init__(gateway)
        self.campaign_id = campaign_id
        self.campaign: dict[str, Any] = {}
        self.original: dict[str, str] = {}
        self.brand: tuple[str, str] = ("", "")
        self.loaded = False
        self.checks = CampaignChecks(
            self, self.checked_request, brand=lambda: self.brand, loose_heading=NOT_HERE
        )

    def dialog_classes(self) -> str:
        return "-tall"

    def compose_body(self) -> ComposeResult:
        yield Static(f"Campaign {self.campaign_id}: loading from Plivo…", id="decline-summary")
        with VerticalScroll(id="form-body"):
            findings = Static("", id="findings", classes="note findings")
            findings.display = False
            yield findings  # what the check finds about fields an update cannot change
            for name in EDITABLE:
                label, placeholder, minimum = TEXT_FIELDS[name]
                box = field(label, self.text(name, placeholder), counter=minimum)
                note = Static("", id=f"{name}-decline", classes="decline-note")
                note.display = False
                yield note  # the decline reason, right above the field it concerns
                yield box
            yield group_title("Fees (as published)")
            yield fees_note("campaign_update")  # a resubmit is vetted again

    def text(self, name: str, placeholder: str) -> Input:
        return Input(placeholder=placeholder, id=name, validators=[FieldRule(self, name)])

    def on_mount(self) -> None:
        self.checks.mount()
        self.load()

    @work(thread=True, exit_on_error=False, group="load", description="campaign: read for update")
    def load(self) -> None:
        try:
            campaign = self.gateway.read_campaign(self.campaign_id)
        except GatewayError as error:
            self.post_message(self.Loaded(None, error.message))
            return
        brand = ("", "")
        brand_id = campaign.get("brand_id")
        if isinstance(brand_id, str) and brand_id:
            try:  # its name and type sharpen the check; without them it still runs
                info = self.gateway.get_brand(brand_id)
                brand = (info.company_name, info.brand_type)
            except GatewayError:
                pass
        self.post_message(self.Loaded(campaign, brand=brand))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        summary = self.query_one("#decline-summary", Static)
        if message.campaign is None:
            summary.update(f"Could not read campaign {self.campaign_id}: {message.error}")
            return
        self.campaign, self.brand = message.campaign, message.brand
        self.original = {n: str(self.campaign.get(n) or "") for n in EDITABLE}
        for name, value in self.original.items():
            self.query_one(f"#{name}", Input).value = value
        self.loaded = True
        self.checks.refresh()
        summary.update("\n".join(self.decline_lines()))

    def decline_lines(self) -> list[str]:
        """The summary above the fields; the note and the focus go to the field concerned."""
        campaign = self.campaign
        status = str(campaign.get("registration_status") or "?")
        code, reason = campaign.get("error_code"), campaign.get("error_reason")
        if not (code or reason):
            return [f"Campaign {self.campaign_id} ({status}): no decline reason given."]
        known = explain(code)
        target = decline_target(known)
        head = f"Campaign {self.campaign_id} ({status}) was declined"
        if target is None or known is None:
            lines = [f"{head}: {describe(code, str(reason) if reason else None)}"]
        else:
            label = TEXT_FIELDS[target][0]
            lines = [f"{head}, code {known.code}: see the note above {label}. "
                     f"(source: {known.source})"]  # fmt: skip
            note = f"↳ declined here: {known.meaning}. Fix: {known.fix}"
            if target != known.field:
                note += f". An update cannot change {known.field}: change the samples to match"
            self.query_one(f"#{target}-decline", Static).update(note)
            self.query_one(f"#{target}-decline").display = True
            self.query_one(f"#field-{target}").add_class("-declined")
            self.query_one(f"#{target}", Input).focus()
        if known is not None and known.final:
            lines.append(
                "This decline is final: an update will not make the campaign registrable. "
                "Delete it (d) and register what can be sent instead."
            )
        return lines

    def changed(self) -> dict[str, str]:
        """The fields whose text differs from what Plivo has."""
        now = {n: self.query_one(f"#{n}", Input).value for n in EDITABLE}
        return {n: v for n, v in now.items() if v.strip() != self.original.get(n, "").strip()}

    def checked_request(self) -> CampaignRequest:
        """The campaign as it would stand after this update, for the campaign check."""
        if not self.loaded:
            raise LookupError("not loaded from Plivo yet")
        now = {n: self.query_one(f"#{n}", Input).value for n in EDITABLE}
        return updated_campaign(self.campaign, now)

    @on(Input.Changed)
    def _recheck(self, event: Input.Changed) -> None:
        if self.loaded:
            self.checks.refresh()

    def build_request(self) -> CampaignUpdate:
        return CampaignUpdate(self.campaign_id, self.changed())

    def extra_errors(self) -> dict[str, str]:
        if not self.loaded:
            return {"campaign": "not loaded from Plivo yet"}
        self.checks.refresh()
        return self.checks.blockers()

    @work(thread=True, exit_on_error=False, group="submit", description="campaign: resubmit")
    def send(self, request: CampaignUpdate) -> None:
        self.deliver(lambda: self.gateway.update_campaign(request))
