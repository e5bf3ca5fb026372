"""`tendlc receive --serve-api`: the store over HTTP, for consoles and scripts elsewhere.

Beside the callback path, under /_tendlc/v1/: the registry, the journal after a position, a
live stream of changes (server-sent events, resumable with Last-Event-ID or ?after=SEQ),
what the server is (its public callback URL), one resource, and endpoints to record requests
and observations (what an attached console's reconcile read from Plivo). Every route wants `Authorization: Bearer TOKEN`, compared in
constant time: TENDLC_API_TOKEN reads and writes, TENDLC_API_READ_TOKEN (optional) only
reads. A missing or wrong token gets 401 and nothing else; a read token on a write route 403.

Resuming is gap-free: the stream subscribes to the store first, then sends every journal
entry after the client's position (each with the current state of the resources it
touches), then the live changes it buffered, skipping what it already sent. A client that
falls more than STREAM_BUFFER changes behind is disconnected; it resumes from its last id.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from receiver.domain.models import (
    CallbackEvent,
    Change,
    RequestRecord,
    Resource,
    ResourceType,
)
from receiver.store.entries import (
    ENTRY_RECONCILE,
    ENTRY_REPLAY,
    entry_object,
    observation_from_dict,
)
from receiver.store.export import resources_in_order

log = logging.getLogger(__name__)

PREFIX = "/_tendlc/v1"
ENV_TOKEN, ENV_READ_TOKEN = "TENDLC_API_TOKEN", "TENDLC_API_READ_TOKEN"
PAGE_MAX = 1000
STREAM_BUFFER = 10_000
KEEPALIVE = 15.0
READ, WRITE = "read", "write"


class ApiConfigError(ValueError):
    """--serve-api cannot start: the message says what to set."""


@dataclass(frozen=True, slots=True)
class ApiTokens:
    write: str
    read: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str]) -> ApiTokens:
        write = env.get(ENV_TOKEN, "").strip()
        read = env.get(ENV_READ_TOKEN, "").strip() or None
        if len(write) < 16:
            raise ApiConfigError(
                f"--serve-api needs {ENV_TOKEN} (at least 16 characters; e.g. "
                "`openssl rand -hex 32`): the API refuses to start without one"
            )
        if read is not None and (len(read) < 16 or read == write):
            raise ApiConfigError(
                f"{ENV_READ_TOKEN} must be at least 16 characters, not the write token"
            )
        return cls(write, read)

    def scope(self, header: str | None) -> str | None:
        """The scope the Authorization header grants (None: no valid token)."""
        if not header or not header.startswith("Bearer "):
            return None
        given = header[len("Bearer ") :].strip().encode("utf-8", "surrogateescape")
        # Both comparisons always run, so timing says nothing about which token was close.
        is_write = hmac.compare_digest(given, self.write.encode())
        is_read = hmac.compare_digest(given, (self.read or "\0").encode()) and self.read is not None
        return WRITE if is_write else READ if is_read else None


def _resource_keys(entry: CallbackEvent | RequestRecord) -> list[tuple[ResourceType, str]]:
    keys: list[tuple[ResourceType, str]] = []
    if entry.brand_id:
        keys.append((ResourceType.BRAND, entry.brand_id))
    if entry.campaign_id:
        keys.append((ResourceType.CAMPAIGN, entry.campaign_id))
    numbers = [entry.number] if isinstance(entry, CallbackEvent) else list(entry.numbers)
    keys += [(ResourceType.NUMBER, n) for n in numbers if n]
    return keys


class StoreApi:
    """The API's routes over one store (the writer's: requests are recorded through it)."""

    def __init__(
        self, store: Any, tokens: ApiTokens, callback_url: Callable[[], str] | None = None
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.callback_url = callback_url or (lambda: "")
        self.streams = 0
        self.forwarder: Any = None  # receiver/forward.py: its outcomes ride along (forwards)
        self._queues: set[asyncio.Queue[Any]] = set()

    def follow_forwards(self, forwarder: Any) -> None:
        """Send each callback's forwards with it, and every forward's moves on the stream."""
        self.forwarder = forwarder
        forwarder.listen(self._forwarded)

    def _forwarded(self, fwd: Any) -> None:
        for queue in list(self._queues):
            if queue.qsize() < STREAM_BUFFER:
                data = {"forward": fwd.view(), "mark": self.forwarder.mark_of(fwd)}
                queue.put_nowait((fwd.moved, data, "forward"))

    def _entry(self, entry: CallbackEvent | RequestRecord) -> dict[str, Any]:
        data = _entry_json(entry)
        if self.forwarder is not None and isinstance(entry, CallbackEvent):
            data["forwards"] = [f.view() for f in self.forwarder.for_event(entry.id)]
        return data

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(f"{PREFIX}/info", self.info),
            web.get(f"{PREFIX}/resource/{{type}}/{{id}}", self.resource),
            web.post(f"{PREFIX}/observations", self.record_observations),
            web.get(f"{PREFIX}/registry", self.registry),
            web.get(f"{PREFIX}/journal", self.journal),
            web.get(f"{PREFIX}/stream", self.stream),
            web.post(f"{PREFIX}/requests", self.record_request),
        ]

    def _allow(self, request: web.Request, scope: str) -> None:
        granted = self.tokens.scope(request.headers.get("Authorization"))
        if granted is None:
            raise web.HTTPUnauthorized(
                text="unauthorized\n", headers={"WWW-Authenticate": 'Bearer realm="tendlc"'}
            )
        if scope == WRITE and granted != WRITE:
            raise web.HTTPForbidden(text="this token can only read\n")

    # -- reads -------------------------------------------------------------------------------

    async def info(self, request: web.Request) -> web.Response:
        """The public callback URL requests must carry, the journal's position, and what the
        token may do (read, write)."""
        self._allow(request, READ)
        scope = self.tokens.scope(request.headers.get("Authorization"))
        body = {"callback_url": self.callback_url(), "seq": self.store.last_seq, "scope": scope}
        if self.forwarder is not None:  # where its moves stand: stream?forwards=MARK goes on
            body["forwards"] = self.forwarder.mark
        return web.json_response(body)

    async def resource(self, request: web.Request) -> web.Response:
        self._allow(request, READ)
        try:
            rtype = ResourceType(request.match_info["type"])
        except ValueError:
            raise web.HTTPNotFound(text="no such resource type\n") from None
        found = self.store.registry.get(rtype, request.match_info["id"])
        if found is None:
            raise web.HTTPNotFound(text="not in the registry\n")
        return web.json_response(found.to_dict())

    async def registry(self, request: web.Request) -> web.Response:
        self._allow(request, READ)
        resources = [r.to_dict() for r in resources_in_order(self.store.registry)]
        return web.json_response({"seq": self.store.last_seq, "resources": resources})

    async def journal(self, request: web.Request) -> web.Response:
        self._allow(request, READ)
        after, limit = _int_param(request, "after", 0), _int_param(request, "limit", PAGE_MAX)
        limit = max(1, min(limit, PAGE_MAX))
        entries = []
        for item in self.store.journal(after_seq=after):
            entries.append(self._entry(item))
            if len(entries) >= limit:
                break
        return web.json_response(
            {"entries": entries, "last_seq": self.store.last_seq, "more": len(entries) >= limit}
        )

    # -- the stream --------------------------------------------------------------------------

    async def stream(self, request: web.Request) -> web.StreamResponse:
        self._allow(request, READ)
        after = _int_param(request, "after", 0)
        if (last := request.headers.get("Last-Event-ID", "").strip()).isdigit():
            after = int(last)
        queue: asyncio.Queue[tuple[int, dict[str, Any], str] | None] = asyncio.Queue()
        behind = False

        def changed(change: Change) -> None:
            nonlocal behind
            if behind:
                return
            if queue.qsize() >= STREAM_BUFFER:
                behind = True
                queue.put_nowait(None)  # too far behind: close; the client resumes
                return
            seq, data = self._change_json(change)
            queue.put_nowait((seq, data, "change" if seq else "unverified"))

        unsubscribe = self.store.subscribe(changed)  # first, so nothing falls in between
        self._queues.add(queue)
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        self.streams += 1
        try:
            await response.prepare(request)
            sent = after
            upto = self.store.last_seq
            for seq, data in self._catch_up(after, upto):
                await _send(response, seq, data)
                sent = max(sent, seq)
            sent = max(sent, upto)
            moved = await self._forwards_since(response, request.query.get("forwards"))
            await _send(response, None, {"ready": True, "seq": sent}, event="ready")
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if item is None:
                    break
                seq, data, event = item
                if event == "forward":
                    if seq > moved:  # else already sent, as it is now, while catching up
                        await _send(response, None, data, event=event)
                    continue
                if seq and seq <= sent:
                    continue  # already sent while catching up
                await _send(response, seq or None, data, event=event)
                sent = max(sent, seq)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            unsubscribe()
            self._queues.discard(queue)
            self.streams -= 1
        return response

    async def _forwards_since(self, response: web.StreamResponse, mark: str | None) -> int:
        """With `forwards=MARK` (Forwarder.mark, from info or a forward event): every forward
        that moved after it, as it is now, so a console that was away misses no outcome.
        Returns the move count sent up to (-1: none, every later move goes out)."""
        forwarder = self.forwarder
        if forwarder is None or mark is None:
            return -1
        upto = forwarder.moves
        for fwd in forwarder.moved_since(mark):
            data = {"forward": fwd.view(), "mark": forwarder.mark_of(fwd)}
            await _send(response, None, data, event="forward")
        return upto

    def _change_json(self, change: Change) -> tuple[int, dict[str, Any]]:
        entry = change.event or change.request
        seq = entry.seq if entry is not None else self.store.last_seq
        return seq, {
            "seq": seq,
            "cause": change.cause.value,
            "entry": self._entry(entry) if entry is not None else None,
            "resources": [r.to_dict() for r in change.resources],
            "message": change.message,
        }

    def _catch_up(self, after: int, upto: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each journal entry in (after, upto], with the current state of what it touched."""
        registry = self.store.registry
        for raw in self.store.raw_journal(after_seq=after):
            seq = int(raw.get("seq") or 0)
            if seq > upto:
                break
            kind = raw.get("entry")
            if kind == ENTRY_REPLAY:
                continue
            if kind == ENTRY_RECONCILE:
                keys = _observed(raw.get("observations") or ())
                entry = None
            else:
                entry = entry_object(raw)
                if entry is None:
                    continue
                keys = _resource_keys(entry)
            found = _resources(registry, keys)
            yield (
                seq,
                {
                    "seq": seq,
                    "cause": "reconcile" if kind == ENTRY_RECONCILE else str(kind),
                    "entry": self._entry(entry) if entry is not None else None,
                    "resources": [r.to_dict() for r in found],
                    "message": "",
                },
            )

    # -- writes ------------------------------------------------------------------------------

    async def record_request(self, request: web.Request) -> web.Response:
        self._allow(request, WRITE)
        try:
            body = await request.json()
            record = RequestRecord.from_dict(body["record"])
            callback_url = body.get("callback_url")
            if callback_url is not None and not isinstance(callback_url, str):
                raise TypeError("callback_url must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            raise web.HTTPBadRequest(text=f"bad request: {exc}\n") from None
        change = await self.store.record_request(record, callback_url=callback_url)
        seq = change.request.seq if change.request is not None else self.store.last_seq
        return web.json_response({"seq": seq}, status=201)

    async def record_observations(self, request: web.Request) -> web.Response:
        self._allow(request, WRITE)
        try:
            body = await request.json()
            observations = [observation_from_dict(o) for o in body["observations"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise web.HTTPBadRequest(text=f"bad request: {exc}\n") from None
        change = await self.store.record_observations(observations)
        return web.json_response({"seq": self.store.last_seq, "changed": len(change.resources)})


def _resources(registry: Any, keys: Iterable[tuple[ResourceType, str]]) -> list[Resource]:
    found = []
    for type_, id_ in dict.fromkeys(keys):
        resource = registry.get(type_, id_)
        if resource is not None:
            found.append(resource)
    return found


def _observed(observations: Iterable[Any]) -> list[tuple[ResourceType, str]]:
    keys = []
    for obs in observations:
        try:
            keys.append((ResourceType(obs["type"]), str(obs["id"])))
        except (KeyError, ValueError, TypeError):
            continue
    return keys


def _entry_json(entry: CallbackEvent | RequestRecord) -> dict[str, Any]:
    kind = "callback" if isinstance(entry, CallbackEvent) else "request"
    return {"type": kind, **entry.to_dict()}


def _int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise web.HTTPBadRequest(text=f"bad request: {name} must be a whole number\n")
    return int(raw)


async def _send(
    response: web.StreamResponse, seq: int | None, data: dict[str, Any], event: str = "change"
) -> None:
    head = f"id: {seq}\n" if seq else ""
    text = f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"
    await response.write(text.encode())
