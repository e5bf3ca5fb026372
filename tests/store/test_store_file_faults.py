"""File-layer faults (ENOSPC, EIO, short writes) at the k-th call of a burst lose no acked entry."""

from __future__ import annotations

import asyncio
import errno
import os

import pytest

from receiver.domain.models import Kind
from receiver.store.store import Store

NOW = 1_700_000_000.0
BURST = 8


class Fault:
    """Make the k-th call of `os.<name>` fail (or, for a short write, write half and then fail)."""

    def __init__(self, name: str, k: int, code: int, short: bool = False) -> None:
        self.name, self.k, self.code, self.short = name, k, code, short
        self.calls = 0
        self.real = getattr(os, name)
        self.fired = False

    def __call__(self, *args):
        self.calls += 1
        if self.calls == self.k:
            self.fired = True
            if self.short:
                fd, data = args
                return self.real(fd, data[: max(1, len(data) // 2)])  # the caller must loop
            raise OSError(self.code, os.strerror(self.code))
        if self.short and self.calls == self.k + 1:
            raise OSError(self.code, os.strerror(self.code))  # and the rest never makes it
        return self.real(*args)


CASES = [
    ("write", errno.ENOSPC, False),
    ("write", errno.EIO, False),
    ("write", errno.ENOSPC, True),
    ("fsync", errno.EIO, False),
    ("replace", errno.ENOSPC, False),
]


@pytest.mark.parametrize(("name", "code", "short"), CASES)
async def test_every_acknowledged_callback_survives_a_fault_at_any_call(
    tmp_path, ev, monkeypatch, name, code, short
):
    for k in range(1, 4 * BURST):  # every call of the burst, until k is past the last one
        store_dir = tmp_path / f"k{k}"
        store = Store.open(store_dir, segment_size=3, clock=lambda: NOW)
        await store.record_callback(ev(Kind.BRAND, "created", brand_id="B0"), apply=True)
        fault = Fault(name, k, code, short)
        monkeypatch.setattr(os, name, fault)
        events = [ev(Kind.BRAND, "created", brand_id=f"B{k}-{i}") for i in range(BURST)]
        results = await asyncio.gather(
            *(store.record_callback(e, apply=True) for e in events), return_exceptions=True
        )
        monkeypatch.setattr(os, name, fault.real)
        acked = [
            e.id for e, r in zip(events, results, strict=True) if not isinstance(r, BaseException)
        ]
        assert len(acked) < BURST or short or not fault.fired, (name, k)
        await store.close()
        reopened = Store.open(store_dir, segment_size=3, clock=lambda: NOW)
        try:
            held = {e.id for e in reopened.journal()}
            assert set(acked) <= held, (name, k, set(acked) - held)
            assert reopened.warnings == [], (name, k, reopened.warnings)
            assert not list(store_dir.rglob("*.tmp"))
        finally:
            reopened.close_sync()
        if not fault.fired:
            assert k > 1
            break
