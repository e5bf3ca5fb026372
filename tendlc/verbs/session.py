"""A headless verb's session: a Gateway whose requests land in the store, locally or through
the writer's inbox when another tendlc process (the TUI, `tendlc receive`) writes the store,
or on a `tendlc receive --serve-api` server with --attach URL."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import requests

from plivo_client.gateway import Gateway, GatewayError
from plivo_client.reconcile import Known
from receiver.domain.models import Cause, Change, Observation, RequestRecord, Resource
from receiver.http.inbox import INBOX_NAME, WriterLink
from receiver.store.entries import observation_to_dict
from receiver.store.store import Store, StoreError, StoreLockedError
from tendlc.attach import ApiRecorder, AttachError

INBOX_TIMEOUT = 10.0


def running_writer(store_path: Path) -> dict[str, Any] | None:
    """What the tendlc process writing `store_path` advertises (callback URL, its sandbox), or
    None when none runs or it does not answer."""
    link = WriterLink.find(store_path)
    if link is None:
        return None
    try:
        return RemoteStore(link, timeout=3.0).info()
    except StoreError:
        return None


class SessionError(Exception):
    """The verb cannot start: the message says why and what to do."""


class RemoteStore:
    """What the Gateway records through when another process writes the store."""

    def __init__(self, link: WriterLink, *, timeout: float = INBOX_TIMEOUT) -> None:
        self.link = link
        self.timeout = timeout
        self._http = requests.Session()
        self._http.headers["Authorization"] = f"Bearer {link.token}"
        self._http.trust_env = False  # loopback only: no proxy may see the token

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            answer = self._http.request(
                method, self.link.url + path, json=body, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise StoreError(
                f"the tendlc process writing this store (pid {self.link.pid}) did not answer "
                f"at {self.link.url}: {exc.__class__.__name__}"
            ) from None
        if answer.status_code == 404:
            return None
        try:
            data = answer.json()
        except ValueError:
            data = {}
        if answer.status_code != 200:
            raise StoreError(
                f"the tendlc process writing this store refused: "
                f"{data.get('error') or answer.status_code}"
            )
        return data

    def info(self) -> dict[str, Any]:
        return self._call("GET", "/info") or {}

    def record_request_threadsafe(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        data = self._call(
            "POST", "/request", {"record": record.to_dict(), "callback_url": callback_url}
        )
        seq = int((data or {}).get("seq") or 0)
        return Change(Cause.REQUEST, (), request=replace(record, seq=seq))

    def record_observations(self, observations: list[Observation]) -> None:
        self._call(
            "POST",
            "/observations",
            {"observations": [observation_to_dict(o) for o in observations]},
        )

    def resource(self, kind: str, rid: str) -> Resource | None:
        data = self._call("GET", f"/resource/{kind}/{rid}")
        return Resource.from_dict(data) if data else None

    def close(self) -> None:
        self._http.close()


LOCK_WAIT = 10.0
"""Seconds a verb waits for another verb (which holds the store for milliseconds) to let go."""
# Injected by tests: the clock and sleep of that wait.
lock_clock: Callable[[], float] = time.monotonic
lock_sleep: Callable[[float], None] = time.sleep


class LocalStore:
    """The store, opened by this process only for each write and closed right after (so verbs
    can run side by side, and a --wait holds no lock), committing on a loop in a thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        try:
            self._use(self._forget_stale_inbox)
        except BaseException:
            self._stop_loop()
            raise

    async def _forget_stale_inbox(self, store: Store) -> None:
        """We hold the lock, so a writer.json left here is from a process that died."""
        (Path(store.path) / INBOX_NAME).unlink(missing_ok=True)

    async def _once(self, fn: Callable[[Store], Awaitable[Any]]) -> Any:
        store = Store.open(self.path)
        try:
            return await fn(store)
        finally:
            await store.close()

    def _use(self, fn: Callable[[Store], Awaitable[Any]]) -> Any:
        """Run `fn(store)` with the store open; while another verb holds it, wait LOCK_WAIT."""
        deadline = lock_clock() + LOCK_WAIT
        delay = 0.05
        while True:
            try:
                return asyncio.run_coroutine_threadsafe(self._once(fn), self.loop).result()
            except StoreLockedError:
                if WriterLink.find(self.path) is not None or lock_clock() >= deadline:
                    raise  # a console or receiver writes it (use its inbox), or it stays held
                lock_sleep(delay)
                delay = min(delay * 2, 0.5)

    def record_request_threadsafe(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> Change:
        return self._use(lambda store: store.record_request(record, callback_url=callback_url))

    def record_observations(self, observations: list[Observation]) -> None:
        self._use(lambda store: store.record_observations(observations))

    def resource(self, kind: str, rid: str) -> Resource | None:
        return None  # nobody receives callbacks for this store: wait by asking the API

    def known(self) -> Known:
        """The numbers the registry holds per campaign (so a settle can mark absent ones)."""

        async def read(store: Store) -> Known:
            return Known.of(store.registry)

        return self._use(read)

    def close(self) -> None:
        self._stop_loop()

    def _stop_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()


class Session:
    """Credentials from the environment, the store at `db_path`, and a Gateway on both."""

    def __init__(
        self,
        db_path: Path,
        *,
        api_url: str | None,
        timeout: float = 10.0,
        attach: str | None = None,
    ) -> None:
        auth_id = os.environ.get("PLIVO_AUTH_ID") or ""
        auth_token = os.environ.get("PLIVO_AUTH_TOKEN") or ""
        if api_url and not api_url.startswith(("http://", "https://")):
            raise SessionError(f"--api-url must start with http:// or https://, got {api_url!r}")
        self.db_path = db_path
        self.note = ""  # one line for stderr about where this session talks
        self.recorder: LocalStore | RemoteStore | ApiRecorder = self._recorder(db_path, attach)
        info: dict[str, Any] = {}
        if not isinstance(self.recorder, LocalStore):
            try:
                info = self.recorder.info()
            except StoreError as exc:
                self.recorder.close()
                raise SessionError(str(exc)) from None
        box = info.get("sandbox") if isinstance(info.get("sandbox"), dict) else None
        if not (auth_id or auth_token) and box:  # the console runs in sandbox mode: use its own
            auth_id, auth_token = str(box.get("auth_id") or ""), str(box.get("auth_token") or "")
            api_url = api_url or str(box.get("api_url") or "") or None
            self.note = f"no PLIVO_AUTH_ID set: using the console's sandbox at {api_url}"
        if not auth_id or not auth_token:
            self.recorder.close()
            raise SessionError(
                "needs PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN in the environment (for `tendlc "
                "sandbox`, export the credentials it printed and pass --api-url URL)"
            )
        self.callback_url = str(info.get("callback_url") or "")
        try:
            self.gateway = Gateway(
                auth_id, auth_token, base_url=api_url, store=self.recorder,  # type: ignore[arg-type]
                callback_url=self.callback_url, timeout=timeout,
            )  # fmt: skip
        except GatewayError as exc:
            self.recorder.close()
            raise SessionError(str(exc)) from None

    @property
    def by_callback(self) -> bool:
        """True when a receiver writes this store: its callbacks tell the outcome."""
        return bool(self.callback_url)

    @staticmethod
    def _recorder(db_path: Path, attach: str | None) -> LocalStore | RemoteStore | ApiRecorder:
        if attach:  # --attach URL: requests are journaled on that server
            try:
                return ApiRecorder(attach)
            except AttachError as exc:
                raise SessionError(str(exc)) from None
        try:
            return LocalStore(db_path)
        except StoreLockedError as exc:
            link = WriterLink.find(db_path)
            if link is None:
                raise SessionError(
                    f"{exc}; it does not take requests from scripts (no {db_path}/writer.json, "
                    f"waited {LOCK_WAIT:g} s)"
                ) from None
            return RemoteStore(link)
        except (StoreError, OSError) as exc:
            raise SessionError(str(exc)) from None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.gateway.close()
        self.recorder.close()
