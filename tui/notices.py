"""Toasts for store changes and other outcomes, said once: a burst becomes one summary.

A `created` callback for a request of ours is progress, not an outcome: no toast of its own.
Notices posted close together (each within `quiet` seconds of the last, for at most
`longest` seconds) are held and shown together when the burst ends: up to `MAX_SINGLE` of
them one by one, more as one summary ("12 callbacks: 10 linked · 2 failed (…)"). Repeats of
one notice (a tunnel flapping down) collapse into the latest, with a count. Errors are never
hidden: a summary with any is an error toast naming what failed. Changes a reconcile made are
left to the reconcile's own toast ("3 changes (everything)"), except a rejection it explains:
every rejection's toast says why ("code 1004: the message flow … is missing or unclear"), once
per reason, whether the reason came with the callback or was read from the API afterwards. The
store failing to write is said at once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.timer import Timer

from receiver.domain.declines import explain, reasons_of, rejection_brief
from receiver.domain.models import Badge, Cause, Change, Resource, ResourceType, split_key
from receiver.safetext import printable
from receiver.store.store import HEALTH_FAILING, HEALTH_RECOVERED
from receiver.wording import plural
from tui.widgets.badges import ERROR_BADGES, severity_for
from tui.widgets.formatting import entry_kind, entry_resource

MAX_SINGLE = 2  # more notices than this in one burst become one summary toast
QUIET = 0.4  # seconds without a new notice that end a burst
LONGEST = 2.0  # a burst is shown after this long even if notices keep coming
NAMED = 3  # failed ids a summary names before "and N more"
SEVERITY_RANK = {"information": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    message: str
    severity: SeverityLevel
    timeout: float | None = None
    about: str = ""  # the one resource it is about (its key), if any


def is_health_notice(change: Change) -> bool:
    """The store says its writes started failing or recovered."""
    return change.message.startswith((HEALTH_FAILING, HEALTH_RECOVERED))


def why_rejected(resource: Resource) -> str:
    """A rejected resource's reasons in short ("" when none are known yet)."""
    if resource.badge is not Badge.REJECTED:
        return ""
    return rejection_brief(resource.type.value, resource.detail)


def fix_hint(resource: Resource) -> str:
    """Where to go next: the fix form, unless a campaign's decline is final."""
    if resource.type is ResourceType.BRAND:
        return " (f: fix its profile, register again)"
    if resource.type is not ResourceType.CAMPAIGN:
        return ""
    codes = [code for code, _ in reasons_of(resource.type.value, resource.detail)]
    if any((known := explain(code)) is not None and known.final for code in codes):
        return " (final: an update cannot fix it)"
    return " (f: fix and resubmit)"


def explained(line: str, resource: Resource) -> str:
    """A rejection's toast line with why, and what to do."""
    why = why_rejected(resource)
    return f"{line} — {why}{fix_hint(resource)}" if why else line


PROGRESS = (Badge.PENDING, Badge.UNLINKING)  # a `created` callback: on its way, no outcome yet


def is_progress(change: Change) -> bool:
    """A callback saying a request of ours is on its way (`created`): the request's toast said
    the action, the final status will say the outcome; the event log shows this step."""
    return (
        change.cause is Cause.CALLBACK
        and bool(change.resources)
        and all(
            r.badge in PROGRESS and any(t.cause is Cause.REQUEST for t in r.timeline)
            for r in change.resources
        )
    )


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
    if not change.message or change.cause is Cause.RECONCILE or is_progress(change):
        return None
    badges = [r.badge for r in change.resources]
    title = change.resources[0].type.value if change.resources else change.cause.value
    about = change.resources[0].key if len(change.resources) == 1 else ""
    message = explained(change.message, change.resources[0]) if about else change.message
    return Notice(title, message, severity_for(badges), about=about)


def rejection_notice(resource: Resource) -> Notice:
    """A rejection's reasons, read from the API after its callback (or found by reconcile)."""
    line = explained(f"{resource.type.value} {resource.id}: rejected", resource)
    return Notice(resource.type.value, line, "error", about=resource.key)


def shown_key(key: str) -> str:
    """A resource key's id as screens show it (a number with its "+")."""
    type, id = split_key(key)
    return f"+{id}" if type is ResourceType.NUMBER else id


def named(ids: Sequence[str]) -> str:
    more = f" and {len(ids) - NAMED} more" if len(ids) > NAMED else ""
    return ", ".join(ids[:NAMED]) + more


def reason_of(notice: Notice) -> str:
    """The reason an error notice gives for its resource ("+1415…: The carriers rejected …"
    gives "The carriers rejected …"); "" when it is a status change, not a reason."""
    head = f"{shown_key(notice.about)}: "
    return notice.message.removeprefix(head) if notice.message.startswith(head) else ""


