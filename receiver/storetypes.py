"""The store's value types: its errors, its counters, and what a commit applies to the registry."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from receiver.entries import entry_object, replay_marker, with_seq
from receiver.models import (
    CallbackEvent,
    Cause,
    Change,
    Observation,
    RequestRecord,
    Resource,
)
from receiver.registry import Registry


class StoreError(Exception):
    """The store cannot do what was asked; the message says what went wrong and what to do."""


class StoreLockedError(StoreError):
    """Another process writes this store."""


class StoreWriteError(StoreError):
    """A commit failed (disk full / read-only); the entries of that batch are NOT durable."""


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counters since open. A commit is one journal write holding one batch of entries."""

    commits: int
    failed_commits: int
    entries: int
    replayed: int  # journal entries replayed onto the snapshot at open
    snapshots: int
    bytes_written: int  # journal bytes written (snapshots not included)
    last_commit_bytes: int


@dataclass(slots=True)
class Work:
    """What to apply once an entry is durable."""

    event: CallbackEvent | None = None
    apply: bool = False
    record: RequestRecord | None = None
    callback_url: str | None = None
    observations: list[Observation] = field(default_factory=list)
    at: float = 0.0


def apply_work(registry: Registry, work: Work, seq: int, replays: dict[str, int]) -> Change:
    """Apply a durable entry (journal position `seq`) to the registry; the Change to announce.

    A replay marker changes no resource: it counts one more copy of its original in `replays`.
    """
    if work.event is not None and work.event.replay_of:
        original = work.event.replay_of
        replays[original] = replays.get(original, 0) + 1
        marker = entry_object(replay_marker(with_seq(work.event, seq)))
        assert isinstance(marker, CallbackEvent)
        return Change(Cause.CALLBACK, (), event=marker, message=f"replay of {original}")
    if work.event is not None:
        event = with_seq(work.event, seq)
        changed, message = registry.apply_callback(event) if work.apply else ([], "")
        return Change(Cause.CALLBACK, tuple(changed), event=event, message=message)
    if work.record is not None:
        record = replace(work.record, seq=seq)
        changed, message = registry.apply_request(record, work.callback_url)
        return Change(Cause.REQUEST, tuple(changed), request=record, message=message)
    by_key: dict[str, Resource] = {}
    messages = []
    for obs in work.observations:
        got, msg = registry.apply_observation(obs, work.at)
        by_key.update((r.key, r) for r in got)
        messages += [msg] if msg else []
    message = messages[0] if messages else ""
    if len(messages) > 1:
        message += f" (+{len(messages) - 1} more)"
    return Change(Cause.RECONCILE, tuple(by_key.values()), message=message)
