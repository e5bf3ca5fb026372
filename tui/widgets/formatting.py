"""Plain-text renderings shared by tables and screens: times, resource labels, journal entries."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from rich.text import Text

from receiver.domain.models import CallbackEvent, RequestRecord, Resource, ResourceType
from receiver.safetext import printable
from tui.widgets.table_rows import Squeezable

Entry = CallbackEvent | RequestRecord


def clock_time(ts: float | None) -> str:
    """HH:MM:SS in local time; blank for no time."""
    return time.strftime("%H:%M:%S", time.localtime(ts)) if ts else ""


def day_time(ts: float | None) -> str:
    """YYYY-MM-DD HH:MM:SS in local time, for detail views."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else ""


def plus(number: str) -> str:
    """E.164 digits -> '+14845551234': the one way a phone number is shown."""
    return number if number.startswith("+") else f"+{number}"


def shown_id(resource: Resource) -> str:
    """A resource's id as shown: numbers with their '+', brands and campaigns as they are."""
    shown = plus(resource.id) if resource.type is ResourceType.NUMBER else resource.id
    return printable(shown)


def resource_label(resource: Resource | None, fallback: str = "") -> str:
    """`B43KNAS (Acme)` or just the id."""
    if resource is None:
        return fallback
    shown = shown_id(resource)
    return f"{shown} ({printable(resource.name)})" if resource.name else shown


def entry_kind(entry: Entry) -> str:
    """`brand`, `number_linking`, … for callbacks; the action (`brand.create`) for requests."""
    return entry.kind.value if isinstance(entry, CallbackEvent) else entry.action


def entry_resource(entry: Entry) -> str:
    """The resource an entry is about: number, else campaign, else brand."""
    if isinstance(entry, CallbackEvent):
        shown = plus(entry.number) if entry.number else entry.campaign_id or entry.brand_id
        return printable(shown or "—")
    if entry.numbers:
        first, more = plus(entry.numbers[0]), len(entry.numbers) - 1
        if not more:
            return first
        narrow = (f"{first} & {more} more", f"{first} & {more}", f"{more + 1} numbers")
        return Squeezable(f"{first} and {more} more", narrow)
    return entry.campaign_id or entry.brand_id or "—"


def entry_status(entry: Entry) -> Text:
    if isinstance(entry, CallbackEvent):
        return Text(printable(entry.status or "?"))
    if entry.ok:
        return Text("accepted", style="green")
    return Text(f"error: {entry.error or 'failed'}", style="bold red")


def entry_trust(entry: Entry) -> Text:
    """Verification for callbacks (unverified in red, with the reason); `sent` for requests."""
    if isinstance(entry, RequestRecord):
        return Text("sent by tendlc", style="dim")
    if entry.verified:
        return Text(f"✓ {printable(entry.reason or 'verified')}", style="green")
    return Text(f"✗ unverified: {printable(entry.reason or 'no reason given')}", style="bold red")


FORWARD_MARKS = {  # the worst state of a callback's forwards first
    "failed": ("fwd ✗", "bold red"),
    "pending": ("fwd …", "yellow"),
    "skipped": ("fwd –", "dim"),
    "delivered": ("fwd ✓", "green"),
}


def forward_mark(forwards: Iterable[Any]) -> Text | None:
    """What --forward-to did with a callback, in a few cells (None: it was not forwarded)."""
    states = {f.state for f in forwards}
    for state, (text, style) in FORWARD_MARKS.items():
        if state in states:
            return Text(text, style=style)
    return None


def entry_source(entry: Entry) -> Text:
    """`callback` or `request`, coloured so the two read apart in the log."""
    if isinstance(entry, CallbackEvent):
        return Text("callback", style="bold cyan")
    return Text("request", style="bold magenta")
