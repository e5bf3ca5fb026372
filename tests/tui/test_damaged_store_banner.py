"""A damaged store file at start: moved aside, a clear message on screen, and the app runs."""

from __future__ import annotations

import itertools


async def test_damaged_registry_is_moved_aside_and_said(
    tmp_path, make_stack, started, wait_for, toasts
):
    store_dir = tmp_path / "store0"  # where make_stack opens its first store
    store_dir.mkdir()
    (store_dir / "registry.json").write_text('{"registry": {"1": {"type": "bra')  # torn

    ticks = itertools.count()
    stack = make_stack(lambda: 1_767_225_600.0 + next(ticks))
    app = stack.app
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await started(pilot)
        messages = [n.message for n in toasts if n.title == "store"]
        assert any("registry.json" in m and "damaged" in m for m in messages), messages
        assert any(p.name.startswith("registry.json.damaged-") for p in store_dir.iterdir())
        brand_id = await stack.create_brand("after the damage")
        await wait_for(
            pilot,
            lambda: any(r.id == brand_id for r in stack.store.registry.all()),
            "the app to keep working",
        )
