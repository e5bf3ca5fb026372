"""Durable index of accepted callback nonces: each (scheme, nonce) is accepted once, ever.

The journal is the record of truth: every verified callback it holds carries its nonce headers.
This index only makes "was this nonce seen?" cheap without holding history in memory: an
SQLite table (stdlib `sqlite3`; TinyDB has no on-disk index) keyed by a hash of the nonce.

Writes happen on the store's writer thread, in the same job as the journal commit they belong
to; claims gather in memory and go to SQLite in one transaction per FLUSH_EVERY journal
positions, recording `through_seq`, the last journal seq whose nonces are in the index (and on
close). SQLite runs in WAL mode with synchronous=NORMAL: a crash or power cut can lose
the newest transactions but never tears one (and a crash loses the claims held), so at open every journal entry after
`through_seq` is indexed again (Store.open). The hot path therefore needs no extra fsync: the
journal's fsync, before the 200, is what makes a nonce durable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NONCES_NAME = "nonces.sqlite3"
LEGACY_NONCES_DIR = "nonces"  # hashed-bucket files of an earlier version; replaced by the index
SCHEMES = (("V2", "x-plivo-signature-v2-nonce"), ("V3", "x-plivo-signature-v3-nonce"))
FLUSH_EVERY = 256
"""Journal positions (or claims) the index gathers in memory before one SQLite transaction."""
PAGE_SIZE = 512
"""SQLite's smallest page. Nonce keys are hashes: each lands on a random page of a B-tree that
holds every nonce ever accepted, so each insert dirties a page, written twice (WAL, then the
checkpoint). Measured on 600k keys in 256-key transactions: 10.2 kB written per key with
SQLite's default 4 kB pages, 2.6 kB with 512-byte ones; a lookup 10.1 vs 11.6 µs. It applies
to a new file; an existing one keeps the page size it was made with."""
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS nonces (key BLOB PRIMARY KEY, event_id TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


def nonce_key(scheme: str, nonce: str) -> bytes:
    """The stored form of a nonce: a hash, so the index holds no raw header values."""
    return hashlib.sha256(f"{scheme}\0{nonce}".encode("utf-8", "surrogateescape")).digest()[:16]


def keys_of_headers(headers: Mapping[str, str]) -> list[bytes]:
    """Replay keys of a stored callback's headers: one per nonce header present."""
    lowered = {str(k).lower(): v for k, v in headers.items()}
    found = ((scheme, lowered.get(name)) for scheme, name in SCHEMES)
    return [nonce_key(scheme, n.strip()) for scheme, n in found if isinstance(n, str) and n.strip()]


def keys_of_entry(entry: Mapping[str, Any]) -> list[bytes]:
    """The nonce keys a journal entry claims: only a verified, acknowledged first copy has any."""
    if entry.get("entry") != "callback" or entry.get("replay_of"):
        return []
    if entry.get("http_status") != 200 or not entry.get("verified"):
        return []
    headers = entry.get("headers")
    return keys_of_headers(headers) if isinstance(headers, Mapping) else []


