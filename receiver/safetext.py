"""Text from the network made encodable: lone surrogates become visible backslash escapes."""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from typing import Any

from receiver.domain.models import CallbackEvent


def escape_surrogates(text: str) -> str:
    r"""`text` unchanged if it is valid UTF-8 text; else each lone surrogate escaped.

    A header byte >= 0x80 that is not UTF-8 arrives as U+DC80..U+DCFF (surrogateescape) and
    becomes `\xNN` (the byte); any other lone surrogate (a JSON "\ud800") becomes `\uNNNN`.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return escape_surrogates(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _all_encodable(value: Any) -> bool:
    if isinstance(value, str):
        return _encodable(value)
    if isinstance(value, dict):
        return all(_encodable(k) and _all_encodable(v) for k, v in value.items())
    return True


_TEXT_FIELDS = tuple(
    f.name for f in fields(CallbackEvent) if f.type in ("str", "str | None", "dict[str, str]")
)


def encodable_event(event: CallbackEvent) -> CallbackEvent:
    """`event` itself when all its text encodes as UTF-8; else a copy with surrogates escaped."""
    texts = [event.id, event.method, event.url, event.body, event.reason]
    texts += event.headers
    texts += event.headers.values()
    texts += event.params
    texts += event.params.values()
    if "".join(t for t in texts if isinstance(t, str)).isascii():  # the usual case, fast
        return event
    values = {name: getattr(event, name) for name in _TEXT_FIELDS}
    if all(_all_encodable(v) for v in values.values()):
        return event
    changes = {name: _clean(v) for name, v in values.items() if not _all_encodable(v)}
    return replace(event, **changes)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    r"""`text` safe to print on a terminal: control characters (C0, DEL, C1) shown as `\xNN`.

    Text from a callback (an id, a status) must never reach a terminal as an escape sequence
    (`\x1b]0;pwned\x07` would set the window title).
    """
    if text.isprintable():
        return text
    return "".join(
        ch
        if ch.isprintable() or ch == " "
        else f"\\x{ord(ch):02x}"
        if ord(ch) < 0x100
        else f"\\u{ord(ch):04x}"
        for ch in text
    )


def csv_cell(value: object) -> object:
    r"""A CSV cell that a spreadsheet will not run as a formula (`=1+1` becomes `'=1+1`) and a
    terminal will not run as an escape sequence (control characters but tab and line breaks
    shown as `\xNN`)."""
    if not isinstance(value, str):
        return value
    if not value.isprintable():
        value = _CONTROL_BUT_LINES.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DEL_AND_C1 = re.compile(r"[\x7f-\x9f]")


def json_text(value: object, **kwargs: Any) -> str:
    """`json.dumps` readable as UTF-8 (ensure_ascii=False) that still carries no raw DEL or C1
    control character (JSON escapes C0 itself): safe to print on a terminal."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _DEL_AND_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
