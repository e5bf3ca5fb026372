"""Durable record of accepted callback nonces: each (scheme, nonce) is accepted once, ever."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

NONCES_DIR = "nonces"
BUCKETS = 256  # one small file per first byte of the hashed key
CACHE_SIZE = 4096
SEEDED = ".seeded"


def nonce_key(scheme: str, nonce: str) -> str:
    """The stored form of a nonce: a hash, so the record holds no raw header values."""
    return hashlib.sha256(f"{scheme}\0{nonce}".encode("utf-8", "surrogateescape")).hexdigest()[:32]


class NonceRecord:
    """Seen nonces in bucket files under `path` (None = memory only), with a bounded LRU cache.

    A lookup reads one bucket file (1/256 of the history); `add` appends and fsyncs before it
    returns, so a nonce acknowledged with a 200 is remembered across crashes and restarts.
    """

    def __init__(self, path: Path | None, *, cache_size: int = CACHE_SIZE) -> None:
        self.path = path
        self.cache_size = cache_size
        self._cache: OrderedDict[str, str] = OrderedDict()  # key -> first event id
        self._memory: dict[str, str] = {}  # used only when path is None
        self._lock = threading.Lock()
        if path is not None:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)

    @property
    def seeded(self) -> bool:
        return self.path is None or (self.path / SEEDED).exists()

    def mark_seeded(self) -> None:
        if self.path is not None:
            (self.path / SEEDED).touch(mode=0o600)

    def _bucket(self, key: str) -> Path:
        assert self.path is not None
        return self.path / f"{key[:2]}.txt"

    def _remember(self, key: str, event_id: str) -> None:
        self._cache[key] = event_id
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def first(self, keys: Iterable[str]) -> str | None:
        """The event id that first carried any of `keys`, or None if none was seen."""
        with self._lock:
            for key in keys:
                found = self._lookup(key)
                if found is not None:
                    return found
        return None

    def _lookup(self, key: str) -> str | None:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self.path is None:
            return self._memory.get(key)
        try:
            text = self._bucket(key).read_text("ascii")
        except FileNotFoundError:
            return None
        for line in text.splitlines():
            stored, _, event_id = line.partition(" ")
            if stored == key and event_id:
                self._remember(key, event_id)
                return event_id
        return None

    def add(self, keys: Iterable[str], event_id: str) -> None:
        """Record `keys` as first carried by `event_id`, durably (fsync) before returning."""
        with self._lock:
            for key in keys:
                if self._lookup(key) is not None:
                    continue
                self._remember(key, event_id)
                if self.path is None:
                    self._memory[key] = event_id
                    continue
                line = f"{key} {event_id}\n".encode("ascii", "replace")
                fd = os.open(self._bucket(key), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)
