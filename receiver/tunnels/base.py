"""The tunnel status model and the interface every provider implements."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())  # a library never writes to stderr on its own

TUNNEL_KINDS = ("none", "ngrok", "cloudflared")


class TunnelState(StrEnum):
    OFF = "off"  # not started, or stopped on purpose
    STARTING = "starting"  # process/session starting, no public URL yet
    UP = "up"  # `url` reaches the receiver
    DOWN = "down"  # failed or died; `reason` says why and what to do


@dataclass(frozen=True, slots=True)
class TunnelStatus:
    """What a tunnel is doing right now; `reason` is one human sentence."""

    state: TunnelState
    url: str | None = None
    reason: str = ""


StatusListener = Callable[[TunnelStatus], None]


class Tunnel(ABC):
    """Base of every tunnel provider: holds the status and notifies listeners on each change.

    Subclasses implement `start()` and `stop()` and call `_set_status()`; listeners run on
    the event loop the tunnel runs on.
    """

    kind = "tunnel"

    def __init__(self, local_url: str) -> None:
        self.local_url = local_url
        self._status = TunnelStatus(TunnelState.OFF, None, "not started")
        self._listeners: list[StatusListener] = []

    @property
    def status(self) -> TunnelStatus:
        return self._status

    def on_change(self, fn: StatusListener) -> Callable[[], None]:
        """Call `fn(status)` on every state change; returns a function that unsubscribes."""
        self._listeners.append(fn)

        def unsubscribe() -> None:
            if fn in self._listeners:
                self._listeners.remove(fn)

        return unsubscribe

    def _set_status(
        self, state: TunnelState, url: str | None = None, reason: str = ""
    ) -> TunnelStatus:
        status = TunnelStatus(state, url, reason)
        if status == self._status:
            return status
        self._status = status
        for fn in list(self._listeners):
            try:
                fn(status)
            except Exception:  # a faulty listener must not break the tunnel
                logger.exception("tunnel status listener failed")
        return status

    @abstractmethod
    async def start(self) -> TunnelStatus:
        """Start the tunnel; returns once it is UP or DOWN (never raises for expected failures)."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop the tunnel and release what it holds; idempotent."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(local_url={self.local_url!r}, status={self._status!r})"
