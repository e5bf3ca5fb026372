"""The append-only journal: numbered TinyDB segment files; only the open segment is ever rewritten.

Each segment is a TinyDB database (table "journal", doc id = seq) on an AtomicStorage that keeps
the open segment in memory and each document's JSON text once encoded. A batch is numbered and
encoded on the loop thread (`prepare`); the writer thread inserts it through TinyDB's Table API,
and the storage only joins the already-encoded texts, writes and fsyncs (`write`), so that thread
needs little of the GIL. Reads go through TinyDB too (documents come back as copies).
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

from receiver.store.atomicdb import (
    AtomicStorage,
    DamagedFileError,
    WriteFile,
    atomic_write,
    dump_tables,
    encode,
)
from receiver.store.atomicdb import move_aside as _move_aside
from receiver.store.salvage import salvage_table

TABLE = "journal"
_SEGMENT_NAME = re.compile(r"^(\d+)\.json$")
_CACHED_SEGMENTS = 4

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
    ) -> Journal:
        """Load every segment in order, calling `visit(entry)` for each entry (seq ascending).

        A damaged segment is moved aside (or, when `readonly`, left alone) with a warning.
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
        for number, path in found:
            journal._max_number = max(journal._max_number, number)
            rel = f"{directory.name}/{path.name}"
            if _is_blank(path):
                journal.warnings.append(_blank_message(rel, path, journal.last_seq, now, readonly))
                continue
            db = journal._db(path)
            try:
                docs = sorted(db.table(TABLE), key=_doc_id)  # TinyDB reads the file here
            except DamagedFileError as exc:
                salvaged = journal._salvage(path, rel, exc, now, readonly)
                if salvaged is None:
                    continue
                db, docs = salvaged
            except ValueError:  # TinyDB could not make a doc id of a key
                exc = DamagedFileError("a document id is not a number")
                journal.warnings.append(_damaged_message(rel, exc, path, now, readonly))
                continue
            overlap = [doc.doc_id for doc in docs if doc.doc_id <= journal.last_seq]
            if overlap:
                journal.warnings.append(
                    f"journal segment {rel} repeats journal positions up to {max(overlap)} "
                    f"already held by an earlier segment; those {len(overlap)} entries were "
                    "ignored (was a file copied back by hand?)."
                )
                docs = [doc for doc in docs if doc.doc_id > journal.last_seq]
            for doc in docs:
                doc["seq"] = doc.doc_id
                visit(doc)
            seg = _Segment(number, path, docs[0].doc_id if docs else 0, 0, len(docs))
            seg.last_seq = docs[-1].doc_id if docs else 0
            journal.last_seq = max(journal.last_seq, seg.last_seq)
            if journal._open is not None:
                journal._open.db = None  # only the last segment stays open
            journal._segments.append(seg)
            seg.db = db
            journal._open = seg
        return journal

    def _salvage(
        self, path: Path, rel: str, exc: Exception, now: float, readonly: bool
    ) -> tuple[TinyDB, list[Document]] | None:
        """Keep the complete entries before the damage; the whole damaged file is kept aside."""
        raw = path.read_bytes()
        found = salvage_table(raw, TABLE)
        if not found.docs:
            self.warnings.append(_damaged_message(rel, exc, path, now, readonly))
            return None
        data = {TABLE: found.docs}
        tail = len(raw) - found.good_bytes
        seqs = f"journal positions {min(map(int, found.docs))}-{max(map(int, found.docs))}"
        kept = f"{len(found.docs)} complete entries ({seqs}) were recovered"
        if readonly:
            self.warnings.append(
                f"journal segment {rel} is damaged ({exc}); {kept} and are shown, and the "
                f"{tail} damaged bytes after them are ignored. Open the store once without "
                "other tendlc processes running to repair it."
            )
            return self._db(path, preload=data), _docs(data)
        moved = _move_aside(path, now, keep=True)  # no moment where neither file holds them
        atomic_write(path, dump_tables(data))
        self.warnings.append(
            f"journal segment {rel} was damaged ({exc}); {kept} and kept in it. The "
            f"{tail} bytes after them (any entries in them could not be read) were kept, with "
            f"the whole damaged file, in {path.parent.name}/{moved.name}; inspect or delete it."
        )
        return self._db(path, preload=data), _docs(data)

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
        assert isinstance(storage, AtomicStorage)
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


def _is_blank(path: Path) -> bool:
    """An empty (or all-whitespace) segment: never written so by tendlc, so its entries are lost."""
    try:
        size = path.stat().st_size
        return size == 0 or (size < 4096 and not path.read_bytes().strip())
    except OSError:
        return False


def _blank_message(rel: str, path: Path, last_seq: int, now: float, readonly: bool) -> str:
    lost = f"the entries it held (journal positions after {last_seq}) are missing"
    if readonly:
        return f"journal segment {rel} is empty (0 bytes, damaged): {lost} from the event log."
    moved = _move_aside(path, now)
    return (
        f"journal segment {rel} was empty (0 bytes, damaged): {lost} from the event log. It was "
        f"moved to {path.parent.name}/{moved.name} and is not reused."
    )


def _damaged_message(rel: str, exc: Exception, path: Path, now: float, readonly: bool) -> str:
    if readonly:
        return (
            f"journal segment {rel} is damaged ({exc}); its entries are skipped. Open the store "
            "once without other tendlc processes running to move it aside."
        )
    moved = _move_aside(path, now)
    return (
        f"journal segment {rel} was damaged ({exc}) and was moved to "
        f"{path.parent.name}/{moved.name}; the events and requests it held are missing from the "
        "event log (the registry keeps what its snapshot recorded). Inspect or delete that file."
    )
