"""Coloured status badges for the one vocabulary the UI shows, and the toast severity of each."""

from __future__ import annotations

from rich.text import Text
from textual.notifications import SeverityLevel

from receiver.domain.models import Badge

# Foreground on a tinted background reads on dark and light themes alike.
BADGE_STYLES: dict[Badge, str] = {
    Badge.SUBMITTED: "bold #e0e0e0 on #3c3c64",
    Badge.PENDING: "bold #1a1a1a on #e6b422",
    Badge.REGISTERED: "bold #0c2a12 on #4caf50",
    Badge.LINKED: "bold #0c2a12 on #4caf50",
    Badge.REJECTED: "bold #ffffff on #c62828",
    Badge.FAILED: "bold #ffffff on #c62828",
    Badge.UNLINKING: "bold #1a1a1a on #ff9800",
    Badge.UNLINKED: "bold #e0e0e0 on #5a5a5a",
    Badge.EXPIRED: "bold #e0e0e0 on #6d4c41",
    Badge.UNKNOWN: "bold #e0e0e0 on #424242",
}

ERROR_BADGES = frozenset({Badge.REJECTED, Badge.FAILED, Badge.EXPIRED})
GOOD_BADGES = frozenset({Badge.REGISTERED, Badge.LINKED, Badge.UNLINKED})

BADGE_WIDTH = max(len(b.value) for b in Badge) + 2


def badge_text(badge: Badge | str) -> Text:
    """A fixed-width pill for `badge`, e.g. ` registered `."""
    try:
        badge = Badge(badge)
    except ValueError:
        badge = Badge.UNKNOWN
    return Text.assemble((f" {badge.value} ".ljust(BADGE_WIDTH), BADGE_STYLES[badge]), end="")


def severity_for(badges: list[Badge]) -> SeverityLevel:
    """Toast severity for a change that left resources with these badges."""
    return "error" if any(b in ERROR_BADGES for b in badges) else "information"
