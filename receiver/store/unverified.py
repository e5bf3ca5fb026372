"""The unverified ring: the newest refused callbacks (400/403), kept apart from the journal.

A flood of forged, mis-signed or undecodable callbacks must not grow the store without bound,
so they never enter the append-only journal. The ring keeps the newest of them, at most
`limit` entries and at most `budget` bytes of encoded JSON (each refused body is already cut
to receiver.refused.RAW_CAP raw bytes), in memory and in `unverified.json` (a TinyDB
document, replaced atomically, so never larger than the budget plus a small header), and
counts how many older ones it let go and their bytes. Refusing one costs one bounded encode
and a deque append; the file is rewritten at most once per interval, whatever the flood. A 403 is not an acknowledgement (Plivo retries it), so the file is
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

from receiver.domain.models import CallbackEvent
from receiver.store.disk.atomicdb import (
    DamagedFileError,
    WriteFile,
    dump_encoded,
    encode,
    load_tables,
    move_aside,
)

logger = logging.getLogger(__name__)

UNVERIFIED_NAME = "unverified.json"
TABLE = "unverified"
META_TABLE = "meta"
DEFAULT_LIMIT = 1000
DEFAULT_BUDGET = 4 * 1024 * 1024  # bytes of encoded refused entries kept (memory and disk)


class UnverifiedRing:
    """Newest `limit` unverified callbacks plus a count of the older ones dropped."""

    def __init__(
        self,
        path: Path,
        *,
        limit: int = DEFAULT_LIMIT,
        budget: int = DEFAULT_BUDGET,
        write_file: WriteFile,
        clock: Any,
        interval: float = 0.5,
    ) -> None:
        if limit < 0:
            raise ValueError("the unverified limit must be 0 or more")
        self.path = path
        self.limit = limit
        self.budget = budget
        self.dropped = 0  # unverified callbacks let go since the store was created
        self.dropped_bytes = 0  # their encoded size
        self.size = 0  # encoded bytes of the kept entries
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
            dropped_bytes = int(meta.get("dropped_bytes", 0))
            events = [(doc_id, CallbackEvent.from_dict(doc)) for doc_id, doc in docs]
        except (DamagedFileError, ValueError, TypeError, KeyError) as exc:
            self.warnings.append(self._damaged(exc, readonly, now))
            return
        self.dropped = dropped
        self.dropped_bytes = dropped_bytes
        self._next_id = max((d for d, _ in events), default=0) + 1
        for doc_id, event in events:
            self._push(doc_id, event)
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
        self._push(self._next_id, event)
        self._next_id += 1
        self._trim()
        self._dirty = True
        if loop is not None and self._timer is None and self._running is None and not self._closed:
            self._timer = loop.call_later(self._interval, self._due, loop)

    def _push(self, doc_id: int, event: CallbackEvent) -> None:
        text = encode(event.to_dict())
        self._items.append((doc_id, event, text))
        self.size += _cost(doc_id, text)

    def _trim(self) -> None:
        while self._items and (len(self._items) > self.limit or self.size > self.budget):
            doc_id, _, text = self._items.popleft()
            cost = _cost(doc_id, text)
            self.size -= cost
            self.dropped += 1
            self.dropped_bytes += cost

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
        docs, meta = self._docs(), self._meta()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="tendlc-store-unverified")
        fut = loop.run_in_executor(self._executor, self._write, docs, meta)
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

    def _meta(self) -> dict[str, int]:
        return {
            "dropped": self.dropped,
            "dropped_bytes": self.dropped_bytes,
            "limit": self.limit,
            "budget": self.budget,
        }

    def _write(self, docs: list[tuple[str, str]], meta_doc: dict[str, int]) -> None:
        meta = [("1", encode(meta_doc))]
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
            self._write(self._docs(), self._meta())
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


def _cost(doc_id: int, text: str) -> int:
    """Bytes one entry takes in unverified.json: '"<id>":<json>,' (UTF-8)."""
    return len(text.encode("utf-8")) + len(str(doc_id)) + 4
