"""A store that lives on a server: a local mirror with the Store's read interface, kept live
from the server's stream, whose records go to the server (so every attached console sees them).

`AttachedStore.connect(url)` reads the registry and the journal's tail (blocking: before the
screen starts, or on a thread); `follow()` then starts the stream, on the loop, from the
position the registry was read at. Each change carries the current state of the resources it
touched, which replaces the mirror's copy; a change at or before the position seen is
skipped, so a resume after a drop neither misses nor repeats one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

from receiver.attached.client import ApiClient, ApiError, Entry, StreamEvent, entry_from
from receiver.attached.follow import Follower, Link, LinkState
from receiver.domain.models import (
    CallbackEvent,
    Cause,
    Change,
    Observation,
    RequestRecord,
    Resource,
    ResourceType,
)
from receiver.domain.registry import Registry
from receiver.domain.resource_map import rank_of
from receiver.forward import Forward
from receiver.store.disk.files import StoreError
from receiver.store.entries import entry_time, resource_key

log = logging.getLogger(__name__)

KEEP = 10_000  # journal entries the mirror holds (the event log, details, duplicate checks)
RECORD_WAIT = 10.0  # seconds a record waits for the stream to bring it back
READ_ONLY = (
    "attached with a read-only token (TENDLC_API_READ_TOKEN): nothing was sent; "
    "set TENDLC_API_TOKEN to send requests from this console"
)


class MirrorRegistry(Registry):
    """A registry whose resources are set from the server's copies."""

    def put(self, data: dict[str, Any]) -> Resource:
        res = Resource.from_dict(data)
        key = (res.type, res.id)
        self._resources[key] = res
        self._ranks[key] = rank_of(data, res)
        self._dirty[key] = None
        return res


