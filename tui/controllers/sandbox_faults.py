"""Sandbox misbehaviour from the palette ("sandbox: drop the next callback"): arms one fault
in the console's own sandbox (sandbox/faults/), or clears them, and says what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.faults.catalogue import FaultError, parse_flag

if TYPE_CHECKING:
    from textual.screen import Screen


def arm_from_palette(screen: Screen, flag: str) -> None:
    """`flag` as `--fault` takes it (`drop-callback`, `api-error:status=503`); "" clears."""
    sandbox = getattr(getattr(screen.app, "services", None), "sandbox", None)
    if sandbox is None:
        screen.notify("sandbox faults exist only in sandbox mode", severity="warning")
        return
    if not flag:
        cleared = sandbox.faults.clear()
        screen.notify(f"{cleared} sandbox faults cleared", title="sandbox", markup=False)
        return
    try:
        [armed] = sandbox.faults.arm([parse_flag(flag)])
    except FaultError as exc:
        screen.notify(str(exc), title="sandbox", severity="error", markup=False)
        return
    screen.notify(
        f"armed {flag.partition(':')[0]} ({armed.id}): it fires once, on the next match",
        title="sandbox",
        markup=False,
    )
