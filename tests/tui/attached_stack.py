"""A `tendlc receive --serve-api` server on 127.0.0.1 (store, receiver, API, a sandbox whose
callbacks it verifies) and consoles attached to it, for the --attach tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from plivo_client.gateway import Gateway
from receiver.attached.client import ApiClient
from receiver.attached.receiver import AttachedReceiver
from receiver.attached.store import AttachedStore
from receiver.config import ReceiverConfig
from receiver.domain.models import RequestRecord, sequential_ids
from receiver.forward import Forwarder
from receiver.http.api import ApiTokens, StoreApi
from receiver.http.server import Receiver
from receiver.store.store import Store
from sandbox.server import Sandbox
from tui.app import TendlcApp, make_app

WRITE = "write-token-0123456789abcdef"
READ = "read-token-0123456789abcdef0"


class Gate:
    """The follower's sleep between retries: each delay is kept; it returns once opened."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.waiting = asyncio.Event()
        self._open = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.waiting.set()
        await self._open.wait()
        self._open.clear()
        self.waiting.clear()

    def open(self) -> None:
        self._open.set()


@dataclass
class Server:
    """The server side: what `tendlc receive --serve-api` runs."""

    store: Store
    receiver: Receiver
    sandbox: Sandbox
    forwarder: Forwarder | None = None
    consoles: list[AttachedStore] = field(default_factory=list)
    made: int = 0

    @property
    def base(self) -> str:
        return self.receiver.config.local_base

    async def stop(self) -> None:
        for store in self.consoles:
            await store.close()
        await self.receiver.stop()
        if self.forwarder is not None:
            await self.forwarder.stop()
        await self.sandbox.stop()
        await self.store.close()

    async def record(self, n: int) -> None:
        """A request recorded on the server (as another console's would be)."""
        record = RequestRecord(
            f"rq-srv-{n}", 1_767_225_600.0 + n, "brand.create", {}, True, brand_id=f"BSRV{n:03d}"
        )
        await self.store.record_request(record)

    async def attach(self, token: str = WRITE, sleep=asyncio.sleep) -> AttachedStore:
        """A mirror of this server, read as `tendlc --attach` reads it (on a thread)."""
        store = AttachedStore(ApiClient(self.base, token), sleep=sleep)
        await asyncio.to_thread(store.load)
        self.consoles.append(store)
        return store

    def console(self, store: AttachedStore, clock: Callable[[], float]) -> TendlcApp:
        """The console on `store`, its requests through the sandbox with the server's URL."""
        receiver = AttachedReceiver(store)
        box = self.sandbox

        def gateway() -> Gateway:
            return Gateway(
                box.auth_id,
                box.auth_token,
                base_url=box.base_url,
                store=store,  # type: ignore[arg-type]
                callback_url=lambda: receiver.config.callback_url,
            )

        return make_app(
            store=store,  # type: ignore[arg-type]
            receiver=receiver,  # type: ignore[arg-type]
            gateway=gateway,
            clock=clock,
            overdue_after=None,
        )


async def start_server(path: Path, forward_to: tuple[str, ...] = ()) -> Server:
    sandbox = Sandbox(delay=0, seed=7)
    await sandbox.start()
    store = Store.open(path)
    config = ReceiverConfig(
        port=0, auth_token=sandbox.auth_token, main_auth_token=sandbox.main_auth_token
    )
    receiver = Receiver(store, config, ids=sequential_ids("ev"), inbox=False)
    api = StoreApi(store, ApiTokens(WRITE, READ), callback_url=lambda: receiver.config.callback_url)
    receiver.extra_routes = api.routes()
    await receiver.start()
    forwarder = None
    if forward_to:  # `tendlc receive --serve-api --forward-to URL`
        forwarder = Forwarder(store, forward_to, token=sandbox.auth_token)
        await forwarder.start()
        api.follow_forwards(forwarder)
    return Server(store, receiver, sandbox, forwarder)
