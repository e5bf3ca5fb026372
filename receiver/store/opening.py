"""Store.open's load stage: the files read into a new Store (snapshot, journal tail, indexes)."""

from __future__ import annotations

import shutil
from collections import deque
from typing import TYPE_CHECKING

from receiver.store.disk.atomicdb import WriteFile
from receiver.store.entries import entry_time
from receiver.store.load import load
from receiver.store.nonces import LEGACY_NONCES_DIR, catch_up

if TYPE_CHECKING:
    from receiver.store.store import Store


def fill(store: Store, *, segment_size: int, recent_size: int, write_file: WriteFile) -> None:
    """Load the store's directory into `store` (just constructed); on failure it is shut down."""
    path, readonly, clock = store.path, store.readonly, store._clock
    try:
        loaded = load(
            path,
            readonly=readonly,
            segment_size=segment_size,
            write_file=write_file,
            now=clock(),
            recent_size=recent_size,
            lookup=store._lookup,
            indexed_through=None if readonly else store.nonces.through_seq,
        )
        store._ring.load(readonly=readonly, now=clock())
        if not readonly:  # nonces of entries a crash kept out of the index (nonces.py)
            after = store.nonces.through_seq
            catch_up(store.nonces, loaded.journal.iter_entries(after), loaded.journal.last_seq)
            shutil.rmtree(path / LEGACY_NONCES_DIR, ignore_errors=True)
    except BaseException:
        store._shutdown()
        raise
    store.registry, store._journal = loaded.registry, loaded.journal
    store._committer.journal = loaded.journal
    tail = sorted([*loaded.tail, *store._ring.events()], key=entry_time)
    store._recent = deque(tail, maxlen=recent_size)
    store._applied_seq = loaded.journal.last_seq
    store._counts["replayed"] = loaded.replayed
    # registry.json of an older layout is rewritten now, in the one open reads unparsed
    rewrite = not readonly and not loaded.snapshot_lines
    store._snapshots.seq = -1 if rewrite else loaded.snapshot_seq
    store.warnings.extend(loaded.warnings)
    store.warnings.extend(store._ring.warnings)
    if not readonly:
        # The tail replayed above is then not replayed again by the next open.
        store._snapshots.write_now()
        # Take each resource's text now, while few are built: a snapshot later re-encodes only
        # what changed, however many resources a reader (the TUI's tables) builds meanwhile.
        store._encoder.step(store.registry, None)
