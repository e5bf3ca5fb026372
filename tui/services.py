"""Starts and stops the long-lived parts on the app's loop: sandbox, receiver, forwarder,
gateway, tunnel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from receiver.http.opening import StoreOpening
from receiver.tunnels.base import TunnelState, TunnelStatus
from receiver.tunnels.factory import make_tunnel

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from receiver.forward import Forwarder
    from receiver.http.server import Receiver
    from receiver.store.store import Store
    from receiver.tunnels.base import Tunnel
    from sandbox import Sandbox


class ServiceStartError(Exception):
    """A service could not start; the message says what went wrong and what to do."""


class Services:
    """The store, receiver, optional sandbox and tunnel, and the gateway, started in order.

    `gateway` may be a Gateway or a factory called once the sandbox is up (its base URL is
    only known then). A tunnel kind other than "none" is made once the receiver is bound.
    `store` may be a StoreOpening still loading: the receiver binds first (and holds
    callbacks until it is open); `start` returns once the store is open, and `forwarder` may
    then be a factory called with it.
    """

    def __init__(
        self,
        *,
        store: Store | StoreOpening,
        receiver: Receiver,
        gateway: Gateway | Callable[[], Gateway] | None,
        sandbox: Sandbox | None = None,
        tunnel: str | Tunnel | None = None,
        forwarder: Forwarder | Callable[[], Forwarder] | None = None,
    ) -> None:
        self.opening = store if isinstance(store, StoreOpening) else StoreOpening.ready(store)
        self._forwarder_source = forwarder
        self.forwarder: Forwarder | None = forwarder if not callable(forwarder) else None
        self.receiver = receiver
        self.sandbox = sandbox
        self._gateway_source = gateway
        self.gateway: Gateway | None = gateway if not callable(gateway) else None
        self._tunnel_kind = tunnel if isinstance(tunnel, str) else None
        self.tunnel: Tunnel | None = None if isinstance(tunnel, str) else tunnel
        self._explicit_public_url = receiver.config.public_url is not None
        self._tunnel_listeners: list[Callable[[TunnelStatus], None]] = []
        self.started = False
        self._stopped = False

    @property
    def store(self) -> Store | None:
        """The store, once open (None while it loads)."""
        return self.opening.store

    @property
    def forwards(self) -> Any:
        """Where forwards are read (`for_event`, `listen`): this process's Forwarder, or the
        server's as an attached store mirrors them (None: nothing forwards)."""
        if self.forwarder is not None:
            return self.forwarder
        return self.store if hasattr(self.store, "for_event") else None

    @property
    def tunnel_status(self) -> TunnelStatus:
        if self.tunnel is None:
            return TunnelStatus(TunnelState.OFF, None, "")
        return self.tunnel.status

    def on_tunnel_change(self, fn: Callable[[TunnelStatus], None]) -> None:
        """Call `fn(status)` on every tunnel state change (on the loop thread)."""
        self._tunnel_listeners.append(fn)

    async def start(self) -> None:
        """Start the sandbox, then the receiver, then make the gateway. Raises ServiceStartError."""
        from receiver.http.server import ReceiverStartError

        if self.sandbox is not None:
            try:
                await self.sandbox.start()
            except OSError as exc:
                raise ServiceStartError(f"the sandbox could not start: {exc}") from exc
        try:
            await self.receiver.start()
        except ReceiverStartError as exc:
            raise ServiceStartError(str(exc)) from exc
        if await self.opening.start().settled() == "failed":
            raise ServiceStartError(str(self.opening.problem))
        if callable(self._forwarder_source) and self.forwarder is None:
            self.forwarder = self._forwarder_source()
        if self.forwarder is not None:
            await self.forwarder.start()
        if callable(self._gateway_source) and self.gateway is None:
            self.gateway = self._gateway_source()
        if self.tunnel is None and self._tunnel_kind not in (None, "none"):
            self.tunnel = make_tunnel(self._tunnel_kind, self.receiver.config.local_base)
        if self.tunnel is not None:
            self.tunnel.on_change(self._tunnel_changed)
        self.started = True

    async def start_tunnel(self) -> TunnelStatus:
        """Start the tunnel (slow: seconds); its URL becomes the public URL unless one was given."""
        if self.tunnel is None:
            return self.tunnel_status
        status = await self.tunnel.start()
        self._tunnel_changed(status)
        return status

    def _tunnel_changed(self, status: TunnelStatus) -> None:
        if status.state is TunnelState.UP and status.url and not self._explicit_public_url:
            self.receiver.set_public_url(status.url)
        for fn in list(self._tunnel_listeners):
            fn(status)

    async def stop(self) -> None:
        """Stop everything in reverse order and close the store (which flushes). Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self.tunnel is not None:
            await self.tunnel.stop()
        await self.receiver.stop()
        if self.forwarder is not None:
            await self.forwarder.stop()
        if self.sandbox is not None:
            await self.sandbox.stop()
        if self.gateway is not None:
            self.gateway.close()
        await self.opening.settled()  # a store still opening is closed once open
        if self.store is not None:
            await self.store.close()
