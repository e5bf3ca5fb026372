"""registry.json's resources read in place: each resource's JSON text stays in the file.

A store of 200,000 resources has a 120 MB registry.json. Opening it maps the file and finds
where each resource's line starts (one regular-expression pass per window of the file, each
window's pages released once scanned), so the open holds a key and two offsets per resource,
not its text: a receiver's memory follows the registry's size, not its history. A resource's
text is read from the mapping when it is built, exported or copied into the next snapshot.

The mapping keeps the file it was opened on readable after a newer snapshot replaces it (the
old inode lives while mapped), so offsets stay valid for the store's whole life.
"""

from __future__ import annotations

import mmap
import re
from array import array
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path

from receiver.domain.models import ResourceType

_LINE = re.compile(rb'\n\{"type":"(brand|campaign|number)","id":"([^"\\\n]*)"')
"""The start of a resource's line (the newline before it, then its type and an id without
escapes); a line of any other form makes the caller read the file the slow way."""

_TERMINAL = b'"cycle_terminal":'
_TERMINAL_FALSE = _TERMINAL + b"false"
_WINDOW = 1 << 20  # bytes scanned, then released, at a time (a multiple of the page size); small,
# so no one regular-expression pass holds the GIL for long while callbacks are acknowledged
_TYPES = {t.value.encode(): t for t in ResourceType}


class MappedTexts:
    """The resource texts of one registry.json, by index: offsets into a read-only mapping."""

    def __init__(self, mapping: mmap.mmap, starts: array, ends: array) -> None:
        self._map = mapping
        self._starts = starts
        self._ends = ends

    def __len__(self) -> int:
        return len(self._starts)

    def raw(self, index: int) -> bytes:
        """The UTF-8 bytes of resource `index`'s text."""
        return self._map[self._starts[index] : self._ends[index]]

    def text(self, index: int) -> str:
        return self._map[self._starts[index] : self._ends[index]].decode()

    def not_terminal(self) -> set[int] | None:
        """Indices of the texts whose `"cycle_terminal":` is false, found by two searches of
        the file's bytes (a TUI start asks this of 200k texts, which decoded one by one took
        1 s); None unless every text holds the key exactly once (a detail may hold one of its
        own): the caller then reads each text."""
        if not self._starts:
            return set()
        found: set[int] = set()
        keys = 0
        pos, end = self._starts[0], self._ends[-1]
        while pos < end:  # a window at a time: no copy of the whole file in memory
            stop = end if end - pos <= _WINDOW else self._map.rfind(b"\n", pos + 1, pos + _WINDOW)
            if stop <= pos:
                stop = end
            window = self._map[pos:stop]  # whole texts (each ends before a newline)
            keys += window.count(_TERMINAL)
            at = window.find(_TERMINAL_FALSE)
            while at >= 0:
                found.add(bisect_right(self._starts, pos + at) - 1)
                at = window.find(_TERMINAL_FALSE, at + 1)
            released = pos - pos % mmap.PAGESIZE
            self._map.madvise(mmap.MADV_DONTNEED, released, stop - released)
            pos = stop
        return found if keys == len(self._starts) else None


def map_resources(
    path: Path, body_start: int, body_end: int
) -> tuple[list[tuple[ResourceType, str]], MappedTexts] | None:
    """The keys of the resource lines between `body_start` and `body_end` of the file (texts
    joined by ",\\n", a newline just before `body_start`), and their texts in place; None if a
    line is not in the plain form (the caller then decodes the file)."""
    with path.open("rb") as f:
        mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    keys: list[tuple[ResourceType, str]] = []
    starts = array("q")
    pos, types = body_start - 1, _TYPES
    while pos < body_end:  # mapping[pos] is the newline before a line
        end = (
            body_end if body_end - pos <= _WINDOW else mapping.rfind(b"\n", pos + 1, pos + _WINDOW)
        )
        if end <= pos:  # one line longer than a window: not tendlc's
            end = body_end
        chunk = mapping[pos:end]  # whole lines, each after its newline
        found = _LINE.findall(chunk)
        lengths = list(map(len, chunk.split(b"\n")[1:]))
        if len(found) != len(lengths):
            mapping.close()
            return None
        keys.extend([(types[t], rid.decode()) for t, rid in found])
        offsets = accumulate(lengths, initial=pos + 1)  # + one newline per line before
        starts.extend([at + i for i, at in enumerate(offsets) if i < len(lengths)])
        released = pos - pos % mmap.PAGESIZE
        mapping.madvise(mmap.MADV_DONTNEED, released, end - released)
        pos = end
    if not starts:
        mapping.close()
        return None
    ends = array("q", (s - 2 for s in starts[1:]))  # each line but the last ends with ",\n"
    ends.append(body_end)
    return keys, MappedTexts(mapping, starts, ends)
