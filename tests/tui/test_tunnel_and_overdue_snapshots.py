"""Snapshots of issue 5's marks: the tunnel's state in the header, overdue rows and detail."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from receiver.tunnels.base import TunnelState, TunnelStatus

SIZE = (120, 40)
T0 = 1_767_225_600.0
TUNNEL_URL = "https://quiet-river-1234.trycloudflare.com"


def settle_until(state: str) -> Callable[[Pilot], object]:
    """Wait for the services, then for the header to show the tunnel in `state`; then end
    the toasts' burst, so the snapshot shows them whatever the timing."""

    async def wait(pilot: Pilot) -> None:
        app = pilot.app
        while not (app.services.started and app.main_screen.status_bar.tunnel_state == state):
            await pilot.pause(0.01)
        await pilot.pause()
        app.main_screen.notices.flush()
        await pilot.pause()

    return wait


async def settle(pilot: Pilot) -> None:
    while not pilot.app.services.started:
        await pilot.pause(0.01)
    await pilot.pause()


def test_header_tunnel_starting(snap_compare, snapshot_app, fake_tunnel) -> None:
    tunnel = fake_tunnel(
        TunnelStatus(TunnelState.STARTING, None, "starting cloudflared quick tunnel")
    )
    app = snapshot_app(False, tunnel=tunnel, public_url=None)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle_until("starting"))


def test_header_tunnel_up_with_its_url(snap_compare, snapshot_app, fake_tunnel) -> None:
    tunnel = fake_tunnel(TunnelStatus(TunnelState.UP, TUNNEL_URL, "cloudflared quick tunnel"))
    app = snapshot_app(False, tunnel=tunnel, public_url=None)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle_until("up"))


def test_header_tunnel_down_with_its_reason(snap_compare, snapshot_app, fake_tunnel) -> None:
    reason = "cloudflared exited with code 1: failed to request quick Tunnel"
    tunnel = fake_tunnel(TunnelStatus(TunnelState.DOWN, None, reason))
    app = snapshot_app(False, tunnel=tunnel, public_url=None)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle_until("down"))


def test_rows_flagged_overdue(snap_compare, snapshot_app, manual_clock) -> None:
    manual_clock.advance(1_000)  # long after the fixed data's requests
    app = snapshot_app(True, clock=manual_clock, overdue_after=120)
    assert snap_compare(app, press=["2"], terminal_size=SIZE, run_before=settle)


def test_detail_of_an_overdue_campaign(snap_compare, snapshot_app, manual_clock) -> None:
    manual_clock.advance(1_000)
    app = snapshot_app(True, clock=manual_clock, overdue_after=120)
    press = ["2", "down", "enter"]
    assert snap_compare(app, press=press, terminal_size=SIZE, run_before=settle)
