"""Shows one journal entry raw: a callback's headers, body and parsed fields, or a request's JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from receiver.domain.models import CallbackEvent, RequestRecord
from receiver.safetext import printable
from tui.widgets.formatting import Entry, day_time, entry_trust

if TYPE_CHECKING:
    from receiver.forward import Forward


def _pairs(title: str, items: dict[str, Any]) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in items.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        table.add_row(printable(str(key)), printable(shown))  # control characters shown escaped
    if not items:
        table.add_row(Text("(none)", style="dim"), "")
    return Group(Text(title, style="bold underline"), table, Text(""))


def _json(title: str, value: Any) -> RenderableType:
    text = json.dumps(value, indent=2, sort_keys=True, default=str)
    return Group(Text(title, style="bold underline"), Text(text), Text(""))


def callback_renderable(
    event: CallbackEvent, forwards: list[Forward] | None = None
) -> RenderableType:
    heading = Text.assemble(
        ("callback ", "bold cyan"),
        (event.id, "bold"),
        f"  {event.method} {event.url}  → HTTP {event.http_status}",
    )
    facts = {
        "received": day_time(event.received_at),
        "kind": event.kind.value,
        "status": event.status or "?",
        "brand": event.brand_id or "—",
        "campaign": event.campaign_id or "—",
        "number": event.number or "—",
    }
    if event.replay_of:
        facts["replay of"] = event.replay_of
    return Group(
        heading,
        entry_trust(event),
        Text(""),
        _pairs("Event", facts),
        _pairs("Headers", dict(sorted(event.headers.items()))),
        Group(
            Text("Body", style="bold underline"),
            Text(printable(event.body) or "(empty)"),
            Text(""),
        ),
        _pairs("Parsed fields", event.params),
        *([forwards_renderable(forwards)] if forwards else []),
    )


def forwards_renderable(forwards: list[Forward]) -> RenderableType:
    """What `--forward-to` did with this callback: each target and its state on a line, then
    every attempt below it at the full width (an 80-column detail stays readable)."""
    style = {"delivered": "green", "failed": "red", "skipped": "red", "pending": "yellow"}
    lines: list[RenderableType] = [Text("Forwarded to your handler", style="bold underline")]
    for fwd in forwards:
        state = fwd.state + (f": {fwd.reason}" if fwd.reason else "")
        lines.append(
            Text.assemble((printable(fwd.target), "bold"), "  ", (state, style[fwd.state]))
        )
        for attempt in fwd.attempts:
            what = attempt.line().replace(f"could not reach {fwd.target}: ", "", 1)
            answer = f"  {printable(attempt.body[:80])}" if attempt.body else ""
            lines.append(Text(f"  {day_time(attempt.at)}  {printable(what)}{answer}"))
    return Group(*lines, Text(""))


def request_renderable(record: RequestRecord) -> RenderableType:
    outcome = (
        Text("accepted", style="bold green")
        if record.ok
        else Text(f"failed: {record.error or 'no reason given'}", style="bold red")
    )
    heading = Text.assemble(("request ", "bold magenta"), (record.id, "bold"), f"  {record.action}")
    facts = {
        "sent": day_time(record.at),
        "brand": record.brand_id or "—",
        "campaign": record.campaign_id or "—",
        "numbers": ", ".join(record.numbers) or "—",
    }
    parts: list[RenderableType] = [heading, outcome, Text(""), _pairs("Request", facts)]
    parts.append(_json("Parameters", record.params))
    if record.response is not None:
        parts.append(_json("Response", record.response))
    return Group(*parts)


def entry_renderable(entry: Entry, forwards: list[Forward] | None = None) -> RenderableType:
    if isinstance(entry, CallbackEvent):
        return callback_renderable(entry, forwards)
    return request_renderable(entry)


class PayloadView(VerticalScroll):
    """A scrollable raw view of one journal entry."""

    def compose(self):
        yield Static(Text("Select an entry to see its raw payload.", style="dim"), id="payload")

    def show(
        self,
        entry: Entry | None,
        forwards: list[Forward] | None = None,
        *,
        keep_place: bool = False,
    ) -> None:
        body = self.query_one("#payload", Static)
        if entry is None:
            body.update(Text("No journal entry for this change.", style="dim"))
        else:
            body.update(entry_renderable(entry, forwards))
        if not keep_place:
            self.scroll_home(animate=False)