def summary_for(changes: Sequence[Change], notices: Sequence[Notice]) -> Notice:
    """One toast for a burst: what it was, how many resources ended in which status, and
    every kind of failure in it by name."""
    final: dict[str, Badge] = {}
    codes: dict[str, str] = {}  # a rejected resource's decline codes: "C1 (1004)"
    for change in changes:
        for resource in change.resources:
            final[resource.key] = resource.badge
            found = [str(c) for c, _ in reasons_of(resource.type.value, resource.detail) if c]
            if resource.badge is Badge.REJECTED and found:
                codes[resource.id] = ", ".join(found)
    badges = Counter(final.values())
    parts = [f"{n} {badge.value}" for badge, n in badges.most_common()]
    failed_keys = sorted((k for k, badge in final.items() if badge in ERROR_BADGES), key=shown_key)
    errors = [n for n in notices if n.severity == "error" and n.title != "unverified callback"]
    named_ids = {n.about for n in errors if n.about in failed_keys}  # said with the id below
    why = {n.about: reason for n in errors if n.about in named_ids and (reason := reason_of(n))}
    failed = []
    for key in failed_keys:
        id, plain = shown_key(key), split_key(key)[1]
        if key in why:
            id = f"{id}: {why[key]}"
        elif plain in codes:
            id = f"{id} ({codes[plain]})"
        failed.append(id)
    if failed:
        parts.append(f"failed: {named(failed)}")
    unverified = sum(1 for n in notices if n.title == "unverified callback")
    if unverified:
        parts.append(f"{unverified} unverified callback{'s' if unverified != 1 else ''}")
    others = [n for n in errors if n.about not in named_ids]
    parts.extend(f"{n.title}: {n.message}" for n in others[:NAMED])
    if len(others) > NAMED:
        parts.append(f"and {len(others) - NAMED} more errors")
    callbacks = sum(1 for c in changes if c.event is not None)
    requests = [c.request.action for c in changes if c.request is not None]
    if changes and callbacks == len(changes):
        title = f"{callbacks} callbacks"
    elif len(requests) == 1:  # a user's action and its first callbacks: named by the action
        title = f"{requests[0]} · {plural(callbacks, 'callback')}" if callbacks else requests[0]
    else:
        title = f"{len(notices)} updates"
    worst = max((n.severity for n in notices), key=SEVERITY_RANK.__getitem__, default="information")
    severity: SeverityLevel = "error" if failed or worst == "error" else worst
    return Notice(title, " · ".join(parts) or "see the event log", severity, timeout=10)


def untitled(notice: Notice) -> str:
    """The message without the title it starts with ("brand B1: …" under the title "brand"
    reads "B1: …"): each toast says its title once."""
    head = f"{notice.title} "
    rest = notice.message.removeprefix(head) if notice.title else notice.message
    return rest if rest and rest != notice.message else notice.message


def collapse(notices: Sequence[Notice]) -> list[Notice]:
    """Notices about one resource become its latest (`submitted → pending` after `new →
    submitted`: one toast per action), worst severity kept; repeats of one notice (a tunnel
    going down again and again) become one, counted."""
    latest: dict[tuple[str, str], Notice] = {}
    counts: Counter[tuple[str, str]] = Counter()
    worst: dict[tuple[str, str], SeverityLevel] = {}
    for notice in notices:
        key = ("", notice.about) if notice.about else (notice.title, notice.message)
        latest.pop(key, None)  # in the order of the latest
        latest[key] = notice
        counts[key] += 1
        worst[key] = max(worst.get(key, "information"), notice.severity, key=SEVERITY_RANK.get)
    shown = []
    for key, notice in latest.items():
        if counts[key] > 1 and not notice.about:
            notice = replace(notice, message=f"{notice.message} ({counts[key]} times)")
        shown.append(replace(notice, severity=worst[key]))
    return shown


class Notices:
    """Holds notices for `node` until a burst ends, then shows them through `node.notify`."""

    def __init__(
        self,
        node: DOMNode,
        *,
        quiet: float = QUIET,
        longest: float = LONGEST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.node = node
        self.quiet = quiet
        self.longest = longest
        self.clock = clock
        self._changes: list[Change] = []
        self._notices: list[Notice] = []
        self._timer: Timer | None = None
        self._started = 0.0
        self._told: dict[str, str] = {}  # rejected resource key -> the reasons already said

    @property
    def holding(self) -> int:
        """Notices waiting for their burst to end."""
        return len(self._notices)

    def announce(self, changes: Sequence[Change]) -> None:
        """Store changes, applied together: their notices join the current burst."""
        for change in changes:
            if is_health_notice(change):  # the store failing is said at once, never held
                self.show([notice_for(change)])  # type: ignore[list-item]
        changes = [c for c in changes if not is_health_notice(c)]
        notices = [n for n in map(notice_for, changes) if n is not None]
        notices += self.rejections(changes)
        if notices:
            self._changes.extend(changes)
            self.post(*notices)

    def rejections(self, changes: Sequence[Change]) -> list[Notice]:
        """Rejections whose reasons a reconcile brought (a callback's own toast already says
        what it carried): each reason is said once."""
        found: list[Notice] = []
        for change in changes:
            for resource in change.resources:
                if resource.badge is not Badge.REJECTED:
                    self._told.pop(resource.key, None)  # a new cycle: its rejection is news
                    continue
                why = why_rejected(resource)
                if not why or self._told.get(resource.key) == why:
                    continue
                self._told[resource.key] = why
                if change.cause is Cause.RECONCILE:
                    found.append(rejection_notice(resource))
        return found

    def post(self, *notices: Notice) -> None:
        """Any other outcome (a reconcile's count, a tunnel going down) joins the burst."""
        self._notices.extend(notices)
        now = self.clock()
        if self._timer is None:
            self._started = now
            self._timer = self.node.set_timer(self.quiet, self.flush, name="notices")
        elif now - self._started < self.longest:
            self._timer.reset()

    def flush(self) -> None:
        """Show what the burst held (the timer calls this; tests may, too)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        changes, self._changes = self._changes, []
        notices, self._notices = collapse(self._notices), []
        if len(notices) > MAX_SINGLE:
            notices = [summary_for(changes, notices)]
        self.show(notices)

    def show(self, notices: Sequence[Notice]) -> None:
        for notice in notices:
            self.node.notify(  # text from callbacks: no markup, control characters escaped
                printable(untitled(notice)),
                title=printable(notice.title),
                severity=notice.severity,
                timeout=notice.timeout,
                markup=False,
            )
