"""Coloured status badges for the one vocabulary the UI shows, and the toast severity of each."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.notifications import SeverityLevel

from receiver.domain.models import Badge

# Each badge as (text, background) variables of the app's theme, as Posting colours its
# labels: `$text-success` on `$success-muted` is made to read on dark and light themes alike,
# and a theme change (command palette → theme) recolours every badge.
BADGE_COLOURS: dict[Badge, tuple[str, str]] = {
    Badge.SUBMITTED: ("text-primary", "primary-muted"),
    Badge.PENDING: ("text-warning", "warning-muted"),
    Badge.REGISTERED: ("text-success", "success-muted"),
    Badge.LINKED: ("text-success", "success-muted"),
    Badge.REJECTED: ("text-error", "error-muted"),
    Badge.FAILED: ("text-error", "error-muted"),
    Badge.UNLINKING: ("text-accent", "accent-muted"),
    Badge.UNLINKED: ("text-secondary", "secondary-muted"),
    Badge.EXPIRED: ("text-error", "panel"),
    Badge.DELETED: ("text-secondary", "panel"),
    Badge.UNKNOWN: ("foreground", "panel"),
}

ERROR_BADGES = frozenset({Badge.REJECTED, Badge.FAILED, Badge.EXPIRED})
GOOD_BADGES = frozenset({Badge.REGISTERED, Badge.LINKED, Badge.UNLINKED})

BADGE_WIDTH = max(len(b.value) for b in Badge) + 2

_NAMES = tuple(sorted({name for pair in BADGE_COLOURS.values() for name in pair} | {"background"}))


def badge_styles(variables: Mapping[str, str]) -> dict[Badge, Style]:
    """The style of each badge under a theme (`App.theme_variables`)."""
    return _styles(tuple(variables.get(name, "") for name in _NAMES))


@lru_cache(maxsize=16)
def _styles(values: tuple[str, ...]) -> dict[Badge, Style]:
    variables = dict(zip(_NAMES, values, strict=True))
    background = _colour(variables["background"], None)

    def style(text: str, on: str) -> Style:
        fg, bg = _colour(variables[text], background), _colour(variables[on], background)
        return Style(
            bold=True,
            color=fg.rich_color if fg else None,
            bgcolor=bg.rich_color if bg else None,
        )

    return {badge: style(*names) for badge, names in BADGE_COLOURS.items()}


def _colour(value: str, under: Color | None) -> Color | None:
    """A theme value as an opaque colour (a translucent one laid over `under`), or None."""
    try:
        colour = Color.parse(value)
    except ColorParseError:
        return None
    if colour.a < 1:
        colour = (under or Color(0, 0, 0)) + colour
    return colour


def badge_text(badge: Badge | str, variables: Mapping[str, str]) -> Text:
    """A fixed-width pill for `badge`, e.g. ` registered `, in the theme's colours."""
    try:
        badge = Badge(badge)
    except ValueError:
        badge = Badge.UNKNOWN
    pill = f" {badge.value} ".ljust(BADGE_WIDTH)
    return Text.assemble((pill, badge_styles(variables)[badge]), end="")


def severity_for(badges: list[Badge]) -> SeverityLevel:
    """Toast severity for a change that left resources with these badges."""
    return "error" if any(b in ERROR_BADGES for b in badges) else "information"
