"""Lazy registry snapshots: registry.json rewritten at most once per interval, off the ack path.

The registry is encoded incrementally: each resource's JSON text is kept and re-encoded only
when the registry reports it touched, so a snapshot costs the loop time in proportion to what
changed, and the writer thread only joins ready-made text (no long GIL hold as history grows).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from receiver.domain.models import Resource
from receiver.domain.registry import Registry
from receiver.domain.resource_map import TextSource
from receiver.store.disk.atomicdb import WriteFile, encode
from receiver.store.disk.files import write_snapshot_parts

logger = logging.getLogger(__name__)


STEP = 250
"""Resources re-encoded per loop turn while a snapshot is prepared (a few ms at most)."""

TAIL_SHARE = 4
"""A lazy snapshot waits until the journal tail it would cover reaches 1/TAIL_SHARE of the
registry's size: replaying that tail at open stays cheap, and the bytes snapshots write per
callback stay constant as the registry grows (a full rewrite per second would not)."""


QUIET_MAX = 0.5
"""A due snapshot waits until no commit has landed for min(interval, QUIET_MAX) seconds: its big
write and fsync then never queue behind (or ahead of) the journal's fsyncs during a burst."""

MAX_DEFER = 30.0
"""…but never longer than this under sustained traffic, so the journal tail stays bounded."""


class RegistryEncoder:
    """The JSON text of each resource of a registry, refreshed for the resources it marks touched."""

    def __init__(self) -> None:
        self._registry: Registry | None = None
        self._texts: dict[Any, str | int] = {}  # an int: the text's index in `source`
        self.source: TextSource | None = None
        self._todo: deque[Any] = deque()

    def step(self, registry: Registry, budget: int | None) -> bool:
        """Re-encode up to `budget` touched resources (None: all); True once none is left.

        A resource touched again after it was encoded is caught by the final take_dirty(), so
        when this returns True every text matches the registry as it is now (loop thread only).
        """
        if registry is not self._registry:  # a new registry (e.g. loaded at open): encode all
            self._registry = registry
            registry.take_dirty()
            self._todo.clear()
            data = registry.item_data  # a resource not built since it was read: its text as is
            self.source = registry.text_source  # …or where it lies in the file (an index)
            self._texts = {
                key: encode(data(key)) if isinstance(held, Resource) else held
                for key, held in registry.held_items()
            }
            return True
        todo, texts = self._todo, self._texts
        todo.extend(registry.take_dirty())
        while True:
            n = len(todo) if budget is None else min(budget, len(todo))
            for _ in range(n):
                key = todo.popleft()
                texts[key] = encode(registry.item_data(key))
            more = registry.take_dirty()
            if not more and not todo:
                return True
            todo.extend(more)
            if budget is not None and len(todo) > budget:
                return False
            budget = None  # what is left fits in this turn

    def parts(self, registry: Registry) -> list[str | int]:
        """One JSON text per resource (or its index in `source`, unchanged since open), in the
        registry's order, all current (loop thread only)."""
        self.step(registry, None)
        return list(self._texts.values())

    def keys(self) -> list[Any]:
        """The key of each text `parts` gave, in the same order (right after it, loop thread)."""
        return list(self._texts)


