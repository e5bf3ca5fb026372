"""The store directory's other files (one-writer lock, modes, registry snapshot) and its errors."""

from __future__ import annotations

import asyncio
import fcntl
import json
import mmap
import os
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from receiver.domain.models import Change, ResourceType
from receiver.domain.registry import Registry
from receiver.domain.resource_map import TextSource
from receiver.store.disk.atomicdb import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    AtomicStorage,
    DamagedFileError,
    WriteFile,
    atomic_write,
    encode,
    parse_tables,
)
from receiver.store.disk.key_index import KEYS_NAME, read_key_index, write_key_index
from receiver.store.disk.mapped import MappedTexts, map_resources
from receiver.store.nonces import NONCES_NAME

LOCK_NAME = "tendlc.lock"
SNAPSHOT_NAME = "registry.json"
SNAPSHOT_TABLE = "snapshot"
JOURNAL_DIR = "journal"
# files of the store directory itself, with their temp and moved-aside copies
_STORE_FILES = (
    LOCK_NAME, SNAPSHOT_NAME, KEYS_NAME, "unverified.json", NONCES_NAME, "entries.sqlite3"
)  # fmt: skip


class LockHeldError(Exception):
    """Another process holds the writer lock."""

    def __init__(self, pid: int | None) -> None:
        super().__init__(f"lock held by pid {pid}")
        self.pid = pid


class WriterLock:
    """An exclusive, non-blocking flock on `<store>/tendlc.lock`, holding the writer's pid."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, directory: Path) -> WriterLock:
        path = directory / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LockHeldError(pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd, path)

    def release(self) -> None:
        """Unlock and close (idempotent). The file stays: deleting it would race a new writer."""
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


def make_private(directory: Path) -> None:
    """Create the store and journal directories 0700 and tighten an existing store's modes.

    Directories become 0700 and every file in them 0600 (what a writer opens is private
    whatever the umask). Files it cannot change (another owner) are left as they are.
    """
    journal = directory / JOURNAL_DIR
    directory.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    journal.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    for folder in (directory, journal):
        _chmod(folder, PRIVATE_DIR)
        for entry in os.scandir(folder):
            ours = folder is journal or entry.name.startswith(_STORE_FILES)
            if ours and entry.is_file(follow_symlinks=False):
                _chmod(Path(entry.path), PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The registry as of journal position `seq` (entries after it are replayed on open)."""

    seq: int
    registry: Registry
    written_at: float
    lines: bool = False  # in the one-resource-per-line layout (else: rewrite it in that layout)


