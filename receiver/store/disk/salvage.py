"""A damaged journal segment: its complete entries recovered, the damage kept aside and reported.

Segments are appended in place (receiver/store/disk/segment.py), so the damage a crash can leave is
a torn tail after the last complete document: a prefix of an append over the closing braces,
perhaps followed by zeros. Opening keeps every complete entry before it and repairs the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from receiver.store.disk.atomicdb import atomic_write, dump_tables, move_aside

_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class Salvage:
    """The documents (doc id -> document) readable before the damage, and where it starts."""

    docs: dict[str, dict[str, Any]]
    good_bytes: int  # bytes of the file up to and including the last complete document


def salvage_table(raw: bytes, table: str) -> Salvage:
    """Parse `{"<table>": {"1": {...}, "2": {...}` as far as it is valid JSON and TinyDB-shaped."""
    docs: dict[str, dict[str, Any]] = {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw[: exc.start].decode("utf-8")
    pos, good = 0, 0

    def skip(at: int) -> int:
        while at < len(text) and text[at] in " \t\n\r":
            at += 1
        return at

    def expect(at: int, char: str) -> int:
        at = skip(at)
        if at >= len(text) or text[at] != char:
            raise ValueError
        return at + 1

    try:
        pos = expect(pos, "{")
        name, pos = _DECODER.raw_decode(text, skip(pos))
        if name != table:
            raise ValueError
        pos = expect(expect(pos, ":"), "{")
        while True:
            doc_id, end = _DECODER.raw_decode(text, skip(pos))
            doc, end = _DECODER.raw_decode(text, skip(expect(end, ":")))
            if not isinstance(doc_id, str) or not doc_id.isdigit() or not isinstance(doc, dict):
                raise ValueError
            docs[doc_id] = doc
            good = end
            pos = skip(end)
            if pos < len(text) and text[pos] == "}":
                break
            pos = expect(pos, ",")
    except (ValueError, IndexError):  # JSONDecodeError is a ValueError
        pass
    return Salvage(docs, len(text[:good].encode("utf-8")))


# -- what open does with a damaged segment -----------------------------------------------------


def repair(
    path: Path, rel: str, exc: Exception, now: float, readonly: bool, table: str
) -> tuple[dict[str, dict[str, Any]] | None, str]:
    """Keep the complete entries before the damage (the torn tail of a crashed append, or any
    damage); the whole damaged file is kept aside. Returns (the data kept or None, a warning)."""
    raw = path.read_bytes()
    found = salvage_table(raw, table)
    if not found.docs:
        return None, damaged_message(rel, exc, path, now, readonly)
    data = {table: found.docs}
    tail = len(raw) - found.good_bytes
    seqs = f"journal positions {min(map(int, found.docs))}-{max(map(int, found.docs))}"
    kept = f"{len(found.docs)} complete entries ({seqs}) were recovered"
    if readonly:
        return data, (
            f"journal segment {rel} is damaged ({exc}); {kept} and are shown, and the "
            f"{tail} damaged bytes after them are ignored. Open the store once without "
            "other tendlc processes running to repair it."
        )
    moved = move_aside(path, now, keep=True)  # no moment where neither file holds them
    atomic_write(path, dump_tables(data))
    return data, (
        f"journal segment {rel} was damaged ({exc}); {kept} and kept in it. The "
        f"{tail} bytes after them (any entries in them could not be read) were kept, with "
        f"the whole damaged file, in {path.parent.name}/{moved.name}; inspect or delete it."
    )


def is_blank(path: Path) -> bool:
    """An empty (or all-whitespace) segment: never written so by tendlc, so its entries are lost."""
    try:
        size = path.stat().st_size
        return size == 0 or (size < 4096 and not path.read_bytes().strip())
    except OSError:
        return False


def blank_message(rel: str, path: Path, last_seq: int, now: float, readonly: bool) -> str:
    lost = f"the entries it held (journal positions after {last_seq}) are missing"
    if readonly:
        return f"journal segment {rel} is empty (0 bytes, damaged): {lost} from the event log."
    moved = move_aside(path, now)
    return (
        f"journal segment {rel} was empty (0 bytes, damaged): {lost} from the event log. It was "
        f"moved to {path.parent.name}/{moved.name} and is not reused."
    )


def damaged_message(rel: str, exc: Exception, path: Path, now: float, readonly: bool) -> str:
    if readonly:
        return (
            f"journal segment {rel} is damaged ({exc}); its entries are skipped. Open the store "
            "once without other tendlc processes running to move it aside."
        )
    moved = move_aside(path, now)
    return (
        f"journal segment {rel} was damaged ({exc}) and was moved to "
        f"{path.parent.name}/{moved.name}; the events and requests it held are missing from the "
        "event log (the registry keeps what its snapshot recorded). Inspect or delete that file."
    )


_HEAD = re.compile(rb'^\{"journal":\{"(\d+)":\{')


def first_seq(path: Path) -> int | None:
    """The first journal position of a segment tendlc wrote (compact, ends in its braces), read
    from its first and last bytes only; None when the file does not look like one."""
    try:
        with path.open("rb") as f:
            head = f.read(64)
            f.seek(-2, 2)
            end = f.read(2)
    except OSError:
        return None
    match = _HEAD.match(head)
    return int(match[1]) if match and end == b"}}" else None
