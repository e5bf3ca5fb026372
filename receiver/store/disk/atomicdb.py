"""TinyDB storage that replaces its file atomically (temp, fsync, rename, fsync dir) and caches it."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

PRIVATE_FILE = 0o600
"""Every store file (journal segments, registry.json, unverified.json, the lock, temp files)."""
PRIVATE_DIR = 0o700
"""The store directory and its journal directory."""

WriteFile = Callable[[Path, bytes], None]
"""Writes `data` to `path` so that a crash leaves either the old or the new file."""


class DamagedFileError(ValueError):
    """A store file exists but is not a readable TinyDB document."""


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a temp file beside `path`, fsync it, rename it over `path`, fsync the directory."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)  # whatever the umask, or a stale temp file's mode
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def load_tables(path: Path) -> dict[str, dict[str, Any]] | None:
    """Parse a TinyDB file: None if missing or empty; DamagedFileError if it is not TinyDB data."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse_tables(raw)


def parse_tables(raw: bytes) -> dict[str, dict[str, Any]] | None:
    """The tables of a TinyDB file's bytes: None if blank; DamagedFileError if not TinyDB data."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedFileError(f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DamagedFileError("not a TinyDB document (top level is not an object)")
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise DamagedFileError(f"table {name!r} is not a mapping of documents")
    return data


def encode(value: Any) -> str:
    """Compact JSON text, as every store file is written; always encodable as UTF-8.

    Text with lone surrogates (header bytes >= 0x80 read with surrogateescape, or a JSON
    "\\ud800") cannot be written as UTF-8, so such a value is written with \\u escapes instead:
    lossless (json.loads gives the same text back), and only that document pays for it.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


def dump_tables(data: dict[str, dict[str, Any]]) -> bytes:
    return encode(data).encode("utf-8")


def dump_encoded(tables: dict[str, list[tuple[str, str]]]) -> bytes:
    """The bytes dump_tables would write, from documents already encoded as (doc id, JSON text)."""
    parts = []
    for name, docs in tables.items():
        body = ",".join(f"{encode(doc_id)}:{text}" for doc_id, text in docs)
        parts.append(f"{encode(name)}:{{{body}}}")
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def utc_stamp(at: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(at))


def move_aside(path: Path, at: float, *, keep: bool = False) -> Path:
    """Rename a damaged file to `<name>.damaged-<UTC timestamp>` (never deletes it).

    With `keep`, `path` stays too (a hard link), so the caller can then replace it atomically.
    """
    target = path.with_name(f"{path.name}.damaged-{utc_stamp(at)}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{utc_stamp(at)}-{n}")
        n += 1
    if keep:
        try:
            os.link(path, target)
        except OSError:  # a file system without hard links
            shutil.copyfile(path, target)
    else:
        os.replace(path, target)
    try:
        fsync_dir(path.parent)
    except OSError:
        pass
    return target


class AtomicStorage(Storage):
    """A TinyDB Storage that keeps the file's data in memory and replaces the file atomically.

    `read()` parses the file once, then serves the cached data (a fresh top-level dict, which is
    all TinyDB mutates). `write()` serialises, calls `write_file`, and only then adopts the new
    data, so a failed write leaves the cache equal to what is on disk. `preload` seeds the cache
    (data the caller already parsed, or `{}` for a file it is about to create).

    With `immutable_docs=True` (the journal: documents are only ever inserted, never changed or
    reordered) each document's JSON text is kept by table and doc id, and the file's text reused
    by every later rewrite, so a commit encodes and joins only the documents it adds. A caller may encode those ahead
    of time, on another thread, and hand the texts over with `stage()` before inserting.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        write_file: WriteFile = atomic_write,
        preload: dict[str, dict[str, Any]] | None = None,
        on_write: Callable[[int], None] | None = None,
        immutable_docs: bool = False,
    ) -> None:
        self.path = Path(path)
        # table -> (doc id -> '"<doc id>":<JSON>', those texts joined): what the file now holds
        self._encoded: dict[str, tuple[dict[str, str], str]] | None = {} if immutable_docs else None
        self._staged: dict[str, dict[str, str]] = {}
        self._write_file = write_file
        self._on_write = on_write
        self._data: dict[str, dict[str, Any]] | None = preload
        self._loaded = preload is not None

    @property
    def data(self) -> dict[str, dict[str, Any]]:
        """The cached tables, as last read or successfully written (do not mutate)."""
        if not self._loaded:
            self.read()
        return self._data or {}

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = load_tables(self.path)
            self._loaded = True
        return None if self._data is None else dict(self._data)

    def stage(self, table: str, texts: dict[str, str]) -> None:
        """Offer the texts (doc id -> `encoded_item(doc id, doc)`) of documents about to be inserted.

        Only for `immutable_docs`; they are used by the next `write()` and dropped after it
        (or by `unstage()`), whether it succeeds or not.
        """
        self._staged[table] = texts

    def unstage(self) -> None:
        """Drop staged texts that no write used (e.g. the insert failed before writing)."""
        self._staged = {}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            if self._encoded is None:
                payload, encoded = dump_tables(data), None
            else:
                payload, encoded = self._dump_cached(data)
            self._write_file(self.path, payload)
        finally:
            self._staged = {}
        self._data = data
        self._loaded = True
        if encoded is not None:
            self._encoded = encoded  # only once the file holds them
        if self._on_write is not None:
            self._on_write(len(payload))

    def _dump_cached(
        self, data: dict[str, dict[str, Any]]
    ) -> tuple[bytes, dict[str, tuple[dict[str, str], list[bytes]]]]:
        assert self._encoded is not None
        fresh: dict[str, tuple[dict[str, str], list[bytes]]] = {}
        pieces = [b"{"]
        for name, table in data.items():
            texts, chunks = self._encoded.get(name) or ({}, [])
            staged = self._staged.get(name, {})
            if texts.keys() <= table.keys():
                # Only inserts since the last write, which TinyDB appends to the table: encode
                # (unless staged) and join just those; the rest of the file is reused as is.
                added = {
                    doc_id: staged.get(doc_id) or encoded_item(doc_id, table[doc_id])
                    for doc_id in islice(table, len(texts), None)
                }
                if added:
                    texts = {**texts, **added}
                    chunks = [*chunks, ",".join(added.values()).encode("utf-8")]
            else:  # documents were removed: join the survivors' texts again
                texts = {
                    doc_id: texts.get(doc_id) or staged.get(doc_id) or encoded_item(doc_id, doc)
                    for doc_id, doc in table.items()
                }
                chunks = [",".join(texts.values()).encode("utf-8")] if texts else []
            fresh[name] = (texts, chunks)
            if len(pieces) > 1:
                pieces.append(b",")
            pieces.append(f"{encode(name)}:{{".encode())
            for i, chunk in enumerate(chunks):
                pieces.extend((b",", chunk) if i else (chunk,))
            pieces.append(b"}")
        pieces.append(b"}")
        return b"".join(pieces), fresh


def encoded_item(doc_id: str, doc: Any) -> str:
    """One document as it appears inside its table in a store file: '"<doc id>":<JSON>'."""
    return f"{encode(doc_id)}:{encode(doc)}"
