"""Snapshot tests: what the screens look like, with fixed data, clock, size, theme and address."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from plivo_client.types import NumberInfo
from tui.screens.campaign_numbers import CampaignNumbersScreen

SIZE = (120, 40)


async def settle(pilot: Pilot) -> None:
    """Wait for the (socket-free) services to start and the header to show their addresses."""
    while not pilot.app.services.started:
        await pilot.pause(0.01)
    await pilot.pause()


def test_empty_first_screen_in_sandbox_mode(snap_compare, snapshot_app) -> None:
    assert snap_compare(snapshot_app(False), terminal_size=SIZE, run_before=settle)


def test_populated_main_screen(snap_compare, snapshot_app) -> None:
    assert snap_compare(snapshot_app(True), terminal_size=SIZE, run_before=settle)


def test_numbers_narrowed_to_a_brand(snap_compare, snapshot_app) -> None:
    assert snap_compare(snapshot_app(True), press=["n", "3"], terminal_size=SIZE, run_before=settle)


def test_number_detail_timeline(snap_compare, snapshot_app) -> None:
    press = ["3", "down", "down", "enter"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SIZE, run_before=settle)


def test_unverified_callback_in_the_event_log(snap_compare, snapshot_app) -> None:
    assert snap_compare(snapshot_app(True), press=["e"], terminal_size=SIZE, run_before=settle)


def test_unverified_callback_raw_detail(snap_compare, snapshot_app) -> None:
    press = ["e", "enter"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SIZE, run_before=settle)


def test_filter_on_the_brands_tab(snap_compare, snapshot_app) -> None:
    press = ["slash", *"reg", "wait:400"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SIZE, run_before=settle)


def test_help_screen(snap_compare, snapshot_app) -> None:
    press = ["question_mark"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SIZE, run_before=settle)


def test_live_mode_with_a_loopback_callback_url_warns(snap_compare, snapshot_app) -> None:
    """LIVE with http://127.0.0.1:…: the header says Plivo cannot reach it and how to fix it."""
    app = snapshot_app(False, public_url=None, mode="LIVE")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


# The two sizes a console has to work at: a default terminal and a roomy one.
SMALL, ROOMY = (80, 24), (120, 36)


def test_main_screen_at_80x24(snap_compare, snapshot_app) -> None:
    """Two status lines, every fact whole; the footer fits; the log keeps Verification."""
    assert snap_compare(snapshot_app(True), terminal_size=SMALL, run_before=settle)


def test_main_screen_at_120x36(snap_compare, snapshot_app) -> None:
    assert snap_compare(snapshot_app(True), terminal_size=ROOMY, run_before=settle)


def test_campaigns_tab_at_80x24(snap_compare, snapshot_app) -> None:
    """Updated is dropped first; Id, Name, Brand, Status and Last change stay."""
    assert snap_compare(snapshot_app(True), press=["2"], terminal_size=SMALL, run_before=settle)


def test_help_screen_at_80x24_scrolled_to_the_end(snap_compare, snapshot_app) -> None:
    press = ["question_mark", "end"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SMALL, run_before=settle)


def test_help_screen_at_120x36_scrolled_to_the_end(snap_compare, snapshot_app) -> None:
    press = ["question_mark", "end"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=ROOMY, run_before=settle)


class NumbersAtPlivo:
    """What Plivo lists on CACME01 (the fill's campaign): one linked, one failed, one unlinking."""

    def list_numbers(self, campaign_id: str) -> list[NumberInfo]:
        statuses = {"14155550101": "COMPLETED", "14155550102": "FAILED", "14155550103": "COMPLETED"}
        return [NumberInfo(n, campaign_id, s) for n, s in statuses.items()]

    def close(self) -> None:
        """The app closes its gateway on exit."""


@pytest.mark.parametrize("size", [SMALL, ROOMY], ids=["80x24", "120x36"])
def test_campaign_numbers_view(snap_compare, snapshot_app, size) -> None:
    """`m` on CACME01: its numbers' badges here and their status at Plivo."""

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.services.gateway = NumbersAtPlivo()  # only the view reads it
        await pilot.press("2", "m")
        for _ in range(500):
            if isinstance(pilot.app.screen, CampaignNumbersScreen):
                break
            await pilot.pause(0.01)
        assert isinstance(pilot.app.screen, CampaignNumbersScreen)
        await pilot.app.workers.wait_for_complete(
            [w for w in pilot.app.workers if w.group == "numbers"]
        )
        await pilot.pause()

    assert snap_compare(snapshot_app(True), terminal_size=size, run_before=run_before)


def test_number_detail_at_80x24(snap_compare, snapshot_app) -> None:
    press = ["3", "down", "down", "enter"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SMALL, run_before=settle)


def test_number_detail_at_120x36(snap_compare, snapshot_app) -> None:
    press = ["3", "down", "down", "enter"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=ROOMY, run_before=settle)


def test_event_detail_at_80x24(snap_compare, snapshot_app) -> None:
    """A journal entry's detail (enter on the event log): the forged callback and why."""
    press = ["e", "enter"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=SMALL, run_before=settle)


def test_event_detail_at_120x36(snap_compare, snapshot_app) -> None:
    press = ["e", "enter"]
    assert snap_compare(snapshot_app(True), press=press, terminal_size=ROOMY, run_before=settle)
