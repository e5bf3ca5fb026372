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
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from receiver.domain.models import CallbackEvent, Cause, Change
from receiver.resend import ReplayError, ReplayResult, replay
from receiver.safetext import printable

log = logging.getLogger(__name__)

FORWARDS_NAME = "forwards.jsonl"
PLIVO_RETRIES = (60.0, 120.0, 240.0)  # plivo-10dlc.md: no 200 -> retried at +60, +120, +240 s
MAX_PENDING = 10_000
KEEP_FINISHED = 1_000  # finished forwards whose attempts stay in memory (and in a compacted log)
COMPACT_BYTES = 8 * 1024 * 1024
BODY_CHARS = 200  # first characters of the handler's answer kept per attempt
ATTEMPT_TIMEOUT = 10.0
CONCURRENCY = 4

PENDING, DELIVERED, FAILED, SKIPPED = "pending", "delivered", "failed", "skipped"

Send = Callable[[CallbackEvent, str], "asyncio.Future[ReplayResult] | Any"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try: what the handler answered (status, first bytes) or why it could not be reached."""

    n: int
    at: float
    status: int | None
    ms: float
    body: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def line(self) -> str:
        what = f"HTTP {self.status}" if self.status is not None else f"unreachable: {self.error}"
        return f"attempt {self.n}: {what} in {self.ms:.0f} ms"


@dataclass(slots=True)
class Forward:
    """One callback to one target, and its attempts so far."""

    event_id: str
    seq: int
    target: str
    state: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    reason: str = ""
    event: CallbackEvent | None = None
    due: float = 0.0

    def view(self) -> dict[str, Any]:
        """What `tendlc receive` prints and the console shows."""
        return {
            "event_id": self.event_id,
            "target": self.target,
            "state": self.state,
            "reason": self.reason,
            "attempts": [asdict(a) for a in self.attempts],
        }

    @classmethod
    def from_view(cls, data: dict[str, Any]) -> Forward:
        """Inverse of view() (what an attached console gets from the server's API)."""
        attempts = [Attempt(**a) for a in data.get("attempts") or ()]
        return cls(str(data["event_id"]), 0, str(data["target"]), str(data["state"]), attempts,
                   str(data.get("reason") or ""))  # fmt: skip


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
    ) -> None:
        self.store = store
        self.targets = tuple(dict.fromkeys(t.strip() for t in targets if t.strip()))
        for target in self.targets:
            if not target.startswith(("http://", "https://")):
                raise ValueError(f"--forward-to must be an http:// or https:// URL: {target!r}")
        self.token, self.main_token = token, main_token
        self.clock = clock
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
        self._busy: list[Forward] = []  # forwards with an attempt in flight
        self._session: aiohttp.ClientSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        path = getattr(store, "path", None)
        self.path = Path(path) / FORWARDS_NAME if path is not None else None
        self._log_failed = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Fold the log, queue what the journal holds beyond it, subscribe, start sending."""
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

    # -- what the UI reads -------------------------------------------------------------------

    def for_event(self, event_id: str) -> list[Forward]:
        """The forwards of one callback (pending or among the newest finished)."""
        found = [f for (eid, _), f in self._pending.items() if eid == event_id]
        found += [f for (eid, _), f in self._finished.items() if eid == event_id]
        return found

    def listen(self, fn: Callable[[Forward], None]) -> Callable[[], None]:
        """Call `fn(forward)` on every queue, attempt and outcome (on the loop); unsubscribe."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

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
            self._write({"op": "queued", "id": event.id, "seq": event.seq, "target": target})
            self._notify(fwd)
        self._wake.set()

    # -- sending -----------------------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = self._now()
            busy = {(f.event_id, f.target) for f in self._busy}
            due = [f for k, f in self._pending.items() if f.due <= now and k not in busy]
            for fwd in due[: max(0, CONCURRENCY - len(self._inflight))]:
                self._busy.append(fwd)
                task = asyncio.get_running_loop().create_task(self._attempt(fwd))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            later = [f.due for k, f in self._pending.items() if f.due > now and k not in busy]
            delay = min(later) - now if later else None
            if due and len(self._inflight) >= CONCURRENCY:
                delay = None  # woken when an attempt ends
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
                self._notify(fwd)
        finally:
            if fwd in self._busy:
                self._busy.remove(fwd)
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

    # -- the log -----------------------------------------------------------------------------

    def _write(self, record: dict[str, Any]) -> None:
        if self.path is None:
            return
        line = json.dumps(record, ensure_ascii=True) + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("ascii"))
            finally:
                os.close(fd)
            self._log_failed = False
        except OSError as exc:  # the journal still holds the callback: queued again at start
            if not self._log_failed:
                log.error("forwarding: cannot write %s (%s); forwards continue", self.path, exc)
            self._log_failed = True

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            text = self.path.read_text("ascii", errors="replace")
        except OSError as exc:
            log.error("forwarding: cannot read %s (%s)", self.path, exc)
            return
        state: dict[tuple[str, str], Forward] = {}
        for raw in text.splitlines():
            try:
                rec = json.loads(raw)
                key = (str(rec["id"]), str(rec["target"]))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line
            op = rec.get("op")
            if op in ("queued", "skipped"):
                seq = int(rec.get("seq") or 0)
                self._last_seq = max(self._last_seq, seq)
                state[key] = Forward(key[0], seq, key[1], PENDING if op == "queued" else SKIPPED)
            elif key in state and op == "attempt":
                fields = {k: rec.get(k) for k in ("n", "at", "status", "ms", "body", "error")}
                state[key].attempts.append(Attempt(**fields))
            elif key in state and op in (DELIVERED, FAILED):
                state[key].state, state[key].reason = op, str(rec.get("reason") or "")
        now = self._now()
        for key, fwd in state.items():
            if fwd.state == PENDING and key[1] in self.targets:
                fwd.due = now
                self._pending[key] = fwd
            elif fwd.state != PENDING:
                self._finished[key] = fwd
        while len(self._finished) > KEEP_FINISHED:
            self._finished.popitem(last=False)
        if len(text) > COMPACT_BYTES:
            self._compact()

    def _compact(self) -> None:
        assert self.path is not None
        lines = []
        for fwd in [*self._finished.values(), *self._pending.values()]:
            op = "skipped" if fwd.state == SKIPPED else "queued"
            base = {"id": fwd.event_id, "target": fwd.target}
            lines.append({"op": op, "seq": fwd.seq, **base})
            lines += [{"op": "attempt", **base, **asdict(a)} for a in fwd.attempts]
            if fwd.state in (DELIVERED, FAILED):
                lines.append({"op": fwd.state, **base, "reason": fwd.reason})
        tmp = self.path.with_suffix(".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.writelines(json.dumps(r, ensure_ascii=True) + "\n" for r in lines)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("forwarding: could not compact %s (%s)", self.path, exc)
