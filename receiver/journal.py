"""The append-only journal: numbered TinyDB segment files; only the open segment is ever rewritten.

Files are TinyDB documents ({"journal": {"<seq>": {...}}}), read with TinyDB's layout, but the
open segment is written without TinyDB: each entry is encoded once, on the loop thread, when its
batch is prepared, and the writer thread only joins the texts, writes and fsyncs (little GIL).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from receiver.atomicdb import DamagedFileError, WriteFile, atomic_write, encode, load_tables
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
    # Only the open segment keeps its documents (by str(seq)) and their JSON texts in memory;
    # both are replaced, never mutated, so readers on other threads see a consistent table.
    table: dict[str, Any] | None = None
    texts: list[str] | None = None  # '"<seq>":{...}' per document, in file order
    others: str = ""  # any other tables of the file, as '"name":{...},' (kept as they were)


@dataclass(slots=True)
class Prepared:
    """A batch ready for the writer thread: its seqs, documents and their encoded texts."""

    segment: _Segment
    new_segment: bool
    first: int
    docs: dict[str, Any]
    texts: list[str]


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
                journal._open.table = journal._open.texts = None  # only the last stays open
            journal._segments.append(seg)
            _hold(seg, tables or {})
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

    def prepare(self, entries: list[dict[str, Any]]) -> Prepared:
        """Number and encode entries for `write` (loop thread; no write may be in flight)."""
        if len(entries) > self.room():
            raise ValueError(f"append of {len(entries)} entries exceeds segment room {self.room()}")
        seg = self._open
        new = seg is None or seg.count >= self.segment_size
        if new:
            number = self._max_number + 1
            seg = _Segment(number, self.directory / segment_name(number), 0, 0, 0, {}, [])
        assert seg is not None
        first = self.last_seq + 1
        docs: dict[str, Any] = {}
        texts: list[str] = []
        for i, entry in enumerate(entries):
            key = str(first + i)
            doc = docs[key] = {**entry, "seq": first + i}
            texts.append(f'"{key}":{encode(doc)}')
        return Prepared(seg, new, first, docs, texts)

    def write(self, batch: Prepared) -> list[int]:
        """Write a prepared batch in one atomic replace of its segment; OSError on failure.

        On failure nothing changes in memory: the open segment's table still equals the file.
        """
        if not batch.docs:
            return []
        seg = batch.segment
        texts = [*(seg.texts or ()), *batch.texts]
        payload = f'{{{seg.others}"{TABLE}":{{{",".join(texts)}}}}}'.encode()
        self._write_file(seg.path, payload)
        self._wrote(len(payload))
        last = batch.first + len(batch.docs) - 1
        with self._lock:
            if batch.new_segment:
                if self._open is not None:
                    self._open.table = self._open.texts = None  # closed: read from disk
                self._segments.append(seg)
                self._open = seg
                self._max_number = seg.number
            seg.table = {**(seg.table or {}), **batch.docs}
            seg.texts = texts
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
        table = seg.table
        if table is not None:
            return table
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


def _hold(seg: _Segment, tables: dict[str, Any]) -> None:
    """Keep a loaded segment open: its documents and their texts (encoded once, at open)."""
    table = tables.get(TABLE, {})
    seg.table = table
    seg.texts = [f"{encode(key)}:{encode(doc)}" for key, doc in table.items()]
    seg.others = "".join(
        f"{encode(name)}:{encode(other)}," for name, other in tables.items() if name != TABLE
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
