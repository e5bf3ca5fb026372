"""Callbacks acknowledged while the registry loads: a small journal of their own, fed in later.

Opening a store of 200k resources takes over a second (receiver/store/opening.py). The
receiver binds first; a verified callback that arrives meanwhile is appended here, durable
before its 200, exactly as the main journal would hold it (the same TinyDB segments, group
commit and tail repair: receiver/store/journal.py), with the nonce keys it was signed with.

Once the store is open the receiver feeds these callbacks, in arrival order, through its
normal path (receiver/http/server.py): a nonce already accepted makes a copy a replay marker,
never a second apply, so a replay sent during the load changes no badge. Then the directory
is removed. A crash before that leaves it for the next open, which feeds what the main journal
does not already hold (by event id) and skips the rest.

Only the writer opens it: it is created after the store's writer lock is taken
(`open_staged`), and no reader looks at it.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from receiver.domain.models import CallbackEvent, Clock
from receiver.store.commit import GroupCommitter, Pending
from receiver.store.disk.files import (
    StoreError,
    StoreWriteError,
    make_private,
    not_a_directory,
    writer_lock,
)
from receiver.store.entries import callback_entry, entry_object
from receiver.store.journal import Journal

if TYPE_CHECKING:
    from receiver.store.store import Store

log = logging.getLogger(__name__)

EARLY_DIR = "early"
"""The directory, inside the store, of callbacks acknowledged while the store was opening."""

SEGMENT_SIZE = 256


@dataclass(frozen=True, slots=True)
class Early:
    """One callback acknowledged during the load, with the nonce keys it was verified by."""

    event: CallbackEvent
    nonce_keys: tuple[bytes, ...]


class EarlyJournal:
    """Appends acknowledged callbacks on a writer thread of its own; loop methods only."""

    def __init__(self, journal: Journal, kept: list[Early]) -> None:
        self.directory = journal.directory
        self._journal = journal
        self._kept = kept  # from a run that crashed before feeding them, then this run's
        self._committer = GroupCommitter(journal, on_commit=self._committed, on_fail=self._failed)
        self._closed = False

    @classmethod
    def open(cls, directory: Path, *, now: float) -> EarlyJournal:
        """Open (or create) the directory; what an earlier run left is kept for `drain`."""
        directory.mkdir(mode=0o700, exist_ok=True)
        make_private(directory)
        kept: list[Early] = []

        def visit(entry: dict[str, Any]) -> None:
            if (early := _early(entry)) is not None:
                kept.append(early)

        journal = Journal.open(
            directory, segment_size=SEGMENT_SIZE, readonly=False, now=now, visit=visit
        )
        for warning in journal.warnings:
            log.warning("%s", warning)
        return cls(journal, kept)

    @property
    def count(self) -> int:
        """How many callbacks it holds (not a __len__: an empty one must not be falsy)."""
        return len(self._kept)

    @property
    def closed(self) -> bool:
        return self._closed

    async def add(self, event: CallbackEvent, nonce_keys: tuple[bytes, ...]) -> bool:
        """Append `event`; True once it is on disk, False if the store is open by now (record
        it there). StoreWriteError if it could not be written."""
        if self._closed:
            return False
        entry = callback_entry(event, applied=True)
        entry["nonce_keys"] = [k.hex() for k in nonce_keys]
        loop = asyncio.get_running_loop()
        await self._committer.submit(loop, entry, Early(event, nonce_keys))
        return True

    async def take(self) -> list[Early]:
        """Stop appending (after what is in flight) and return every kept callback, oldest first."""
        self._closed = True
        await self._committer.drain()
        kept, self._kept = self._kept, []
        return kept

    def remove(self) -> None:
        """Delete the directory once its callbacks are in the main journal."""
        self._closed = True
        self._committer.shutdown()
        shutil.rmtree(self.directory, ignore_errors=True)

    def shutdown(self) -> None:
        """Stop the writer thread; the directory stays for the next open to feed."""
        self._closed = True
        self._committer.shutdown()

    def _committed(self, batch: list[Pending], seqs: list[int]) -> None:
        for item in batch:
            self._kept.append(item.work)
            if not item.future.done():
                item.future.set_result(None)

    def _failed(self, batch: list[Pending], exc: Exception) -> None:
        message = f"could not write {self.directory} ({exc}); the callback was not stored"
        for item in batch:
            if not item.future.done():
                item.future.set_exception(StoreWriteError(message))


def _early(entry: dict[str, Any]) -> Early | None:
    event = entry_object({**entry, "seq": 0})
    if not isinstance(event, CallbackEvent):
        return None
    try:
        keys = tuple(bytes.fromhex(k) for k in entry.get("nonce_keys") or ())
    except (TypeError, ValueError):
        keys = ()
    return Early(event, keys)


def leftover_early(store: Store) -> EarlyJournal | None:
    """The early journal an earlier run of this store left (it stopped before feeding it in),
    opened by the store's writer; None if there is none."""
    directory = Path(store.path) / EARLY_DIR
    if not directory.is_dir():
        return None
    try:
        return EarlyJournal.open(directory, now=store._clock())
    except OSError as exc:
        log.error("cannot read %s: %s; its callbacks stay there", directory, exc)
        return None


def open_staged(
    path: Path,
    *,
    clock: Clock,
    on_early: Callable[[EarlyJournal], None],
    open_store: Callable[..., Store],
) -> Store:
    """Take the writer lock, open the early journal and hand it to `on_early` (from this
    thread), then open the store under the same lock: `open_store(path, clock=, lock=)`."""
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise StoreError(not_a_directory(path))
    lock = writer_lock(path)
    try:
        early = EarlyJournal.open(path / EARLY_DIR, now=clock())
    except BaseException:
        lock.release()
        raise
    on_early(early)
    try:
        return open_store(path, clock=clock, lock=lock)
    except BaseException:
        early.shutdown()
        raise
