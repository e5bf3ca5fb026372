"""Signed callback delivery with Plivo's retry schedule, and the loopback guard against relaying.

The payload schema is simulator-defined (plivo-10dlc.md §3.3): Plivo publishes its 10DLC
callback bodies only as screenshots, so the sandbox sends the field names proposed there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from receiver.domain.models import Clock, system_clock
from receiver.signature import signature_headers

if TYPE_CHECKING:
    from sandbox.faults.armed import Armed, Faults

log = logging.getLogger("tendlc.sandbox.delivery")

RETRY_DELAYS = (60.0, 120.0, 240.0)  # Plivo: +60 s, then +120 s, then +240 s after a non-200
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One callback delivery attempt (or a refusal to attempt one)."""

    url: str
    method: str
    kind: str  # brand / campaign / number_linking / number_unlinking
    event_status: str  # created / registered / rejected / success / failed
    params: dict[str, str] = field(default_factory=dict)
    attempt: int = 1  # 1 = first try, 2..4 = the retries
    at: float = 0.0  # clock time the attempt started
    status: int | None = None  # HTTP status the target answered; None if it never answered
    error: str | None = None  # why it did not count as delivered
    refused: bool = False  # the loopback guard stopped it before any connection
    fault: str = ""  # the fault that shaped this attempt ("f2 drop-callback"), if any

    @property
    def ok(self) -> bool:
        return self.status == 200


def loopback_refusal(url: str) -> str | None:
    """Why `url` may not be called without allow_remote_callbacks, or None when it is loopback.

    Decided from the URL alone (no DNS lookup, no connection): only `localhost` itself and
    literal loopback addresses (127.0.0.0/8, ::1) pass. A name under `.localhost` is refused:
    it would be resolved through DNS, which may answer with any address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"refused: {url} is not an http(s) URL"
    host = (parts.hostname or "").lower()
    if host in ("localhost", "localhost."):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"refused: {host or url} is not a loopback address; the sandbox only calls 127.0.0.1, "
        "::1 or localhost unless started with allow_remote_callbacks (--allow-remote-callbacks)"
    )


class Dispatcher:
    """Sends callbacks, retries them, and records every attempt in `deliveries`."""

    def __init__(
        self,
        *,
        token: str,
        main_token: str,
        clock: Clock = system_clock,
        retry_scale: float = 1.0,
        allow_remote: bool = False,
        sleep: Sleep = asyncio.sleep,
        timeout: float = 10.0,
        faults: Faults | None = None,
    ) -> None:
        self._token = token
        self._main_token = main_token
        self._clock = clock
        self.delays = tuple(d * retry_scale for d in RETRY_DELAYS)  # waits before retry 1, 2, 3
        self._allow_remote = allow_remote
        self._sleep = sleep
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self.deliveries: list[Delivery] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.suppressed = False
        self.faults = faults

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def send(
        self, url: str, method: str, params: dict[str, str]
    ) -> asyncio.Future[Delivery] | None:
        """Start delivering `params` to `url`; the future resolves once the first attempt is done.

        None when nothing will be sent: no url, callbacks suppressed, or the guard refused it.
        """
        if not url:
            return None
        kind, word = params.get("event", ""), params.get("status", "")
        if self.suppressed:
            log.debug("callback %s %s to %s suppressed", kind, word, url)
            return None
        refusal = None if self._allow_remote else loopback_refusal(url)
        if refusal:
            log.warning("callback %s %s not sent: %s", kind, word, refusal)
            self.deliveries.append(
                Delivery(
                    url,
                    method,
                    kind,
                    word,
                    dict(params),
                    at=self._clock(),
                    error=refusal,
                    refused=True,
                )
            )
            return None
        fault = self.faults.callback(kind, word, resource_id(params)) if self.faults else None
        if fault is not None and fault.spec.name == "drop-callback":
            error = f"dropped by fault {fault.label}: never sent"
            log.warning("callback %s %s to %s %s", kind, word, url, error)
            self.deliveries.append(
                Delivery(url, method, kind, word, dict(params), at=self._clock(), error=error,
                         fault=fault.label)
            )  # fmt: skip
            return None
        first: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            self._run(url, method, dict(params), first, fault), name=f"sandbox-callback-{kind}"
        )
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        if fault is not None and fault.spec.name == "delay-callback":
            return None  # nothing waits for a late callback: the ones after it overtake it
        return first

    async def _run(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        first: asyncio.Future[Delivery],
        fault: Armed | None = None,
    ) -> None:
        name = fault.spec.name if fault is not None else ""
        label = fault.label if fault is not None else ""
        headers = None
        if name == "delay-callback":
            await self._sleep(fault.spec.param("seconds"))
        elif name == "wrong-path-callback":
            url = with_path(url, fault.spec.param("path"))
        elif name == "duplicate-callback" and fault.spec.param("same_nonce"):
            headers = signature_headers(method, url, params, self._token, self._main_token)
        try:
            for attempt in range(1, len(self.delays) + 2):
                if name == "exhaust-retries":
                    result = self._lost(url, method, params, attempt, label)
                else:
                    result = await self._attempt(url, method, params, attempt, headers, label)
                if not first.done():
                    first.set_result(result)
                if result.ok or attempt > len(self.delays):
                    if not result.ok:
                        log.warning(
                            "callback %s %s to %s given up after %d attempts",
                            result.kind,
                            result.event_status,
                            url,
                            attempt,
                        )
                    break
                await self._sleep(self.delays[attempt - 1])
            if name == "duplicate-callback":
                for _ in range(fault.spec.param("copies")):
                    await self._attempt(url, method, params, 1, headers, label)
        finally:
            if not first.done():
                first.cancel()

    def _lost(
        self, url: str, method: str, params: dict[str, str], attempt: int, label: str
    ) -> Delivery:
        """An attempt that never reaches the target (fault exhaust-retries)."""
        kind, word = params.get("event", ""), params.get("status", "")
        error = f"connection refused (simulated by fault {label})"
        delivery = Delivery(
            url, method, kind, word, params, attempt, self._clock(), error=error, fault=label
        )
        self.deliveries.append(delivery)
        log.warning("callback %s %s to %s attempt %d: %s", kind, word, url, attempt, error)
        return delivery

    async def _attempt(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        attempt: int,
        headers: dict[str, str] | None = None,
        label: str = "",
    ) -> Delivery:
        kind, word = params.get("event", ""), params.get("status", "")
        at = self._clock()
        if headers is None:
            headers = signature_headers(method, url, params, self._token, self._main_token)
        status: int | None = None
        error: str | None = None
        assert self._session is not None, "Dispatcher.start() was not awaited"
        try:
            if method == "GET":
                request = self._session.get(
                    url, params=params, headers=headers, allow_redirects=False
                )
            else:
                request = self._session.post(
                    url, data=params, headers=headers, allow_redirects=False
                )
            async with request as response:
                await response.read()
                status = response.status
            if status != 200:
                error = f"answered HTTP {status} (Plivo retries anything but 200)"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery = Delivery(
            url, method, kind, word, params, attempt, at, status, error, fault=label
        )
        self.deliveries.append(delivery)
        level = logging.INFO if delivery.ok else logging.WARNING
        log.log(
            level, "callback %s %s to %s attempt %d: %s", kind, word, url, attempt, error or status
        )
        return delivery


def resource_id(params: dict[str, str]) -> str:
    """The id a callback is about: the number, else the campaign, else the brand."""
    return params.get("number") or params.get("campaign_id") or params.get("brand_id") or ""


def with_path(url: str, path: str) -> str:
    """`url` with its path replaced by `path` (scheme, host and query kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
