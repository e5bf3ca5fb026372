"""Counted nouns for messages (`1 change`, `3 entries`): the one way a count is spelled."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 change`, `2 changes`; `many` for a word whose plural is not word + "s" (entries)."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many if many is not None else word + 's'}"
