"""On-disk index of journal entries: position by entry id, positions by resource, replay counts.

The journal is the record of truth; this index (stdlib `sqlite3`, `entries.sqlite3`: TinyDB has
no on-disk index) lets the store find an entry, a resource's timeline entries or a callback's
replay count without holding history in memory or decoding old segments at open. Like the nonce
index (receiver/store/nonces.py) it is fed on the writer thread after each journal commit:
entries gather in memory (where lookups see them) and go to SQLite in one transaction every
FLUSH_EVERY journal positions and on close, recording `through_seq`. A crash loses at most what
was held; the next open indexes every journal entry after `through_seq` again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from receiver.domain.models import ResourceType
from receiver.store.entries import (
    ENTRY_CALLBACK,
    ENTRY_REPLAY,
    ENTRY_REQUEST,
    entry_resource_keys,
    resource_key,
)

log = logging.getLogger(__name__)

LOOKUP_NAME = "entries.sqlite3"
FLUSH_EVERY = 256
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS resources (key TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (key, seq)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS replays (original TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (original, seq)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


def rows_of(entry: dict[str, Any], seq: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(ids, resources, replays) rows an entry adds: callbacks, requests and replay markers."""
    kind = entry.get("entry")
    entry_id = entry.get("id")
    ids = [(entry_id, seq)] if isinstance(entry_id, str) else []
    if kind == ENTRY_REPLAY:
        original = entry.get("replay_of")
        return ids, [], [(original, seq)] if isinstance(original, str) else []
    if kind not in (ENTRY_CALLBACK, ENTRY_REQUEST):
        return [], [], []
    return ids, [(key, seq) for key in entry_resource_keys(entry)], []


class EntryLookup:
    """The index of one store; `path` None (or a read-only open without the file) keeps it in
    memory only. `add` and `flush` run on the writer thread, lookups on any thread."""

    def __init__(self, path: Path | None, *, readonly: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {}  # held in memory, not yet in SQLite
        self._resources: dict[str, list[int]] = {}
        self._replays: dict[str, int] = {}
        self._held: tuple[list[tuple], list[tuple], list[tuple]] = ([], [], [])
        self._pending_seq = 0
        self._db: sqlite3.Connection | None = None
        if path is not None and readonly:
            if path.exists():
                try:
                    self._db = sqlite3.connect(
                        f"file:{path}?mode=ro", uri=True, check_same_thread=False
                    )
                    self._db.execute("SELECT 1 FROM meta LIMIT 1")
                except sqlite3.Error:
                    self._db = None  # unreadable: everything is indexed in memory
        elif path is not None:
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                self._db.execute(statement)
        self.readonly = readonly
        self.through_seq = self._stored_through()
        self._flushed_seq = self.through_seq

    def _stored_through(self) -> int:
        if self._db is None:
            return 0
        try:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'through_seq'").fetchone()
        except sqlite3.Error:
            return 0
        return int(row[0]) if row else 0

    # -- writing (writer thread) ------------------------------------------------------------

    @property
    def due(self) -> bool:
        """Enough is held in memory for a write to SQLite (`flush`)."""
        return self._pending_seq - self._flushed_seq >= FLUSH_EVERY

    def add(self, entries: Iterable[tuple[dict[str, Any], int]], *, flush: bool = True) -> None:
        """Index (entry, seq) pairs in memory; write them to SQLite once enough have gathered
        (unless `flush` is False: the caller then flushes when `due`)."""
        with self._lock:
            for entry, seq in entries:
                ids, resources, replays = rows_of(entry, seq)
                for entry_id, s in ids:
                    self._ids[entry_id] = s
                for key, s in resources:
                    self._resources.setdefault(key, []).append(s)
                for original, _ in replays:
                    self._replays[original] = self._replays.get(original, 0) + 1
                if self._db is not None and not self.readonly:
                    held = self._held
                    held[0].extend(ids)
                    held[1].extend(resources)
                    held[2].extend(replays)
                self._pending_seq = max(self._pending_seq, seq)
        if flush and self.due:
            try:
                self.flush()
            except OSError as exc:  # held in memory; the next open indexes them from the journal
                log.error("store: %s", exc)

    def flush(self) -> None:
        """Write what is held to SQLite with the position it reaches; OSError on failure."""
        if self._db is None or self.readonly:
            return
        with self._lock:
            (ids, resources, replays), through = self._held, self._pending_seq
            try:
                self._db.execute("BEGIN")
                try:
                    self._db.executemany("INSERT OR REPLACE INTO ids VALUES (?, ?)", ids)
                    self._db.executemany("INSERT OR IGNORE INTO resources VALUES (?, ?)", resources)
                    self._db.executemany("INSERT OR IGNORE INTO replays VALUES (?, ?)", replays)
                    self._db.execute(
                        "INSERT INTO meta (name, value) VALUES ('through_seq', ?)"
                        " ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)",
                        (through,),
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise OSError(f"entry index {self.path}: {exc}") from exc
            self._held = ([], [], [])
            self._ids, self._resources, self._replays = {}, {}, {}
            self._flushed_seq = self.through_seq = through

    def close(self) -> None:
        """Write what is held (best effort: the journal holds it too), then close."""
        try:
            self.flush()
        except OSError as exc:
            log.error("store: %s; the next open indexes these entries again", exc)
        if self._db is not None:
            with self._lock:
                self._db.close()
                self._db = None

    # -- lookups ----------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            log.debug("entry index lookup failed: %s", exc)
            return []

    def seq_of(self, entry_id: str) -> int | None:
        with self._lock:
            held = self._ids.get(entry_id)
            if held is not None:
                return held
            rows = self._query("SELECT seq FROM ids WHERE id = ?", (entry_id,))
        return rows[0][0] if rows else None

    def seqs_for(self, type: ResourceType | str, id: str) -> list[int]:
        key = resource_key(type, id)
        with self._lock:
            rows = self._query("SELECT seq FROM resources WHERE key = ? ORDER BY seq", (key,))
            held = list(self._resources.get(key, ()))
        return sorted({r[0] for r in rows} | set(held))

    def replay_count(self, entry_id: str) -> int:
        with self._lock:
            rows = self._query("SELECT COUNT(*) FROM replays WHERE original = ?", (entry_id,))
            return (rows[0][0] if rows else 0) + self._replays.get(entry_id, 0)

    def replay_total(self) -> int:
        with self._lock:
            rows = self._query("SELECT COUNT(*) FROM replays", ())
            return (rows[0][0] if rows else 0) + sum(self._replays.values())
