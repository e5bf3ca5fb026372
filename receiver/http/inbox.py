"""The writer's inbox: how a headless verb records in a store that another tendlc process writes.

The store has one writer (the TUI or `tendlc receive`, holding the flock). That writer also
serves this inbox on 127.0.0.1, on a port of its own (a tunnel forwards only the receiver's
port), and advertises it in `<store>/writer.json` (0600: the address and a random token). A
verb that cannot take the lock posts its request records here; the writer journals them with
`record_request` exactly as its own, so a running TUI shows what a script did, and the verb
reads the registry (fed by the writer's callbacks) to wait for a terminal status.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from receiver.domain.models import RequestRecord, ResourceType
from receiver.store.disk.atomicdb import atomic_write
from receiver.store.entries import observation_from_dict

if TYPE_CHECKING:
    from receiver.store.store import Store

log = logging.getLogger("tendlc.receiver")

INBOX_NAME = "writer.json"
MAX_BODY = 1024 * 1024
SHUTDOWN_TIMEOUT = 1.0


class Inbox:
    """Serves POST /request, POST /observations, GET /resource/{type}/{id} and GET /info."""

    def __init__(
        self,
        store: Store,
        callback_url: Callable[[], str],
        extra: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.store = store
        self.callback_url = callback_url
        self.extra = extra  # more for GET /info, e.g. the console's in-process sandbox
        self.token = secrets.token_urlsafe(32)
        self.url = ""
        self._runner: web.AppRunner | None = None

    @property
    def file(self) -> Path:
        return Path(self.store.path) / INBOX_NAME

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._auth])
        app.router.add_get("/info", self._info)
        app.router.add_post("/request", self._request)
        app.router.add_post("/observations", self._observations)
        app.router.add_get("/resource/{type}/{id}", self._resource)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        port = runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        doc = {"pid": os.getpid(), "url": self.url, "token": self.token}
        atomic_write(self.file, json.dumps(doc).encode())

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        try:
            if json.loads(self.file.read_text("utf-8")).get("token") == self.token:
                self.file.unlink()
        except (OSError, ValueError):
            pass
        await runner.cleanup()

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return web.json_response({"error": "not authorised"}, status=401)
        return await handler(request)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="not JSON") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="not a JSON object")
        return data

    async def _info(self, request: web.Request) -> web.Response:
        info = dict(self.extra() if self.extra else {})
        return web.json_response({**info, "pid": os.getpid(), "callback_url": self.callback_url()})

    async def _request(self, request: web.Request) -> web.Response:
        data = await self._body(request)
        try:
            record = RequestRecord.from_dict(data["record"])
        except (KeyError, TypeError, ValueError) as exc:
            return web.json_response({"error": f"not a request record: {exc}"}, status=400)
        try:
            change = await self.store.record_request(record, callback_url=data.get("callback_url"))
        except Exception as exc:  # the caller reports it: the request itself already happened
            return web.json_response({"error": str(exc)}, status=503)
        seq = change.request.seq if change.request is not None else 0
        return web.json_response({"seq": seq})

    async def _observations(self, request: web.Request) -> web.Response:
        data = await self._body(request)
        try:
            observations = [observation_from_dict(o) for o in data.get("observations") or ()]
        except (KeyError, TypeError, ValueError) as exc:
            return web.json_response({"error": f"not an observation: {exc}"}, status=400)
        try:
            change = await self.store.record_observations(observations)
        except Exception as exc:
            return web.json_response({"error": str(exc)}, status=503)
        return web.json_response({"changed": [r.to_dict() for r in change.resources]})

    async def _resource(self, request: web.Request) -> web.Response:
        try:
            rtype = ResourceType(request.match_info["type"])
        except ValueError:
            return web.json_response({"error": "no such resource type"}, status=404)
        res = self.store.registry.get(rtype, request.match_info["id"])
        if res is None:
            return web.json_response({"error": "not in the registry"}, status=404)
        return web.json_response(res.to_dict())


@dataclass(frozen=True, slots=True)
class WriterLink:
    """Where the process writing a store takes requests (read from its writer.json)."""

    pid: int | None
    url: str
    token: str

    @classmethod
    def find(cls, store_path: Path) -> WriterLink | None:
        """The advertised inbox of `store_path`, or None (no writer, or an unreadable file)."""
        try:
            doc = json.loads((Path(store_path) / INBOX_NAME).read_text("utf-8"))
            url, token = str(doc["url"]), str(doc["token"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not url.startswith("http://127.0.0.1:"):
            return None  # never send a token anywhere but this machine
        pid = doc.get("pid")
        return cls(pid if isinstance(pid, int) else None, url, token)
