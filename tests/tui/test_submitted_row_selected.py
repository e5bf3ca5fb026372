"""After a form submits, the cursor is on the row of what it submitted: the README's
"`b` … `ctrl+s` … `enter` shows its detail" opens the new brand, not the first row (issue 15)."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Select

from receiver.domain.models import ResourceType
from tui.forms import BrandForm
from tui.screens.detail import ResourceDetailScreen
from tui.screens.main import MainScreen

from .test_campaign_lifecycle_console import requests_of

SIZE = (120, 36)


async def test_a_new_brand_is_under_the_cursor_and_enter_opens_it(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        table = app.main_screen.resources.table(ResourceType.BRAND)
        first = await stack.create_brand("first")  # on the first profile with an EIN
        await wait_for(pilot, lambda: table.cursor_key == first, "the first brand's row")
        profiles = [p for p in await asyncio.to_thread(stack.gateway.list_profiles) if p.has_ein]

        await pilot.press("b")
        form = app.screen
        assert isinstance(form, BrandForm)
        await wait_for(pilot, lambda: form.profiles, "profiles")
        form.query_one("#profile_uuid", Select).value = profiles[1].uuid
        form.query_one("#alias", Input).value = "acme"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the form to close")
        new = requests_of(stack, "brand.create")[-1].brand_id
        await wait_for(pilot, lambda: new in table.rows, "the new brand's row")

        assert new != first
        await wait_for(pilot, lambda: table.cursor_key == new, "the cursor on the new brand")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourceDetailScreen), "detail")
        assert new in app.screen.title
