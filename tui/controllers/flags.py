"""Row flags: resources whose callback is overdue, or whose callbacks go to an old public URL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.text import Text

from receiver.domain.models import Resource
from tui.widgets.formatting import day_time

OVERDUE_MARK = "⏰ callback overdue"
OLD_URL_MARK = "⚠ callbacks go to old URL"
FLAG_STYLE = "bold #e6b422"


@dataclass(frozen=True, slots=True)
class FlagRule:
    """What counts as flagged now: overdue after `after` s (None: never), the current URL."""

    now: float
    after: float | None
    callback_url: str


def is_overdue(resource: Resource, rule: FlagRule) -> bool:
    return (
        rule.after is not None
        and not resource.cycle_terminal
        and resource.awaiting_since is not None
        and rule.now - resource.awaiting_since > rule.after
    )


def has_old_url(resource: Resource, rule: FlagRule) -> bool:
    return (
        not resource.cycle_terminal
        and bool(resource.callback_url)
        and bool(rule.callback_url)
        and resource.callback_url != rule.callback_url
    )


class RowFlags:
    """Which resources are flagged; listeners hear the keys whose flags changed."""

    def __init__(self) -> None:
        self.overdue: set[str] = set()
        self.old_url: set[str] = set()
        # Awaiting a callback, as last judged: only these can turn overdue as time passes.
        self._waiting: dict[str, Resource] = {}
        self._listeners: list[Callable[[set[str]], None]] = []

    def subscribe(self, fn: Callable[[set[str]], None]) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    @property
    def keys(self) -> set[str]:
        return self.overdue | self.old_url

    def update(self, resources: Iterable[Resource], rule: FlagRule) -> set[str]:
        """Re-judge `resources`; returns (and announces) the keys whose flags changed."""
        changed = self._judge(resources, rule)
        self._announce(changed)
        return changed

    def _judge(self, resources: Iterable[Resource], rule: FlagRule) -> set[str]:
        changed: set[str] = set()
        for resource in resources:
            key = resource.key
            if resource.awaiting_since is not None and not resource.cycle_terminal:
                self._waiting[key] = resource
            else:
                self._waiting.pop(key, None)
            for flagged, test in ((self.overdue, is_overdue), (self.old_url, has_old_url)):
                now = test(resource, rule)
                if now != (key in flagged):
                    (flagged.add if now else flagged.discard)(key)
                    changed.add(key)
        return changed

    def rescan(self, resources: Iterable[Resource], rule: FlagRule) -> set[str]:
        """Re-judge every resource; keys no longer present lose their flags."""
        resources = list(resources)
        present = {r.key for r in resources}
        gone = {k for k in self.keys if k not in present}
        self.overdue -= gone
        self.old_url -= gone
        self._waiting.clear()
        changed = self._judge(resources, rule) | gone
        self._announce(changed)
        return changed

    def tick(self, rule: FlagRule) -> set[str]:
        """As time passes: re-judge only the resources awaiting a callback, the only ones whose
        flags time alone can change (a resource's change comes through `update`, a new callback
        URL through `rescan`). Returns (and announces) the keys whose flags changed."""
        return self.update(list(self._waiting.values()), rule)

    def _announce(self, changed: set[str]) -> None:
        if changed:
            for fn in list(self._listeners):
                fn(changed)

    def mark(self, key: str) -> Text | None:
        """The row's flag text (shown in place of its last change), or None."""
        parts = []
        if key in self.overdue:
            parts.append(OVERDUE_MARK)
        if key in self.old_url:
            parts.append(OLD_URL_MARK)
        return Text(" · ".join(parts), style=FLAG_STYLE) if parts else None

    def lines(self, resource: Resource, callback_url: str) -> list[tuple[str, Text]]:
        """Rows for the detail summary: (label, what it means)."""
        out: list[tuple[str, Text]] = []
        if resource.key in self.overdue:
            since = day_time(resource.awaiting_since)
            out.append(
                (
                    "⏰ callback overdue",
                    Text(
                        f"no callback since {since}: reconciled with the API automatically "
                        "(r to reconcile now)",
                        style=FLAG_STYLE,
                    ),
                )
            )
        if resource.key in self.old_url:
            out.append(
                (
                    "⚠ old callback URL",
                    Text(
                        f"its callbacks go to {resource.callback_url}, not {callback_url}: "
                        "reconcile (r) to learn its status",
                        style=FLAG_STYLE,
                    ),
                )
            )
        return out
