"""Refused material (400 undecodable, 403 unverified): raw bytes kept faithfully, and bounded."""

from __future__ import annotations

import base64
from dataclasses import replace

from receiver.domain.models import CallbackEvent
from receiver.parse import decode_text

RAW_CAP = 4096  # raw body bytes kept per refused callback; the original length is recorded


def refused(event: CallbackEvent, raw: bytes, cap: int = RAW_CAP) -> CallbackEvent:
    """`event` with its body cut to `cap` raw bytes, kept as base64 beside a display text."""
    kept = raw[:cap]
    return replace(
        event,
        body=decode_text(kept),
        body_b64=base64.b64encode(kept).decode("ascii"),
        body_length=len(raw),
    )


def raw_body(event: CallbackEvent) -> bytes | None:
    """The raw bytes kept for a refused callback (None when only the text was kept)."""
    if event.body_b64 is None:
        return None
    return base64.b64decode(event.body_b64)
