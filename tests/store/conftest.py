"""Fixtures for registry and store tests: event/request factories and stores closed at teardown."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from receiver.domain.models import CallbackEvent, Kind, RequestRecord
from receiver.store.store import Store

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def _event_factory() -> Callable[..., CallbackEvent]:
    ids = itertools.count(1)

    def make(
        kind: Kind | str,
        status: str | None,
        *,
        at: float = NOW,
        brand_id: str | None = None,
        campaign_id: str | None = None,
        number: str | None = None,
        params: dict[str, str] | None = None,
        verified: bool = True,
        id: str | None = None,
    ) -> CallbackEvent:
        return CallbackEvent(
            id=id or f"ev{next(ids):06d}",
            received_at=at,
            method="POST",
            url="/tendlc_status/",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body="",
            params=params or {},
            kind=Kind(kind),
            status=status,
            brand_id=brand_id,
            campaign_id=campaign_id,
            number=number,
            verified=verified,
            reason="V2 ok" if verified else "wrong token",
        )

    return make


def _request_factory() -> Callable[..., RequestRecord]:
    ids = itertools.count(1)

    def make(
        action: str,
        *,
        at: float = NOW,
        ok: bool = True,
        brand_id: str | None = None,
        campaign_id: str | None = None,
        numbers: tuple[str, ...] = (),
        params: dict | None = None,
        id: str | None = None,
    ) -> RequestRecord:
        return RequestRecord(
            id=id or f"rq{next(ids):06d}",
            at=at,
            action=action,
            params=params or {},
            ok=ok,
            response={"api_id": "x"} if ok else None,
            error=None if ok else "HTTP 400: invalid",
            brand_id=brand_id,
            campaign_id=campaign_id,
            numbers=numbers,
        )

    return make


@pytest.fixture
def ev() -> Callable[..., CallbackEvent]:
    """ev(kind, status, brand_id=..., at=...) -> CallbackEvent with ids ev000001, ev000002, …"""
    return _event_factory()


@pytest.fixture
def rq() -> Callable[..., RequestRecord]:
    """rq(action, brand_id=..., numbers=...) -> RequestRecord with ids rq000001, …"""
    return _request_factory()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def open_store(store_dir: Path) -> Iterator[Callable[..., Store]]:
    """open_store(**kwargs) opens Store at store_dir (clock fixed at NOW); all closed at teardown."""
    opened: list[Store] = []

    def make(path: Path | None = None, **kwargs) -> Store:
        kwargs.setdefault("clock", lambda: NOW)
        store = Store.open(path or store_dir, **kwargs)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close_sync()


def crash(store: Store) -> None:
    """Simulate the process dying: no flush, no snapshot; the kernel drops the flock."""
    store._committer.shutdown()
    store._snapshots.shutdown()
    store._closed = True
    if store._lock is not None:
        store._lock.release()


@pytest.fixture
def simulate_crash() -> Callable[[Store], None]:
    return crash
