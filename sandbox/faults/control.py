"""The sandbox's control API under /_sandbox/ (same Basic auth), and the API-fault middleware.

GET    /_sandbox/faults          armed faults, what fired, the seed
POST   /_sandbox/faults          arm one fault {"name": …} or several [{…}, …] / {"faults": […]}
DELETE /_sandbox/faults          remove every fault (requests held by stuck-processing move on)
DELETE /_sandbox/faults/{id}     remove one fault
POST   /_sandbox/scenario        arm a whole scenario (the scenario file's JSON form)
GET    /_sandbox/catalogue       every fault name, what it does, its keys and defaults
GET    /_sandbox/deliveries      every callback attempt so far (fault, status, error)
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.api.wire import ACCOUNT_PREFIX, ApiError, Handler, check_basic
from sandbox.delivery import Sleep
from sandbox.faults.armed import ANSWER_HOLDS, Faults
from sandbox.faults.catalogue import CATALOGUE, FILTERS, FaultError, spec_from_mapping
from sandbox.faults.scenario import scenario_from_mapping

if TYPE_CHECKING:
    from sandbox.server import Sandbox

log = logging.getLogger("tendlc.sandbox.faults.control")

CONTROL_PREFIX = "/_sandbox/"
HOLD_LIMIT = 60.0  # the longest an answer waits for its callbacks (callback-before-answer)
GONE_POLL = 0.05  # how often a held (timeout) answer checks whether the client left


def make_fault_middleware(
    faults: Faults, sleep: Sleep, api_id: Callable[[], str]
) -> Callable[..., Any]:
    """API faults for /v1/Account/… (inside the auth and error envelope), and answer holds."""

    @web.middleware
    async def api_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(ACCOUNT_PREFIX):
            return await handler(request)
        path = request.path[len(ACCOUNT_PREFIX) :].partition("/")[2]
        fault = faults.api(request.method, path)
        name = fault.spec.name if fault is not None else ""
        if name == "rate-limit":
            wait = fault.spec.param("retry_after")
            error = f"Too many requests: retry after {wait} seconds (sandbox fault {fault.id})"
            return web.json_response(
                {"api_id": api_id(), "error": error},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        if name == "slow-answer":
            await sleep(fault.spec.param("seconds"))
        if name in ("api-error", "timeout") and not fault.spec.param("applied"):
            response = None
        else:
            response = await _with_holds(handler, request)
        if name == "api-error":
            status = fault.spec.param("status")
            error = f"the server had an error (HTTP {status}, sandbox fault {fault.id})"
            return web.json_response({"api_id": api_id(), "error": error}, status=status)
        if name == "timeout":
            await _hold_until_gone(request, fault.spec.param("seconds"))
            raise _Dropped
        assert response is not None
        return response

    return api_faults


class _Dropped(Exception):
    """Close the connection without an answer (fault `timeout`)."""


@web.middleware
async def drop_connection(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: a timed-out request's connection is closed with nothing written."""
    try:
        return await handler(request)
    except _Dropped:
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError from None


async def _with_holds(handler: Handler, request: web.Request) -> web.StreamResponse:
    """Run the handler; hold its answer until the callbacks it must follow were attempted."""
    holds: list[asyncio.Future[None]] = []
    token = ANSWER_HOLDS.set(holds)
    try:
        response = await handler(request)
    finally:
        ANSWER_HOLDS.reset(token)
    if holds:
        await asyncio.wait(holds, timeout=HOLD_LIMIT)
    return response


async def _hold_until_gone(request: web.Request, seconds: float) -> None:
    """Wait (in real time: clients time out in real time) until the client left or `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(GONE_POLL)


class Control:
    """Handlers of the control API for one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @property
    def faults(self) -> Faults:
        return self.sandbox.faults

    def routes(self) -> list[web.RouteDef]:
        table = [
            ("GET", "faults", self.list_faults),
            ("POST", "faults", self.arm_faults),
            ("DELETE", "faults", self.clear_faults),
            ("DELETE", "faults/{fault_id}", self.remove_fault),
            ("POST", "scenario", self.arm_scenario),
            ("GET", "catalogue", self.catalogue),
            ("GET", "deliveries", self.deliveries),
        ]
        out = []
        for method, path, handler in table:
            for variant in (CONTROL_PREFIX + path, CONTROL_PREFIX + path + "/"):
                out.append(web.route(method, variant, self._guarded(handler)))
        return out

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                check_basic(request, self.sandbox.auth_id, self.sandbox.auth_token)
                return await handler(request)
            except ApiError as exc:
                return web.json_response({"error": exc.message}, status=exc.status)
            except FaultError as exc:
                return web.json_response({"error": str(exc)}, status=400)

        return guarded

    async def _json(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            return json.loads(raw or b"null")
        except ValueError:
            raise FaultError("the body is not valid JSON") from None

    async def list_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.faults.to_json())

    async def arm_faults(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if isinstance(body, dict) and "faults" in body:
            body = body["faults"]
        entries = body if isinstance(body, list) else [body]
        specs = [spec_from_mapping(e, where=f"faults[{i}]") for i, e in enumerate(entries)]
        armed = self.faults.arm(specs)  # all checked before any is armed
        return web.json_response({"armed": [a.to_json() for a in armed]}, status=201)

    async def clear_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"removed": self.faults.clear()})

    async def remove_fault(self, request: web.Request) -> web.Response:
        fault_id = request.match_info["fault_id"]
        if not self.faults.disarm(fault_id):
            known = ", ".join(a.id for a in self.faults.armed) or "none"
            raise ApiError(404, f"no fault {fault_id!r} is armed (armed: {known})")
        return web.json_response({"removed": 1})

    async def arm_scenario(self, request: web.Request) -> web.Response:
        scenario = scenario_from_mapping(await self._json(request))
        if scenario.seed is not None:
            self.faults.reseed(scenario.seed)
        armed = self.faults.arm(scenario.faults)
        return web.json_response(
            {"seed": self.faults.seed, "armed": [a.to_json() for a in armed]}, status=201
        )

    async def catalogue(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                name: {
                    "group": entry.group,
                    "summary": entry.summary,
                    "filters": list(FILTERS[entry.group]),
                    "params": {k: p.default for k, p in entry.params.items()},
                }
                for name, entry in CATALOGUE.items()
            }
        )

    async def deliveries(self, request: web.Request) -> web.Response:
        return web.json_response({"deliveries": [asdict(d) for d in self.sandbox.deliveries]})
