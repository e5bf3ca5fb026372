"""The unverified ring: the newest N callbacks that failed verification, kept apart from the journal.

A flood of forged or mis-signed callbacks (each answered 403) must not grow the store without
bound, so they never enter the append-only journal. The ring keeps the newest `limit` of them
in memory and in `unverified.json` (a TinyDB document, replaced atomically), and counts how
many older ones it let go. A 403 is not an acknowledgement (Plivo retries it), so the file is
written lazily, at most once per interval, on its own thread: a crash loses at most the last
interval's unverified callbacks, never an acknowledged one. Ring events have seq 0.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from receiver.atomicdb import (
    DamagedFileError,
    WriteFile,
    dump_encoded,
    encode,
    load_tables,
    move_aside,
)
from receiver.models import CallbackEvent

logger = logging.getLogger(__name__)

UNVERIFIED_NAME = "unverified.json"
TABLE = "unverified"
META_TABLE = "meta"
DEFAULT_LIMIT = 1000


class UnverifiedRing:
    """Newest `limit` unverified callbacks plus a count of the older ones dropped."""

    def __init__(
        self,
        path: Path,
        *,
        limit: int = DEFAULT_LIMIT,
        write_file: WriteFile,
        clock: Any,
        interval: float = 0.5,
    ) -> None:
        if limit < 0:
            raise ValueError("the unverified limit must be 0 or more")
        self.path = path
        self.limit = limit
        self.dropped = 0  # unverified callbacks let go since the store was created
        self.warnings: list[str] = []
        self.last_error: str | None = None
        self.writes = 0
        self._items: deque[tuple[int, CallbackEvent, str]] = deque()
        self._next_id = 1
        self._write_file = write_file
        self._clock = clock
        self._interval = interval
        self._dirty = False
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False

    # -- loading -----------------------------------------------------------------------------

    def load(self, *, readonly: bool, now: float) -> None:
        """Read unverified.json; a damaged file is moved aside (left alone when readonly)."""
        try:
            tables = load_tables(self.path) or {}
            docs = sorted((int(k), d) for k, d in tables.get(TABLE, {}).items())
            meta = tables.get(META_TABLE, {}).get("1", {})
            dropped = int(meta.get("dropped", 0))
            events = [(doc_id, CallbackEvent.from_dict(doc)) for doc_id, doc in docs]
        except (DamagedFileError, ValueError, TypeError, KeyError) as exc:
            self.warnings.append(self._damaged(exc, readonly, now))
            return
        self.dropped = dropped
        self._next_id = max((d for d, _ in events), default=0) + 1
        for doc_id, event in events:
            self._items.append((doc_id, event, encode(event.to_dict())))
        self._trim()

    def _damaged(self, exc: Exception, readonly: bool, now: float) -> str:
        if readonly:
            return f"{self.path.name} is damaged ({exc}); unverified callbacks are not shown."
        moved = move_aside(self.path, now)
        return (
            f"{self.path.name} was damaged ({exc}) and was moved to {moved.name}; the unverified "
            "callbacks it held are not shown (verified ones are in the journal, untouched)."
        )

    # -- recording (loop thread) -------------------------------------------------------------

    def add(self, event: CallbackEvent, loop: asyncio.AbstractEventLoop | None) -> None:
        """Keep `event` (dropping the oldest beyond the limit) and schedule a lazy write."""
        self._items.append((self._next_id, event, encode(event.to_dict())))
        self._next_id += 1
        self._trim()
        self._dirty = True
        if loop is not None and self._timer is None and self._running is None and not self._closed:
            self._timer = loop.call_later(self._interval, self._due, loop)

    def _trim(self) -> None:
        while len(self._items) > self.limit:
            self._items.popleft()
            self.dropped += 1

    def events(self) -> list[CallbackEvent]:
        """The kept unverified callbacks, oldest first."""
        return [event for _, event, _ in self._items]

    def find(self, event_id: str) -> CallbackEvent | None:
        return next((e for _, e, _ in self._items if e.id == event_id), None)

    def __len__(self) -> int:
        return len(self._items)

    # -- writing -----------------------------------------------------------------------------

    def _due(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        self.start(loop)

    def start(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None] | None:
        """Write the file now on the ring's thread (unless in flight or clean); returns its future."""
        if self._running is not None or not self._dirty or self._closed:
            return self._running
        self._dirty = False
        docs, dropped, limit = self._docs(), self.dropped, self.limit
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="tendlc-store-unverified")
        fut = loop.run_in_executor(self._executor, self._write, docs, dropped, limit)
        self._running = fut

        def done(f: asyncio.Future[None]) -> None:
            self._running = None
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:
                self._dirty = True  # try again with the next unverified callback or flush
                self.last_error = f"could not write {self.path.name}: {exc}"
                logger.debug(self.last_error)
            else:
                self.last_error = None
                self.writes += 1
            if self._dirty and self._timer is None and not self._closed and not loop.is_closed():
                self._timer = loop.call_later(self._interval, self._due, loop)

        fut.add_done_callback(done)
        return fut

    def _docs(self) -> list[tuple[str, str]]:
        return [(str(doc_id), text) for doc_id, _, text in self._items]

    def _write(self, docs: list[tuple[str, str]], dropped: int, limit: int) -> None:
        meta = [("1", encode({"dropped": dropped, "limit": limit}))]
        self._write_file(self.path, dump_encoded({TABLE: docs, META_TABLE: meta}))

    async def flush(self) -> None:
        """Wait for a write in flight, then write now if anything is new."""
        loop = asyncio.get_running_loop()
        if self._running is not None:
            await asyncio.wait([self._running])
        fut = self.start(loop)
        if fut is not None:
            await asyncio.wait([fut])

    def write_now(self) -> None:
        """Synchronous write (close without a loop); a failure is kept in last_error."""
        if not self._dirty:
            return
        try:
            self._write(self._docs(), self.dropped, self.limit)
        except OSError as exc:
            self.last_error = f"could not write {self.path.name}: {exc}"
            return
        self._dirty = False
        self.writes += 1

    def shutdown(self) -> None:
        """Stop scheduling writes and wait for the one in flight (call write_now after, if wanted)."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
