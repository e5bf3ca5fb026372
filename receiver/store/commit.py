"""Group commit (one writer thread, a batch per commit) and what a durable entry applies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from receiver.domain.models import (
    CallbackEvent,
    Cause,
    Change,
    Observation,
    RequestRecord,
    Resource,
)
from receiver.domain.registry import Registry, join_messages
from receiver.store.entries import entry_object, replay_marker, with_seq
from receiver.store.journal import Journal, Prepared


@dataclass(slots=True)
class Pending:
    """One entry waiting for its commit; `work` is whatever the caller needs once it is durable."""

    entry: dict[str, Any]
    work: Any
    future: asyncio.Future[Any]


class GroupCommitter:
    """Everything submitted while a commit runs goes into the next one (one segment's room at most).

    `on_commit(batch, seqs)` and `on_fail(batch, exc)` run on the loop thread and must settle each
    Pending's future. Disk writes happen only on the single writer thread: the journal's, then
    `after_write(batch, seqs)` (derived indexes; its errors are its own to handle), before the
    batch settles.
    """

    def __init__(
        self,
        journal: Journal,
        *,
        on_commit: Callable[[list[Pending], list[int]], None],
        on_fail: Callable[[list[Pending], Exception], None],
        after_write: Callable[[list[Pending], list[int]], None] | None = None,
    ) -> None:
        self.journal = journal
        self._after_write = after_write
        self._on_commit = on_commit
        self._on_fail = on_fail
        self._pending: list[Pending] = []
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tendlc-store-writer")

    @property
    def busy(self) -> bool:
        return self._task is not None

    def submit(
        self, loop: asyncio.AbstractEventLoop, entry: dict[str, Any], work: Any
    ) -> asyncio.Future[Any]:
        """Queue an entry; the returned future settles after the commit that holds it."""
        item = Pending(entry, work, loop.create_future())
        self._pending.append(item)
        if self._task is None:
            self._task = loop.create_task(self._run(), name="tendlc-store-commit")
        return item.future

    async def drain(self) -> None:
        """Wait until nothing is pending or being written."""
        while self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            job = self._start(loop)
            while job is not None:
                batch, writing = job
                try:
                    seqs = await writing
                except Exception as exc:  # every failure means this batch is not durable
                    self._on_fail(batch, exc)
                    job = self._start(loop)
                    continue
                # The writer is idle and the journal settled: hand it the next batch before
                # settling this one, so its fsync overlaps the loop's work on these acks.
                job = self._start(loop)
                self._on_commit(batch, seqs)
        finally:
            self._task = None

    def _start(
        self, loop: asyncio.AbstractEventLoop
    ) -> tuple[list[Pending], asyncio.Future[list[int]]] | None:
        if not self._pending:
            return None
        room = self.journal.room()
        batch, self._pending = self._pending[:room], self._pending[room:]
        try:  # numbered and encoded here, so the writer thread barely needs the GIL
            prepared = self.journal.prepare([item.entry for item in batch])
        except Exception as exc:  # e.g. an entry that is not JSON: this batch is not durable
            failed: asyncio.Future[list[int]] = loop.create_future()
            failed.set_exception(exc)
            return batch, failed
        return batch, loop.run_in_executor(self._executor, self._write, batch, prepared)

    def _write(self, batch: list[Pending], prepared: Prepared) -> list[int]:
        seqs = self.journal.write(prepared)
        if self._after_write is not None:
            self._after_write(batch, seqs)
        return seqs

    def drop_pending(self) -> list[Pending]:
        """Remove and return the entries not yet handed to the writer."""
        dropped, self._pending = self._pending, []
        return dropped

    def shutdown(self) -> None:
        """Stop the writer thread after the write in progress (if any) finishes."""
        self._executor.shutdown(wait=True)


@dataclass(slots=True)
class Work:
    """What to apply once an entry is durable."""

    event: CallbackEvent | None = None
    apply: bool = False
    record: RequestRecord | None = None
    callback_url: str | None = None
    observations: list[Observation] = field(default_factory=list)
    at: float = 0.0
    nonce_keys: tuple[bytes, ...] = ()  # a verified first copy's nonces (receiver/store/nonces.py)


def apply_work(registry: Registry, work: Work, seq: int) -> Change:
    """Apply a durable entry (journal position `seq`) to the registry; the Change to announce.

    A replay marker changes no resource (the entry index counts it: receiver/store/lookup.py).
    """
    if work.event is not None and work.event.replay_of:
        original = work.event.replay_of
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
