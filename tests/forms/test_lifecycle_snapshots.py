"""What the lifecycle forms look like at 80x24 and 120x36: fix and resubmit, the deletes, OTP."""

from __future__ import annotations

import pytest

from plivo_client.types import GatewayError
from tui.forms.campaign_update_form import CampaignUpdateForm
from tui.forms.delete_confirm import BrandDeleteConfirm, BrandOtpConfirm, CampaignDeleteConfirm

from .lifecycle_fakes import LifecycleGateway

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


def loaded(wait, *groups: str):
    async def run_before(pilot) -> None:
        await wait(pilot, "load", *groups)

    return run_before


@SIZES
def test_campaign_update_form(snap_compare, host, wait, size):
    gateway = LifecycleGateway()
    app = host(lambda: CampaignUpdateForm(gateway, "CREJ001"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@SIZES
def test_campaign_delete_confirm(snap_compare, host, wait, size):
    gateway = LifecycleGateway()
    app = host(lambda: CampaignDeleteConfirm(gateway, "CACT001", "alerts"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@SIZES
def test_brand_delete_refused(snap_compare, host, wait, size):
    gateway = LifecycleGateway()
    gateway.fail_with = GatewayError(
        "delete brand BREG001 failed: Brand cannot be deleted while it has active campaigns.",
        status=400,
    )

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    app = host(lambda: BrandDeleteConfirm(gateway, "BREG001", "acme-main"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_brand_otp_confirm(snap_compare, host, wait, size):
    gateway = LifecycleGateway()
    app = host(lambda: BrandOtpConfirm(gateway, "BREG002", "jane-solo"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))
