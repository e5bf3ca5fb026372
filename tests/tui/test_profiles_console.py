"""Profiles from the console against the sandbox: list, view, create (with inline checks),
update, delete (refused while a brand stands on it), and "new profile…" from the brand form."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input, Select

from plivo_client.validation import BrandRequest
from receiver.domain.models import RequestRecord
from tui.forms import BrandForm
from tui.forms.brand_form import NEW_PROFILE, NEW_PROFILE_LABEL
from tui.forms.delete_confirm import ProfileDeleteConfirm
from tui.forms.profile_form import ProfileForm
from tui.screens.profiles import ProfilesScreen

SIZE = (120, 40)
PROFILE = {
    "profile_alias": "harbor-west",
    "company_name": "Harbor Point Dental West LLC",
    "ein": "12-3456789",
    "ein_issuing_country": "US",
    "website": "https://harborpointdental.example",
    "address__street": "100 Bay St",
    "address__city": "Tampa",
    "address__state": "FL",
    "address__postal_code": "33602",
    "address__country": "US",
    "authorized_contact__first_name": "Rosa",
    "authorized_contact__last_name": "Diaz",
    "authorized_contact__email": "rosa@harborpointdental.example",
    "authorized_contact__title": "Owner",
    "authorized_contact__phone": "+18135550142",
}
CHOSEN = {
    "customer_type": "DIRECT",
    "entity_type": "PRIVATE",
    "vertical": "HEALTHCARE",
    "authorized_contact__seniority": "CEO",
}


def requests_of(stack, action: str) -> list[RequestRecord]:
    return [e for e in stack.store.recent() if isinstance(e, RequestRecord) and e.action == action]


def fill(form, texts: dict[str, str], chosen: dict[str, str]) -> None:
    for name, value in texts.items():
        form.query_one(f"#{name}", Input).value = value
    for name, value in chosen.items():
        form.query_one(f"#{name}", Select).value = value


def error_of(form, name: str) -> str:
    label = form.query_one(f"#{name}-error")
    return str(label.content) if label.display else ""


async def open_profiles(pilot, wait_for) -> ProfilesScreen:
    await pilot.press("p")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, ProfilesScreen) and pilot.app.screen.loaded,
        "the profiles screen, loaded",
    )
    return pilot.app.screen


async def test_profiles_list_create_update_delete(stack, started, wait_for, toasts):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        screen = await open_profiles(pilot, wait_for)
        table = screen.query_one("#profiles-table", DataTable)
        seeded = table.row_count
        assert seeded >= 2
        assert "profile_uuid" not in str(screen.query_one("#profile-detail").content)
        assert "company_name" in str(screen.query_one("#profile-detail").content)

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileForm), "the form")
        form = pilot.app.screen
        fill(form, {**PROFILE, "authorized_contact__email": "rosa at harbor"}, CHOSEN)
        form.query_one("#entity_type", Select).value = "PUBLIC"
        await pilot.pause()
        assert form.query_one("#stock").display  # stock fields for public companies only
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "email" in error_of(form, "authorized_contact")
        assert "PUBLIC" in error_of(form, "stock_symbol")
        assert not requests_of(stack, "profile.create")  # nothing sent

        form.query_one("#entity_type", Select).value = "PRIVATE"
        form.query_one("#authorized_contact__email", Input).value = PROFILE[
            "authorized_contact__email"
        ]
        await pilot.pause()
        assert not form.query_one("#stock").display
        assert error_of(form, "authorized_contact") == ""  # cleared as it is fixed
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back on the list")
        (created,) = requests_of(stack, "profile.create")
        assert created.ok
        await wait_for(pilot, lambda: table.row_count == seeded + 1, "the new profile listed")
        uuid = next(
            u for u, p in screen.profiles.items() if p.get("profile_alias") == "harbor-west"
        )
        assert screen.profiles[uuid]["address"]["city"] == "Tampa"
        await wait_for(pilot, lambda: screen.selected_uuid() == uuid, "the new one selected")
        assert "harbor-west" in str(screen.query_one("#profile-detail").content)

        table.move_cursor(row=table.get_row_index(uuid))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileForm), "edit form")
        form = pilot.app.screen
        assert form.query_one("#company_name", Input).value == PROFILE["company_name"]
        assert form.query_one("#ein", Input).disabled  # Plivo cannot change it
        form.query_one("#website", Input).value = "https://west.harborpointdental.example"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "saved")
        (updated,) = requests_of(stack, "profile.update")
        assert updated.ok and updated.params.get("website", "").startswith("https://west.")
        assert "address" not in updated.params  # only what changed
        await wait_for(
            pilot,
            lambda: str(screen.profiles.get(uuid, {}).get("website", "")).startswith(
                "https://west"
            ),
            "the change read back",
        )

        table.move_cursor(row=table.get_row_index(uuid))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileDeleteConfirm), "ask")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "deleted")
        await wait_for(pilot, lambda: uuid not in screen.profiles, "gone from the list")
        assert [r.ok for r in requests_of(stack, "profile.delete")] == [True]


async def test_deleting_a_profile_with_a_brand_is_refused_with_plivos_reason(
    stack, started, wait_for, toasts
):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        profiles = await asyncio.to_thread(stack.gateway.list_profiles)
        backing = next(p.uuid for p in profiles if p.has_ein and p.profile_type != "PRIMARY")
        made = await asyncio.to_thread(
            stack.gateway.create_brand, BrandRequest(profile_uuid=backing, alias="Harbor Dental")
        )
        brand_id = made.brand_id
        screen = await open_profiles(pilot, wait_for)
        table = screen.query_one("#profiles-table", DataTable)
        table.move_cursor(row=table.get_row_index(backing))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileDeleteConfirm), "ask")
        confirm = pilot.app.screen
        await pilot.press("ctrl+s")
        await wait_for(pilot, toasts.errors, "refusal")
        reason = str(confirm.query_one("#form-error").content)
        assert f"backs brand {brand_id}" in reason, reason
        assert pilot.app.screen is confirm
        assert brand_id


async def test_brand_form_offers_a_new_profile(stack, started, wait_for, toasts):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await pilot.press("b")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, BrandForm) and pilot.app.screen.profiles,
            "the brand form, loaded",
        )
        brand_form = pilot.app.screen
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileForm), "profile form")
        fill(pilot.app.screen, PROFILE, CHOSEN)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is brand_form, "back in the brand form")
        new = await wait_for(
            pilot,
            lambda: [p for p in brand_form.profiles.values() if p.alias == "harbor-west"],
            "the new profile offered",
        )
        assert brand_form.query_one("#profile_uuid", Select).value == new[0].uuid


async def test_the_profile_list_ends_with_new_profile(stack, started, wait_for, toasts):
    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        await pilot.press("b")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, BrandForm) and pilot.app.screen.profiles,
            "the brand form, loaded",
        )
        brand_form = pilot.app.screen
        select = brand_form.query_one("#profile_uuid", Select)
        labels = [str(prompt) for prompt, _ in select._options]
        assert labels[-1] == NEW_PROFILE_LABEL and len(labels) == len(brand_form.profiles) + 2
        select.value = NEW_PROFILE
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileForm), "profile form")
        assert select.value == Select.NULL  # never sent as a profile
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is brand_form, "back in the brand form")
        assert brand_form.build_request().profile_uuid == ""


async def test_a_refused_profile_keeps_what_was_typed(stack, started, wait_for, toasts):
    from sandbox.faults.catalogue import parse_flag

    async with stack.app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        screen = await open_profiles(pilot, wait_for)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileForm), "the form")
        form = pilot.app.screen
        fill(form, PROFILE, CHOSEN)
        stack.sandbox.faults.arm([parse_flag("api-error:status=503,count=always")])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form.query_one("#form-error").display, "Plivo's refusal")
        assert pilot.app.screen is form and "503" in str(form.query_one("#form-error").content)
        assert [r.ok for r in requests_of(stack, "profile.create")] == [False]  # journaled
        for name, value in PROFILE.items():  # nothing typed is lost
            assert form.query_one(f"#{name}", Input).value == value
        assert form.query_one("#vertical", Select).value == CHOSEN["vertical"]

        stack.sandbox.faults.clear()
        await pilot.press("ctrl+s")  # the same form, sent again as it stands
        await wait_for(pilot, lambda: pilot.app.screen is screen, "created this time")
        assert [r.ok for r in requests_of(stack, "profile.create")] == [False, True]
