"""The Textual app: lifecycle (start/stop services on its loop), app-wide keys, and wiring."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from receiver.domain.models import Clock, system_clock
from tui.messages import ServicesStarted, TunnelChanged
from tui.screens.main import MainScreen
from tui.services import Services, ServiceStartError
from tui.workers import failure_text

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from receiver.forward import Forwarder
    from receiver.http.opening import StoreOpening
    from receiver.http.server import Receiver
    from receiver.store.store import Store
    from receiver.tunnels.base import Tunnel, TunnelStatus
    from sandbox import Sandbox

Mode = Literal["SANDBOX", "LIVE"]
DEFAULT_OVERDUE_AFTER = 120.0


class TendlcApp(App[None]):
    """Starts the receiver (and sandbox, tunnel) on its own loop, shows the main screen."""

    CSS_PATH = "tendlc.tcss"
    TITLE = "tendlc"
    BINDINGS = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(
        self,
        services: Services,
        *,
        mode: Mode,
        clock: Clock = system_clock,
        overdue_after: float | None = DEFAULT_OVERDUE_AFTER,
    ) -> None:
        super().__init__()
        self.services = services
        self.mode = mode
        self.clock = clock
        self.overdue_after = overdue_after  # seconds without a callback before "overdue"
        self.main_screen: MainScreen | None = None

    def get_default_screen(self) -> Screen:
        if self.services.store is None:  # still opening: the main screen follows (_start_services)
            from tui.screens.loading import LoadingScreen

            return LoadingScreen()
        self.main_screen = self._make_main_screen()
        return self.main_screen

    def _make_main_screen(self) -> MainScreen:
        return MainScreen(
            self.services, self.mode, clock=self.clock, overdue_after=self.overdue_after
        )

    def on_mount(self) -> None:
        self.services.on_tunnel_change(self._tunnel_changed)
        # After the first refresh, so a failure to start never ends the app mid-compose.
        self.call_after_refresh(self._run_services)

    def _run_services(self) -> None:
        # What start-up built (the registry, the widgets) lives as long as the app: keep full
        # collections from walking it (at 10,000 numbers one took ~90 ms, a visible stall).
        if self.main_screen is not None:
            gc.freeze()  # else once the store is open and the main screen shown
        self.run_worker(
            self._start_services(),
            name="services",
            group="services",
            description="start the sandbox, receiver and tunnel",
            exit_on_error=False,
        )

    async def _start_services(self) -> None:
        await self.services.start()
        if self.main_screen is None:  # the store was still opening: show it now, pushed over
            # the loading screen (switching away from a default screen, Textual 8.2.8 mounts
            # the new one's children after its on_mount)
            self.main_screen = self._make_main_screen()
            await self.push_screen(self.main_screen)
            gc.freeze()
        else:
            self.main_screen.post_message(ServicesStarted())
        if self.services.tunnel is not None:
            self.run_worker(
                self.services.start_tunnel(),
                name="tunnel",
                group="tunnel",
                description="start the tunnel",
                exit_on_error=False,
            )

    def _tunnel_changed(self, status: TunnelStatus) -> None:
        if self.main_screen is not None:
            self.main_screen.post_message(TunnelChanged(status))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every background failure lands here, whichever screen started the work (through
        tui.workers.run_background, or forwarded by a form): a service that cannot start ends
        the app clearly; anything else is one error toast."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "services":
            reason = str(error) if isinstance(error, ServiceStartError) else repr(error)
            self.exit(return_code=1, message=f"tendlc: {reason}")
        elif event.worker.group == "tunnel":
            self.notify(
                f"{error}", title="tunnel failed", severity="error", timeout=15, markup=False
            )
        else:
            text = failure_text(event.worker)
            self.notify(text, title="failed", severity="error", timeout=15, markup=False)

    async def on_unmount(self) -> None:
        await self.services.stop()
        gc.unfreeze()  # collectable again once the app is gone (tests run many apps)


def make_app(
    *,
    store: Store | StoreOpening,
    receiver: Receiver,
    gateway: Gateway | Callable[[], Gateway] | None,
    sandbox: Sandbox | None = None,
    mode: Mode = "SANDBOX",
    clock: Clock = system_clock,
    tunnel: str | Tunnel | None = None,
    overdue_after: float | None = DEFAULT_OVERDUE_AFTER,
    forwarder: Forwarder | Callable[[], Forwarder] | None = None,
) -> TendlcApp:
    """The app with every dependency handed in; `gateway` may be a factory called after start.

    `store` may be a StoreOpening still loading: a loading screen shows until it is open (then
    `forwarder` may be a factory, called with the store open).

    `overdue_after`: seconds a resource may await a callback before it is flagged and
    reconciled (None: never).
    """
    services = Services(
        store=store,
        receiver=receiver,
        gateway=gateway,
        sandbox=sandbox,
        tunnel=tunnel,
        forwarder=forwarder,
    )
    return TendlcApp(services, mode=mode, clock=clock, overdue_after=overdue_after)
