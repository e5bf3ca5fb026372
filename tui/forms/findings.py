"""The campaign check in the campaign form: findings under the fields they concern, counted in
the title, and the published fees; only blockers stop a submit (plivo_client/compliance.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Label, Static

from plivo_client.compliance import Finding, Severity, check_campaign, summary
from plivo_client.fees import fee_lines

if TYPE_CHECKING:
    from plivo_client.validation import CampaignRequest
    from tui.forms.common import FormScreen

STYLE = {Severity.BLOCKER: "bold red", Severity.LIKELY: "yellow", Severity.ADVICE: "dim"}


def finding_text(finding: Finding) -> Text:
    code = f" ({finding.code})" if finding.code else ""
    text = Text(f"{finding.severity}{code}: ", style=STYLE[finding.severity])
    text.append(f"{finding.why}. Fix: {finding.fix}", style="")
    text.append(f" [{finding.source}]", style="dim")
    return text


def fees_note(action: str, **kwargs: object) -> Static:
    """The fees a billable submit carries, as published, with the line to check pricing."""
    return Static("\n".join(fee_lines(action, **kwargs)), id="fees", classes="note fees")


class CampaignChecks:
    """Runs the check on what is on screen and shows it; the form calls `refresh()` on change."""

    def __init__(
        self,
        form: FormScreen,
        request: Callable[[], CampaignRequest],
        *,
        brand: Callable[[], tuple[str, str]] = lambda: ("", ""),
        loose_heading: str = "",
    ) -> None:
        self.form, self.request, self.brand = form, request, brand
        self.loose_heading = loose_heading  # over the findings whose field is not on screen
        self.findings: list[Finding] = []
        self.title = form.TITLE_TEXT

    def mount(self) -> None:
        """A hidden finding line under every field, and the panel for findings without one."""
        for container in self.form.query(".field"):
            name = (container.id or "").removeprefix("field-")
            if name and not self.form.query(f"#{name}-finding"):
                line = Static("", id=f"{name}-finding", classes="field-finding")
                line.display = False
                container.mount(line)
        self.refresh()

    def refresh(self) -> None:
        try:
            request = self.request()
        except Exception:  # noqa: BLE001 - a half-built form has nothing to check yet
            return
        brand_name, brand_type = self.brand()
        self.findings = check_campaign(request, brand_name=brand_name, brand_type=brand_type)
        by_field: dict[str, list[Finding]] = {}
        for finding in self.findings:
            by_field.setdefault(finding.field, []).append(finding)
        for line in self.form.query(".field-finding").results(Static):
            name = (line.id or "").removesuffix("-finding")
            found = by_field.pop(name, [])
            line.update(Text("\n").join(finding_text(f) for f in found))
            line.display = bool(found)
        panel = self.form.query("#findings")
        if panel:
            rest = [f for items in by_field.values() for f in items]
            lines = [finding_text(f) for f in rest]
            if rest and self.loose_heading:
                lines.insert(0, Text(self.loose_heading, style="bold"))
            panel.first(Static).update(Text("\n").join(lines))
            panel.first().display = bool(rest)
        counted = summary(self.findings)
        typed = any(
            getattr(request, name).strip()
            for name in ("description", "message_flow", "sample1", "sample2", "sample3")
        )
        title = self.title  # nothing typed yet: nothing was checked
        if counted or typed:
            title = f"{self.title} · check: {counted or 'nothing found'}"
        self.form.query_one("#form-title", Label).update(title)

    def blockers(self) -> dict[str, str]:
        """Blockers as field errors: the only findings that stop a submit."""
        return {
            f.field: f"blocker: {f.why} ({f.source})"
            for f in self.findings
            if f.severity is Severity.BLOCKER
        }
