"""Pilot tests of reconciliation in the UI: `r`, outside resources, overdue flags, URL changes."""

from __future__ import annotations

import asyncio
import threading

import plivo

import tui.controllers.reconcile
from receiver.domain.models import Badge, CallbackEvent, Cause, ResourceType
from receiver.tunnels.base import TunnelState, TunnelStatus
from sandbox.transport import point_client_at
from tui.controllers.flags import OLD_URL_MARK, OVERDUE_MARK
from tui.screens.detail import ResourceDetailScreen
from tui.widgets.resource_table import ResourceTable

SIZE = (120, 40)
B = ResourceType.BRAND


def table(app, type: ResourceType) -> ResourceTable:
    return app.screen.query_one(f"#{type.value}-table", ResourceTable)


def last_cell(app, type: ResourceType, id: str) -> str:
    return table(app, type).get_cell(id, "last").plain


async def test_r_recovers_a_suppressed_callback(stack, started, wait_for, toasts) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        stack.sandbox.suppress_callbacks(True)
        brand_id = await stack.create_brand("Acme Dental")
        await stack.sandbox.idle()  # COMPLETED at the API; the callback never came
        brands = table(app, B)
        await wait_for(pilot, lambda: brand_id in brands.rows, "the brand row")
        assert stack.badge(B, brand_id) is Badge.SUBMITTED

        await pilot.press("r")

        await wait_for(
            pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "registered by reconcile"
        )
        last = stack.store.registry.get(B, brand_id).timeline[-1]
        assert last.cause is Cause.RECONCILE
        assert not [e for e in stack.store.recent() if isinstance(e, CallbackEvent)]
        await wait_for(
            pilot, lambda: "1 change (everything)" in toasts.messages("reconcile"), "toast"
        )
        await wait_for(
            pilot, lambda: brands.get_cell(brand_id, "badge").plain.strip() == "registered", "row"
        )


async def test_a_brand_created_outside_tendlc_appears_after_r(stack, started, wait_for) -> None:
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        client = plivo.RestClient(stack.sandbox.auth_id, stack.sandbox.auth_token)
        point_client_at(client, stack.sandbox.base_url)
        profiles = [p for p in await asyncio.to_thread(stack.gateway.list_profiles) if p.has_ein]
        created = await asyncio.to_thread(
            client.brand.create, "made-elsewhere", "STANDARD", profiles[0].uuid
        )
        brand_id = created["brand_id"] if isinstance(created, dict) else created.brand_id
        await stack.sandbox.idle()
        assert stack.store.registry.get(B, brand_id) is None

        await pilot.press("r")

        brands = table(app, B)
        await wait_for(pilot, lambda: brand_id in brands.rows, "the outside brand's row")
        resource = stack.store.registry.get(B, brand_id)
        assert resource.name == "made-elsewhere"
        assert resource.badge is Badge.REGISTERED
        assert [t.cause for t in resource.timeline] == [Cause.RECONCILE]


async def test_overdue_flag_appears_and_auto_reconcile_clears_it(
    make_stack, manual_clock, started, wait_for, monkeypatch, text_of, toasts
) -> None:
    monkeypatch.setattr(
        tui.controllers.reconcile, "OVERDUE_TICK", 0.05
    )  # the timer, not a direct call
    clock = manual_clock
    stack = make_stack(clock, overdue_after=60)
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        stack.sandbox.suppress_callbacks(True)
        brand_id = await stack.create_brand("Acme Dental")
        await stack.sandbox.idle()
        brands = table(app, B)
        await wait_for(pilot, lambda: brand_id in brands.rows, "the brand row")
        release = threading.Event()
        gateway = stack.gateway
        real_get_brand = gateway.get_brand

        def held_get_brand(id: str):
            release.wait(10)  # hold the reconcile so the flag can be seen first
            return real_get_brand(id)

        monkeypatch.setattr(gateway, "get_brand", held_get_brand)
        await pilot.pause(0.2)
        assert OVERDUE_MARK not in last_cell(app, B, brand_id)

        clock.advance(61)

        await wait_for(
            pilot, lambda: OVERDUE_MARK in last_cell(app, B, brand_id), "the overdue mark"
        )
        brands.focus()
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, ResourceDetailScreen)
        assert "callback overdue" in text_of(detail.query_one("#summary"))

        release.set()

        await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "reconciled")
        await wait_for(
            pilot, lambda: f"brand:{brand_id}" not in app.main_screen.flags.overdue, "unflagged"
        )
        await wait_for(
            pilot,
            lambda: "callback overdue" not in text_of(detail.query_one("#summary")),
            "the detail to drop the flag",
        )
        await pilot.press("escape")
        assert OVERDUE_MARK not in last_cell(app, B, brand_id)
        resource = stack.store.registry.get(B, brand_id)
        assert resource.timeline[-1].cause is Cause.RECONCILE
        await wait_for(
            pilot, lambda: "1 change (overdue callbacks)" in toasts.messages("reconcile"), "toast"
        )


