"""Recover the complete entries at the front of a truncated or damaged journal segment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

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
