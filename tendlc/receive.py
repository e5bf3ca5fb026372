"""`tendlc receive`: the receiver without a screen, one JSON line per callback on stdout."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from receiver.config import ReceiverConfig
from receiver.domain.models import CallbackEvent, Change, Clock, IdFactory, system_clock
from receiver.forward import Forward, Forwarder
from receiver.http.api import PREFIX as API_PREFIX
from receiver.http.api import ApiTokens, StoreApi
from receiver.http.opening import StoreOpening, until_open
from receiver.http.server import EVENT_IDS, Receiver, ReceiverStartError, is_loopback
from receiver.store.export import iso_utc
from receiver.store.store import Store, StoreError

PREFIX = "tendlc receive"
GC_THRESHOLDS = (50_000, 50, 100)
"""Cyclic GC thresholds for the `tendlc receive` process (defaults 700, 10, 10): each callback
allocates a few hundred short-lived objects, and default collections cost ~10% of its CPU."""


def event_line(event: CallbackEvent) -> dict[str, Any]:
    """What `tendlc receive` prints for one callback."""
    return {
        "id": event.id,
        "received_at": iso_utc(event.received_at),
        "kind": event.kind.value,
        "status": event.status,
        "brand_id": event.brand_id,
        "campaign_id": event.campaign_id,
        "number": event.number,
        "verified": event.verified,
        "reason": event.reason,
        "http_status": event.http_status,
        "replay_of": event.replay_of,
    }


class _StderrLines(logging.Handler):
    """Log records as one line each on stderr (no tracebacks: the type and message instead)."""

    def __init__(self, err: TextIO) -> None:
        super().__init__(logging.WARNING)
        self.err = err

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            message += f" ({type(exc).__name__}: {exc})"
        try:
            self.err.write(f"{PREFIX}: {record.levelname.lower()}: {message}\n")
            self.err.flush()
        except (OSError, ValueError):
            pass


class _Session:
    """State of one `tendlc receive` run: what to stop, and why it stopped."""

    def __init__(self, out: TextIO, err: TextIO, stop: asyncio.Event) -> None:
        self.out, self.err, self.stop = out, err, stop
        self.exit_code = 0
        self._lines: list[str] = []
        self._flush_soon: asyncio.Handle | None = None

    def say(self, message: str) -> None:
        try:
            self.err.write(message + "\n")
            self.err.flush()
        except (OSError, ValueError):
            pass

    def fail(self, message: str) -> int:
        self.say(f"{PREFIX}: {message}")
        return 1

    def on_change(self, change: Change) -> None:
        """Queue the event's JSON line; a burst is written and flushed once per loop turn."""
        if change.event is None:
            return
        self._lines.append(json.dumps(event_line(change.event)) + "\n")
        if self._flush_soon is None:
            self._flush_soon = asyncio.get_running_loop().call_soon(self.flush)

    def on_forward(self, fwd: Forward) -> None:
        """One JSON line per forward attempt and outcome: {"forward": {...}}."""
        if fwd.state == "pending" and not fwd.attempts:
            return  # queued: the callback's own line says it arrived
        self._lines.append(json.dumps({"forward": fwd.view()}) + "\n")
        if self._flush_soon is None:
            self._flush_soon = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write the queued lines to stdout."""
        self._flush_soon = None
        lines, self._lines = self._lines, []
        if not lines or self.exit_code:
            return
        try:
            self.out.write("".join(lines))
            self.out.flush()
        except (OSError, ValueError):
            self.exit_code = 1
            self.say(f"{PREFIX}: stdout is closed; stopping (events are still in the store)")
            self.stop.set()


async def _start_tunnel(kind: str, receiver: Receiver, config: ReceiverConfig, session: _Session):
    """Start the tunnel; returns it (UP), or an error message."""
    try:
        from receiver.tunnels import factory
        from receiver.tunnels.base import TunnelState
    except ImportError:
        return f"--tunnel {kind} is not available in this build: run without --tunnel and pass --public-url"
    tunnel = factory.make_tunnel(kind, receiver.config.local_base)
    if tunnel is None:
        return None
    status = await tunnel.start()
    if status.state is not TunnelState.UP or not status.url:
        await tunnel.stop()
        return f"tunnel {kind} did not come up: {status.reason or status.state.value}"

    def follow(new) -> None:
        if new.state is TunnelState.UP and new.url and not config.public_url:
            receiver.set_public_url(new.url)
            session.say(f"{PREFIX}: tunnel up, public URL now {receiver.config.callback_url}")
        elif new.state is TunnelState.DOWN:
            session.say(
                f"{PREFIX}: tunnel {kind} is down: {new.reason} (callbacks via it will not arrive)"
            )

    tunnel.on_change(follow)
    if not config.public_url:
        receiver.set_public_url(status.url)
    return tunnel


async def serve(
    config: ReceiverConfig,
    db_path: Path,
    *,
    tunnel: str = "none",
    out: TextIO,
    err: TextIO,
    stop: asyncio.Event,
    clock: Clock = system_clock,
    ids: IdFactory = EVENT_IDS,
    freeze_gc: bool = False,
    forward: tuple[tuple[str, ...], float] = ((), 1.0),
    api: ApiTokens | None = None,
    open_store: Callable[[], Store] | None = None,
) -> int:
    """Run the receiver until `stop` is set; returns the exit code (0 ok, 1 failure).

    `forward`: (target URLs, retry-schedule scale) for receiver/forward.py; `api`: serve
    receiver/http/api.py beside the callback path with these tokens. `open_store`: opens the
    store (on a thread; default: StoreOpening.staged, which acknowledges callbacks while the
    registry loads).

    `freeze_gc`: once the store is loaded, move every object so far out of the cyclic GC's
    reach (gc.freeze); for the `tendlc receive` process, not for callers sharing theirs.
    """
    session = _Session(out, err, stop)
    handler = _StderrLines(err)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        opening = (
            StoreOpening(open_store)
            if open_store is not None
            else StoreOpening.staged(db_path, clock=clock)
        )
        return await _serve(
            config, db_path, tunnel, session, clock, ids, freeze_gc, forward, api, opening
        )
    finally:
        root.removeHandler(handler)


async def _serve(
    config: ReceiverConfig,
    db_path: Path,
    tunnel_kind: str,
    session: _Session,
    clock: Clock,
    ids: IdFactory,
    freeze_gc: bool,
    forward: tuple[tuple[str, ...], float],
    api: ApiTokens | None,
    opening: StoreOpening,
) -> int:
    started = clock()  # a first start forwards what arrives from here on (receiver/forward.py)
    # Bind, then open the store on a thread: callbacks that come while it loads are journaled
    # apart and acknowledged (receiver/store/early.py); API calls wait for it
    # (receiver/http/opening.py). What is said on stderr, and in which order, is as before: an
    # open that fails wins over a busy port, and `listening on` means ready.
    receiver = Receiver(opening, config, clock=clock, ids=ids)
    unsubscribe: list[Callable[[], None]] = []
    opening.on_ready(lambda store: unsubscribe.append(store.subscribe(session.on_change)))
    if api is not None:
        store_api = StoreApi(None, api, callback_url=lambda: receiver.config.callback_url)
        opening.on_ready(lambda store: setattr(store_api, "store", store))
        wait = config.load_wait
        receiver.extra_routes = [until_open(r, opening, wait) for r in store_api.routes()]
    tunnel = forwarder = None
    try:
        try:
            await receiver.start()
            busy = None
        except ReceiverStartError as exc:
            busy = exc
        else:  # said only of an open that takes a while (a large store)
            opening.on_early(lambda _: _say_accepting_soon(opening, receiver, session))
        if await opening.start().settled() == "failed":
            return session.fail(_open_problem(opening.error, db_path))
        store = opening.store
        assert store is not None
        for warning in store.warnings:
            session.say(f"{PREFIX}: warning: {warning}")
        if busy is not None:
            return session.fail(str(busy))
        if freeze_gc:
            gc.freeze()  # what start-up loaded (modules, the store) is never scanned again
        targets, scale = forward
        if targets:  # it queues what the journal holds beyond its log: nothing is missed
            forwarder = Forwarder(
                store,
                targets,
                token=config.auth_token,
                main_token=config.main_auth_token,
                clock=clock,
                scale=scale,
                on_change=session.on_forward,
                since=started,
            )
            await forwarder.start()
            if api is not None:  # attached consoles see every forward's outcome
                store_api.follow_forwards(forwarder)
            session.say(f"{PREFIX}: forwarding accepted callbacks to {', '.join(targets)}")
        if tunnel_kind != "none":
            started = await _start_tunnel(tunnel_kind, receiver, config, session)
            if isinstance(started, str):
                return session.fail(started)
            tunnel = started
        public = receiver.config.callback_url
        session.say(f"listening on {receiver.config.local_callback_url} (public URL: {public})")
        if api is not None:
            base = receiver.config.local_base
            session.say(f"{PREFIX}: API on {base}{API_PREFIX}/ (bearer token; serve it behind TLS)")
        if receiver.config.public_url is None or is_loopback(_host_of(public)):
            session.say(
                f"{PREFIX}: note: Plivo cannot reach {public}; pass --public-url or --tunnel"
            )
        await session.stop.wait()
    finally:
        await receiver.stop()
        if forwarder is not None:
            await forwarder.stop()
        if tunnel is not None:
            await tunnel.stop()
        for fn in unsubscribe:
            fn()
        session.flush()
        await opening.settled()  # a store still opening is closed once open
        if opening.store is not None:
            try:
                await opening.store.close()
            except (StoreError, OSError) as exc:
                message = f"the store at {db_path} did not close cleanly: {exc}"
                session.exit_code = session.fail(message)
    return session.exit_code


ACCEPTING_AFTER = 0.5
"""Seconds of a store still opening before `tendlc receive` says it acknowledges meanwhile."""


def _say_accepting_soon(opening: StoreOpening, receiver: Receiver, session: _Session) -> None:
    def say() -> None:
        if opening.state == "loading":
            url = receiver.config.local_callback_url
            session.say(f"{PREFIX}: accepting callbacks on {url} while the store opens")

    asyncio.get_running_loop().call_later(ACCEPTING_AFTER, say)


def _open_problem(exc: BaseException | None, db_path: Path) -> str:
    """What `tendlc receive` says when the store does not open."""
    if isinstance(exc, OSError):
        return f"cannot open the store at {db_path}: {exc.strerror or exc}; pass --db DIR"
    return str(exc)


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def run_receive(
    config: ReceiverConfig,
    db_path: Path,
    *,
    tunnel: str = "none",
    forward: tuple[tuple[str, ...], float] = ((), 1.0),
    api: ApiTokens | None = None,
) -> int:
    """`tendlc receive`: serve until SIGINT/SIGTERM, then flush the store and exit 0."""

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        return await serve(
            config,
            db_path,
            tunnel=tunnel,
            out=sys.stdout,
            err=sys.stderr,
            stop=stop,
            freeze_gc=True,
            forward=forward,
            api=api,
        )

    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 0
