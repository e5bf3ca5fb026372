"""Opening a store directory: registry snapshot, journal replay, damaged files moved aside."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from receiver.domain.registry import Registry
from receiver.store.disk.atomicdb import DamagedFileError, WriteFile, move_aside
from receiver.store.disk.files import JOURNAL_DIR, SNAPSHOT_NAME, read_snapshot
from receiver.store.entries import (
    ENTRY_CALLBACK,
    ENTRY_REPLAY,
    ENTRY_REQUEST,
    Entry,
    entry_object,
    replay_entry,
)
from receiver.store.journal import Journal
from receiver.store.lookup import EntryLookup


@dataclass(slots=True)
class Loaded:
    """Everything a store holds in memory after open."""

    registry: Registry
    snapshot_seq: int
    journal: Journal
    tail: list[Entry]
    replayed: int
    warnings: list[str] = field(default_factory=list)
    snapshot_lines: bool = True  # registry.json is in the layout open reads without parsing


def load(
    path: Path,
    *,
    readonly: bool,
    segment_size: int,
    write_file: WriteFile,
    now: float,
    recent_size: int,
    lookup: EntryLookup,
    indexed_through: int | None = None,
) -> Loaded:
    """Load registry.json, then replay the journal entries after the position it covers.

    Only what is needed is decoded: the segments holding entries after the snapshot, after
    `lookup.through_seq` (indexed into `lookup` here) and after `indexed_through` (another
    index the caller catches up, e.g. the nonces), and the newest segments for the recent list.
    A damaged registry.json is moved aside and the registry rebuilt from the journal; a
    damaged journal segment is repaired or moved aside. Readonly loads never move anything.
    """
    warnings: list[str] = []
    registry, snap_seq, lines = _load_snapshot(path / SNAPSHOT_NAME, readonly, now, warnings)
    unreplayable: list[int] = []
    replayed = 0
    lookup_seq = lookup.through_seq
    after = min(snap_seq, lookup_seq, snap_seq if indexed_through is None else indexed_through)

    def visit(entry: dict[str, Any]) -> None:
        nonlocal replayed
        seq = entry["seq"]
        if seq > lookup_seq:
            lookup.add(((entry, seq),))
        if seq > snap_seq:
            try:
                replay_entry(registry, entry)
                replayed += 1
            except (KeyError, ValueError, TypeError, AttributeError):
                unreplayable.append(seq)

    journal = Journal.open(
        path / JOURNAL_DIR,
        segment_size=segment_size,
        readonly=readonly,
        now=now,
        visit=visit,
        write_file=write_file,
        after=after,
    )
    warnings.extend(journal.warnings)
    if unreplayable:
        warnings.append(
            f"{len(unreplayable)} journal entries could not be applied to the registry "
            f"(malformed; the first at position {unreplayable[0]}); they stay in the journal."
        )
    journal.skip_to(snap_seq)  # never reuse a position the snapshot already covers
    tail = journal.tail(recent_size, lambda e: e.get("entry") in _LISTED)
    objects = [obj for e in tail if (obj := entry_object(e)) is not None]
    return Loaded(registry, snap_seq, journal, objects, replayed, warnings, lines)


_LISTED = (ENTRY_CALLBACK, ENTRY_REQUEST, ENTRY_REPLAY)
"""What the recent list shows (reconcile entries are not listed)."""


def _load_snapshot(
    path: Path, readonly: bool, now: float, warnings: list[str]
) -> tuple[Registry, int, bool]:
    try:
        snapshot = read_snapshot(path)
    except DamagedFileError as exc:
        if readonly:
            warnings.append(
                f"{path.name} is damaged ({exc}); the registry shown was rebuilt from the journal."
            )
        else:
            moved = move_aside(path, now)
            warnings.append(
                f"{path.name} was damaged ({exc}) and was moved to {moved.name}; the registry "
                "was rebuilt from the journal (nothing is lost unless journal segments are "
                "missing too)."
            )
        return Registry(), 0, True
    if snapshot is None:
        return Registry(), 0, True
    return snapshot.registry, snapshot.seq, snapshot.lines
