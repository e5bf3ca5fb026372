"""Text from callbacks reaches the screen with control characters shown escaped (issue 9, 8)."""

from __future__ import annotations

from receiver.domain.models import Badge, CallbackEvent, Kind, Resource, ResourceType
from tui.widgets.formatting import (
    entry_resource,
    entry_status,
    entry_trust,
    resource_label,
    shown_id,
)

HOSTILE = "B\x1b]0;pwned\x07"


def _event() -> CallbackEvent:
    return CallbackEvent(
        id="ev1", received_at=1.0, method="POST", url="/tendlc_status/", headers={},
        body="", params={}, kind=Kind.BRAND, status="registered\x1b[2J", verified=False,
        reason="wrong token\x9b31m", brand_id=HOSTILE,
    )  # fmt: skip


def test_resource_ids_and_names_are_escaped() -> None:
    resource = Resource(ResourceType.BRAND, HOSTILE, Badge.PENDING, 1.0, name="Acme\x1b[5m")
    assert shown_id(resource) == "B\\x1b]0;pwned\\x07"
    assert resource_label(resource) == "B\\x1b]0;pwned\\x07 (Acme\\x1b[5m)"


def test_event_log_cells_are_escaped() -> None:
    event = _event()
    cells = [entry_resource(event), entry_status(event).plain, entry_trust(event).plain]
    assert not any(ch in cell for cell in cells for ch in "\x1b\x07\x9b")
    assert cells[0] == "B\\x1b]0;pwned\\x07"
    assert cells[1] == "registered\\x1b[2J"
    assert "\\x9b31m" in cells[2]


def test_the_raw_payload_view_escapes_headers_body_and_fields() -> None:
    from dataclasses import replace

    from rich.console import Console

    from tui.widgets.payload_view import callback_renderable

    event = replace(
        _event(),
        headers={"X-Evil\x1b[1m": "v\x1b]0;t\x07"},
        body="brand_id=B1\x1b[2J",
        params={"reason": "ok\x9b31m"},
    )
    console = Console(width=200, record=True, force_terminal=False)
    console.print(callback_renderable(event))
    shown = console.export_text()
    assert not any(ch in shown for ch in "\x1b\x07\x9b")
    assert "X-Evil\\x1b[1m" in shown and "brand_id=B1\\x1b[2J" in shown and "ok\\x9b31m" in shown


def test_toasts_carry_callback_text_without_markup_or_control_characters() -> None:
    from receiver.domain.models import Cause, Change
    from tui.notices import Notices

    sent = []

    class Timer:  # the burst's timer: the test ends the burst itself
        def reset(self) -> None: ...

        def stop(self) -> None: ...

    class Node:
        def notify(self, message, **kw):
            sent.append((message, kw))

        def set_timer(self, delay, callback, name=None):
            return Timer()

    resource = Resource(ResourceType.BRAND, HOSTILE + "[b]x[/b]", Badge.REGISTERED, 1.0)
    change = Change(Cause.CALLBACK, (resource,), message=f"brand {resource.id}: new → registered")
    notices = Notices(Node())
    notices.announce([change])
    notices.flush()
    [(message, kw)] = sent
    assert kw["markup"] is False and "[b]x[/b]" in message
    assert not any(ch in message + kw["title"] for ch in "\x1b\x07\x9b")
