"""The aiohttp callback receiver: size limit, parse, verify against the public URL, journal, ack."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aiohttp import web

from receiver.config import ReceiverConfig, normalise_callback_path
from receiver.domain.models import CallbackEvent, Clock, IdFactory, Kind, system_clock
from receiver.http.binding import ReceiverStartError, bind_problem, is_loopback
from receiver.http.connguard import (
    BodyTooLarge,
    ConnectionGuard,
    GuardedRunner,
    body_too_slow,
    read_limited,
    request_deadline,
)
from receiver.http.early_feed import EarlyFeed
from receiver.http.inbox import Inbox
from receiver.http.opening import StoreNotReady, StoreOpening
from receiver.parse import ParseError, classify, decode_text, keep_headers, parse_body
from receiver.refused import refused
from receiver.signature import (
    SIGNATURE_HEADERS,
    Verification,
    verify,
)
from receiver.store.nonces import NonceIndex, nonce_key
from receiver.store.store import StoreError

if TYPE_CHECKING:
    from receiver.store.store import Store

log = logging.getLogger("tendlc.receiver")
log.addHandler(logging.NullHandler())  # never write to a screen on its own

RETRY_AFTER_SECONDS = 60
SHUTDOWN_TIMEOUT = 1.0
NO_TOKEN_WARNING = (
    "no PLIVO_AUTH_TOKEN set: callbacks are accepted WITHOUT signature checks; "
    "set PLIVO_AUTH_TOKEN (and PLIVO_MAIN_AUTH_TOKEN for subaccounts) to verify them"
)


def time_ids(prefix: str) -> IdFactory:
    """Ids shaped like models.random_ids (12 hex digits of microseconds, 8 random hex digits),
    drawn from a seeded PRNG instead of a syscall per id (ids need to be unique, not secret)."""
    draw = random.Random(os.urandom(16)).getrandbits

    def make() -> str:
        return f"{prefix}{time.time_ns() // 1000:012x}{draw(32):08x}"

    return make


EVENT_IDS = time_ids("ev")


class Receiver:
    """Serves the callback path and /healthz; every callback lands in the store before its ack.

    `store` may be a StoreOpening in progress: /healthz says "loading", and a callback waits up
    to `config.load_wait` seconds for the store, else gets 503 (receiver/http/opening.py). `sock`:
    a socket already bound and listening, served instead of binding config.host:port."""

    def __init__(
        self,
        store: Store | StoreOpening,
        config: ReceiverConfig,
        *,
        clock: Clock = system_clock,
        ids: IdFactory = EVENT_IDS,
        nonces: NonceIndex | None = None,
        guard: ConnectionGuard | None = None,
        sock: socket.socket | None = None,
        inbox: bool = True,
    ) -> None:
        self.opening = store if isinstance(store, StoreOpening) else StoreOpening.ready(store)
        self.inbox: Inbox | None = None
        self.inbox_info: Callable[[], dict[str, Any]] | None = None  # more for scripts
        self._want_inbox = inbox
        self._inbox_task: asyncio.Task[None] | None = None
        self.config = config
        self.port = config.port
        self.clock = clock
        self.ids = ids
        self.warnings: list[str] = []
        self._runner: web.AppRunner | None = None
        self._sock = sock
        self.guard = guard or ConnectionGuard(config.max_connections, config.read_timeout)
        self._warned_no_token = False
        self._nonces = nonces
        self._inflight: dict[bytes, asyncio.Future[None]] = {}  # nonce key -> its first write
        self._early = EarlyFeed(self._record_early)  # callbacks acknowledged while it opened
        self.extra_routes: list[web.RouteDef] = []  # served beside the callback path
        self.opening.on_ready(self._store_opened)

    @property
    def store(self) -> Store | None:
        """The store, once open (None while it is loading or if it failed to open)."""
        return self.opening.store

    def _store_opened(self, store: Store) -> None:
        if self._nonces is None:  # the store's durable index; memory only for one without
            self._nonces = getattr(store, "nonces", None) or NonceIndex(None)
        self._early.found(self.opening, store)

    @property
    def nonces(self) -> NonceIndex:
        """The index of accepted nonces (the store's); only used once the store is open."""
        if self._nonces is None:
            raise StoreNotReady("the store is still opening")
        return self._nonces

    @property
    def verifying(self) -> bool:
        return bool(self.config.auth_token or self.config.main_auth_token)

    def set_public_url(self, url: str | None) -> None:
        """Swap the public base URL callbacks are verified against (e.g. a new tunnel URL)."""
        self.config = replace(self.config, public_url=url.rstrip("/") if url else None)

    def warn(self, message: str) -> None:
        """Record a warning for the UI and log it once."""
        if message not in self.warnings:
            self.warnings.append(message)
            log.warning(message)

    def _check_token(self) -> None:
        if not self.verifying and not self._warned_no_token:
            self._warned_no_token = True
            self.warn(NO_TOKEN_WARNING)

    async def start(self) -> None:
        """Bind host:port (port 0 = any free port; the bound one lands in `port`)."""
        if self._runner is not None:
            return
        self._check_token()
        if not is_loopback(self.config.host):
            self.warn(
                f"binding {self.config.host}: the receiver is reachable from other machines; "
                "use --host 127.0.0.1 with a tunnel unless you mean it"
            )
        config, app = self.config, make_app(self)
        runner = GuardedRunner(
            app,
            guard=self.guard,
            idle_timeout=config.idle_timeout,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        site: web.BaseSite
        if self._sock is not None:  # bound and listening already (tui/launch.py)
            site = web.SockSite(runner, self._sock)
        else:
            site = web.TCPSite(runner, config.host, config.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ReceiverStartError(bind_problem(self.config.host, self.config.port, exc)) from exc
        self._runner = runner
        self.opening.start()  # once bound (the open hogs the GIL); this loop is told the outcome
        self._early.start()  # what a store opened before the loop ran left in early/
        self.port = runner.addresses[0][1] if runner.addresses else self.config.port
        self.config = replace(self.config, port=self.port)
        log.info("receiver listening on %s", self.config.local_callback_url)
        inbox = self._start_inbox()
        if self.store is None:  # once the store is open (it writes writer.json there)
            self._inbox_task = asyncio.get_running_loop().create_task(inbox)
        else:
            await inbox

    async def _start_inbox(self) -> None:
        """Headless verbs record through this process (receiver/http/inbox.py), if it writes."""
        await self.opening.settled()
        store = self.store
        if not self._want_inbox or getattr(store, "readonly", True) is not False:
            return
        inbox = Inbox(store, lambda: self.config.callback_url, self.inbox_info)
        try:
            await inbox.start()
            self.inbox = inbox
        except OSError as exc:
            self.warn(f"scripts cannot record in this store while it runs: {exc}")

    async def stop(self) -> None:
        """Stop serving (in-flight callbacks get SHUTDOWN_TIMEOUT seconds to finish)."""
        runner, self._runner = self._runner, None
        if self._inbox_task is not None:
            self._inbox_task.cancel()
            self._inbox_task = None
        inbox, self.inbox = self.inbox, None
        if inbox is not None:
            await inbox.stop()
        if runner is not None:
            await runner.cleanup()
        await self._early.done()  # the early callbacks' records finish before the close

    def _verify(self, request: web.Request, signed: dict) -> Verification:
        try:
            return self._verify_urls(request, signed)
        except (TypeError, ValueError, RecursionError) as exc:  # e.g. non-ASCII signature headers
            return Verification(False, False, f"malformed signature headers ({exc})")

    def _verify_urls(self, request: web.Request, signed: dict) -> Verification:
        config = self.config
        path = request.raw_path
        url = config.public_base + path
        got = request.headers.get
        headers = {h: v for h in SIGNATURE_HEADERS if (v := got(h)) is not None}
        method, token, main = request.method, config.auth_token, config.main_auth_token
        result = verify(method, url, headers, signed, token, main)
        if result.accept:
            return result
        # Refused: check again knowing where the request arrived, to explain a URL mismatch.
        reached = f"{request.scheme}://{request.host}{path}"
        result = verify(method, url, headers, signed, token, main, reached)
        local = f"{config.local_base}{path}"
        if result.reason.startswith("wrong token") and local != reached:
            again = verify(method, url, headers, signed, token, main, local)
            if again.reason.startswith("URL mismatch"):
                return again
        return result

    async def handle_callback(self, request: web.Request) -> web.Response:
        """One callback: 200 once durable, 403 unverified, 400 undecodable, 413/405, 503 store."""
        if request.method not in ("GET", "POST"):
            return web.Response(
                status=405,
                text="method not allowed: use GET or POST\n",
                headers={"Allow": "GET, POST"},
            )
        received_at = self.clock()
        deadline = request_deadline(request, self.config.read_timeout)
        try:
            raw = await read_limited(request, self.config.max_body, deadline)
        except BodyTooLarge:
            log.info("rejected a callback body over %d bytes", self.config.max_body)
            return web.Response(status=413, text=f"body over {self.config.max_body} bytes\n")
        except TimeoutError:
            log.info("cut a callback whose body was not in within %g s", self.config.read_timeout)
            return body_too_slow(self.config.read_timeout)
        headers = keep_headers(request.headers.items())
        base = {
            "id": self.ids(),
            "received_at": received_at,
            "method": request.method,
            "url": request.raw_path,
            "headers": headers,
            "body": decode_text(raw),
        }
        try:
            parsed = parse_body(
                request.method,
                request.headers.get("Content-Type"),
                raw,
                request.rel_url.raw_query_string,
            )
        except ParseError as exc:
            event = CallbackEvent(
                **base, params={}, kind=Kind.UNKNOWN, status=None,
                verified=False, reason=f"bad request: {exc}", http_status=400,
            )  # fmt: skip
            event = refused(event, raw)
            if (waited := await self._store_or_503()) is not None:
                return waited
            return await self._record(event, apply=False, text=f"bad request: {exc}\n")
        self._check_token()
        found = classify(parsed.params)
        check = self._verify(request, parsed.signed)
        event = CallbackEvent(
            **base,
            params=parsed.params,
            kind=found.kind,
            status=found.status,
            brand_id=found.brand_id,
            campaign_id=found.campaign_id,
            number=found.number,
            verified=check.verified,
            reason=check.reason,
            http_status=200 if check.accept else 403,
        )
        if not check.accept:
            event = refused(event, raw)
            if (waited := await self._store_or_503()) is not None:
                return waited
            return await self._record(event, apply=False, text=f"forbidden: {check.reason}\n")
        keys = [nonce_key(scheme, n) for scheme, n in check.nonces] if check.verified else []
        early = await self.opening.early_journal() if self.opening.state == "loading" else None
        if early is not None:
            try:  # acknowledged now, applied once the store is open (receiver/store/early.py)
                if await early.add(event, tuple(keys)):
                    return web.Response(status=200, text="ok\n")
            except StoreError as exc:
                log.error("callback %s not stored: %s", event.id, exc)
                return _unavailable(f"not stored: {exc}")
        if (waited := await self._store_or_503()) is not None:
            return waited
        if not keys:
            return await self._record(event, apply=True, text="ok\n")
        return await self._record_signed(event, keys)

    async def _store_or_503(self) -> web.Response | None:
        """Wait for the store (and for the callbacks acknowledged while it opened to be fed in,
        so arrival order is kept); a 503 if it is not open within config.load_wait."""
        try:
            await self.opening.wait(self.config.load_wait)
        except StoreNotReady as exc:
            log.warning("callback answered 503: %s", exc)
            return _unavailable(f"not stored: {exc}")
        await self._early.done()
        return None

    async def _record_early(self, event: CallbackEvent, keys: tuple[bytes, ...]) -> web.Response:
        """Record a callback acknowledged while the store opened, as if it came now."""
        if keys:
            return await self._record_signed(event, list(keys))
        return await self._record(event, apply=True, text="ok\n")

    async def _record_signed(self, event: CallbackEvent, keys: list[bytes]) -> web.Response:
        """A verified callback: the first copy of its nonces is applied, later copies are replays.

        A copy arriving while a copy with a shared nonce is still being written waits for
        that write: if it fails (503), this copy becomes the first, so a replay never points
        at a lost event. The store indexes the nonces in the commit that makes the callback
        durable, before the 200 (receiver/nonces.py).
        """
        while True:
            pending = next((f for k in keys if (f := self._inflight.get(k)) is not None), None)
            if pending is not None:
                await asyncio.shield(pending)
                continue
            original = self.nonces.first(keys)
            break
        if original is not None:
            replay = replace(
                event,
                replay_of=original,
                reason=f"{event.reason}; replay of {original}: acknowledged, not applied",
            )
            return await self._record(replay, apply=False, text="ok\n")
        done = asyncio.get_running_loop().create_future()
        for k in keys:
            self._inflight[k] = done
        try:
            response = await self._record(event, apply=True, text="ok\n", nonce_keys=keys)
            if response.status == 200 and getattr(self.store, "nonces", None) is not self.nonces:
                self.nonces.add([(keys, event.id)], 0)  # an index the store does not feed
        finally:
            for k in keys:
                del self._inflight[k]
            done.set_result(None)
        return response

    async def _record(
        self, event: CallbackEvent, *, apply: bool, text: str, nonce_keys: Sequence[bytes] = ()
    ) -> web.Response:
        try:
            if nonce_keys:
                await self.store.record_callback(event, apply=apply, nonce_keys=tuple(nonce_keys))
            else:
                await self.store.record_callback(event, apply=apply)
        except Exception as exc:  # noqa: BLE001 - Plivo must see a retryable answer, never a 500
            if isinstance(exc, StoreError):
                log.error("callback %s not stored: %s", event.id, exc)
                return _unavailable(f"not stored: {exc}")
            log.exception("callback %s not stored", event.id)
            return _unavailable("not stored: internal error")
        return web.Response(status=event.http_status, text=text)

    async def handle_health(self, request: web.Request) -> web.Response:
        """200 with the receiver's state; 503 while the store loads, or when it cannot write."""
        state, store = self.opening.state, self.store
        if store is not None:
            healthy = bool(getattr(store, "healthy", True))
            status = "ok" if healthy else "degraded"
            last_error = getattr(store, "last_error", None)
        else:  # still "loading", or "failed"
            healthy, status, last_error = False, state, self.opening.problem
        body = {
            "status": status,
            "store": {"healthy": healthy, "last_error": last_error},
            "callback_url": self.config.callback_url,
            "local_callback_url": self.config.local_callback_url,
            "verifying": self.verifying,
            "warnings": list(self.warnings),
            "connections": self.guard.stats(),
        }
        headers = {} if state == "ready" else {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return web.json_response(body, status=200 if healthy else 503, headers=headers)


def _unavailable(text: str) -> web.Response:
    return web.Response(
        status=503, text=text + "\n", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def make_app(receiver: Receiver) -> web.Application:
    """The receiver's routes: the callback path (with and without trailing slash) and /healthz."""
    app = web.Application(client_max_size=receiver.config.max_body)
    path = normalise_callback_path(receiver.config.callback_path)
    paths = {path, path.rstrip("/") or "/"}
    for p in sorted(paths):
        app.router.add_route("*", p, receiver.handle_callback)
    if "/healthz" not in paths:
        app.router.add_get("/healthz", receiver.handle_health)
    app.router.add_routes(receiver.extra_routes)  # e.g. receiver/http/api.py with --serve-api
    return app
