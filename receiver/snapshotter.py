"""Lazy registry snapshots: registry.json rewritten at most once per interval, off the ack path."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from receiver.atomicdb import WriteFile
from receiver.storefiles import write_snapshot

logger = logging.getLogger(__name__)


class Snapshotter:
    """Writes the registry (as of a journal position) on its own thread, so commits never wait.

    `state()` runs on the loop thread and returns (seq, registry data) for a consistent view.
    """

    def __init__(
        self,
        path: Path,
        *,
        state: Callable[[], tuple[int, dict[str, Any]]],
        clock: Callable[[], float],
        write_file: WriteFile,
        interval: float,
        seq: int = 0,
    ) -> None:
        self.path = path
        self.seq = seq  # journal position the file on disk covers
        self.count = 0  # snapshots written since open
        self.last_error: str | None = None
        self._state = state
        self._clock = clock
        self._write_file = write_file
        self._interval = interval
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[int] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tendlc-store-snapshot")

    def soon(self, loop: asyncio.AbstractEventLoop, applied_seq: int) -> None:
        """Schedule a snapshot `interval` seconds from now unless one is already scheduled."""
        if self._timer is None and applied_seq > self.seq:
            self._timer = loop.call_later(self._interval, self._due, loop)

    def _due(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        self.start(loop)

    def start(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[int] | None:
        """Start writing now (unless one is in flight or nothing is new); returns its future."""
        if self._running is not None:
            return self._running
        seq, data = self._state()
        if seq <= self.seq:
            return None
        fut = loop.run_in_executor(
            self._executor, write_snapshot, self.path, seq, data, self._clock(), self._write_file
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
        fut = self.start(loop)
        if fut is not None:
            await asyncio.wait([fut])

    def write_now(self) -> None:
        """Synchronous snapshot (open, close_sync); a failure is kept in last_error."""
        seq, data = self._state()
        if seq <= self.seq:
            return
        try:
            write_snapshot(self.path, seq, data, self._clock(), self._write_file)
        except OSError as exc:
            self.last_error = f"registry snapshot failed: {exc}"
            return
        self.seq = seq
        self.count += 1

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._executor.shutdown(wait=True)
