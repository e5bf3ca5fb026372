"""What a brand's and a campaign's detail show once Plivo reported more than the callbacks:
a brand's vetting score and status, a campaign's per-carrier mno_metadata (80x24, 120x36)."""

from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from receiver.domain.models import Observation, ResourceType
from tui.screens.detail import ResourceDetailScreen

from .conftest import T0, rendered

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
MNO = {
    "AT&T": {"tpm": 4500, "brand_tier": None},
    "T-Mobile": {"brand_tier": "TOP"},
    "Verizon Wireless": {"tpm": 4500},
}
REPORTED = [
    Observation(ResourceType.BRAND, "BACME01", "COMPLETED",
                detail={"vetting_score": 80, "vetting_status": "ACTIVE"}),
    Observation(ResourceType.CAMPAIGN, "CACME01", "ACTIVE", detail={"mno_metadata": MNO}),
]  # fmt: skip


def fixed() -> float:
    return T0 + 600.0


async def reported(pilot: Pilot) -> None:
    """The services up, then what a reconcile read from the API, recorded in the app's store."""
    while not pilot.app.services.started:
        await pilot.pause(0.01)
    await pilot.app.services.store.record_observations(REPORTED)
    await pilot.pause()


async def open_detail(pilot: Pilot, tab: str) -> ResourceDetailScreen:
    await reported(pilot)
    await pilot.press(tab, "enter")
    for _ in range(500):
        if isinstance(pilot.app.screen, ResourceDetailScreen):
            break
        await pilot.pause(0.01)
    screen = pilot.app.screen
    assert isinstance(screen, ResourceDetailScreen)
    await pilot.pause()
    return screen


def test_the_details_show_vetting_and_per_carrier_terms(snapshot_app) -> None:
    app = snapshot_app(True, clock=fixed)  # writes its store with asyncio.run: a plain test
    asyncio.run(read_both_details(app))


async def read_both_details(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_detail(pilot, "1")
        summary = " ".join(rendered(screen.query_one("#summary", Static)).split())
        assert "vetting_score 80 vetting_status ACTIVE" in summary
        assert "throughput 4,500 messages/min (vetting score 80;" in summary
        await pilot.press("escape", "2", "enter")
        for _ in range(500):
            if isinstance(pilot.app.screen, ResourceDetailScreen):
                break
            await pilot.pause(0.01)
        await pilot.pause()
        summary = " ".join(rendered(pilot.app.screen.query_one("#summary", Static)).split())
        assert "AT&T: 4500 messages/min (from Plivo's mno_metadata)" in summary
        assert "T-Mobile: brand tier TOP" in summary


@SIZES
def test_brand_detail_with_its_vetting(snap_compare, snapshot_app, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_detail(pilot, "1")

    app = snapshot_app(True, clock=fixed)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_campaign_detail_with_mno_metadata(snap_compare, snapshot_app, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_detail(pilot, "2")

    app = snapshot_app(True, clock=fixed)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_a_final_decline_is_not_offered_fix_and_resubmit() -> None:
    from receiver.domain.models import Badge, Resource
    from tui.screens.detail import next_step

    def rejected(code: str) -> Resource:
        return Resource(ResourceType.CAMPAIGN, "C1", Badge.REJECTED, T0,
                        detail={"error_code": code})  # fmt: skip

    assert next_step(rejected("1004")).startswith("f: fix and resubmit")  # the message flow
    assert next_step(rejected("1001")) == (  # prohibited content: no update makes it pass
        "an update cannot fix this decline: delete it (d on the main screen)"
    )
