"""A store opened on a thread of its own, so the receiver can bind and answer while it loads.

Opening a large store takes seconds (it reads the registry snapshot and the journal tail);
a receiver that binds only afterwards refuses every callback meanwhile. `StoreOpening` runs
the opener on a thread and lets the loop wait for the result with a bound. The loop learns
the outcome in one step, on the loop thread: the `on_ready` hooks run first (the receiver's
nonce index, a subscriber printing events), then every waiter resumes, so no callback is
recorded before they are in place.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web

from receiver.store.disk.files import StoreError

if TYPE_CHECKING:
    from receiver.domain.models import Clock
    from receiver.store.early import EarlyJournal
    from receiver.store.store import Store

log = logging.getLogger(__name__)

State = Literal["loading", "ready", "failed"]


class StoreNotReady(StoreError):
    """The store is still opening, or could not be opened; the message says which."""


def describe(exc: BaseException) -> str:
    """A one-line reason for a failed open (a StoreError's message says what to do)."""
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, OSError):
        return str(exc.strerror or exc)
    return f"{type(exc).__name__}: {exc}"


class StoreOpening:
    """The store `opener()` returns, opened on a thread once `start()` is called on the loop."""

    def __init__(self, opener: Callable[[], Store]) -> None:
        self._opener = opener
        self._result: concurrent.futures.Future[Store] = concurrent.futures.Future()
        self._result.set_running_or_notify_cancel()  # from now on it cannot be cancelled
        self._thread: threading.Thread | None = None
        self._hooks: list[Callable[[Store], None]] = []
        self._waiter: asyncio.Future[None] | None = None
        self._settled = False
        self.store: Store | None = None
        self.error: BaseException | None = None
        self.seconds: float | None = None  # how long the open took
        self.early: EarlyJournal | None = None  # set by the open thread (receiver/store/early.py)
        self._early_hooks: list[Callable[[EarlyJournal], None]] = []
        self._staged = False
        self._early_seen: asyncio.Event | None = None  # set once early is, or the open is over
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def staged(
        cls,
        path: Path,
        *,
        clock: Clock | None = None,
        open_store: Callable[..., Store] | None = None,
        **options: Any,
    ) -> StoreOpening:
        """Open the store at `path` in two stages: the writer lock and the early journal first
        (callbacks are acknowledged from then on), then the registry with
        `open_store(path, clock=, lock=)` (default Store.open with `options`)."""
        from receiver.domain.models import system_clock
        from receiver.store.early import open_staged
        from receiver.store.store import Store

        def default_open(path: Path, **kwargs: Any) -> Store:
            return Store.open(path, **kwargs, **options)

        def opener() -> Store:
            return open_staged(
                path,
                clock=clock or system_clock,
                on_early=on_early,
                open_store=open_store or default_open,
            )

        def on_early(early: EarlyJournal) -> None:
            opening.early = early
            opening._early_ready()

        opening = cls(opener)
        opening._staged = True
        return opening

    @classmethod
    def ready(cls, store: Store) -> StoreOpening:
        """An opening that is already over: `store` is open."""
        opening = cls(lambda: store)
        opening._result.set_result(store)
        opening._settled, opening.store, opening.seconds = True, store, 0.0
        return opening

    @property
    def state(self) -> State:
        """What the loop knows: "loading" until the outcome reached it, then "ready" or "failed"."""
        if not self._settled:
            return "loading"
        return "failed" if self.error is not None else "ready"

    @property
    def problem(self) -> str | None:
        """Why the open failed, or None."""
        return describe(self.error) if self.error is not None else None

    def start(self) -> StoreOpening:
        """Start opening; idempotent, returns self. Called on a loop, that loop is the one told
        the outcome; called before any loop runs, call it again on the loop (Receiver.start)."""
        if self._settled:
            return self
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            self._watch()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tendlc-store-open", daemon=True)
            self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> Store | None:
        """From any thread, before or without a loop: wait up to `timeout` seconds; the store if
        it is open, None if it is still loading. Raises what the open raised."""
        try:
            return self._result.result(timeout)
        except TimeoutError:
            return None

    def on_ready(self, fn: Callable[[Store], None]) -> None:
        """Call `fn(store)` on the loop once the store is open, before any waiter resumes."""
        if self._settled:
            if self.store is not None:
                fn(self.store)
            return
        self._hooks.append(fn)

    def on_early(self, fn: Callable[[EarlyJournal], None]) -> None:
        """Call `fn(early)` on the loop once callbacks can be acknowledged (a staged opening
        only, before the store is open); never if the store opens without that stage."""
        if self.early is not None:  # already: call it now, unless the store is open too
            if not self._settled:
                fn(self.early)
            return
        self._early_hooks.append(fn)

    async def early_journal(self) -> EarlyJournal | None:
        """While a staged opening loads: its early journal, once open (waiting for that first
        stage if need be). None once the store is open, or for an opening without the stage."""
        if not self._staged or self._settled or self._thread is None:
            return None
        if self.early is None:
            if self._early_seen is None:
                self._early_seen = asyncio.Event()
            await self._early_seen.wait()
        return None if self._settled else self.early

    def _early_ready(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._run_early_hooks)
        except RuntimeError:  # the loop is closed
            pass

    def _run_early_hooks(self) -> None:
        if self._early_seen is not None:
            self._early_seen.set()
        if self.early is None or self._settled:
            return
        for fn in self._early_hooks:
            try:
                fn(self.early)
            except Exception:
                log.exception("an early-journal hook failed")

    async def wait(self, timeout: float | None = None) -> Store:
        """The open store; StoreNotReady if it is not open within `timeout` seconds, or failed."""
        if not self._settled:
            if self._thread is None:
                raise StoreNotReady("the store is not being opened")
            try:
                await asyncio.wait_for(asyncio.shield(self._watch()), timeout)
            except TimeoutError:
                raise StoreNotReady(f"the store is still opening after {timeout:g} s") from None
        if self.error is not None:
            raise StoreNotReady(f"the store could not be opened: {self.problem}")
        assert self.store is not None
        return self.store

    async def settled(self) -> State:
        """Wait, without a bound, until the open is over; returns "ready" or "failed"."""
        if not self._settled and self._thread is not None:
            await asyncio.shield(self._watch())
        return self.state

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            store = self._opener()
        except BaseException as exc:  # noqa: BLE001 - handed to the loop, which reports it
            self.seconds = time.perf_counter() - started
            self._result.set_exception(exc)
        else:
            self.seconds = time.perf_counter() - started
            self._result.set_result(store)

    def _watch(self) -> asyncio.Future[None]:
        if self._waiter is None:
            self._loop = loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()

            def done(result: concurrent.futures.Future[Store]) -> None:
                try:
                    loop.call_soon_threadsafe(self._settle, result, waiter)
                except RuntimeError:  # the loop is closed: nobody is waiting any more
                    log.debug("store opened after its loop closed")

            self._result.add_done_callback(done)
        return self._waiter

    def _settle(
        self, result: concurrent.futures.Future[Store], waiter: asyncio.Future[None]
    ) -> None:
        if not self._settled:
            error = result.exception()
            if error is None:
                self.store = store = result.result()
                for fn in self._hooks:
                    try:
                        fn(store)
                    except Exception:  # a hook must not keep the store from the receiver
                        log.exception("a store-ready hook failed")
                self._hooks.clear()
            self.error = error
            self._settled = True
            if self._early_seen is not None:
                self._early_seen.set()
        if not waiter.done():
            waiter.set_result(None)


def until_open(route: web.RouteDef, opening: StoreOpening, timeout: float) -> web.RouteDef:
    """`route` with its handler waiting up to `timeout` seconds for the store (503 if not open)."""
    handler = route.handler

    async def once_open(request: web.Request) -> web.StreamResponse:
        try:
            await opening.wait(timeout)
        except StoreNotReady as exc:
            return web.Response(status=503, text=f"{exc}\n", headers={"Retry-After": "60"})
        return await handler(request)

    return web.RouteDef(route.method, route.path, once_open, route.kwargs)
