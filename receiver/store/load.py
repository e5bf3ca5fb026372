"""Opening a store directory: registry snapshot, journal replay, damaged files moved aside."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from receiver.domain.registry import Registry
from receiver.store.atomicdb import DamagedFileError, WriteFile, move_aside
from receiver.store.entries import (
    ENTRY_CALLBACK,
    ENTRY_REPLAY,
    ENTRY_REQUEST,
    Entry,
    EntryIndex,
    entry_object,
    replay_entry,
)
from receiver.store.files import JOURNAL_DIR, SNAPSHOT_NAME, read_snapshot
from receiver.store.journal import Journal


@dataclass(slots=True)
class Loaded:
    """Everything a store holds in memory after open."""

    registry: Registry
    snapshot_seq: int
    journal: Journal
    index: EntryIndex
    tail: list[Entry]
    replayed: int
    replays: dict[str, int] = field(
        default_factory=dict
    )  # original event id -> times received again
    warnings: list[str] = field(default_factory=list)


def load(
    path: Path,
    *,
    readonly: bool,
    segment_size: int,
    write_file: WriteFile,
    now: float,
    recent_size: int,
) -> Loaded:
    """Load registry.json, then replay the journal entries after the position it covers.

    A damaged registry.json is moved aside and the registry rebuilt from the journal; a
    damaged journal segment is moved aside and skipped. Readonly loads never move anything.
    """
    warnings: list[str] = []
    registry, snap_seq = _load_snapshot(path / SNAPSHOT_NAME, readonly, now, warnings)
    index = EntryIndex()
    tail: deque[dict[str, Any]] = deque(maxlen=recent_size)
    unreplayable: list[int] = []
    replays: dict[str, int] = {}
    replayed = 0

    def visit(entry: dict[str, Any]) -> None:
        nonlocal replayed
        seq = entry["seq"]
        index.add(entry, seq)
        kind = entry.get("entry")
        if kind in (ENTRY_CALLBACK, ENTRY_REQUEST, ENTRY_REPLAY):
            tail.append(entry)
        if kind == ENTRY_REPLAY and isinstance(entry.get("replay_of"), str):
            replays[entry["replay_of"]] = replays.get(entry["replay_of"], 0) + 1
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
    )
    warnings.extend(journal.warnings)
    if unreplayable:
        warnings.append(
            f"{len(unreplayable)} journal entries could not be applied to the registry "
            f"(malformed; the first at position {unreplayable[0]}); they stay in the journal."
        )
    journal.skip_to(snap_seq)  # never reuse a position the snapshot already covers
    objects = [obj for e in tail if (obj := entry_object(e)) is not None]
    return Loaded(registry, snap_seq, journal, index, objects, replayed, replays, warnings)


def _load_snapshot(
    path: Path, readonly: bool, now: float, warnings: list[str]
) -> tuple[Registry, int]:
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
        return Registry(), 0
    if snapshot is None:
        return Registry(), 0
    return snapshot.registry, snapshot.seq
