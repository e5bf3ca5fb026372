"""The store: a directory holding the journal and the registry, group-committed by one writer thread."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from receiver.domain.models import (
    CallbackEvent,
    Cause,
    Change,
    Clock,
    Observation,
    RequestRecord,
    system_clock,
)
from receiver.domain.registry import Registry
from receiver.safetext import encodable_event
from receiver.store.commit import GroupCommitter, Pending, Work, apply_work
from receiver.store.disk.atomicdb import WriteFile, atomic_write
from receiver.store.disk.files import (
    JOURNAL_DIR,
    SNAPSHOT_NAME,
    StoreError,
    StoreLockedError,
    StoreStats,
    StoreWriteError,
    WriterLock,
    not_a_directory,
    refuse,
    writer_lock,
)
from receiver.store.entries import (
    Entry,
    callback_entry,
    reconcile_entry,
    replay_marker,
    request_entry,
)
from receiver.store.journal import Journal
from receiver.store.lookup import LOOKUP_NAME, EntryLookup
from receiver.store.nonces import NONCES_NAME, NonceIndex
from receiver.store.opening import fill
from receiver.store.reads import StoreReads
from receiver.store.snapshot import RegistryEncoder, Snapshotter
from receiver.store.unverified import DEFAULT_BUDGET, DEFAULT_LIMIT, UNVERIFIED_NAME, UnverifiedRing

__all__ = ["Store", "StoreError", "StoreLockedError", "StoreStats", "StoreWriteError"]

logger = logging.getLogger(__name__)

HEALTH_FAILING = "store: write failing — "
HEALTH_RECOVERED = "store: writes recovered"
"""Messages of the Changes (no event, request or resources) announcing a change of `healthy`."""


class Store(StoreReads):
    """Journal + registry in a directory. One writer process (flock); readers pass readonly=True.

    Async methods run on one event loop; commits happen on a single writer thread, so disk
    writes never block the loop. A readonly store is a view of the files as they were at open.
    The queries (recent, journal, find_entry, entries_for, stats, ...) are in StoreReads.
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
        unverified_limit: int = DEFAULT_LIMIT,
        unverified_budget: int = DEFAULT_BUDGET,
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
        self._subscribers: list[Callable[[Change], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._applied_seq = 0
        self._closed = False
        self._counts = {"commits": 0, "failed_commits": 0, "entries": 0, "replayed": 0}
        self._ring = UnverifiedRing(
            path / UNVERIFIED_NAME,
            limit=unverified_limit,
            budget=unverified_budget,
            write_file=write_file,
            clock=clock,
        )
        self._journal = Journal(path / JOURNAL_DIR, segment_size=1)
        self.nonces = NonceIndex(None if readonly else path / NONCES_NAME)
        self._lookup = EntryLookup(path / LOOKUP_NAME, readonly=readonly)
        self._committer = GroupCommitter(
            self._journal,
            on_commit=self._committed,
            on_fail=self._failed,
            after_write=self._index_batch,
        )
        self._index_writer = ThreadPoolExecutor(1, thread_name_prefix="tendlc-store-index")
        self._index_job: Future[None] | None = None
        self._encoder = RegistryEncoder()
        self._snapshots = Snapshotter(
            path / SNAPSHOT_NAME,
            state=lambda: (self._applied_seq, self._encoder.parts(self.registry)),
            prepare=lambda budget: self._encoder.step(self.registry, budget),
            position=lambda: self._applied_seq,
            source=lambda: self._encoder.source,
            keys=self._encoder.keys,
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
        unverified_limit: int = DEFAULT_LIMIT,
        unverified_budget: int = DEFAULT_BUDGET,
        lock: WriterLock | None = None,
    ) -> Store:
        """Open (or create) the store directory; sync. `write_file` replaces the atomic writer.

        `lock`: the writer lock, already taken by the caller (receiver/store/early.py); the
        store releases it on close, or at once if the open fails.

        `unverified_limit` / `unverified_budget`: how many refused callbacks (400/403) to keep,
        newest first, and how many encoded bytes they may take (memory and unverified.json);
        older ones are only counted, with their bytes (see receiver/unverified.py).
        """
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            if lock is not None:
                lock.release()
            raise StoreError(not_a_directory(path))
        if lock is None and not readonly:
            lock = writer_lock(path)
        write_file = write_file or atomic_write
        store = cls(
            path,
            clock=clock,
            readonly=readonly,
            write_file=write_file,
            lock=lock,
            snapshot_interval=snapshot_interval,
            unverified_limit=unverified_limit,
            unverified_budget=unverified_budget,
        )
        fill(store, segment_size=segment_size, recent_size=recent_size, write_file=write_file)
        try:
            store._loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        return store

    # -- recording ---------------------------------------------------------------------------

    async def record_callback(
        self, event: CallbackEvent, *, apply: bool, nonce_keys: tuple[bytes, ...] = ()
    ) -> Change:
        """Record a callback, apply it if `apply`, notify subscribers. Where it goes:

        - `event.replay_of` set (the same nonce and signature as an acknowledged callback):
          a small replay marker is journaled (durable on return), counted on the original
          (`replay_count`), never applied; the Change's event is the marker's view.
        - `event.http_status` 403 (failed verification) or 400 (undecodable): kept in the
          bounded unverified ring (`unverified()`), not in the journal, never applied;
          written lazily.
        - anything else (verified, or accepted without a token): journaled, durable on return;
          its `nonce_keys` are indexed in the same writer job (`nonces.first` sees them).

        Text that is not valid UTF-8 (header bytes >= 0x80, a JSON lone surrogate) is stored
        with each surrogate escaped (receiver/safetext.py), so it can neither fail its batch
        nor break a later render or export.
        """
        self._check_writable()
        event = encodable_event(event)  # surrogates from header bytes or JSON, escaped
        if event.replay_of:
            return await self._submit(replay_marker(event), Work(event=event))
        if event.http_status in (400, 403):
            return self._keep_unverified(event)
        work = Work(event=event, apply=apply, nonce_keys=tuple(nonce_keys))
        return await self._submit(callback_entry(event, applied=apply), work)

    def _keep_unverified(self, event: CallbackEvent) -> Change:
        loop = self._bind_loop()
        event = replace(event, seq=0)
        self._ring.add(event, loop)
        change = Change(Cause.CALLBACK, (), event=event)
        self._recent.append(event)
        self._notify(change)
        return change

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
        return await self._submit(entry, Work(record=record, callback_url=callback_url))

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
        work = Work(observations=list(observations), at=at)
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

    async def _submit(self, entry: dict[str, Any], work: Work) -> Change:
        return await self._committer.submit(self._bind_loop(), entry, work)

    def _failed(self, batch: list[Pending], exc: Exception) -> None:
        reason = (
            exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or repr(exc)
        )
        message = (
            f"could not write the journal in {self.path} ({reason}); {len(batch)} "
            "entries were not stored and were refused. Free disk space or fix permissions."
        )
        was_healthy = self.healthy
        self.healthy, self.last_error = False, message
        self._counts["failed_commits"] += 1
        for item in batch:
            if not item.future.done():
                item.future.set_exception(StoreWriteError(message))
        if was_healthy:
            logger.warning("store: write failing — %s", message)
            self._notify(Change(Cause.CALLBACK, (), message=f"{HEALTH_FAILING}{message}"))

    def _index_batch(self, batch: list[Pending], seqs: list[int]) -> None:
        """Writer thread, after the journal commit, before the batch settles: index it in
        memory (entries, nonces: `nonces.first` sees them from now on). Their SQLite writes
        run on a thread of their own (`_flush_indexes`), so no journal commit and no ack waits
        for an index's random B-tree pages."""
        self._lookup.add(zip((i.entry for i in batch), seqs, strict=True), flush=False)
        claims = [
            (w.nonce_keys, w.event.id) for w in (i.work for i in batch) if w.nonce_keys and w.event
        ]
        self.nonces.add(claims, seqs[-1] if seqs else 0, flush=False)

    def _flush_indexes(self) -> None:
        """Index thread: write what the indexes hold in memory, once enough has gathered; the
        journal's writer goes on meanwhile (SQLite releases the GIL while it writes)."""
        try:
            self._write_indexes()
        finally:
            self._index_job = None

    def _write_indexes(self) -> None:
        if self._lookup.due:
            try:
                self._lookup.flush()
            except OSError as exc:  # held in memory; the next open indexes them from the journal
                logger.error("store: %s", exc)
        if self.nonces.due:
            try:
                self.nonces.flush()
            except OSError as exc:  # the journal holds them: indexed again at the next open
                logger.error("store: %s; these nonces are held in memory until it recovers", exc)

    def _committed(self, batch: list[Pending], seqs: list[int]) -> None:
        if not self.healthy:
            self.healthy, self.last_error = True, None
            logger.warning("store: writes recovered in %s", self.path)
            self._notify(Change(Cause.CALLBACK, (), message=HEALTH_RECOVERED))
        self._counts["commits"] += 1
        self._counts["entries"] += len(batch)
        for item, seq in zip(batch, seqs, strict=True):
            self._applied_seq = seq
            try:
                change = apply_work(self.registry, item.work, seq)
            except Exception:  # the entry is durable; a registry bug must not lose the ack
                logger.debug("could not apply journal entry %s", seq, exc_info=True)
                change = Change(Cause.CALLBACK if item.work.event else Cause.REQUEST, ())
            stored = change.event or change.request
            if stored is not None:
                self._recent.append(stored)
            self._notify(change)
            if not item.future.done():
                item.future.set_result(change)
        if not self._closed and self._loop is not None:
            if (self._lookup.due or self.nonces.due) and self._index_job is None:
                self._index_job = self._index_writer.submit(self._flush_indexes)
            self._snapshots.soon(self._loop, self._applied_seq, self.registry.size())

    def _notify(self, change: Change) -> None:
        for fn in list(self._subscribers):
            try:
                fn(change)
            except Exception:  # a subscriber must not break the store
                logger.debug("store subscriber %r failed", fn, exc_info=True)

    # -- subscribing -------------------------------------------------------------------------

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

    # -- flushing and closing ----------------------------------------------------------------

    async def flush(self) -> None:
        """Wait for pending commits, then write the registry snapshot if it is behind."""
        self._bind_loop()
        await self._committer.drain()
        if not self.readonly and not self._closed:
            await self._snapshots.flush()
            await self._ring.flush()

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
                loop.call_soon_threadsafe(refuse, item.future)
        if not self.readonly:
            self._snapshots.shutdown()
            self._snapshots.write_now()
            self._ring.shutdown()
            self._ring.write_now()
        self._shutdown()

    def _shutdown(self) -> None:
        self._closed = True
        self._committer.shutdown()
        self._index_writer.shutdown(wait=True)  # an index write in flight ends first
        self._snapshots.shutdown()
        self._ring.shutdown()
        self.nonces.close()
        self._lookup.close()
        if self._lock is not None:
            self._lock.release()
