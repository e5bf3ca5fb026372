"""The append-only journal: numbered TinyDB segment files; a commit appends to the open one.

Each segment is a TinyDB database (table "journal", doc id = seq). The open segment's storage
(receiver/store/disk/segment.py) keeps its data in memory and appends each commit's documents in
place, fsynced, so a commit writes what it adds; closed segments are never written again. A
batch is numbered and encoded on the loop thread (`prepare`); the writer thread hands the
documents and their already-encoded texts to the storage, which appends them and swaps in a
table that holds them (`AppendStorage.append`): TinyDB's Table insert would copy the whole
open segment twice per commit, holding the GIL the event loop needs. A new segment's first
write, and a custom writer, go through TinyDB's Table API. Reads go through TinyDB (documents
come back as copies).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from receiver.store.disk.atomicdb import (
    AtomicStorage,
    DamagedFileError,
    WriteFile,
    atomic_write,
    encode,
)
from receiver.store.disk.salvage import blank_message, damaged_message, first_seq, is_blank, repair
from receiver.store.disk.segment import AppendStorage

TABLE = "journal"
_SEGMENT_NAME = re.compile(r"^(\d+)\.json$")
_CACHED_SEGMENTS = 4
READ_ATTEMPTS = 3
"""Reads of a segment a read-only open makes before it reports it damaged."""

# -- segments ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Segment:
    number: int
    path: Path
    first_seq: int
    last_seq: int
    count: int
    # Only the open segment keeps its TinyDB (and, in its storage, its data) in memory. The
    # storage replaces its data on each write, never mutating it, so reads on other threads
    # always see a whole table.
    db: TinyDB | None = None


@dataclass(slots=True)
class Prepared:
    """A batch ready for the writer thread: its documents (doc id = seq) and their JSON texts."""

    segment: _Segment
    new_segment: bool
    first: int
    docs: list[Document]
    texts: dict[str, str]  # str(seq) -> atomicdb.encoded_item(str(seq), doc)


def segment_name(number: int) -> str:
    return f"{number:06d}.json"


class Journal:
    """Segmented journal. `write` runs on one writer thread; reads are safe from any thread."""

    def __init__(
        self,
        directory: Path,
        *,
        segment_size: int,
        write_file: WriteFile = atomic_write,
    ) -> None:
        if segment_size < 1:
            raise ValueError("segment_size must be at least 1")
        self.directory = directory
        self.segment_size = segment_size
        self.warnings: list[str] = []
        self.last_seq = 0
        self.bytes_written = 0
        self.last_write_bytes = 0
        self._write_file = write_file
        # A custom writer (fault injection, tests) sees every write: the open segment is then
        # rewritten through it; the real one appends (receiver/store/disk/segment.py).
        self._appends = write_file is atomic_write
        self._segments: list[_Segment] = []
        self._open: _Segment | None = None
        self._max_number = 0
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, TinyDB] = OrderedDict()  # closed segments, read back

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        segment_size: int,
        readonly: bool,
        now: float,
        visit: Callable[[dict[str, Any]], None],
        write_file: WriteFile = atomic_write,
        after: int = 0,
    ) -> Journal:
        """Load the segments in order, calling `visit(entry)` for each entry after `after`.

        A segment whose entries all come at or before `after` (known from the first position of
        the next one, read from its first bytes) is not decoded: it is read only when asked for
        (get, iter_entries, tail). A damaged segment is moved aside (or, when `readonly`, left
        alone) with a warning; its complete entries are kept (receiver/store/disk/salvage.py).
        """
        journal = cls(directory, segment_size=segment_size, write_file=write_file)
        if not directory.is_dir():
            return journal
        found = sorted(
            (int(m[1]), p) for p in directory.iterdir() if (m := _SEGMENT_NAME.match(p.name))
        )
        if not readonly:
            for stale in directory.glob("*.tmp"):
                stale.unlink(missing_ok=True)  # a write interrupted before its rename
        firsts = [first_seq(path) if after else None for _, path in found]
        for i, (number, path) in enumerate(found):
            journal._max_number = max(journal._max_number, number)
            first, following = firsts[i], firsts[i + 1] if i + 1 < len(found) else None
            if (
                first is not None
                and following is not None
                and journal.last_seq < first < following <= after + 1
            ):  # covered by what the caller already has: never decoded at open
                journal._segments.append(_Segment(number, path, first, following - 1, 0))
                journal.last_seq = following - 1
                continue
            journal._load_segment(number, path, readonly, now, visit, after)
        return journal

    def _load_segment(
        self,
        number: int,
        path: Path,
        readonly: bool,
        now: float,
        visit: Callable[[dict[str, Any]], None],
        after: int,
    ) -> None:
        rel = f"{self.directory.name}/{path.name}"
        if is_blank(path):
            self.warnings.append(blank_message(rel, path, self.last_seq, now, readonly))
            return
        db = self._db(path)
        try:
            for attempt in range(1, READ_ATTEMPTS + 1):
                try:
                    docs = sorted(db.table(TABLE), key=_doc_id)  # TinyDB reads the file here
                    break
                except DamagedFileError:
                    # A reader can catch the writer's append half done (appends are in place):
                    # the next read sees it whole. Damage that stays is damage.
                    if not readonly or attempt == READ_ATTEMPTS:
                        raise
                    db = self._db(path)
        except DamagedFileError as exc:
            data, warning = repair(path, rel, exc, now, readonly, TABLE)
            self.warnings.append(warning)
            if data is None:
                return
            db, docs = self._db(path, preload=data), _docs(data)
        except ValueError:  # TinyDB could not make a doc id of a key
            exc = DamagedFileError("a document id is not a number")
            self.warnings.append(damaged_message(rel, exc, path, now, readonly))
            return
        overlap = [doc.doc_id for doc in docs if doc.doc_id <= self.last_seq]
        if overlap:
            self.warnings.append(
                f"journal segment {rel} repeats journal positions up to {max(overlap)} "
                f"already held by an earlier segment; those {len(overlap)} entries were "
                "ignored (was a file copied back by hand?)."
            )
            docs = [doc for doc in docs if doc.doc_id > self.last_seq]
        for doc in docs:
            if doc.doc_id > after:
                doc["seq"] = doc.doc_id
                visit(doc)
        seg = _Segment(number, path, docs[0].doc_id if docs else 0, 0, len(docs))
        seg.last_seq = docs[-1].doc_id if docs else 0
        self.last_seq = max(self.last_seq, seg.last_seq)
        if self._open is not None:
            self._open.db = None  # only the last segment stays open
        self._segments.append(seg)
        seg.db = db
        self._open = seg

    # -- writing ---------------------------------------------------------------------------------

    def room(self) -> int:
        """How many entries the next append may hold (it never spans two segments)."""
        seg = self._open
        if seg is None or seg.count >= self.segment_size:
            return self.segment_size
        return self.segment_size - seg.count

    def skip_to(self, seq: int) -> None:
        """Make the next seq larger than `seq` (entries up to it exist elsewhere, e.g. a snapshot)."""
        self.last_seq = max(self.last_seq, seq)

    def prepare(self, entries: list[dict[str, Any]]) -> Prepared:
        """Number and encode entries for `write` (loop thread; no write may be in flight)."""
        if len(entries) > self.room():
            raise ValueError(f"append of {len(entries)} entries exceeds segment room {self.room()}")
        seg = self._open
        new = seg is None or seg.count >= self.segment_size
        if new:
            number = self._max_number + 1
            path = self.directory / segment_name(number)
            seg = _Segment(number, path, 0, 0, 0, self._db(path, preload={}))
        assert seg is not None
        first = self.last_seq + 1
        docs: list[Document] = []
        texts: dict[str, str] = {}
        for seq, entry in enumerate(entries, first):
            doc = Document(entry, doc_id=seq)
            doc["seq"] = seq
            docs.append(doc)
            texts[str(seq)] = f'"{seq}":{encode(doc)}'  # as encoded_item(str(seq), doc)
        return Prepared(seg, new, first, docs, texts)

    def write(self, batch: Prepared) -> list[int]:
        """Insert a prepared batch with one atomic replace of its segment; OSError on failure.

        On failure nothing changes in memory: the open segment's table still equals the file.
        """
        if not batch.docs:
            return []
        seg = batch.segment
        assert seg.db is not None
        storage = seg.db.storage
        assert isinstance(storage, AtomicStorage)  # AppendStorage is one
        appended = isinstance(storage, AppendStorage) and storage.append(
            {str(doc.doc_id): dict(doc) for doc in batch.docs}, batch.texts
        )
        if appended:  # in place, with no copy of the table: TinyDB's caches are stale now
            seg.db.table(TABLE).clear_cache()
        else:  # a new segment's first write, or a custom writer: through TinyDB's Table
            storage.stage(TABLE, batch.texts)
            try:
                seg.db.table(TABLE).insert_multiple(batch.docs)
            finally:
                storage.unstage()
        last = batch.first + len(batch.docs) - 1
        with self._lock:
            if batch.new_segment:
                if self._open is not None:
                    self._open.db = None  # closed for good: never rewritten, read from disk
                self._segments.append(seg)
                self._open = seg
                self._max_number = seg.number
            seg.first_seq = seg.first_seq or batch.first
            seg.last_seq = last
            seg.count += len(batch.docs)
            self.last_seq = last
        return list(range(batch.first, last + 1))

    def append(self, entries: list[dict[str, Any]]) -> list[int]:
        """prepare + write in one call (entries get new seqs); OSError on failure."""
        if not entries:
            return []
        return self.write(self.prepare(entries))

    def _db(self, path: Path, *, preload: dict[str, Any] | None = None) -> TinyDB:
        if self._appends:
            return TinyDB(
                path,
                storage=AppendStorage,
                table=TABLE,
                write_file=self._write_file,
                preload=preload,
                on_write=self._wrote,
            )
        return TinyDB(
            path,
            storage=AtomicStorage,
            write_file=self._write_file,
            preload=preload,
            on_write=self._wrote,
            immutable_docs=True,
        )

    def _wrote(self, nbytes: int) -> None:
        self.bytes_written += nbytes
        self.last_write_bytes = nbytes

    # -- reading -----------------------------------------------------------------------------

    @property
    def segment_paths(self) -> list[Path]:
        with self._lock:
            return [s.path for s in self._segments]

    def get(self, seq: int) -> dict[str, Any] | None:
        """The entry at `seq`, or None."""
        with self._lock:
            seg = next((s for s in self._segments if s.first_seq <= seq <= s.last_seq), None)
        if seg is None:
            return None
        doc = self._table(seg).get(doc_id=seq)
        if doc is not None:
            doc["seq"] = seq  # a fresh copy: the doc id is the position
        return doc

    def iter_entries(self, after_seq: int = 0) -> Iterator[dict[str, Any]]:
        """Entries with seq > after_seq, in order (raw dicts, including reconcile entries)."""
        with self._lock:
            segments = [s for s in self._segments if s.last_seq > after_seq]
        for seg in segments:
            for doc in sorted(self._table(seg), key=_doc_id):
                if doc.doc_id > after_seq:
                    doc["seq"] = doc.doc_id
                    yield doc

    def tail(self, n: int, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """The newest `n` entries that `keep` accepts, oldest first: reads the newest segments."""
        with self._lock:
            segments = list(self._segments)
        out: list[dict[str, Any]] = []
        for seg in reversed(segments):
            if len(out) >= n:
                break
            for doc in sorted(self._table(seg), key=_doc_id, reverse=True):
                if keep(doc):
                    doc["seq"] = doc.doc_id
                    out.append(doc)
                    if len(out) >= n:
                        break
        return out[::-1]

    def _table(self, seg: _Segment) -> Table:
        db = seg.db
        if db is not None:
            return db.table(TABLE)
        with self._lock:
            db = self._cache.get(seg.number)
            if db is not None:
                self._cache.move_to_end(seg.number)
                return db.table(TABLE)
        db = self._db(seg.path)
        try:
            db.storage.read()  # a closed segment is read once, then served from memory
        except (OSError, DamagedFileError):
            db = self._db(seg.path, preload={})
        with self._lock:
            self._cache[seg.number] = db
            while len(self._cache) > _CACHED_SEGMENTS:
                self._cache.popitem(last=False)
        return db.table(TABLE)


def _doc_id(doc: Document) -> int:
    return doc.doc_id


def _docs(data: dict[str, dict[str, Any]]) -> list[Document]:
    return sorted((Document(d, doc_id=int(k)) for k, d in data[TABLE].items()), key=_doc_id)