class AttachedStore:
    """The Store interface the console uses (registry, recent, subscribe, entries_for,
    find_entry, record_request*, record_observations), backed by a `--serve-api` server."""

    path = None  # nothing on this disk (forwarding and the writer inbox need a local store)
    readonly = False

    def __init__(
        self,
        client: ApiClient,
        *,
        keep: int = KEEP,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.registry = MirrorRegistry()
        self.warnings: list[str] = []
        self.healthy = True
        self.last_error: str | None = None
        self.callback_url = ""
        self._read_only = False
        self.keep = keep
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._forwards: OrderedDict[tuple[str, str], Forward] = OrderedDict()
        self._forward_mark = ""  # the server's forward moves seen: the stream goes on from it
        self._forward_listeners: list[Callable[[Forward], None]] = []
        self._seq = 0
        self._seen = threading.Condition()
        self._subscribers: list[Callable[[Change], None]] = []
        self._link_listeners: list[Callable[[Link], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.follower = Follower(
            client,
            position=lambda: self._seq,
            on_event=self._received,
            on_link=self._linked,
            clock=clock,
            sleep=sleep,
            forwards_mark=lambda: self._forward_mark,
        )

    @classmethod
    def connect(
        cls, url: str, token: str | None = None, *, keep: int = KEEP, **kwargs: Any
    ) -> AttachedStore:
        """Read the server's registry and journal tail (blocking); raises ApiError."""
        store = cls(ApiClient(url, token), keep=keep, **kwargs)
        store.load()
        return store

    def load(self) -> None:
        info = self.client.info()
        self.callback_url = str(info.get("callback_url") or "")
        self._read_only = info.get("scope") == "read"
        self._forward_mark = str(info.get("forwards") or "")
        registry = self.client.get("/registry")
        for item in registry["resources"]:
            self.registry.put(item)
        upto = int(registry.get("seq") or 0)
        after = max(0, upto - self.keep)
        while after < upto:
            items, more = self.client.journal_page(after)
            for item in items:
                entry = self._read_entry(item)
                if entry.seq <= upto:
                    self._keep(entry)
                after = max(after, entry.seq)
            if not more or not items:
                break
        self._seq = upto

    @property
    def url(self) -> str:
        return self.client.base

    @property
    def refuses_records(self) -> str | None:
        """Why a request may not be sent now (the Gateway asks before calling Plivo): a
        read-only token, or a server out of reach that could not journal it."""
        if self._read_only:
            return READ_ONLY
        link = self.follower.link
        if link.state in (LinkState.LOST, LinkState.REFUSED) or (
            link.state is LinkState.CONNECTING and link.attempt
        ):
            return (
                f"the server {self.url} is out of reach ({link.reason or link.state.value}): "
                "nothing was sent; try again once the console has reconnected"
            )
        return None

    # -- following ---------------------------------------------------------------------------

    async def follow(self) -> None:
        """Start the stream (on the loop) from the position read so far."""
        self._loop = asyncio.get_running_loop()
        self.follower.start()

    @property
    def link(self) -> Link:
        return self.follower.link

    def on_link(self, fn: Callable[[Link], None]) -> Callable[[], None]:
        """Call `fn(link)` on every move of the connection (on the loop); returns unsubscribe."""
        self._link_listeners.append(fn)
        return lambda: self._link_listeners.remove(fn) if fn in self._link_listeners else None

    def _linked(self, link: Link) -> None:
        if link.state is not LinkState.CONNECTED:
            with self._seen:
                self._seen.notify_all()  # a record waiting for its echo stops waiting
        for fn in list(self._link_listeners):
            fn(link)

    def _received(self, event: StreamEvent) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        seq = event.id or 0
        if event.event == "change" and seq and seq <= self._seq:
            return  # already seen: a resume never repeats a change
        if event.event == "forward":
            self._forward_mark = str(data.get("mark") or self._forward_mark)
            self._forwarded(data.get("forward"))
            return
        if event.event not in ("change", "unverified"):
            return
        try:
            resources = tuple(self.registry.put(r) for r in data.get("resources") or ())
            entry = self._read_entry(data["entry"]) if data.get("entry") else None
        except (KeyError, TypeError, ValueError):
            log.debug("attached: an event could not be read: %r", data, exc_info=True)
            resources, entry = (), None
        if entry is not None:
            self._keep(entry)
        if event.event == "change" and seq:
            self._advance(seq)
        try:
            cause = Cause(str(data.get("cause")))
        except ValueError:
            cause = Cause.CALLBACK
        change = Change(
            cause,
            resources,
            event=entry if isinstance(entry, CallbackEvent) else None,
            request=entry if isinstance(entry, RequestRecord) else None,
            message=str(data.get("message") or ""),
        )
        self._notify(change)

    def _read_entry(self, item: dict[str, Any]) -> Entry:
        """An entry from the API, keeping the server's forwards of a callback."""
        for view in item.get("forwards") or ():
            self._keep_forward(view)
        return entry_from(item)

    def _keep_forward(self, view: Any) -> Forward | None:
        try:
            fwd = Forward.from_view(view)
        except (KeyError, TypeError, ValueError):
            return None
        key = (fwd.event_id, fwd.target)
        self._forwards[key] = fwd
        self._forwards.move_to_end(key)
        while len(self._forwards) > self.keep:
            self._forwards.popitem(last=False)
        return fwd

    def _forwarded(self, view: Any) -> None:
        fwd = self._keep_forward(view)
        if fwd is None:
            return
        for fn in list(self._forward_listeners):
            try:
                fn(fwd)
            except Exception:  # noqa: BLE001 - a display hook must not break the mirror
                log.debug("attached forward listener failed", exc_info=True)

    # -- the server's forwards (what a Forwarder shows a console) ----------------------------

    def for_event(self, event_id: str) -> list[Forward]:
        """The server's forwards of one callback (--forward-to on `tendlc receive`)."""
        return [f for (eid, _), f in self._forwards.items() if eid == event_id]

    def listen(self, fn: Callable[[Forward], None]) -> Callable[[], None]:
        """Call `fn(forward)` for every forward move the stream brings; returns unsubscribe."""
        self._forward_listeners.append(fn)
        return lambda: self._forward_listeners.remove(fn) if fn in self._forward_listeners else None

    def _advance(self, seq: int) -> None:
        with self._seen:
            self._seq = seq
            self._seen.notify_all()

    def _keep(self, entry: Entry) -> None:
        self._entries[entry.id] = entry
        self._entries.move_to_end(entry.id)
        while len(self._entries) > self.keep:
            self._entries.popitem(last=False)

    def _notify(self, change: Change) -> None:
        for fn in list(self._subscribers):
            try:
                fn(change)
            except Exception:  # noqa: BLE001 - a subscriber must not break the mirror
                log.debug("attached subscriber %r failed", fn, exc_info=True)

    def subscribe(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        """Call `fn(change)` on the loop thread for every change the stream brings."""
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn) if fn in self._subscribers else None

    # -- reads -------------------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self._seq

    def recent(self, limit: int = 500) -> list[Entry]:
        return list(self._entries.values())[-limit:] if limit > 0 else []

    def find_entry(self, entry_id: str) -> Entry | None:
        return self._entries.get(entry_id)

    def entries_for(self, type: ResourceType, id: str) -> list[Entry]:
        """What the mirror holds about the resource (its newest KEEP entries), oldest first."""
        key = resource_key(type, id)
        found = [e for e in self._entries.values() if key in _mentioned(e)]
        return sorted(found, key=entry_time)

    def journal(self, *, after_seq: int = 0) -> Iterator[Entry]:
        """The server's whole journal, page by page (blocking: from a thread)."""
        after = after_seq
        while True:
            items, more = self.client.journal_page(after)
            for item in items:
                entry = entry_from(item)
                after = max(after, entry.seq)
                yield entry
            if not more or not items:
                return

    def unverified(self) -> list[CallbackEvent]:
        return [e for e in self._entries.values() if isinstance(e, CallbackEvent) and not e.seq]

    def replay_count(self, entry_id: str) -> int:
        return 0  # replay markers stay on the server

    # -- records: on the server --------------------------------------------------------------

    def record_request_threadsafe(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        """From a worker thread: journal on the server, then wait (bounded) for the stream to
        bring it back, so the mirror shows it when this returns."""
        try:
            seq = self.client.record_request(record, callback_url)
        except ApiError as exc:
            raise StoreError(str(exc)) from None
        self._wait_for(seq)
        return Change(Cause.REQUEST, self._touched(record), request=replace(record, seq=seq))

    async def record_request(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        return await asyncio.to_thread(
            self.record_request_threadsafe, record, callback_url=callback_url
        )

    async def record_observations(self, observations: list[Observation]) -> Change:
        if not observations or self._read_only:  # read-only: the server's view stands
            return Change(cause=Cause.RECONCILE, resources=())

        def send() -> int:
            try:
                seq = self.client.record_observations(list(observations))
            except ApiError as exc:
                raise StoreError(str(exc)) from None
            self._wait_for(seq)
            return seq

        await asyncio.to_thread(send)
        keys = dict.fromkeys((o.type, o.id) for o in observations)
        found = (self.registry.get(t, i) for t, i in keys)
        return Change(Cause.RECONCILE, tuple(r for r in found if r is not None))

    def _wait_for(self, seq: int) -> None:
        deadline = time.monotonic() + RECORD_WAIT
        with self._seen:
            while self._seq < seq and self.follower.link.state is LinkState.CONNECTED:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._seen.wait(left)

    def _touched(self, record: RequestRecord) -> tuple[Resource, ...]:
        keys = [(ResourceType.BRAND, record.brand_id), (ResourceType.CAMPAIGN, record.campaign_id)]
        keys += [(ResourceType.NUMBER, n) for n in record.numbers]
        found = (self.registry.get(t, i) for t, i in keys if i)
        return tuple(r for r in found if r is not None)

    # -- the Store's lifecycle ---------------------------------------------------------------

    def attach_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_running_loop()

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        await self.follower.stop()

    def close_sync(self) -> None:
        return None


def _mentioned(entry: Entry) -> list[str]:
    """The resource keys an entry names (brand, campaign, number or numbers)."""
    keys = []
    if entry.brand_id:
        keys.append(resource_key(ResourceType.BRAND, entry.brand_id))
    if entry.campaign_id:
        keys.append(resource_key(ResourceType.CAMPAIGN, entry.campaign_id))
    numbers = [entry.number] if isinstance(entry, CallbackEvent) else list(entry.numbers)
    keys += [resource_key(ResourceType.NUMBER, n) for n in numbers if n]
    return keys