class Snapshotter:
    """Writes the registry (as of a journal position) on its own thread, so commits never wait.

    `state()` runs on the loop thread and returns (seq, JSON text per resource) for a
    consistent view (see RegistryEncoder).
    """

    def __init__(
        self,
        path: Path,
        *,
        state: Callable[[], tuple[int, list[str]]],
        clock: Callable[[], float],
        write_file: WriteFile,
        interval: float,
        seq: int = 0,
        prepare: Callable[[int | None], bool] | None = None,
        position: Callable[[], int] | None = None,
        source: Callable[[], TextSource | None] = lambda: None,
        keys: Callable[[], list[Any]] | None = None,
    ) -> None:
        self.path = path
        self.seq = seq  # journal position the file on disk covers
        self.count = 0  # snapshots written since open
        self.last_error: str | None = None
        self._state = state
        self._prepare = prepare  # prepare(budget) -> ready: spreads the encoding over loop turns
        self._position = position  # the journal position state() would report, cheaply
        self._source = source  # where state()'s int parts are read from
        self._keys = keys  # the key of each of state()'s parts: registry.keys is written too
        self._stepping: asyncio.Handle | None = None
        self._clock = clock
        self._write_file = write_file
        self._interval = interval
        self._timer: asyncio.TimerHandle | None = None
        self._last_activity = 0.0  # loop time of the latest commit we were told about
        self._waiting_since: float | None = None  # loop time the pending snapshot fell due
        self._running: asyncio.Future[int] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tendlc-store-snapshot")

    def soon(self, loop: asyncio.AbstractEventLoop, applied_seq: int, size: int = 0) -> None:
        """Schedule a snapshot `interval` seconds from now unless one is already scheduled,
        once the entries since the last one are worth it for a registry of `size` resources."""
        self._last_activity = loop.time()
        tail = applied_seq - self.seq
        if self._timer is None and tail > 0 and tail * TAIL_SHARE >= size:
            self._timer = loop.call_later(self._interval, self._due, loop)

    def _step(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stepping = None
        self.start(loop)

    def _due(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        if self._waiting_since is None:
            self._waiting_since = now
        quiet = min(self._interval, QUIET_MAX)
        busy = now - self._last_activity < quiet
        if busy and now - self._waiting_since < MAX_DEFER:
            self._timer = loop.call_later(quiet, self._due, loop)
            return
        self._waiting_since = None
        self.start(loop)

    def start(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[int] | None:
        """Start writing now (unless one is in flight or nothing is new); returns its future."""
        if self._running is not None:
            return self._running
        if self._prepare is not None and not self._prepare(STEP):
            if self._stepping is None:
                self._stepping = loop.call_soon(self._step, loop)
            return None
        seq, parts = self._state()
        if seq <= self.seq:
            return None
        keys = self._keys() if self._keys is not None else None
        fut = loop.run_in_executor(
            self._executor,
            partial(
                write_snapshot_parts,
                self.path,
                seq,
                parts,
                self._clock(),
                self._write_file,
                self._source(),
                keys=keys,
            ),
        )
        self._running = fut

        def done(f: asyncio.Future[int]) -> None:
            self._running = None
            if f.cancelled():
                return
            exc = f.exception()
            if exc is None:
                self.seq = max(self.seq, seq)
                self.count += 1
                self.last_error = None
            else:
                self.last_error = f"registry snapshot failed: {exc}"
                logger.debug(self.last_error)

        fut.add_done_callback(done)
        return fut

    async def flush(self) -> None:
        """Wait for a snapshot in flight, then write one if the registry moved past it."""
        loop = asyncio.get_running_loop()
        if self._running is not None:
            await asyncio.wait([self._running])
        if self._position is not None and self._position() <= self.seq:
            return  # nothing new since the file on disk: no encoding, no write
        if self._prepare is not None:
            self._prepare(None)
        fut = self.start(loop)
        if fut is not None:
            await asyncio.wait([fut])

    def write_now(self) -> None:
        """Synchronous snapshot (open, close_sync); a failure is kept in last_error."""
        if self._position is not None and self._position() <= self.seq:
            return  # nothing new: spares open the first encoding pass over every resource
        seq, parts = self._state()
        if seq <= self.seq:
            return
        keys = self._keys() if self._keys is not None else None
        try:
            write_snapshot_parts(
                self.path, seq, parts, self._clock(), self._write_file, self._source(), keys=keys
            )
        except OSError as exc:
            self.last_error = f"registry snapshot failed: {exc}"
            return
        self.seq = seq
        self.count += 1

    def shutdown(self) -> None:
        if self._stepping is not None:
            self._stepping.cancel()
            self._stepping = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._executor.shutdown(wait=True)
