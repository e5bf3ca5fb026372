"""The Store's read side: recent entries, the journal, lookups by id or resource, counts and stats."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from receiver.domain.models import CallbackEvent, ResourceType
from receiver.store.disk.files import StoreStats
from receiver.store.entries import (
    ENTRY_REPLAY,
    Entry,
    entry_object,
    entry_resource_keys,
    entry_time,
    resource_key,
)
from receiver.store.journal import Journal
from receiver.store.lookup import EntryLookup
from receiver.store.snapshot import Snapshotter
from receiver.store.unverified import UnverifiedRing


class StoreReads:
    """Mixin for Store: the queries a reader (or a readonly store) answers. Store sets the state."""

    _recent: deque[Entry]
    _journal: Journal
    _lookup: EntryLookup
    _ring: UnverifiedRing
    _counts: dict[str, int]
    _snapshots: Snapshotter
    _applied_seq: int

    def recent(self, limit: int = 500) -> list[Entry]:
        """The latest callbacks and requests, newest last (filled from the journal on open)."""
        return list(self._recent)[-limit:] if limit > 0 else []

    def journal(self, *, after_seq: int = 0) -> Iterator[Entry]:
        """Callbacks and requests with seq > after_seq, in order.

        Reconcile entries and replay markers are skipped: each callback appears once (see
        replay_count); unverified callbacks are not in the journal (see unverified()).
        """
        for entry in self._journal.iter_entries(after_seq):
            if entry.get("entry") == ENTRY_REPLAY:
                continue
            obj = entry_object(entry)
            if obj is not None:
                yield obj

    def raw_journal(self, *, after_seq: int = 0) -> Iterator[dict[str, Any]]:
        """Every journal entry with seq > after_seq, as stored (reconcile and replay too)."""
        yield from self._journal.iter_entries(after_seq)

    def find_entry(self, entry_id: str) -> Entry | None:
        """A callback, request or replay marker by id, or an unverified callback in the ring."""
        seq = self._lookup.seq_of(entry_id)
        if seq is None:
            return self._ring.find(entry_id)
        return entry_object(self._journal.get(seq))

    def entries_for(self, type: ResourceType, id: str) -> list[Entry]:
        """Callbacks and requests mentioning the resource (as brand_id, campaign_id, number(s)),
        unverified ones from the ring included, oldest first."""
        found = (entry_object(self._journal.get(seq)) for seq in self._lookup.seqs_for(type, id))
        entries: list[Entry] = [obj for obj in found if obj is not None]
        key = resource_key(type, id)
        kept = [e for e in self._ring.events() if key in entry_resource_keys(e.to_dict())]
        return sorted([*entries, *kept], key=entry_time) if kept else entries

    def replay_count(self, entry_id: str) -> int:
        """How many times the callback `entry_id` was received again (acknowledged, not stored)."""
        return self._lookup.replay_count(entry_id)

    @property
    def replay_total(self) -> int:
        """How many replay markers the journal holds (copies acknowledged but not stored)."""
        return self._lookup.replay_total()

    def unverified(self) -> list[CallbackEvent]:
        """The newest callbacks that failed verification (at most unverified_limit), oldest first."""
        return self._ring.events()

    @property
    def unverified_dropped(self) -> int:
        """How many older unverified callbacks were let go to keep the ring bounded."""
        return self._ring.dropped

    @property
    def stats(self) -> StoreStats:
        """Commit, entry and byte counters since the store was opened."""
        j = self._journal
        return StoreStats(
            **self._counts,
            snapshots=self._snapshots.count,
            bytes_written=j.bytes_written,
            last_commit_bytes=j.last_write_bytes,
        )

    @property
    def last_seq(self) -> int:
        """Journal position of the newest entry applied to the registry."""
        return self._applied_seq

    @property
    def snapshot_seq(self) -> int:
        """Journal position that registry.json covers."""
        return self._snapshots.seq

    @property
    def segment_paths(self) -> list[Path]:
        """The journal's segment files, in journal order."""
        return self._journal.segment_paths
