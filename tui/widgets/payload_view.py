"""Shows one journal entry raw: a callback's headers, body and parsed fields, or a request's JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from receiver.domain.models import CallbackEvent, RequestRecord
from tui.widgets.formatting import Entry, day_time, entry_trust


def _pairs(title: str, items: dict[str, Any]) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in items.items():
        table.add_row(key, value if isinstance(value, str) else json.dumps(value))
    if not items:
        table.add_row(Text("(none)", style="dim"), "")
    return Group(Text(title, style="bold underline"), table, Text(""))


def _json(title: str, value: Any) -> RenderableType:
    text = json.dumps(value, indent=2, sort_keys=True, default=str)
    return Group(Text(title, style="bold underline"), Text(text), Text(""))


def callback_renderable(event: CallbackEvent) -> RenderableType:
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
        Group(Text("Body", style="bold underline"), Text(event.body or "(empty)"), Text("")),
        _pairs("Parsed fields", event.params),
    )


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


def entry_renderable(entry: Entry) -> RenderableType:
    if isinstance(entry, CallbackEvent):
        return callback_renderable(entry)
    return request_renderable(entry)


class PayloadView(VerticalScroll):
    """A scrollable raw view of one journal entry."""

    def compose(self):
        yield Static(Text("Select an entry to see its raw payload.", style="dim"), id="payload")

    def show(self, entry: Entry | None) -> None:
        body = self.query_one("#payload", Static)
        if entry is None:
            body.update(Text("No journal entry for this change.", style="dim"))
        else:
            body.update(entry_renderable(entry))
        self.scroll_home(animate=False)