def read_snapshot(path: Path) -> Snapshot | None:
    """Load registry.json; None if absent; DamagedFileError if unreadable or malformed.

    A snapshot in tendlc's layout (one resource per line) is split into lines and each resource
    kept as its JSON text, built when first used (receiver/domain/resource_map.py); any other
    TinyDB layout (an older tendlc, or edited by hand) is parsed whole.
    """
    if not path.exists():
        return None
    try:
        mapped = _map_lines(path)
        if mapped is not None:
            return mapped
        raw = path.read_bytes()
    except OSError as exc:
        raise DamagedFileError(f"unreadable ({exc})") from exc
    fast = _read_lines(raw)
    if fast is not None:
        return fast
    db = TinyDB(path, storage=AtomicStorage, preload=parse_tables(raw) or {})
    if not db.tables():
        return None  # an empty file: a snapshot was never completed
    doc = db.table(SNAPSHOT_TABLE).get(doc_id=1)
    if doc is None:
        raise DamagedFileError("no snapshot document in it")
    seq = doc.get("seq")
    if not isinstance(seq, int) or seq < 0 or not isinstance(doc.get("registry"), dict):
        raise DamagedFileError("snapshot document lacks a journal position or registry")
    try:
        registry = Registry.from_dict(doc["registry"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise DamagedFileError(f"registry data is malformed ({exc!r})") from exc
    return Snapshot(seq=seq, registry=registry, written_at=float(doc.get("written_at") or 0.0))


_HEAD_END = b'"registry":{"version":1,"resources":['
_TAIL = b"]}}}}"


def _map_lines(path: Path) -> Snapshot | None:
    """The snapshot written by write_snapshot_parts with its resources left in the file
    (receiver/store/disk/mapped.py); None if it is not in that layout or a line is not plain."""
    with path.open("rb") as f:  # open for the whole read: registry.keys is checked against it
        head = f.readline(1 << 16)
        size = f.seek(0, os.SEEK_END)
        f.seek(max(size - len(_TAIL) - 1, 0))
        tail = f.read()
        if not head.endswith(b"\n") or not head[:-1].endswith(_HEAD_END):
            return None
        if not tail.endswith(_TAIL):
            return None
        start, end = len(head), size - len(_TAIL)
        if end > start and tail.startswith(b"\n"):  # the newline before the closing brackets
            end -= 1
        if end <= start:
            return None
        try:
            meta = json.loads(head[: -1 - len(_HEAD_END)].decode() + '"registry":null}}}')
            doc = meta[SNAPSHOT_TABLE]["1"]
            seq = doc["seq"]
            found = _indexed(path, f.fileno(), head, (start, end)) or map_resources(
                path, start, end
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
    if found is None or not isinstance(seq, int) or seq < 0:
        return None
    registry = Registry.from_mapped(*found)
    at = float(doc.get("written_at") or 0.0)
    return Snapshot(seq=seq, registry=registry, written_at=at, lines=True)


def _indexed(
    path: Path, fd: int, head: bytes, body: tuple[int, int]
) -> tuple[list[tuple[ResourceType, str]], MappedTexts] | None:
    """The keys and texts of registry.json (open as `fd`) from registry.keys, when it
    describes this file."""
    found = read_key_index(path, os.fstat(fd), head, body, fd)
    if found is None:
        return None
    keys, starts = found
    ends = array("q", (s - 2 for s in starts[1:]))  # each line but the last ends with ",\n"
    ends.append(body[1])
    return keys, MappedTexts(mmap.mmap(fd, 0, access=mmap.ACCESS_READ), starts, ends)


def _read_lines(raw: bytes) -> Snapshot | None:
    """The snapshot written by write_snapshot_parts, without parsing its resources; None if
    `raw` is not in that layout (the caller then parses it whole)."""
    cut = raw.find(b"\n")
    if cut < 0 or not raw.startswith(_HEAD_END, cut - len(_HEAD_END)) or not raw.endswith(_TAIL):
        return None
    start, end = cut + 1, len(raw) - len(_TAIL)
    if end > start and raw[end - 1] == 0x0A:  # the newline before the closing brackets
        end -= 1
    try:
        meta = json.loads(raw[: cut - len(_HEAD_END)].decode() + '"registry":null}}}')
        doc = meta[SNAPSHOT_TABLE]["1"]
        seq = doc["seq"]
        body = str(memoryview(raw)[start:end], "utf-8") if end > start else ""  # one copy
        registry = Registry.from_lines(body)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(seq, int) or seq < 0:
        return None
    at = float(doc.get("written_at") or 0.0)
    return Snapshot(seq=seq, registry=registry, written_at=at, lines=True)


def write_snapshot(
    path: Path,
    seq: int,
    registry_data: dict[str, Any],
    at: float,
    write_file: WriteFile = atomic_write,
) -> int:
    """Replace registry.json atomically with the registry as of `seq`; returns bytes written."""
    parts = [encode(item) for item in registry_data["resources"]]
    return write_snapshot_parts(path, seq, parts, at, write_file)


def write_snapshot_parts(
    path: Path,
    seq: int,
    resources: list[str | int],
    at: float,
    write_file: WriteFile = atomic_write,
    source: TextSource | None = None,
    keys: Sequence[tuple[ResourceType, str]] | None = None,
) -> int:
    """registry.json from each resource already encoded as JSON text, or given as its index in
    `source` (a text unchanged since open, copied from the file it was read from): TinyDB's
    layout (table "snapshot", doc 1), with each resource on a line of its own so open needs
    no parse. With the resources' `keys` (in the same order), registry.keys beside it says
    where each line starts (receiver/store/disk/key_index.py)."""
    head = encode({"version": 1, "seq": seq, "written_at": at})[:-1]
    raw = source.raw if source is not None else None
    doc_head = f'{{"{SNAPSHOT_TABLE}":{{"1":{head},"registry":{{"version":1,"resources":[\n'
    payload = bytearray(doc_head.encode())  # one buffer: a 120 MB registry is not copied thrice
    body_start = len(payload)
    starts = array("q")
    for i, part in enumerate(resources):
        if i:
            payload += b",\n"
        starts.append(len(payload))
        payload += part.encode() if isinstance(part, str) else raw(part)  # type: ignore[misc]
    body_end = len(payload)
    payload += b"\n]}}}}"
    if keys is not None:
        path.with_name(KEYS_NAME).unlink(missing_ok=True)  # never beside the wrong snapshot
    write_file(path, payload)
    if keys is not None:
        write_key_index(path, keys, starts, (body_start, body_end), bytes(payload[:body_start]))
    return len(payload)


class StoreError(Exception):
    """The store cannot do what was asked; the message says what went wrong and what to do."""


class StoreLockedError(StoreError):
    """Another process writes this store."""


class StoreWriteError(StoreError):
    """A commit failed (disk full / read-only); the entries of that batch are NOT durable."""


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counters since open. A commit is one journal write holding one batch of entries."""

    commits: int
    failed_commits: int
    entries: int
    replayed: int  # journal entries replayed onto the snapshot at open
    snapshots: int
    bytes_written: int  # journal bytes written (snapshots not included)
    last_commit_bytes: int


def not_a_directory(path: Path) -> str:
    return f"{path} is a file, not a store directory; pass --db DIR instead"


def writer_lock(path: Path) -> WriterLock:
    """Take the store's one-writer lock, or raise a StoreError that says what to do."""
    try:
        make_private(path)
        return WriterLock.acquire(path)
    except LockHeldError as exc:
        pid = exc.pid if exc.pid is not None else "unknown"
        raise StoreLockedError(
            f"{path} is in use by another tendlc process (pid {pid}); stop it or pass --db DIR"
        ) from None
    except OSError as exc:
        raise StoreError(
            f"cannot open the store {path} for writing ({exc.strerror or exc}); "
            "check its permissions or pass --db DIR"
        ) from exc


def refuse(fut: asyncio.Future[Change]) -> None:
    """Settle a pending entry's future: the store closed before writing it."""
    if not fut.done():
        fut.set_exception(StoreError("the store was closed before this entry was written"))
