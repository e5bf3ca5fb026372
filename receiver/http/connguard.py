"""Connection guard for the receiver: a cap on open connections and a read deadline per request.

aiohttp bounds an idle connection (`keepalive_timeout`) but not a request that arrives slowly:
a client that sends half its headers, or trickles its body, holds its connection (and a file
descriptor) for as long as it likes. So the receiver serves through `GuardedRunner`, an
`AppRunner` whose server makes `GuardedHandler` protocols:

- a request must be complete within `read_timeout` seconds of its first byte: headers that are
  still incomplete then are answered 408 and the connection is closed; the body is bounded by
  the same deadline in the handler (`request_deadline`, used by receiver/http/server.py), which
  answers 408 itself, so a handler waiting for the store is never cut short;
- at most `max_connections` are open at once. When one more arrives, the connection that has
  waited longest without a complete request (half-sent headers, or idle between requests) is
  closed to make room (503 Retry-After if it had sent part of a request), provided it has
  waited `evict_after` seconds (0.5 s): a connection gets that long to deliver its headers, so a
  flood of new connections cannot churn out a real one before its first packet is read.
  Otherwise the new connection is answered 503 and closed, unread. Behind a tunnel every
  connection comes from the same address, so what a connection is doing, not where it comes
  from, decides: a slowloris keeps no slot from a real callback for long.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from receiver.config import MAX_CONNECTIONS, READ_TIMEOUT

EVICT_AFTER = 0.5  # seconds a connection may wait for its headers before it can be made room from
LINGER = 1.0  # seconds an answered request's unread body is drained (aiohttp's default: 10)


def _canned(status: str, text: str, extra: str = "") -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


@dataclass(slots=True)
class ConnectionGuard:
    """The limits shared by one receiver's connections, and what they did (for /healthz)."""

    max_connections: int = MAX_CONNECTIONS
    read_timeout: float = READ_TIMEOUT
    evict_after: float = EVICT_AFTER
    open: int = 0
    peak: int = 0
    refused: int = 0  # closed at once, unread: the cap was reached and no slot could be freed
    evicted: int = 0  # closed to make room: waited longest without a complete request
    timed_out: int = 0  # closed because their headers missed the deadline
    _waiting: dict[GuardedHandler, float] = field(default_factory=dict, repr=False)
    """Open connections not in a handler -> loop time since when, oldest first (a dict keeps
    insertion order)."""

    def __post_init__(self) -> None:
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, not {self.max_connections}")
        if not self.read_timeout > 0:
            raise ValueError(f"read_timeout must be above 0 seconds, not {self.read_timeout}")
        if self.evict_after < 0:
            raise ValueError(f"evict_after must not be negative, not {self.evict_after}")

    def stats(self) -> dict[str, int]:
        return {
            "open": self.open,
            "reading": sum(1 for h in self._waiting if h.deadline is not None),
            "handling": self.open - len(self._waiting),
            "peak": self.peak,
            "max": self.max_connections,
            "refused": self.refused,
            "evicted": self.evicted,
            "timed_out": self.timed_out,
        }

    def admit(self, handler: GuardedHandler, now: float) -> bool:
        """Count a new connection in, making room if the cap is reached; False: refuse it."""
        if self.open >= self.max_connections:
            victim, since = next(iter(self._waiting.items()), (None, now))
            if victim is None or now - since < self.evict_after:
                self.refused += 1
                return False
            self.evicted += 1
            victim.evict()
        self.open += 1
        self.peak = max(self.peak, self.open)
        self._waiting[handler] = now
        return True

    def release(self, handler: GuardedHandler) -> None:
        self.open -= 1
        self._waiting.pop(handler, None)

    def busy(self, handler: GuardedHandler) -> None:
        self._waiting.pop(handler, None)

    def waiting(self, handler: GuardedHandler, now: float) -> None:
        self._waiting[handler] = now  # the newest now: the last to be made room from

    def refusal(self) -> bytes:
        retry = max(1, math.ceil(self.read_timeout))
        return _canned(
            "503 Service Unavailable",
            f"too many open connections ({self.max_connections}); retry later\n",
            f"Retry-After: {retry}\r\n",
        )

    def timeout(self) -> bytes:
        return _canned(
            "408 Request Timeout", f"request not complete within {self.read_timeout:g} s\n"
        )


