"""TinyDB storage of a journal segment: inserts are appended in place, the file stays TinyDB JSON.

A segment is TinyDB's own JSON layout, `{"journal":{"1":{...},"2":{...}}}`, so any segment opens
with a plain `TinyDB(path)`. A commit never rewrites the file: the new documents are written over
the closing `}}` as `,"3":{...},"4":{...}}}` and the file is fsynced, so the bytes written are the
bytes added. A write cut short (a crash, a full disk) can only tear the file after the last
complete document; a failed append is undone on the spot (the `}}` put back and the file cut to
its old length), and a torn tail left by a crash is repaired on open (receiver/store/disk/salvage.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from receiver.store.disk.atomicdb import (
    AtomicStorage,
    WriteFile,
    atomic_write,
    dump_tables,
    encoded_item,
    parse_tables,
)

CLOSE = b"}}"
"""How a segment written by tendlc ends: its table's and the document's closing braces."""


class AppendStorage(AtomicStorage):
    """AtomicStorage for one journal table whose writes append the documents TinyDB inserted.

    The first write of a new file (or of one whose layout is not known to end with the table's
    `}}`, e.g. written by another program with indentation) replaces it atomically through
    `write_file`; every later write appends. Anything else (another table, a removal) falls back
    to an atomic rewrite, so the file always equals the data TinyDB last wrote.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        table: str,
        write_file: WriteFile = atomic_write,
        preload: dict[str, dict[str, Any]] | None = None,
        on_write: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(path, write_file=write_file, preload=preload, on_write=on_write)
        self._table = table
        self._end: int | None = None  # offset of the closing `}}`, when the file is known
        self._ids: dict[str, None] = {}  # doc ids the file holds, in file order

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                raw = b""
            self._data = parse_tables(raw)
            self._loaded = True
            tables = self._data or {}
            if set(tables) == {self._table} and raw.endswith(CLOSE):
                self._end = len(raw) - len(CLOSE)
                self._ids = dict.fromkeys(tables[self._table])
        return None if self._data is None else dict(self._data)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        table = data.get(self._table)
        staged = self._staged.get(self._table, {})
        try:
            if (
                self._end is not None
                and table is not None
                and len(data) == 1
                and self._ids.keys() <= table.keys()
            ):
                added = [
                    staged.get(i) or encoded_item(i, table[i])
                    for i in islice(table, len(self._ids), None)
                ]
                payload = b""
                if added:
                    payload = ",".join(added).encode("utf-8") + CLOSE
                    payload = b"," + payload if self._ids else payload
                    append_at(self.path, self._end, payload)
                end = self._end + max(0, len(payload) - len(CLOSE))
            else:
                payload, end = self._dump(data, staged), None
                self._write_file(self.path, payload)
                if table is not None and len(data) == 1:
                    end = len(payload) - len(CLOSE)
        except _Torn:
            self._end = None  # the undo failed too: the next write replaces the file whole
            raise
        finally:
            self._staged = {}
        self._data, self._loaded, self._end = data, True, end
        self._ids = dict.fromkeys(table) if table is not None else {}
        if self._on_write is not None:
            self._on_write(len(payload))

    def append(self, docs: dict[str, dict[str, Any]], texts: dict[str, str]) -> bool:
        """Append new documents (doc id -> document, and their encoded texts), as TinyDB's
        insert would, without its copies of the whole table; False (nothing done) unless the
        file is known and the ids are new: the caller then inserts through TinyDB.

        The data is replaced, never mutated, so readers on other threads see a whole table.
        """
        if not self._loaded or self._end is None or not docs:
            return False
        data = self._data or {}
        table = data.get(self._table, {})
        if set(data) - {self._table} or not table.keys().isdisjoint(docs):
            return False
        payload = ",".join(texts[i] for i in docs).encode("utf-8") + CLOSE
        payload = b"," + payload if self._ids else payload
        try:
            append_at(self.path, self._end, payload)
        except _Torn:
            self._end = None  # the undo failed too: the next write replaces the file whole
            raise
        self._data = {self._table: {**table, **docs}}
        self._ids.update(dict.fromkeys(docs))
        self._end += len(payload) - len(CLOSE)
        if self._on_write is not None:
            self._on_write(len(payload))
        return True

    def _dump(self, data: dict[str, dict[str, Any]], staged: dict[str, str]) -> bytes:
        table = data.get(self._table)
        if table is None or len(data) != 1:
            return dump_tables(data)
        body = ",".join(staged.get(i) or encoded_item(i, doc) for i, doc in table.items())
        return f'{{"{self._table}":{{{body}}}}}'.encode()


class _Torn(OSError):
    """An append failed and could not be undone: the file may hold a partial tail."""


def append_at(path: Path, end: int, payload: bytes) -> None:
    """Write `payload` at offset `end` (over the closing braces) and fsync; OSError on failure.

    On failure the file is put back as it was (closing braces at `end`, cut after them) before
    the error propagates; if even that fails, _Torn (an OSError) says the tail may be partial.
    """
    fd = os.open(path, os.O_WRONLY)
    try:
        try:
            os.lseek(fd, end, os.SEEK_SET)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException as exc:
            try:
                os.pwrite(fd, CLOSE, end)
                os.ftruncate(fd, end + len(CLOSE))
                os.fdatasync(fd)
            except OSError:
                raise _Torn(getattr(exc, "errno", None), str(exc)) from exc
            raise
    finally:
        os.close(fd)
