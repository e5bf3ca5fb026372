"""A form opens at its first field: the auto-focused field is not centred off the labels above."""

from __future__ import annotations

import pytest

from tui.forms.profile_form import ProfileForm

from .lifecycle_fakes import PROFILES_API, ProfileGateway


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize("profile", [None, PROFILES_API[0]], ids=["create", "update"])
async def test_the_profile_form_opens_at_the_top(host, size, profile) -> None:
    app = host(lambda: ProfileForm(ProfileGateway(), profile))
    async with app.run_test(size=size) as pilot:
        form = pilot.app.screen
        for _ in range(100):
            if not form._opening:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        body = form.query_one("#form-body")
        assert not pilot.app.animator.is_being_animated(body, "scroll_y")  # none on its way
        assert body.scroll_y == 0
        title = form.query_one(".group-title")  # "The business", the body's first line
        assert body.region.contains_region(title.region)
        assert form.focused.id == ("company_name" if profile else "profile_alias")
        assert body.region.contains_region(form.focused.region)