class GuardedHandler(RequestHandler):
    """aiohttp's per-connection protocol, counted against the cap and with a header deadline."""

    __slots__ = ("_guard", "_admitted", "_in_request", "_deadline", "_timer")

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._guard = guard
        self._admitted = False
        self._in_request = False
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def deadline(self) -> float | None:
        """Loop time by which the current request must be complete (None before its first byte)."""
        return self._deadline

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._guard.admit(self, asyncio.get_running_loop().time()):
            assert isinstance(transport, asyncio.Transport)
            transport.write(self._guard.refusal())
            transport.close()  # sends the answer first; nothing of the request is read
            return
        self._admitted = True
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._leave()
        super().connection_lost(exc)  # safe for a refused one too: aiohttp never counted it

    def _leave(self) -> None:
        if self._admitted:
            self._admitted = False
            self._guard.release(self)
        self._stop_timer()

    def data_received(self, data: bytes) -> None:
        if data and not self._in_request and self._timer is None and self.transport is not None:
            loop = asyncio.get_running_loop()
            self._deadline = loop.time() + self._guard.read_timeout
            self._timer = loop.call_at(self._deadline, self._expired)
        super().data_received(data)

    def request_started(self) -> None:
        """The headers are in and a handler runs: it bounds the body by `deadline` itself."""
        self._in_request = True
        self._stop_timer()
        if self._admitted:
            self._guard.busy(self)

    def request_ended(self) -> None:
        """The handler returned: the next byte starts the next request's deadline."""
        self._in_request = False
        self._deadline = None
        if self._admitted:
            self._guard.waiting(self, asyncio.get_running_loop().time())

    def evict(self) -> None:
        """Close to make room for a new connection: 503 if part of a request came, else quietly."""
        started = self._deadline is not None
        self._leave()
        if self.transport is not None and started:
            self.transport.write(self._guard.refusal())
        self.force_close()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self._in_request or self.transport is None:
            return
        self._guard.timed_out += 1
        self.transport.write(self._guard.timeout())
        self.force_close()


Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


def _tracked(handler: Handler) -> Handler:
    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        protocol = request.protocol
        if not isinstance(protocol, GuardedHandler):
            return await handler(request)
        protocol.request_started()
        try:
            return await handler(request)
        finally:
            protocol.request_ended()

    return handle


class GuardedServer(web.Server):
    """A `web.Server` whose connections are `GuardedHandler`s sharing one `ConnectionGuard`."""

    def __init__(
        self,
        handler: Handler,
        *,
        guard: ConnectionGuard,
        loop: asyncio.AbstractEventLoop | None = None,
        **kwargs: Any,
    ) -> None:
        factory = kwargs.pop("request_factory", None)
        cancellation = kwargs.pop("handler_cancellation", False)
        super().__init__(
            _tracked(handler),
            request_factory=factory,
            handler_cancellation=cancellation,
            loop=loop,
            **kwargs,
        )
        self.guard = guard
        self._handler_loop = loop or asyncio.get_running_loop()
        self._handler_kwargs = kwargs  # what RequestHandler takes: keepalive_timeout, ...

    def __call__(self) -> GuardedHandler:
        return GuardedHandler(self, self.guard, loop=self._handler_loop, **self._handler_kwargs)


class GuardedRunner(web.AppRunner):
    """An AppRunner serving the app through a GuardedServer (same start-up and clean-up).

    Kept-alive connections close after `idle_timeout` seconds without a request; an answered
    request's unread body is drained for at most LINGER seconds. No access log.
    """

    def __init__(
        self, app: web.Application, *, guard: ConnectionGuard, idle_timeout: float, **kwargs: Any
    ) -> None:
        kwargs.setdefault("access_log", None)
        kwargs.setdefault("keepalive_timeout", idle_timeout)
        kwargs.setdefault("lingering_time", min(LINGER, guard.read_timeout))
        super().__init__(app, **kwargs)
        self.guard = guard

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()  # runs the app's start-up and freezes it
        return GuardedServer(
            plain.request_handler,
            guard=self.guard,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            **plain._kwargs,  # the handler settings the app chose (debug, access log, timeouts)
        )


class BodyTooLarge(Exception):
    """The request body is over the configured limit."""


async def read_limited(request: web.Request, limit: int, deadline: float | None = None) -> bytes:
    """The request body, never buffering more than `limit` bytes; TimeoutError once the loop's
    clock passes `deadline` (a body that trickles in holds its connection no longer)."""
    length = request.content_length
    if length is not None and length > limit:
        raise BodyTooLarge
    async with asyncio.timeout_at(deadline):
        if length is not None and not request.headers.get("Transfer-Encoding"):
            return await request.content.readexactly(length) if length else b""
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(16 * 1024):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def request_deadline(request: web.BaseRequest, timeout: float) -> float:
    """Loop time by which `request` must have sent its body: its connection's deadline when it
    is guarded, else `timeout` seconds from now."""
    protocol = request.protocol
    deadline = protocol.deadline if isinstance(protocol, GuardedHandler) else None
    return deadline if deadline is not None else asyncio.get_running_loop().time() + timeout


def body_too_slow(read_timeout: float) -> web.Response:
    """The answer to a request whose body missed its deadline; the connection is closed."""
    slow = web.Response(status=408, text=f"body not complete within {read_timeout:g} s\n")
    slow.force_close()
    return slow
