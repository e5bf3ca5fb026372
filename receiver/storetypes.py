"""The store's errors and counters, what a commit applies to the registry, and the writer lock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path

from receiver.entries import Entry, entry_object, replay_marker, with_seq
from receiver.models import (
    CallbackEvent,
    Cause,
    Change,
    Observation,
    RequestRecord,
    Resource,
)
from receiver.registry import Registry, join_messages
from receiver.storefiles import LockHeldError, WriterLock, make_private


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
    nonce_keys: tuple[bytes, ...] = ()  # a verified first copy's nonces (receiver/nonces.py)


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
    return Change(Cause.RECONCILE, tuple(by_key.values()), message=join_messages(messages))


def writer_lock(path: Path) -> WriterLock:
    """Take the store's one-writer lock, or raise a StoreError that says what to do."""
    try:
        make_private(path)
        return WriterLock.acquire(path)
    except LockHeldError as exc:
        pid = exc.pid if exc.pid is not None else "unknown"
        raise StoreLockedError(
            f"{path} is in use by another tendlc process (pid {pid}); stop it or pass --db DIR"
        ) from None
    except OSError as exc:
        raise StoreError(
            f"cannot open the store {path} for writing ({exc.strerror or exc}); "
            "check its permissions or pass --db DIR"
        ) from exc


def entry_time(entry: Entry) -> float:
    """When a callback was received or a request sent."""
    return entry.received_at if isinstance(entry, CallbackEvent) else entry.at


def refuse(fut: asyncio.Future[Change]) -> None:
    """Settle a pending entry's future: the store closed before writing it."""
    if not fut.done():
        fut.set_exception(StoreError("the store was closed before this entry was written"))
