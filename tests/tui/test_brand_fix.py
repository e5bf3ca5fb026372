"""A rejected brand, fixed from the console in sandbox mode: `f` opens its profile at the field
the decline concerns (updated where Plivo lets a profile change, copied into a new profile for
the EIN), then the brand form, filled in, registers it again. The sandbox's `reject-1102` /
`reject-1101` knobs in the alias pick the reason."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.widgets import Input, Select, Static

from receiver.domain.declines import explain
from receiver.domain.models import Badge, ResourceType
from tui.forms.brand_fix import BrandFixForm, copies_profile, fix_target
from tui.forms.brand_form import BrandForm

from .test_campaign_lifecycle_console import requests_of, select
from .test_campaign_loop import LOOP_DEADLINE, SIZE, detail_drawn

B = ResourceType.BRAND
MISMATCH = "The company name does not match the records for the EIN."


def test_each_known_brand_decline_opens_at_a_profile_field() -> None:
    assert fix_target(explain("1101", brand=True)) == "ein"
    assert copies_profile("ein")  # Plivo's profile update cannot change the EIN
    mismatch = explain(None, brand=True, text=MISMATCH)
    assert fix_target(mismatch) == "company_name" and not copies_profile("company_name")
    government = explain(None, brand=True, text="not recognised as a government entity")
    assert fix_target(government) == "entity_type" and not copies_profile("entity_type")
    assert fix_target(None) is None and not copies_profile(None)


async def rejected_brand(stack, pilot, step, alias: str) -> str:
    """A brand the sandbox rejects, with its reasons read from the API."""
    brand_id = await stack.create_brand(alias)

    def explained() -> bool:
        res = stack.store.registry.get(B, brand_id)
        return res is not None and res.badge is Badge.REJECTED and "declined_reasons" in res.detail

    await step(pilot, explained, "the rejection and its reasons")
    return brand_id


async def fix_from_the_table(stack, pilot, step, alias: str):
    """A rejected brand, `f` on its row: (its id, the fix form once loaded)."""
    app = stack.app
    brand_id = await rejected_brand(stack, pilot, step, alias)
    await select(pilot, B, brand_id, step)
    await pilot.press("f")
    await step(pilot, lambda: isinstance(app.screen, BrandFixForm) and app.screen.loaded, "step 1")
    return brand_id, app.screen


def shown(widget) -> str:
    return str(widget.render())


async def test_a_name_mismatch_updates_the_profile_then_registers_again(
    stack, started, wait_for, toasts, text_of
) -> None:
    app = stack.app
    step = partial(wait_for, timeout=LOOP_DEADLINE)
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await rejected_brand(stack, pilot, step, "harbor reject-1102")
        await step(pilot, lambda: any("f: fix its profile" in m for m in toasts.errors()), "toast")

        await select(pilot, B, brand_id, step)
        await pilot.press("enter")
        await step(pilot, lambda: detail_drawn(app), "the detail")
        detail = app.screen
        assert "f: fix its profile" in text_of(detail.query_one("#summary", Static))
        assert detail.check_action("fix", ())

        # -- step 1: the profile, at the field the decline concerns -------------------------
        await pilot.press("f")
        await step(
            pilot, lambda: isinstance(app.screen, BrandFixForm) and app.screen.loaded, "step 1"
        )
        fix = app.screen
        name = fix.query_one("#company_name", Input)
        assert fix.focused is name
        assert "tax id does not match" in shown(fix.query_one("#company_name-decline"))
        assert MISMATCH in shown(fix.query_one("#decline-summary"))
        assert fix.editing and fix.query_one("#ein", Input).disabled  # an update: EIN locked
        profile_uuid = fix.profile["profile_uuid"]
        name.value = "Harbor Point Dental Inc."
        await pilot.press("ctrl+s")

        # -- step 2: the brand form, filled in; the rejected brand gives its profile back ----
        await step(pilot, lambda: isinstance(app.screen, BrandForm), "step 2")
        again = app.screen
        picked = again.query_one("#profile_uuid", Select)
        await step(pilot, lambda: picked.value == profile_uuid, "the profile chosen")
        alias = again.query_one("#alias", Input)
        assert alias.value == "harbor reject-1102"
        note = shown(again.query_one("#again-note"))
        assert f"profile {profile_uuid} updated" in note and "deleted first" in note
        (update,) = requests_of(stack, "profile.update")
        assert update.ok and update.params["company_name"] == "Harbor Point Dental Inc."
        alias.value = "harbor"  # the sandbox rejects on the word, as Plivo would on the facts
        await pilot.press("ctrl+s")
        await step(pilot, lambda: app.screen is detail, "back on the detail")

        (deleted,) = requests_of(stack, "brand.delete")
        assert deleted.ok and deleted.brand_id == brand_id
        created = [r for r in requests_of(stack, "brand.create") if r.brand_id != brand_id]
        assert [r.params["profile_uuid"] for r in created] == [profile_uuid]
        new_id = created[0].brand_id
        await step(pilot, lambda: stack.badge(B, new_id) is Badge.REGISTERED, "registered")
        await step(pilot, lambda: stack.badge(B, brand_id) is Badge.DELETED, "old one deleted")
        assert any(new_id in m for m in toasts.messages("brand registered again"))


async def test_an_invalid_ein_is_typed_into_a_new_profile_copied_from_the_old(
    stack, started, wait_for, toasts
) -> None:
    app = stack.app
    step = partial(wait_for, timeout=LOOP_DEADLINE)
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id, fix = await fix_from_the_table(stack, pilot, step, "harbor reject-1101")
        ein = fix.query_one("#ein", Input)
        assert fix.focused is ein and not ein.disabled and not fix.editing
        assert "copied from this one" in shown(fix.query_one("#decline-summary"))
        copy = dict(fix.profile)  # the old profile, its alias marked
        assert copy["profile_alias"].endswith("-fixed")
        assert fix.query_one("#profile_alias", Input).value == copy["profile_alias"]
        assert fix.query_one("#company_name", Input).value == copy["company_name"]
        ein.value = "98-7654321"
        await pilot.press("ctrl+s")

        await step(pilot, lambda: isinstance(app.screen, BrandForm), "step 2")
        (made,) = requests_of(stack, "profile.create")
        assert made.ok and made.params["ein"] == "98-7654321"
        new_uuid = made.response["profile_uuid"]
        picked = app.screen.query_one("#profile_uuid", Select)
        await step(pilot, lambda: picked.value == new_uuid, "the new profile chosen")
        assert "deleted first" not in shown(app.screen.query_one("#again-note"))
        app.screen.query_one("#alias", Input).value = "harbor"
        await pilot.press("ctrl+s")
        await step(pilot, lambda: app.screen is app.main_screen, "back on the main screen")

        assert requests_of(stack, "brand.delete") == []  # the old profile keeps its brand
        created = [r for r in requests_of(stack, "brand.create") if r.brand_id != brand_id]
        assert [r.params["profile_uuid"] for r in created] == [new_uuid]
        await step(pilot, lambda: stack.badge(B, created[0].brand_id) is Badge.REGISTERED, "reg")


async def test_a_delete_refused_keeps_the_form_and_registers_nothing(
    stack, started, wait_for, toasts
) -> None:
    app = stack.app
    step = partial(wait_for, timeout=LOOP_DEADLINE)
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id, fix = await fix_from_the_table(stack, pilot, step, "harbor reject-1199")
        assert fix.focused is fix.query_one("#company_name", Input)  # no field named: the first
        assert "does not know this reason" in shown(fix.query_one("#decline-summary"))
        await pilot.press("ctrl+s")  # nothing changed: no update is sent, on to step 2
        await step(pilot, lambda: isinstance(app.screen, BrandForm), "step 2")
        assert requests_of(stack, "profile.update") == []
        form = app.screen
        assert "kept as it was" in shown(form.query_one("#again-note"))
        picked = form.query_one("#profile_uuid", Select)
        await step(pilot, lambda: picked.value == fix.profile["profile_uuid"], "chosen")

        await asyncio.to_thread(stack.gateway.delete_brand, brand_id)  # gone behind our back
        form.query_one("#alias", Input).value = "harbor"
        await pilot.press("ctrl+s")
        await step(pilot, lambda: "could not be deleted" in shown(form.query_one("#form-error")),
                   "refused")  # fmt: skip
        assert app.screen is form and form.query_one("#alias", Input).value == "harbor"
        assert [r.brand_id for r in requests_of(stack, "brand.create")] == [brand_id]
