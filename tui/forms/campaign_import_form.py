"""The "import campaign" form: bring a campaign registered at TCR (and shared with Plivo) into
the account under an alias; it then follows its registration like any other campaign."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from plivo_client.account_requests import CampaignImport
from tui.forms.common import FieldRule, FormScreen, field


class CampaignImportForm(FormScreen):
    """A TCR campaign id and an alias; submitting sends Plivo's import request."""

    AUTO_FOCUS = "#campaign_id"
    TITLE_TEXT = "Import a TCR campaign"
    SUBMIT_LABEL = "Import"
    FAILURE_TITLE = "Campaign not imported"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="form-body"):
            yield Static(
                "A campaign registered with another CSP: share it with Plivo in TCR first. "
                "Plivo answers by callback, as for a new campaign.",
                classes="note",
            )
            yield field(
                "TCR campaign id",
                self.text("campaign_id", "e.g. C1A2B3C"),
                hint="as TCR shows it",
            )
            yield field("Alias", self.text("campaign_alias", "a name to recognise the campaign by"))

    def text(self, name: str, placeholder: str) -> Input:
        return Input(
            placeholder=placeholder,
            id=name,
            validators=[FieldRule(self, name)],
            validate_on=["blur"],
        )

    def build_request(self) -> CampaignImport:
        return CampaignImport(
            self.query_one("#campaign_id", Input).value,
            self.query_one("#campaign_alias", Input).value,
        )

    @work(thread=True, exit_on_error=False, group="submit", description="campaign: import")
    def send(self, request: CampaignImport) -> None:
        self.deliver(lambda: self.gateway.import_campaign(request))
