"""Toasts show reasons as plain text: square brackets in a hint are not eaten as markup."""

from __future__ import annotations

from textual.content import Content

from receiver.tunnels.base import TunnelState, TunnelStatus
from receiver.tunnels.ngrok import EXTRA_HINT

SIZE = (120, 36)


def test_markup_would_eat_the_extra() -> None:
    """Why the toast must be plain: rendered as markup, `[ngrok]` disappears."""
    assert "[ngrok]" not in Content.from_markup(EXTRA_HINT).plain


async def test_tunnel_down_toast_keeps_the_ngrok_extra(
    make_stack, manual_clock, fake_tunnel, started, wait_for, toasts
) -> None:
    tunnel = fake_tunnel(TunnelStatus(TunnelState.STARTING, None, "starting the fake tunnel"))
    app = make_stack(manual_clock, tunnel=tunnel).app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        tunnel.go(TunnelState.DOWN, None, EXTRA_HINT)
        downs = await wait_for(
            pilot, lambda: [n for n in toasts if n.title == "tunnel down"], "toast"
        )
        (toast,) = downs
        assert toast.message == EXTRA_HINT
        assert toast.markup is False
