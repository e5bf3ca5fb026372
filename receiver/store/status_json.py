"""`tendlc status --json` at any size: a JSON array with one resource per line.

Each line is the compact JSON of `resource_dict` (the resource without its timeline, plus ISO
`updated` and, for a known decline code, `declines`), ASCII-only so no raw control or bidi
character reaches a terminal. A resource the store has not built yet is written from its
registry.json text: when that text is plain (ASCII, no raw control character, an empty detail)
its head is copied as it is and never decoded; any other text is decoded and encoded again.
200,000 resources build no Resource.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from receiver.domain.declines import resource_declines
from receiver.domain.models import Resource, ResourceType

_UPDATED = ',"updated_at":'

_ITEM_KEYS = (
    "type", "id", "badge", "updated_at", "name", "parent_id", "api_status", "cycle",
    "cycle_terminal", "awaiting_since", "callback_url", "detail", "timeline", "rank",
)  # fmt: skip
"""The keys of a resource's text in registry.json (Registry.item_data), in order."""

_TIMELINE = ',"timeline":['


def iso_utc(ts: float | None) -> str | None:
    """Seconds since the epoch as ISO-8601 UTC with milliseconds, e.g. 2025-01-02T03:04:05.678Z.

    The text datetime's isoformat(timespec="milliseconds") gives (microseconds rounded half
    to even as fromtimestamp rounds them, then cut to milliseconds), at a third of its cost:
    a status of 200,000 resources formats 200,000 of them, over a few distinct days (each
    day's date is formatted once)."""
    if ts is None:
        return None
    if not 0 <= ts < _YEAR_10000:
        stamp = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
        return stamp.replace("+00:00", "Z")
    whole = int(ts)
    micro = round((ts - whole) * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    day, second = divmod(whole, 86_400)
    date = _DATES.get(day)
    if date is None:
        date = _DATES[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{date}T{hour:02d}:{minute:02d}:{second:02d}.{micro // 1000:03d}Z"


_DATES: dict[int, str] = {}  # days since the epoch -> "YYYY-MM-DD"
_YEAR_10000 = 253_402_300_800


def resource_dict(resource: Resource) -> dict[str, Any]:
    """A resource for `status --json` (its fields without the timeline, plus ISO `updated`)."""
    data = resource.to_dict()
    data.pop("timeline", None)
    data["updated"] = iso_utc(resource.updated_at)
    if explained := resource_declines(resource.type.value, resource.detail):
        data["declines"] = explained  # receiver/domain/declines.py: known codes explained
    return data


def compact(data: dict[str, Any]) -> str:
    """One value as compact, ASCII-only JSON."""
    return json.dumps(data, separators=(",", ":"), default=str)  # ensure_ascii: terminal-safe


def _copied(text: str, iso: Any) -> str | None:
    """The output line of a resource copied from its registry.json text (Registry.item_data
    encoded, its fields in that order), when it is plain: printable ASCII (no raw control
    character: tendlc's encoder escapes them) and an empty detail (no decline to explain).
    None otherwise.

    The timeline's entries hold no nested object, so the last `,"timeline":[` is its key; the
    first `,"updated_at":` is that key (the fields before it are strings, quotes escaped)."""
    cut = text.rfind(_TIMELINE)
    if cut < 0:
        return None
    head = text[:cut]
    if not (head.isascii() and head.isprintable() and head.endswith('"detail":{}')):
        return None
    at = head.find(_UPDATED) + len(_UPDATED)
    end = head.find(",", at)
    if at < len(_UPDATED) or end < 0 or not head.startswith('{"type":'):
        return None
    try:
        stamp = iso(float(head[at:end]))
    except (ValueError, OverflowError, OSError):
        return None
    return f'{head},"updated":"{stamp}"}}'


def _decoded(text: str) -> str | None:
    """The output line of a resource from its registry.json text, decoded; None if the text is
    not one (the caller builds the resource instead)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if (
        not isinstance(data, dict)
        or tuple(data) != _ITEM_KEYS
        or not isinstance(data["detail"], dict)
        or not isinstance(data["updated_at"], int | float)
    ):
        return None
    del data["timeline"], data["rank"]
    data["updated"] = iso_utc(data["updated_at"])
    if explained := resource_declines(data["type"], data["detail"]):
        data["declines"] = explained  # as resource_dict adds them
    return compact(data)


def status_lines(registry: Any) -> Iterator[str]:
    """One compact JSON object per resource: brands, then campaigns, then numbers, each in
    creation order (resources_in_order's order); each parses to resource_dict of the resource."""
    by_type: dict[ResourceType, list[str]] = {t: [] for t in ResourceType}
    iso = iso_utc
    for key, held in registry.raw_items():
        line = None
        if isinstance(held, str):
            line = _copied(held, iso) or _decoded(held)
        if line is None:
            resource = registry.get(*key)
            if resource is None:
                continue  # unreadable: the store warned and left it out
            line = compact(resource_dict(resource))
        by_type[key[0]].append(line)
    for rtype in (ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER):
        yield from by_type[rtype]


def json_array(lines: Iterable[str]) -> str:
    """A JSON array of already-encoded values, one per line."""
    body = ",\n".join(lines)
    return f"[\n{body}\n]" if body else "[]"
