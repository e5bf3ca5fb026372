"""Forwarding: every accepted callback, once stored and acknowledged, re-sent to your handler(s).

Each forward carries the callback's method and fields, freshly signed for the target URL
(V2, Ma-V2, V3 with your tokens, receiver/resend.py), so the handler's own Plivo signature
check passes unchanged. A non-2xx answer or an unreachable handler is retried on Plivo's
schedule (+60 s, +120 s, +240 s: plivo-10dlc.md "Callbacks"), compressible with `scale`.

Forwarding never touches the ack path: it starts from the store's change notice, after the
200. The queue is bounded (MAX_PENDING forwards; beyond that a forward is recorded as
skipped, the callback stays in the journal for `tendlc replay`) and durable: `forwards.jsonl`
in the store directory logs each queued forward, attempt and outcome; at start it is folded
back, pending forwards resume, and journal entries newer than the last one queued are queued
(the log is not fsynced: the journal, fsynced before each 200, is what a crash cannot lose).
The first start on a store (no log yet) forwards only what arrives from `since` on: the
history stored before forwarding was turned on is not sent (`tendlc replay --to` sends one).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aiohttp

from receiver.domain.models import CallbackEvent, Cause, Change
from receiver.forward_log import (
    DELIVERED,
    FAILED,
    FORWARDS_NAME,
    PENDING,
    SKIPPED,
    Attempt,
    Forward,
    ForwardLog,
)
from receiver.resend import ReplayError, ReplayResult, replay
from receiver.safetext import printable

log = logging.getLogger(__name__)

PLIVO_RETRIES = (60.0, 120.0, 240.0)  # plivo-10dlc.md: no 200 -> retried at +60, +120, +240 s
MAX_PENDING = 10_000
KEEP_FINISHED = 1_000  # finished forwards whose attempts stay in memory (and in a compacted log)
BODY_CHARS = 200  # first characters of the handler's answer kept per attempt
ATTEMPT_TIMEOUT = 10.0
CONCURRENCY = 4

Send = Callable[[CallbackEvent, str], "asyncio.Future[ReplayResult] | Any"]


def forwardable(event: CallbackEvent | None) -> bool:
    """An accepted first copy: a 200 that is not a replay (refused callbacks never go on)."""
    return event is not None and event.http_status == 200 and not event.replay_of and event.seq > 0


class Forwarder:
    """Forwards a store's accepted callbacks to `targets`; `start()` on the store's loop."""

    def __init__(
        self,
        store: Any,
        targets: Iterable[str],
        *,
        token: str | None,
        main_token: str | None = None,
        clock: Callable[[], float] = time.time,
        scale: float = 1.0,
        max_pending: int = MAX_PENDING,
        send: Send | None = None,
        on_change: Callable[[Forward], None] | None = None,
        since: float | None = None,
        epoch: str | None = None,
    ) -> None:
        self.store = store
        self.targets = tuple(dict.fromkeys(t.strip() for t in targets if t.strip()))
        for target in self.targets:
            if not target.startswith(("http://", "https://")):
                raise ValueError(f"--forward-to must be an http:// or https:// URL: {target!r}")
        self.token, self.main_token = token, main_token
        self.clock = clock
        self.since = clock() if since is None else since  # see the module's docstring
        self.schedule = tuple(s * scale for s in PLIVO_RETRIES)
        self.max_pending = max_pending
        self._send = send
        self._listeners = [on_change] if on_change is not None else []
        self._pending: dict[tuple[str, str], Forward] = {}
        self._finished: OrderedDict[tuple[str, str], Forward] = OrderedDict()
        self._last_seq = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._due: list[tuple[float, int, tuple[str, str]]] = []  # a heap: (due, n, key)
        self._order = itertools.count()
        self._targets_kept = dict.fromkeys(self.targets)  # and those of finished forwards loaded
        self._session: aiohttp.ClientSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        path = getattr(store, "path", None)
        self.path = Path(path) / FORWARDS_NAME if path is not None else None
        self._log = ForwardLog(self.path) if self.path is not None else None
        self.epoch = epoch or os.urandom(4).hex()  # this run's: a mark of another run is stale
        self.moves = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Fold the log, queue what the journal holds beyond it, subscribe, start sending."""
        if self._log is not None and not self._log.exists():
            self._begin()
        self._load()
        for event in self._journal_after(self._last_seq):
            self._queue(event)
        self._unsubscribe = self.store.subscribe(self._changed)
        if self._send is None:
            timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT)
            self._session = aiohttp.ClientSession(timeout=timeout)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tendlc-forward")

    async def stop(self) -> None:
        """Stop sending (pending forwards stay in the log and resume at the next start)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = [t for t in (self._task, *self._inflight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._log is not None:
            self._log.close()

    # -- what the UI reads -------------------------------------------------------------------

    def for_event(self, event_id: str) -> list[Forward]:
        """The forwards of one callback (pending or among the newest finished), by target."""
        keys = [(event_id, target) for target in self._targets_kept]
        return [f for key in keys if (f := self._pending.get(key) or self._finished.get(key))]

    def listen(self, fn: Callable[[Forward], None]) -> Callable[[], None]:
        """Call `fn(forward)` on every queue, attempt and outcome (on the loop); unsubscribe."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    @property
    def mark(self) -> str:
        """Where the forwards' moves stand: `moved_since(mark)` is what moved after it."""
        return f"{self.epoch}:{self.moves}"

    def mark_of(self, fwd: Forward) -> str:
        return f"{self.epoch}:{fwd.moved}"

    def moved_since(self, mark: str) -> list[Forward]:
        """The forwards that moved after `mark`, oldest move first (every one still kept when
        the mark is another run's): what a console that was away has not seen."""
        epoch, _, count = mark.partition(":")
        after = int(count) if epoch == self.epoch and count.isdigit() else -1
        kept = [*self._finished.values(), *self._pending.values()]
        return sorted((f for f in kept if f.moved > after), key=lambda f: f.moved)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    # -- queueing ----------------------------------------------------------------------------

    def _changed(self, change: Change) -> None:
        if change.cause is Cause.CALLBACK and forwardable(change.event):
            assert change.event is not None
            self._queue(change.event)

    def _queue(self, event: CallbackEvent) -> None:
        self._last_seq = max(self._last_seq, event.seq)
        for target in self.targets:
            key = (event.id, target)
            if key in self._pending or key in self._finished:
                continue
            fwd = Forward(event.id, event.seq, target, event=event, due=self._now())
            if len(self._pending) >= self.max_pending:
                fwd.state, fwd.reason = SKIPPED, f"queue full ({self.max_pending} pending)"
                fwd.event = None
                self._write({"op": "skipped", "id": event.id, "seq": event.seq, "target": target})
                self._finish(fwd)
                continue
            self._pending[key] = fwd
            self._schedule(fwd)
            self._write({"op": "queued", "id": event.id, "seq": event.seq, "target": target})
            self._notify(fwd)
        self._wake.set()

    # -- sending -----------------------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _schedule(self, fwd: Forward) -> None:
        heapq.heappush(self._due, (fwd.due, next(self._order), (fwd.event_id, fwd.target)))

    async def _run(self) -> None:
        """Start the due attempts, up to CONCURRENCY at once; sleep until the next is due or
        something changes. Each wake costs O(log n) in the pending forwards, so a queue of
        thousands behind a dead handler costs ingest nothing per callback."""
        while True:
            self._wake.clear()
            now = self._now()
            while self._due and self._due[0][0] <= now and len(self._inflight) < CONCURRENCY:
                _, _, key = heapq.heappop(self._due)
                fwd = self._pending.get(key)
                if fwd is None:
                    continue
                task = asyncio.get_running_loop().create_task(self._attempt(fwd))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            delay = None  # woken when an attempt ends or a forward is queued
            if self._due and len(self._inflight) < CONCURRENCY:
                delay = max(0.0, self._due[0][0] - now)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass

    async def _attempt(self, fwd: Forward) -> None:
        try:
            event = fwd.event or self._lookup(fwd.event_id)
            if event is None:
                self._end(fwd, FAILED, "the callback is no longer in the store")
                return
            fwd.event = event
            started = self._now()
            at = self.clock()
            status, body, error = None, "", None
            try:
                result = await self._deliver(event, fwd.target)
                status, body = result.status, printable(result.body[:BODY_CHARS])
            except (ReplayError, OSError, ValueError) as exc:
                error = str(exc)
            except Exception as exc:  # noqa: BLE001 - counted as a failed attempt, retried
                log.warning("forwarding to %s failed", fwd.target, exc_info=True)
                error = f"{type(exc).__name__}: {exc}"
            ms = round((self._now() - started) * 1000, 1)
            attempt = Attempt(len(fwd.attempts) + 1, at, status, ms, body, error)
            fwd.attempts.append(attempt)
            self._write(
                {"op": "attempt", "id": fwd.event_id, "target": fwd.target, **asdict(attempt)}
            )
            if attempt.ok:
                self._end(fwd, DELIVERED, "")
            elif attempt.n > len(self.schedule):
                self._end(fwd, FAILED, f"no 2xx after {attempt.n} attempts")
            else:
                fwd.due = self._now() + self.schedule[attempt.n - 1]
                self._schedule(fwd)
                self._notify(fwd)
        finally:
            self._wake.set()

    async def _deliver(self, event: CallbackEvent, target: str) -> ReplayResult:
        if self._send is not None:
            return await self._send(event, target)
        return await replay(
            event, target, token=self.token, main_token=self.main_token, session=self._session
        )

    def _end(self, fwd: Forward, state: str, reason: str) -> None:
        fwd.state, fwd.reason = state, reason
        self._pending.pop((fwd.event_id, fwd.target), None)
        self._write({"op": state, "id": fwd.event_id, "target": fwd.target, "reason": reason})
        fwd.event = None
        self._finish(fwd)

    def _finish(self, fwd: Forward) -> None:
        self._finished[(fwd.event_id, fwd.target)] = fwd
        while len(self._finished) > KEEP_FINISHED:
            self._finished.popitem(last=False)
        self._notify(fwd)

    def _notify(self, fwd: Forward) -> None:
        self.moves += 1
        fwd.moved = self.moves
        for fn in list(self._listeners):
            try:
                fn(fwd)
            except Exception:  # noqa: BLE001 - a display hook must not stop forwarding
                log.debug("forward change hook failed", exc_info=True)

    # -- the store ---------------------------------------------------------------------------

    def _lookup(self, event_id: str) -> CallbackEvent | None:
        entry = self.store.find_entry(event_id) if hasattr(self.store, "find_entry") else None
        return entry if isinstance(entry, CallbackEvent) else None

    def _journal_after(self, seq: int) -> list[CallbackEvent]:
        if not hasattr(self.store, "journal") or self.path is None:
            return []
        try:
            return [
                e
                for e in self.store.journal(after_seq=seq)
                if isinstance(e, CallbackEvent) and forwardable(e)
            ]
        except Exception:  # noqa: BLE001 - a damaged journal must not stop the receiver
            log.warning("forwarding: could not read the journal after %s", seq, exc_info=True)
            return []

    def _begin(self) -> None:
        """A first start: the log begins at the journal's end, plus what came since `since`
        (callbacks acknowledged while this process loaded the store are already in it)."""
        seq = int(getattr(self.store, "last_seq", 0) or 0)
        recent = self.store.recent(limit=10**9) if hasattr(self.store, "recent") else []
        fresh = [
            e
            for e in recent
            if isinstance(e, CallbackEvent) and forwardable(e) and e.received_at >= self.since
        ]
        start = min([seq, *(e.seq - 1 for e in fresh)])
        self._write({"op": "from", "id": "", "target": "", "seq": start})

    # -- the log -----------------------------------------------------------------------------

    def _write(self, record: dict[str, Any]) -> None:
        if self._log is not None:
            self._log.write(record)

    def _load(self) -> None:
        if self._log is None:
            return
        last_seq, state, compact = self._log.read()
        self._last_seq = max(self._last_seq, last_seq)
        now = self._now()
        for key, fwd in state.items():
            if fwd.state == PENDING and key[1] in self.targets:
                fwd.due = now
                self._pending[key] = fwd
                self._schedule(fwd)
            elif fwd.state != PENDING:
                self._finished[key] = fwd
                self._targets_kept.setdefault(key[1])
        while len(self._finished) > KEEP_FINISHED:
            self._finished.popitem(last=False)
        if compact:
            self._log.compact(self._last_seq, [*self._finished.values(), *self._pending.values()])