class NonceIndex:
    """Seen nonce keys -> the event id that first carried them; `path` None keeps it in memory.

    `first` runs on the loop thread (one indexed lookup, no thread hop); `add` runs on the
    writer thread. Keys whose write failed are held in memory until a later write succeeds,
    so a replay is refused in this process even when the disk is full.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._held = threading.Lock()  # `add` (writer thread) vs `flush` (index thread)
        self._unsaved: dict[bytes, str] = {}  # claims not yet in SQLite (`first` sees them)
        self._pending_seq = 0  # the position the claims held reach
        target = ":memory:" if path is None else str(path)
        if path is not None and not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.close(fd)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        if path is not None:
            self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: a new file only
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            self._db.execute(statement)
        # A file index gets its own reader, so a lookup never waits for a commit (WAL).
        self._reader = self._db
        self._read_lock = self._lock
        if path is not None:
            self._reader = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
            self._read_lock = threading.Lock()
        self._flushed_seq = self.through_seq

    @property
    def through_seq(self) -> int:
        """The last journal seq whose nonces the index holds (0 for a new index)."""
        with self._read_lock:
            row = self._reader.execute(
                "SELECT value FROM meta WHERE name = 'through_seq'"
            ).fetchone()
        return int(row[0]) if row else 0

    def first(self, keys: Iterable[bytes]) -> str | None:
        """The event id that first carried any of `keys`, or None if none was seen."""
        keys = list(keys)
        for key in keys:
            if key in self._unsaved:
                return self._unsaved[key]
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        with self._read_lock:
            row = self._reader.execute(
                f"SELECT event_id FROM nonces WHERE key IN ({marks}) LIMIT 1", keys
            ).fetchone()
        return row[0] if row else None

    @property
    def due(self) -> bool:
        """Enough claims are held in memory for a write to SQLite (`flush`)."""
        behind = self._pending_seq - self._flushed_seq
        return behind >= FLUSH_EVERY or len(self._unsaved) >= FLUSH_EVERY

    def add(
        self,
        claims: Iterable[tuple[Iterable[bytes], str]],
        through_seq: int,
        *,
        flush: bool = True,
    ) -> None:
        """Index each (keys, event id) claim and advance `through_seq`.

        Claims are held in memory (where `first` sees them) and written to SQLite in one
        transaction once FLUSH_EVERY journal positions or claims have gathered, and on close:
        a transaction per commit cost ~12 KB of WAL per callback at concurrency 1, ten times
        the journal entry. A crash loses at most those, and the next open indexes them again
        from the journal. A key already present keeps its first event id. On failure the
        claims stay in memory (and the journal), and the error propagates for the caller to log.
        `flush` False: only held (`first` sees them); the caller flushes when `due`.
        """
        rows = [(key, event_id) for keys, event_id in claims for key in keys]
        with self._held:  # replaced, never mutated: `first` reads it without a lock
            self._unsaved = {**self._unsaved, **{k: e for k, e in rows if k not in self._unsaved}}
            self._pending_seq = max(self._pending_seq, through_seq)
        if flush and self.due:
            self.flush()

    def flush(self) -> None:
        """Write the claims held in memory and the position they reach; OSError on failure."""
        with self._held:
            pending, through_seq = self._unsaved, self._pending_seq
        try:
            with self._lock:
                self._db.execute("BEGIN")
                try:
                    self._db.executemany(
                        "INSERT OR IGNORE INTO nonces (key, event_id) VALUES (?, ?)",
                        list(pending.items()),
                    )
                    self._db.execute(
                        "INSERT INTO meta (name, value) VALUES ('through_seq', ?)"
                        " ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)",
                        (through_seq,),
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise OSError(f"nonce index {self.path}: {exc}") from exc
        with self._held:
            self._flushed_seq = through_seq
            if self._unsaved is pending:
                self._unsaved = {}
            else:  # claims added meanwhile (another thread) stay held
                self._unsaved = {k: e for k, e in self._unsaved.items() if k not in pending}

    def close(self) -> None:
        """Write what is held in memory (best effort: the journal holds it too), then close."""
        if self._unsaved or self._pending_seq > self._flushed_seq:
            try:
                self.flush()
            except OSError as exc:
                log.error("%s; the next open indexes these nonces again from the journal", exc)
        with self._lock:
            if self._reader is not self._db:
                with self._read_lock:
                    self._reader.close()
            self._db.close()


CATCH_UP_CHUNK = 512


def catch_up(index: NonceIndex, entries: Iterable[Mapping[str, Any]], last_seq: int) -> int:
    """Index the nonces of journal `entries` (those after `index.through_seq`), up to `last_seq`.

    Run at open: it restores what a crash kept out of the index, and builds the index of a
    store written before it existed. Returns how many entries carried nonces.
    """
    found, claims, seq = 0, [], index.through_seq
    for entry in entries:
        seq = int(entry.get("seq") or seq)
        keys = keys_of_entry(entry)
        if keys:
            claims.append((keys, str(entry.get("id"))))
            found += 1
        if len(claims) >= CATCH_UP_CHUNK:
            index.add(claims, seq)
            claims = []
    index.add(claims, max(seq, last_seq))
    index.flush()
    return found
