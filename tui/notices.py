"""Toasts for store changes: one per change, or one summary when a burst arrives together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.notifications import SeverityLevel

from receiver.domain.models import Change
from receiver.safetext import printable
from receiver.store.store import HEALTH_FAILING, HEALTH_RECOVERED
from tui.widgets.badges import ERROR_BADGES, severity_for
from tui.widgets.formatting import entry_kind, entry_resource

MAX_SINGLE = 3  # more changes than this in one flush become one summary toast


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    message: str
    severity: SeverityLevel


def is_health_notice(change: Change) -> bool:
    """The store says its writes started failing or recovered."""
    return change.message.startswith((HEALTH_FAILING, HEALTH_RECOVERED))


def notice_for(change: Change) -> Notice | None:
    """What a user should hear about `change`, if anything."""
    if is_health_notice(change):
        failing = change.message.startswith(HEALTH_FAILING)
        return Notice("store", change.message, "error" if failing else "information")
    event = change.event
    if event is not None and not event.verified:
        what = f"{entry_kind(event)} {entry_resource(event)}"
        return Notice("unverified callback", f"{what}: {event.reason or 'not verified'}", "warning")
    request = change.request
    if request is not None and not request.ok:
        return Notice(f"{request.action} failed", request.error or "no reason given", "error")
    if not change.message:
        return None
    badges = [r.badge for r in change.resources]
    title = change.resources[0].type.value if change.resources else change.cause.value
    return Notice(title, change.message, severity_for(badges))


def summary_for(changes: Sequence[Change], notices: Sequence[Notice]) -> Notice:
    """One toast for a burst: how many resources ended in which status."""
    badges = Counter(r.badge for c in changes for r in c.resources)
    parts = [f"{n} {badge.value}" for badge, n in badges.most_common()]
    unverified = sum(1 for n in notices if n.title == "unverified callback")
    if unverified:
        parts.append(f"{unverified} unverified callbacks")
    failed = any(b in ERROR_BADGES for b in badges) or any(n.severity == "error" for n in notices)
    severity: SeverityLevel = "error" if failed else "warning" if unverified else "information"
    return Notice(f"{len(changes)} changes", " · ".join(parts) or "see the event log", severity)


class Notices:
    """Announces changes through `node.notify`."""

    def __init__(self, node: DOMNode) -> None:
        self.node = node

    def announce(self, changes: Sequence[Change]) -> None:
        notices = [n for n in map(notice_for, changes) if n is not None]
        if len(notices) > MAX_SINGLE:
            notices = [summary_for(changes, notices)]
        for notice in notices:
            self.node.notify(  # text from callbacks: no markup, control characters escaped
                printable(notice.message),
                title=printable(notice.title),
                severity=notice.severity,
                markup=False,
            )
