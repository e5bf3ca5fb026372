"""The store: a directory holding the journal and the registry, group-committed by one writer thread."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from receiver.atomicdb import WriteFile, atomic_write
from receiver.committer import GroupCommitter, Pending
from receiver.entries import (
    Entry,
    EntryIndex,
    callback_entry,
    entry_object,
    reconcile_entry,
    request_entry,
)
from receiver.journal import Journal
from receiver.models import (
    CallbackEvent,
    Cause,
    Change,
    Clock,
    Observation,
    RequestRecord,
    Resource,
    ResourceType,
    system_clock,
)
from receiver.registry import Registry
from receiver.snapshotter import Snapshotter
from receiver.storefiles import JOURNAL_DIR, SNAPSHOT_NAME, LockHeldError, WriterLock
from receiver.storeload import load

logger = logging.getLogger(__name__)


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
class _Work:
    """What to apply once an entry is durable."""

    event: CallbackEvent | None = None
    apply: bool = False
    record: RequestRecord | None = None
    callback_url: str | None = None
    observations: list[Observation] = field(default_factory=list)
    at: float = 0.0


class Store:
    """Journal + registry in a directory. One writer process (flock); readers pass readonly=True.

    Async methods run on one event loop; commits happen on a single writer thread, so disk
    writes never block the loop. A readonly store is a view of the files as they were at open.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock,
        readonly: bool,
        write_file: WriteFile,
        lock: WriterLock | None,
        snapshot_interval: float,
    ) -> None:
        """Use Store.open(); this only sets up an empty, unloaded store."""
        self.path = path
        self.warnings: list[str] = []
        self.registry = Registry()
        self.healthy = True
        self.last_error: str | None = None
        self.readonly = readonly
        self._clock = clock
        self._lock = lock
        self._recent: deque[Entry] = deque()
        self._index = EntryIndex()
        self._subscribers: list[Callable[[Change], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._applied_seq = 0
        self._closed = False
        self._counts = {"commits": 0, "failed_commits": 0, "entries": 0, "replayed": 0}
        self._journal = Journal(path / JOURNAL_DIR, segment_size=1)
        self._committer = GroupCommitter(
            self._journal, on_commit=self._committed, on_fail=self._failed
        )
        self._snapshots = Snapshotter(
            path / SNAPSHOT_NAME,
            state=lambda: (self._applied_seq, self.registry.to_dict()),
            clock=clock,
            write_file=write_file,
            interval=snapshot_interval,
        )

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Clock = system_clock,
        readonly: bool = False,
        segment_size: int = 256,
        write_file: WriteFile | None = None,
        snapshot_interval: float = 1.0,
        recent_size: int = 1000,
    ) -> Store:
        """Open (or create) the store directory; sync. `write_file` replaces the atomic writer."""
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a store directory; pass --db DIR instead")
        lock = None if readonly else _lock(path)
        write_file = write_file or atomic_write
        store = cls(
            path,
            clock=clock,
            readonly=readonly,
            write_file=write_file,
            lock=lock,
            snapshot_interval=snapshot_interval,
        )
        try:
            loaded = load(
                path,
                readonly=readonly,
                segment_size=segment_size,
                write_file=write_file,
                now=clock(),
                recent_size=recent_size,
            )
        except BaseException:
            store._shutdown()
            raise
        store.registry, store._journal = loaded.registry, loaded.journal
        store._committer.journal = loaded.journal
        store._index = loaded.index
        store._recent = deque(loaded.tail, maxlen=recent_size)
        store._applied_seq = loaded.journal.last_seq
        store._counts["replayed"] = loaded.replayed
        store._snapshots.seq = loaded.snapshot_seq
        store.warnings.extend(loaded.warnings)
        if not readonly:
            store._snapshots.write_now()  # so the next open need not replay this tail again
        try:
            store._loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        return store

    # -- recording ---------------------------------------------------------------------------

    async def record_callback(self, event: CallbackEvent, *, apply: bool) -> Change:
        """Journal a callback (durable on return), apply it if `apply`, notify subscribers."""
        self._check_writable()
        work = _Work(event=event, apply=apply)
        return await self._submit(callback_entry(event, applied=apply), work)

    async def record_request(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        """Journal a submitted request (durable on return) and apply it to the registry."""
        self._check_writable()
        entry = request_entry(record, callback_url)
        try:
            json.dumps(entry)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"request {record.id} cannot be stored: {exc}") from exc
        return await self._submit(entry, _Work(record=record, callback_url=callback_url))

    def record_request_threadsafe(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        """From a worker thread: record on the store's loop and block until durable."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            raise StoreError(
                "the store has no running event loop to commit on; open it inside the app's "
                "loop, call attach_loop(), or await record_request()"
            )
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise StoreError(
                "record_request_threadsafe was called on the loop thread; await record_request()"
            )
        coro = self.record_request(record, callback_url=callback_url)
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    async def record_observations(self, observations: list[Observation]) -> Change:
        """Journal what the API reported (one reconcile entry) and apply it to the registry."""
        self._check_writable()
        if not observations:
            return Change(cause=Cause.RECONCILE, resources=())
        at = self._clock()
        work = _Work(observations=list(observations), at=at)
        return await self._submit(reconcile_entry(observations, at), work)

    def attach_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Bind the store to `loop` (default: the running one) for record_request_threadsafe."""
        self._loop = loop or asyncio.get_running_loop()

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        if self.readonly:
            raise StoreError(f"the store {self.path} was opened read-only; it cannot record")

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        bound = self._loop
        if bound is None or bound is loop or bound.is_closed() or not bound.is_running():
            self._loop = loop
            return loop
        raise StoreError("the store is in use by another event loop")

    async def _submit(self, entry: dict[str, Any], work: _Work) -> Change:
        return await self._committer.submit(self._bind_loop(), entry, work)

    def _failed(self, batch: list[Pending], exc: Exception) -> None:
        reason = (
            exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or repr(exc)
        )
        message = (
            f"could not write the journal in {self.path} ({reason}); {len(batch)} "
            "entries were not stored and were refused. Free disk space or fix permissions."
        )
        self.healthy, self.last_error = False, message
        self._counts["failed_commits"] += 1
        for item in batch:
            if not item.future.done():
                item.future.set_exception(StoreWriteError(message))

    def _committed(self, batch: list[Pending], seqs: list[int]) -> None:
        self.healthy, self.last_error = True, None
        self._counts["commits"] += 1
        self._counts["entries"] += len(batch)
        for item, seq in zip(batch, seqs, strict=True):
            self._index.add(item.entry, seq)
            self._applied_seq = seq
            try:
                change = self._apply(item.work, seq)
            except Exception:  # the entry is durable; a registry bug must not lose the ack
                logger.debug("could not apply journal entry %s", seq, exc_info=True)
                change = Change(Cause.CALLBACK if item.work.event else Cause.REQUEST, ())
            stored = change.event or change.request
            if stored is not None:
                self._recent.append(stored)
            for fn in list(self._subscribers):
                try:
                    fn(change)
                except Exception:  # a subscriber must not break the store
                    logger.debug("store subscriber %r failed", fn, exc_info=True)
            if not item.future.done():
                item.future.set_result(change)
        if not self._closed and self._loop is not None:
            self._snapshots.soon(self._loop, self._applied_seq)

    def _apply(self, work: _Work, seq: int) -> Change:
        if work.event is not None:
            event = replace(work.event, seq=seq)
            changed, message = self.registry.apply_callback(event) if work.apply else ([], "")
            return Change(Cause.CALLBACK, tuple(changed), event=event, message=message)
        if work.record is not None:
            record = replace(work.record, seq=seq)
            changed, message = self.registry.apply_request(record, work.callback_url)
            return Change(Cause.REQUEST, tuple(changed), request=record, message=message)
        by_key: dict[str, Resource] = {}
        messages = []
        for obs in work.observations:
            got, msg = self.registry.apply_observation(obs, work.at)
            by_key.update((r.key, r) for r in got)
            messages += [msg] if msg else []
        message = messages[0] if messages else ""
        if len(messages) > 1:
            message += f" (+{len(messages) - 1} more)"
        return Change(Cause.RECONCILE, tuple(by_key.values()), message=message)

    # -- reading -----------------------------------------------------------------------------

    def subscribe(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        """Call `fn(change)` on the loop thread after every recorded entry; returns unsubscribe."""
        if self._loop is None or not self._loop.is_running():
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                pass
        self._subscribers.append(fn)

        def unsubscribe() -> None:
            if fn in self._subscribers:
                self._subscribers.remove(fn)

        return unsubscribe

    def recent(self, limit: int = 500) -> list[Entry]:
        """The latest callbacks and requests, newest last (filled from the journal on open)."""
        return list(self._recent)[-limit:] if limit > 0 else []

    def journal(self, *, after_seq: int = 0) -> Iterator[Entry]:
        """Callbacks and requests with seq > after_seq, in order. Reconcile entries are skipped."""
        for entry in self._journal.iter_entries(after_seq):
            obj = entry_object(entry)
            if obj is not None:
                yield obj

    def find_entry(self, entry_id: str) -> Entry | None:
        seq = self._index.seq_of(entry_id)
        return None if seq is None else entry_object(self._journal.get(seq))

    def entries_for(self, type: ResourceType, id: str) -> list[Entry]:
        """Callbacks and requests mentioning the resource (as brand_id, campaign_id, number(s))."""
        found = (entry_object(self._journal.get(seq)) for seq in self._index.seqs_for(type, id))
        return [obj for obj in found if obj is not None]

    @property
    def stats(self) -> StoreStats:
        j = self._journal
        return StoreStats(
            **self._counts,
            snapshots=self._snapshots.count,
            bytes_written=j.bytes_written,
            last_commit_bytes=j.last_write_bytes,
        )

    @property
    def last_seq(self) -> int:
        """Journal position of the newest entry applied to the registry."""
        return self._applied_seq

    @property
    def snapshot_seq(self) -> int:
        """Journal position that registry.json covers."""
        return self._snapshots.seq

    @property
    def segment_paths(self) -> list[Path]:
        return self._journal.segment_paths

    # -- flushing and closing ----------------------------------------------------------------

    async def flush(self) -> None:
        """Wait for pending commits, then write the registry snapshot if it is behind."""
        self._bind_loop()
        await self._committer.drain()
        if not self.readonly and not self._closed:
            await self._snapshots.flush()

    async def close(self) -> None:
        """Flush, snapshot the registry, stop the writer threads, release the lock; idempotent."""
        if self._closed:
            return
        await self.flush()
        self._shutdown()

    def close_sync(self) -> None:
        """Close without awaiting (readonly, or after the loop ended); uncommitted entries are refused."""
        if self._closed:
            return
        self._closed = True
        self._committer.shutdown()  # the write in progress, if any, completes
        for item in self._committer.drop_pending():
            loop = item.future.get_loop()
            if not item.future.done() and not loop.is_closed():
                loop.call_soon_threadsafe(_refuse, item.future)
        if not self.readonly:
            self._snapshots.shutdown()
            self._snapshots.write_now()
        self._shutdown()

    def _shutdown(self) -> None:
        self._closed = True
        self._committer.shutdown()
        self._snapshots.shutdown()
        if self._lock is not None:
            self._lock.release()


def _lock(path: Path) -> WriterLock:
    try:
        (path / JOURNAL_DIR).mkdir(parents=True, exist_ok=True)
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


def _refuse(fut: asyncio.Future[Change]) -> None:
    if not fut.done():
        fut.set_exception(StoreError("the store was closed before this entry was written"))
