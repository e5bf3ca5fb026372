"""The `Sandbox`: the simulator's aiohttp app, world, scheduler and dispatcher on one loop."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Iterable

from aiohttp import web

from receiver.domain.models import Clock, system_clock
from sandbox.api.routes import Api
from sandbox.api.wire import make_middlewares
from sandbox.delivery import Delivery, Dispatcher, Sleep
from sandbox.faults.armed import Faults
from sandbox.faults.catalogue import FaultSpec
from sandbox.faults.control import Control, drop_connection, make_fault_middleware
from sandbox.ids import IdMint, new_auth_id, new_auth_token
from sandbox.scheduler import Scheduler
from sandbox.world import World

log = logging.getLogger("tendlc.sandbox")


class SandboxStartError(Exception):
    """The sandbox could not start (e.g. its port is taken); the message says what to do."""


class Sandbox:
    """An offline Plivo 10DLC API on `base_url`, accepting `auth_id` / `auth_token`.

    `delay` is the time from `created` to the terminal status; `retry_scale` multiplies
    Plivo's callback retry schedule (60/120/240 s); `seed` fixes every generated id;
    `preregistered` starts the account with a registered brand and an ACTIVE campaign
    (two of its numbers linked), as `tendlc sandbox` and the console do. `faults` are armed
    from the start; `faults_seed` seeds their probability draws.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 2.0,
        seed: int | None = None,
        auth_id: str | None = None,
        auth_token: str | None = None,
        main_auth_token: str | None = None,
        allow_remote_callbacks: bool = False,
        retry_scale: float = 0.01,
        clock: Clock = system_clock,
        sleep: Sleep = asyncio.sleep,
        faults: Iterable[FaultSpec] = (),
        faults_seed: int = 0,
        preregistered: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.auth_id = auth_id or new_auth_id()
        self.auth_token = auth_token or new_auth_token()
        self.main_auth_token = main_auth_token or self.auth_token
        self.world = World(IdMint(seed), clock, preregistered=preregistered)
        self.faults = Faults(faults_seed, clock)
        self.faults.arm(faults)
        self._sleep = sleep
        self.dispatcher = Dispatcher(
            token=self.auth_token,
            main_token=self.main_auth_token,
            clock=clock,
            retry_scale=retry_scale,
            allow_remote=allow_remote_callbacks,
            sleep=sleep,
            faults=self.faults,
        )
        self.scheduler = Scheduler(
            self.world, self.dispatcher, delay=delay, sleep=sleep, faults=self.faults
        )
        self._runner: web.AppRunner | None = None
        self._ready = False

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def deliveries(self) -> list[Delivery]:
        """Every callback delivery attempt so far, refusals included, oldest first."""
        return self.dispatcher.deliveries

    def suppress_callbacks(self, enabled: bool = True) -> None:
        """Keep moving state but send no callbacks (for reconcile tests)."""
        self.dispatcher.suppressed = enabled

    def make_app(self) -> web.Application:
        api_id = self.world.mint.api_id
        app = web.Application(
            middlewares=[
                drop_connection,
                *make_middlewares(self.auth_id, self.auth_token, api_id),
                make_fault_middleware(self.faults, self._sleep, api_id),
            ]
        )
        app.router.add_get("/healthz", self._healthz)
        app.router.add_routes(Api(self.world, self.scheduler).routes())
        app.router.add_routes(Control(self).routes())
        return app

    async def _healthz(self, request: web.Request) -> web.Response:
        if not self._ready:
            return web.json_response({"status": "starting"}, status=503)
        return web.json_response({"status": "ok"})

    async def start(self) -> None:
        """Bind and serve; raises SandboxStartError when the port cannot be bound."""
        await self.dispatcher.start()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            await self.dispatcher.close()
            if exc.errno == errno.EADDRINUSE:
                raise SandboxStartError(
                    f"port {self.port} is in use: pass --port N (or 0 for any free port) or stop the other process"
                ) from exc
            raise SandboxStartError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from exc
        self._runner = runner
        self.port = runner.addresses[0][1]
        self._ready = True
        log.info("sandbox listening on %s", self.base_url)

    async def stop(self) -> None:
        """Stop serving, cancel pending transitions and deliveries. Idempotent."""
        self._ready = False
        await self.scheduler.close()
        await self.dispatcher.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def idle(self) -> None:
        """Wait until scheduled transitions and deliveries (with their retries) are done."""
        await self.scheduler.idle()
