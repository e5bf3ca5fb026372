"""The "link numbers" form: an active campaign and the numbers to link, pasted in any layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Select, Static, TextArea

from plivo_client.types import GatewayError
from plivo_client.validation import LinkRequest, is_us_number, not_us_message, parse_numbers
from receiver.domain.models import Badge, ResourceType
from receiver.wording import plural
from tui.forms.common import FormScreen, field
from tui.forms.number_picker import NumberPicker
from tui.widgets.formatting import plus

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.preflight import Preflight
    from receiver.domain.registry import Registry

PREVIEW_MAX = 6  # numbers listed in the preview before "… and N more"


def preview(valid: list[str], invalid: list[str], *, problems: bool = True) -> Text:
    """'2 numbers: +14845551234, +14845551235', then numbers outside the US and non-numbers
    (unless `problems` is False: the field's own error names them, said once)."""
    text = Text()
    foreign = [n for n in valid if not is_us_number(n)]
    valid = [n for n in valid if is_us_number(n)]
    if valid:
        shown = ", ".join(plus(n) for n in valid[:PREVIEW_MAX])
        more = f", … and {len(valid) - PREVIEW_MAX} more" if len(valid) > PREVIEW_MAX else ""
        text.append(f"{plural(len(valid), 'number')}: ", style="bold")
        text.append(shown + more)
    else:
        text.append("No number yet", style="dim")
    if foreign and problems:
        text.append("\nNot US numbers (10DLC is US-only): ", style="bold red")
        text.append(", ".join(plus(n) for n in foreign), style="red")
    if invalid and problems:
        text.append("\nNot numbers: ", style="bold red")
        text.append(", ".join(invalid), style="red")
    return text


class LinkForm(FormScreen):
    """Link one or more numbers to an active (registered) campaign."""

    TITLE_TEXT = "Link numbers"
    SUBMIT_LABEL = "Link numbers"
    FAILURE_TITLE = "Numbers not linked"
    BINDINGS = [
        *FormScreen.BINDINGS,
        Binding("f3", "pick_numbers", "Pick from account", id="link.pick"),
    ]
    KEYS_HINT = "f3 pick · ctrl+s submit · esc cancel"

    def __init__(
        self,
        gateway: Gateway,
        registry: Registry,
        campaign_id: str | None = None,
        *,
        preflight: Preflight | None = None,
    ) -> None:
        super().__init__(gateway)
        self.preflight = preflight
        campaigns = registry.all(ResourceType.CAMPAIGN)
        self.campaigns = [c for c in campaigns if c.badge == Badge.REGISTERED]
        self.blocked = [c for c in campaigns if c.badge != Badge.REGISTERED]
        ids = [c.id for c in self.campaigns]
        if campaign_id in ids:
            self.initial_campaign: str | None = campaign_id
        else:
            self.initial_campaign = ids[0] if len(ids) == 1 else None
        self.AUTO_FOCUS = "#numbers" if self.initial_campaign else "#campaign_id"

    def compose_body(self) -> ComposeResult:
        options = [
            (
                f"{c.id}  {c.name}".rstrip() + (f"  (brand {c.parent_id})" if c.parent_id else ""),
                c.id,
            )
            for c in self.campaigns
        ]
        with VerticalScroll(id="form-body"):
            yield field(
                "Campaign",
                Select[str](
                    options,
                    prompt="Choose an active campaign" if options else "No active campaign yet",
                    value=self.initial_campaign or Select.NULL,
                    id="campaign_id",
                ),
                hint="active (registered) campaigns only",
            )
            blocked = "\n".join(
                f"{c.id}{f' ({c.name})' if c.name else ''} {c.badge.value} — numbers link to "
                "active campaigns only"
                for c in self.blocked
            )
            note = Static(blocked, id="campaign-note", classes="note")
            note.display = bool(self.blocked)
            yield note
            yield field(
                "Numbers",
                TextArea(id="numbers", show_line_numbers=False, soft_wrap=True),
                hint="one per line or comma-separated, e.g. +1 484 555 1234",
            )
            yield Static(preview([], []), id="numbers-preview", classes="note")

    def action_pick_numbers(self) -> None:
        """F3: pick from the account's own numbers; the picked ones are added to the list."""
        area = self.query_one("#numbers", TextArea)
        typed, _ = parse_numbers(area.text)

        def add(picked: tuple[str, ...] | None) -> None:
            new = [n for n in picked or () if n not in typed]
            if new:
                lines = [area.text.rstrip()] if area.text.strip() else []
                area.text = "\n".join([*lines, *(plus(n) for n in new)])
            area.focus()

        self.app.push_screen(NumberPicker(self.gateway, tuple(typed)), add)

    @on(TextArea.Changed, "#numbers")
    def _numbers_changed(self, event: TextArea.Changed) -> None:
        self._redraw_preview()

    def _redraw_preview(self) -> None:
        """The normalised list; the bad tokens too, unless the field's error names them."""
        valid, invalid = parse_numbers(self.query_one("#numbers", TextArea).text)
        problems = "numbers" not in self._shown
        self.query_one("#numbers-preview", Static).update(
            preview(valid, invalid, problems=problems)
        )

    def show_errors(self, errors: Mapping[str, str], **kwargs: Any) -> None:
        super().show_errors(errors, **kwargs)
        self._redraw_preview()

    def field_checked(self, name: str, message: str | None) -> None:
        super().field_checked(name, message)
        self._redraw_preview()

    def extra_errors(self) -> dict[str, str]:
        valid, invalid = parse_numbers(self.query_one("#numbers", TextArea).text)
        if invalid:
            return {"numbers": f"not E.164 numbers: {', '.join(invalid)}"}
        foreign = [n for n in valid if not is_us_number(n)]
        if foreign:
            return {"numbers": not_us_message(foreign)}
        return {}

    def build_request(self) -> LinkRequest:
        campaign = self.query_one("#campaign_id", Select).value
        valid, _ = parse_numbers(self.query_one("#numbers", TextArea).text)
        return LinkRequest(
            campaign_id=campaign if isinstance(campaign, str) else "", numbers=tuple(valid)
        )

    @work(thread=True, exit_on_error=False, group="submit", description="numbers: link")
    def send(self, request: LinkRequest) -> None:
        if self.preflight is not None:
            try:
                check = self.preflight.link(request)
            except GatewayError as error:
                self.post_message(
                    self.Refused(
                        f"not sent: could not check campaign {request.campaign_id} first: "
                        f"{error.message}",
                        "campaign_id",
                    )
                )
                return
            for finding in check.findings:
                if finding.blocking:
                    self.post_message(self.Refused(finding.message, finding.field))
                    return
                self.app.call_from_thread(
                    self.notify, finding.message, title="link", severity="warning", timeout=10
                )
            if check.request is None:
                return
            request = check.request
        self.deliver(lambda: self.gateway.link_numbers(request))
