"""The append-only journal: numbered TinyDB segment files; only the open segment is ever rewritten."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from receiver.atomicdb import AtomicStorage, DamagedFileError, WriteFile, atomic_write, load_tables
from receiver.atomicdb import move_aside as _move_aside

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
    db: TinyDB | None = None  # only the open segment keeps its TinyDB (and data) in memory


def segment_name(number: int) -> str:
    return f"{number:06d}.json"


class Journal:
    """Segmented journal. `append` runs on one writer thread; reads are safe from any thread."""

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
        self._cache: OrderedDict[int, dict[str, Any]] = OrderedDict()

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
            try:
                tables = load_tables(path)
            except DamagedFileError as exc:
                journal.warnings.append(_damaged_message(rel, exc, path, now, readonly))
                continue
            table = (tables or {}).get(TABLE, {})
            try:
                docs = sorted(((int(k), d) for k, d in table.items()), key=lambda kd: kd[0])
            except ValueError:
                exc = DamagedFileError("a document id is not a number")
                journal.warnings.append(_damaged_message(rel, exc, path, now, readonly))
                continue
            overlap = [seq for seq, _ in docs if seq <= journal.last_seq]
            if overlap:
                journal.warnings.append(
                    f"journal segment {rel} repeats journal positions up to {max(overlap)} "
                    f"already held by an earlier segment; those {len(overlap)} entries were "
                    "ignored (was a file copied back by hand?)."
                )
                docs = [(seq, d) for seq, d in docs if seq > journal.last_seq]
            for seq, doc in docs:
                doc["seq"] = seq
                visit(doc)
            seg = _Segment(number, path, docs[0][0] if docs else 0, 0, len(docs))
            seg.last_seq = docs[-1][0] if docs else 0
            journal.last_seq = max(journal.last_seq, seg.last_seq)
            if journal._open is not None:
                journal._open.db = None  # only the last segment stays open
            journal._segments.append(seg)
            seg.db = journal._make_db(path, preload=tables or {})
            journal._open = seg
        return journal

    # -- writing (writer thread only) ------------------------------------------------------------

    def room(self) -> int:
        """How many entries the next append may hold (it never spans two segments)."""
        seg = self._open
        if seg is None or seg.count >= self.segment_size:
            return self.segment_size
        return self.segment_size - seg.count

    def skip_to(self, seq: int) -> None:
        """Make the next seq larger than `seq` (entries up to it exist elsewhere, e.g. a snapshot)."""
        self.last_seq = max(self.last_seq, seq)

    def append(self, entries: list[dict[str, Any]]) -> list[int]:
        """Write entries (with new seqs) in one atomic replace of the open segment; OSError on failure.

        On failure nothing changes in memory: the open segment's cache still equals the file.
        """
        if not entries:
            return []
        if len(entries) > self.room():
            raise ValueError(f"append of {len(entries)} entries exceeds segment room {self.room()}")
        seg = self._open
        new = seg is None or seg.count >= self.segment_size
        if new:
            number = self._max_number + 1
            path = self.directory / segment_name(number)
            seg = _Segment(number, path, 0, 0, 0, self._make_db(path, preload={}))
        assert seg is not None and seg.db is not None
        first = self.last_seq + 1
        docs = [Document({**e, "seq": first + i}, doc_id=first + i) for i, e in enumerate(entries)]
        seg.db.table(TABLE).insert_multiple(docs)
        last = first + len(docs) - 1
        with self._lock:
            if new:
                if self._open is not None:
                    self._open.db = None  # closed for good: never rewritten, read from disk
                self._segments.append(seg)
                self._open = seg
                self._max_number = seg.number
            seg.first_seq = seg.first_seq or first
            seg.last_seq = last
            seg.count += len(docs)
            self.last_seq = last
        return list(range(first, last + 1))

    def _make_db(self, path: Path, *, preload: dict[str, Any]) -> TinyDB:
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
        return self._table(seg).get(str(seq))

    def iter_entries(self, after_seq: int = 0) -> Iterator[dict[str, Any]]:
        """Entries with seq > after_seq, in order (raw dicts, including reconcile entries)."""
        with self._lock:
            segments = [s for s in self._segments if s.last_seq > after_seq]
        for seg in segments:
            table = self._table(seg)
            for key in sorted(table, key=int):
                if int(key) > after_seq:
                    yield table[key]

    def _table(self, seg: _Segment) -> dict[str, Any]:
        db = seg.db
        if db is not None:
            storage = db.storage
            assert isinstance(storage, AtomicStorage)
            return storage.data.get(TABLE, {})
        with self._lock:
            cached = self._cache.get(seg.number)
            if cached is not None:
                self._cache.move_to_end(seg.number)
                return cached
        try:
            table = (load_tables(seg.path) or {}).get(TABLE, {})
        except (OSError, DamagedFileError):
            table = {}
        with self._lock:
            self._cache[seg.number] = table
            while len(self._cache) > _CACHED_SEGMENTS:
                self._cache.popitem(last=False)
        return table


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
