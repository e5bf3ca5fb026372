"""Sandbox misbehaviour from the console's palette (issue 12): arm, see it fire, clear."""

from __future__ import annotations

from receiver.domain.models import Badge, ResourceType
from tui.commands import SandboxCommands


async def test_drop_the_next_callback_from_the_palette(make_stack, started, wait_for, toasts):
    from tests.tui.conftest import ticking_clock

    stack = make_stack(ticking_clock())
    async with stack.app.run_test(size=(120, 36), message_hook=toasts) as pilot:
        await started(pilot)
        provider = SandboxCommands(stack.app.screen)
        titles = [hit.text async for hit in provider.discover()]
        assert "sandbox: drop the next callback" in titles
        await stack.app.screen.run_action("sandbox_fault('drop-callback')")
        await pilot.pause()
        faults = stack.sandbox.faults
        assert [a.spec.name for a in faults.armed] == ["drop-callback"]
        assert any("armed drop-callback" in t.message for t in toasts)
        brand_id = await stack.create_brand("harbor")
        # `created` is dropped; the terminal callback still arrives and settles the badge
        await wait_for(
            pilot,
            lambda: stack.badge(ResourceType.BRAND, brand_id) == Badge.REGISTERED,
            "registered",
        )
        assert faults.armed[0].fired == 1  # it fired on the first callback, then was spent
        await stack.app.screen.run_action("sandbox_fault('')")
        assert faults.armed == []
        await stack.app.screen.run_action("sandbox_fault('no-such-fault')")
        await pilot.pause()
        assert any("unknown fault" in t.message for t in toasts)
