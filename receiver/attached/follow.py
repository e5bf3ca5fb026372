"""Following a server's stream: connect, hand each event on, and after a drop retry with
backoff from the last position seen (the server catches up from there: no gap, no repeat).

The connection's state is announced at once on every move (connecting, connected, lost with
the next retry's delay, refused), so a console can show a lost link the moment it drops.
The clock and the sleep between retries are injected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

import aiohttp

from receiver.attached.client import ApiClient, StreamEvent, read_events

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0  # seconds before the first retry; doubled each time, up to BACKOFF_MAX
BACKOFF_MAX = 30.0
READ_TIMEOUT = 60.0  # the server sends a keepalive every 15 s: silence this long is a drop


class LinkState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LOST = "lost"
    REFUSED = "refused"  # 401: a retry cannot help
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Link:
    """Where the stream stands: its state, since when, and after a drop why and what next."""

    state: LinkState
    url: str
    since: float
    reason: str = ""
    retry_in: float | None = None
    attempt: int = 0

    def line(self) -> str:
        """One line for a header or a toast."""
        if self.state is LinkState.LOST:
            retry = f"retrying in {self.retry_in:g} s" if self.retry_in is not None else ""
            return f"connection lost ({self.reason}); {retry}".rstrip("; ")
        if self.state is LinkState.REFUSED:
            return f"refused: {self.reason}"
        return self.state.value


def backoff(attempt: int) -> float:
    """Seconds before retry `attempt` (1, 2, 4, … up to BACKOFF_MAX)."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempt - 1))


class Follower:
    """Reads /stream from `position()` on, passing each event to `on_event` (on the loop)."""

    def __init__(
        self,
        client: ApiClient,
        *,
        position: Callable[[], int],
        on_event: Callable[[StreamEvent], None],
        on_link: Callable[[Link], None],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        forwards_mark: Callable[[], str] | None = None,
    ) -> None:
        self.client = client
        self._position = position
        self._forwards_mark = forwards_mark  # the server's forward moves seen (api.py)
        self._on_event = on_event
        self._on_link = on_link
        self._clock = clock
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._caught_up = False
        self.link = Link(LinkState.CONNECTING, client.base, clock())
        self.connects = 0  # how many times the stream was (re)opened and caught up

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="tendlc-attach")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._announce(LinkState.STOPPED)

    def _announce(self, state: LinkState, **extra: object) -> None:
        self.link = Link(state, self.client.base, self._clock(), **extra)  # type: ignore[arg-type]
        try:
            self._on_link(self.link)
        except Exception:  # noqa: BLE001 - a display hook must not stop the stream
            log.debug("link hook failed", exc_info=True)

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=READ_TIMEOUT)
        attempt = 0
        async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as session:
            while True:
                if attempt:
                    self._announce(LinkState.CONNECTING, attempt=attempt)
                self._caught_up = False
                try:
                    reason = await self._read(session)
                except _Refused as exc:
                    self._announce(LinkState.REFUSED, reason=str(exc))
                    return
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    reason = _why(exc)
                except Exception as exc:  # noqa: BLE001 - whatever broke it, show it and retry
                    log.warning("attached stream failed", exc_info=True)
                    reason = _why(exc)
                if self._caught_up:  # it was connected: the backoff starts over
                    attempt = 0
                attempt += 1
                delay = backoff(attempt)
                shown = reason or "the server closed the stream"
                self._announce(LinkState.LOST, reason=shown, retry_in=delay, attempt=attempt)
                await self._sleep(delay)

    async def _read(self, session: aiohttp.ClientSession) -> str:
        """One connection: until it ends. "" when it was caught up and then closed."""
        after = self._position()
        headers = {**self.client.headers, "Last-Event-ID": str(after)}
        query = {"after": str(after)}
        if self._forwards_mark is not None:
            query["forwards"] = self._forwards_mark()
        async with session.get(self.client.url("/stream"), params=query, headers=headers) as resp:
            if resp.status == 401:
                raise _Refused(f"{self.client.base} refused the API token (401)")
            if resp.status != 200:
                return f"the server answered {resp.status}"
            ready = False
            async for event in read_events(resp.content):
                if event.event == "ready":
                    ready = self._caught_up = True
                    self.connects += 1
                    self._announce(LinkState.CONNECTED)
                    continue
                self._on_event(event)
            return "" if ready else "the stream ended before it caught up"


class _Refused(Exception):
    pass


def _why(exc: BaseException) -> str:
    """A few words on why the stream stopped (aiohttp's own messages are long)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "cannot connect"
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "no answer"
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError):
        return "the server cut the stream"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