async def test_a_new_public_url_marks_resources_awaiting_callbacks(
    make_stack, manual_clock, fake_tunnel, started, wait_for, text_of, toasts
) -> None:
    tunnel = fake_tunnel(TunnelStatus(TunnelState.STARTING, None, "starting the fake tunnel"))
    stack = make_stack(manual_clock, tunnel=tunnel)
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        stack.sandbox.suppress_callbacks(True)
        waiting = await stack.create_brand("Waiting Brand")
        stack.sandbox.suppress_callbacks(False)
        done = await stack.create_brand("Done Brand")
        await wait_for(pilot, lambda: stack.badge(B, done) is Badge.REGISTERED, "done registered")
        brands = table(app, B)
        await wait_for(pilot, lambda: waiting in brands.rows, "the waiting brand's row")
        old_url = stack.receiver.config.callback_url

        tunnel.go(TunnelState.UP, "https://fresh.tunnel.test")

        new_url = "https://fresh.tunnel.test/tendlc_status/"
        await wait_for(pilot, lambda: stack.receiver.config.callback_url == new_url, "new URL")
        await wait_for(pilot, lambda: OLD_URL_MARK in last_cell(app, B, waiting), "the ⚠ mark")
        assert OLD_URL_MARK not in last_cell(app, B, done)
        await wait_for(
            pilot, lambda: toasts.messages("callback URL changed"), "the URL-change warning"
        )
        (message,) = toasts.messages("callback URL changed")
        assert "1 resource still await" in message and new_url in message
        brands.focus()
        brands.move_cursor(row=brands.get_row_index(waiting))
        await pilot.press("enter")
        summary = text_of(app.screen.query_one("#summary"))
        assert "old callback URL" in summary and old_url in summary


async def test_r_after_callbacks_puts_what_differs_in_the_timeline(
    stack, started, wait_for, toasts
) -> None:
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        brand_id = await stack.create_brand("Acme Dental")
        await wait_for(pilot, lambda: stack.badge(B, brand_id) is Badge.REGISTERED, "registered")
        brands = table(app, B)
        await wait_for(pilot, lambda: brand_id in brands.rows, "the brand row")
        await wait_for(
            pilot, lambda: last_cell(app, B, brand_id) == "callback: registered", "callback cell"
        )
        # Plivo finished a secondary vetting after the callbacks (the badge holds; detail moves).
        vetted = stack.sandbox.world.brands[brand_id]
        vetted.vetting_score, vetted.vetting_status = 75, "ACTIVE"

        await pilot.press("r")

        await wait_for(
            pilot, lambda: "1 change (everything)" in toasts.messages("reconcile"), "the toast"
        )
        resource = stack.store.registry.get(B, brand_id)
        last = resource.timeline[-1]
        assert last.cause is Cause.RECONCILE and last.badge is Badge.REGISTERED
        assert last.detail == "reconcile: vetting score, vetting status"
        assert resource.detail["vetting_score"] == 75
        await wait_for(
            pilot, lambda: last_cell(app, B, brand_id) == last.detail, "Last change shows it"
        )

        await pilot.press("r")  # the API agrees now: nothing differs, nothing is added

        await wait_for(
            pilot, lambda: "0 changes (everything)" in toasts.messages("reconcile"), "2nd toast"
        )
        assert stack.store.registry.get(B, brand_id).timeline[-1] == last
