"""Numbers from a file's text (CSV or one per line), read the same way by the CLI and the TUI."""

from __future__ import annotations

from plivo_client.validation import parse_numbers


def numbers_in_text(text: str) -> tuple[list[str], list[str]]:
    """(E.164 digits, tokens that are not numbers) from comma- or line-separated text.

    A first line without digits (a CSV header) is skipped; any other word is reported, so a
    label column is an error rather than silently dropped.
    """
    lines = text.splitlines()
    if lines and not any(ch.isdigit() for ch in lines[0]):
        lines = lines[1:]
    return parse_numbers("\n".join(lines))
