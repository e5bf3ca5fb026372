"""Wording of registry changes: timeline notes and one-line toast messages."""

from __future__ import annotations

from receiver.domain.models import Badge, Resource, ResourceType
from receiver.domain.status import REASON_KEYS


def difference(key: str, value: object) -> str:
    """A detail the API changed, for the timeline: a reason with its text, else its name."""
    label = key.replace("_", " ")
    return f"{label}: {value}" if key in REASON_KEYS and isinstance(value, str) else label


def api_note(api: str | None) -> str:
    return f"reconcile: API says {api}" if api else "reconcile: absent at the API"


def shown(res: Resource) -> str:
    """`brand B43KNAS`, `number +14155550100`: numbers with their "+", as every screen shows."""
    rid = f"+{res.id}" if res.type is ResourceType.NUMBER else res.id
    return f"{res.type.value} {rid}"


def change_message(res: Resource, old: Badge | None, note: str | None) -> str:
    """One line for a toast: 'brand B43KNAS: submitted → registered'; a failed link's reason,
    when its callback gave one, is appended."""
    if old == res.badge:
        return f"{shown(res)}: {res.badge.value} ({note or 'again'})"
    before = old.value if old is not None else "new"
    line = f"{shown(res)}: {before} → {res.badge.value}"
    if note == "unlink failed":
        line += " (unlink failed)"
    reason = next((res.detail[k] for k in REASON_KEYS if isinstance(res.detail.get(k), str)), "")
    if res.badge is Badge.FAILED and reason:
        line += f" ({reason})"
    return line


def join_messages(messages: list[str]) -> str:
    """The first message, with how many more followed: 'brand B1: new → submitted (and 2 more)'
    (never "+2", which reads like a country code beside a number)."""
    if len(messages) <= 1:
        return messages[0] if messages else ""
    return f"{messages[0]} (and {len(messages) - 1} more)"
