"""`--attach URL`: use the store that a `tendlc receive --serve-api` serves, from anywhere.

`tendlc status --attach URL` and `tendlc events --attach URL` read it; `tendlc --attach URL`
runs the console on it (attached_parts); the headless verbs record on it (ApiRecorder). The
token comes from TENDLC_API_TOKEN (or TENDLC_API_READ_TOKEN, to read only); every error is
one line that says what to fix.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TextIO

from receiver.attached.client import ApiClient, ApiError, entry_from
from receiver.domain.models import (
    CallbackEvent,
    Cause,
    Change,
    Observation,
    RequestRecord,
    Resource,
)
from receiver.store.disk.files import StoreError
from receiver.store.export import format_table, write_events
from receiver.store.status_json import compact, json_array, resource_dict

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from receiver.attached.receiver import AttachedReceiver
    from receiver.attached.store import AttachedStore
    from sandbox import Sandbox
    from tendlc.launch import LaunchOptions

AttachError = ApiError


class Attached(ApiClient):
    """A remote store's API (receiver/http/api.py), read from the command line."""

    def resources(self) -> list[Resource]:
        return [Resource.from_dict(r) for r in self.get("/registry")["resources"]]

    def entries(self) -> Iterator[CallbackEvent | RequestRecord]:
        after = 0
        while True:
            page = self.get(f"/journal?after={after}")
            for item in page["entries"]:
                entry = entry_from(item)
                after = max(after, entry.seq)
                yield entry
            if not page.get("more"):
                return


class ApiRecorder:
    """What a headless verb's Gateway records through when it is given --attach URL: the
    server's journal (so every attached console sees the request), and its registry."""

    def __init__(self, url: str) -> None:
        self.client = Attached(url)

    def info(self) -> dict[str, Any]:
        try:
            return self.client.info()
        except ApiError as exc:
            raise StoreError(str(exc)) from None

    def record_request_threadsafe(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        try:
            seq = self.client.record_request(record, callback_url)
        except ApiError as exc:
            raise StoreError(str(exc)) from None
        return Change(Cause.REQUEST, (), request=replace(record, seq=seq))

    def record_observations(self, observations: list[Observation]) -> None:
        if not observations:
            return
        try:
            self.client.record_observations(observations)
        except ApiError as exc:
            raise StoreError(str(exc)) from None

    def resource(self, kind: str, rid: str) -> Resource | None:
        try:
            return Resource.from_dict(self.client.get(f"/resource/{kind}/{rid}"))
        except ApiError as exc:
            if "answered 404" in str(exc):
                return None
            raise StoreError(str(exc)) from None

    def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class AttachedParts:
    """What the console runs on when attached: the server's store, its stand-in receiver,
    the local gateway (or a factory, once the sandbox is up) and the optional sandbox."""

    store: AttachedStore
    receiver: AttachedReceiver
    gateway: Gateway | Callable[[], Gateway]
    sandbox: Sandbox | None


def attached_parts(options: LaunchOptions, *, sandbox_delay: float) -> AttachedParts:
    """Read the server (a bad URL or token raises AttachError now, before the screen), and
    make the gateway that sends requests from here with the server's callback URL.

    In sandbox mode the in-process sandbox signs with PLIVO_AUTH_TOKEN when set, so a server
    started with the same token verifies what it delivers."""
    from plivo_client.gateway import Gateway
    from plivo_client.types import GatewayError
    from receiver.attached.receiver import AttachedReceiver
    from receiver.attached.store import AttachedStore

    assert options.attach is not None
    store = AttachedStore.connect(options.attach)
    receiver = AttachedReceiver(store)

    def callback_url() -> str:
        return receiver.config.callback_url

    if options.sandbox:
        from sandbox.server import Sandbox

        box = Sandbox(
            delay=sandbox_delay,
            seed=None,
            preregistered=True,
            auth_token=options.config.auth_token,
            main_auth_token=options.config.main_auth_token,
            faults=options.faults,
            faults_seed=options.faults_seed,
        )

        def gateway() -> Gateway:
            return Gateway(
                box.auth_id,
                box.auth_token,
                base_url=box.base_url,
                store=store,  # type: ignore[arg-type]
                callback_url=callback_url,
            )

        return AttachedParts(store, receiver, gateway, box)
    try:
        live = Gateway(
            options.auth_id or "",
            options.config.auth_token or "",
            store=store,  # type: ignore[arg-type]
            callback_url=callback_url,
        )
    except GatewayError as exc:
        raise AttachError(str(exc)) from None
    return AttachedParts(store, receiver, live, None)


def run_status_attached(url: str, as_json: bool, out: TextIO, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        resources = Attached(url).resources()
    except AttachError as exc:
        err.write(f"tendlc status: {exc}\n")
        return 1
    if as_json:
        out.write(json_array(compact(resource_dict(r)) for r in resources) + "\n")
    else:
        out.write(format_table(resources))
    out.flush()
    return 0


def run_events_attached(url: str, fmt: str, out: TextIO, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        write_events(Attached(url).entries(), fmt, out)
    except AttachError as exc:
        err.write(f"tendlc events: {exc}\n")
        return 1
    return 0
