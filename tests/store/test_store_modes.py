"""The store is private: directories 0700, files 0600 whatever the umask; exports are 0600."""

from __future__ import annotations

import os
import stat

import pytest

from receiver.domain.models import Kind
from receiver.store.export import export_events, export_timeline
from receiver.store.store import Store

NOW = 1_700_000_000.0


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o000)  # the most permissive umask: the store must not rely on it
    yield
    os.umask(old)


def _all_modes(store_dir) -> dict[str, int]:
    out = {}
    for root, dirs, files in os.walk(store_dir):
        for name in dirs + files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, store_dir)] = _mode(path)
    return out


async def test_a_new_store_has_private_directories_and_files(tmp_path, ev, open_umask):
    store_dir = tmp_path / "store"
    store = Store.open(store_dir, segment_size=2, clock=lambda: NOW)
    for i in range(3):
        await store.record_callback(ev(Kind.BRAND, "created", brand_id=f"B{i}"), apply=True)
    await store.record_callback(ev(Kind.BRAND, "created", verified=False), apply=False)
    await store.close()
    modes = _all_modes(store_dir)
    assert {"journal", "journal/000001.json", "journal/000002.json", "tendlc.lock"} <= set(modes)
    assert "registry.json" in modes
    assert _mode(store_dir) == 0o700
    assert {p: m for p, m in modes.items() if m != (0o700 if p == "journal" else 0o600)} == {}


def test_a_stale_temp_file_is_rewritten_private(tmp_path, open_umask, monkeypatch):
    from receiver.store.disk.atomicdb import atomic_write

    target = tmp_path / "f.json"
    (tmp_path / "f.json.tmp").write_bytes(b"old")
    os.chmod(tmp_path / "f.json.tmp", 0o666)
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(_mode(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write(target, b"{}")
    assert seen == [0o600] and _mode(target) == 0o600


async def test_an_existing_world_readable_store_is_tightened_on_open(tmp_path, ev, open_umask):
    store_dir = tmp_path / "store"
    store = Store.open(store_dir, clock=lambda: NOW)
    await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    await store.close()
    for path, mode in _all_modes(store_dir).items():
        os.chmod(store_dir / path, 0o755 if mode == 0o700 else 0o644)
    os.chmod(store_dir, 0o755)
    (store_dir / "notes.txt").write_text("the user's own file")
    os.chmod(store_dir / "notes.txt", 0o644)
    Store.open(store_dir, clock=lambda: NOW).close_sync()
    modes = _all_modes(store_dir)
    assert modes.pop("notes.txt") == 0o644  # not a store file: left alone
    assert _mode(store_dir) == 0o700
    assert {p: m for p, m in modes.items() if m != (0o700 if p == "journal" else 0o600)} == {}


async def test_tui_exports_are_created_private(tmp_path, ev, open_umask):
    store = Store.open(tmp_path / "store", clock=lambda: NOW)
    change = await store.record_callback(ev(Kind.BRAND, "created", brand_id="B1"), apply=True)
    assert export_events(store, tmp_path / "events.jsonl") == 1
    assert export_timeline(change.resources[0], tmp_path / "timeline.csv") >= 1
    await store.close()
    assert _mode(tmp_path / "events.jsonl") == 0o600
    assert _mode(tmp_path / "timeline.csv") == 0o600
