"""Feeding the callbacks acknowledged while the store opened (receiver/store/early.py) into it.

Once the store is open, the receiver records each of them, in arrival order, through its
normal path (`record(event, nonce_keys)`: a nonce already accepted makes a copy a replay
marker), and callbacks that arrive meanwhile wait for the feed so arrival order is kept. The
early journal goes once all of it is in the main journal; else it stays for the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from receiver.store.early import leftover_early

if TYPE_CHECKING:
    from receiver.domain.models import CallbackEvent
    from receiver.http.opening import StoreOpening
    from receiver.store.early import EarlyJournal
    from receiver.store.store import Store

log = logging.getLogger("tendlc.receiver")

Record = Callable[["CallbackEvent", tuple[bytes, ...]], Awaitable[web.Response]]


class EarlyFeed:
    """The feed of one receiver: found when its store opens, run once its loop runs."""

    def __init__(self, record: Record) -> None:
        self._record = record
        self._found: tuple[EarlyJournal, Store] | None = None
        self._task: asyncio.Task[None] | None = None

    def found(self, opening: StoreOpening, store: Store) -> None:
        """The store is open: take its opening's early journal, or one an earlier run left;
        start feeding now if a loop runs, else at `start()` (a store opened before the loop)."""
        early = opening.early
        if early is None and getattr(store, "readonly", True) is False:
            early = leftover_early(store)  # a run that stopped before feeding them in
        if early is None:
            return
        self._found = (early, store)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.start()

    def start(self) -> None:
        """Start feeding what was found (on the loop); idempotent."""
        if self._found is not None and self._task is None:
            early, store = self._found
            self._found = None
            self._task = asyncio.get_running_loop().create_task(self._feed(early, store))

    async def done(self) -> None:
        """Wait until what was found is fed (nothing to wait for if there was none)."""
        if self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _feed(self, early: EarlyJournal, store: Store) -> None:
        kept = await early.take()
        fresh = [item for item in kept if store.find_entry(item.event.id) is None]
        records = [asyncio.ensure_future(self._record(i.event, i.nonce_keys)) for i in fresh]
        answers = await asyncio.gather(*records, return_exceptions=True)
        failed = [a for a in answers if not isinstance(a, web.Response) or a.status != 200]
        if failed:
            log.error(
                "%d of %d callbacks acknowledged while the store opened are not in the journal "
                "yet; they stay in %s for the next start",
                len(failed), len(fresh), early.directory,
            )  # fmt: skip
            early.shutdown()
            return
        if kept:
            log.info("%d callbacks acknowledged while the store opened are recorded", len(fresh))
        early.remove()
