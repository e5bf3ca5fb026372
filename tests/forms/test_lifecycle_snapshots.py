"""What the lifecycle forms look like at 80x24 and 120x36: fix and resubmit, the deletes, OTP."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from plivo_client.types import GatewayError
from receiver.domain.models import Badge, Cause, Change, Cycle, Resource, ResourceType
from tui.forms.brand_fix import BrandFixForm
from tui.forms.bulk_link import BulkLinkScreen, BulkUnlinkScreen
from tui.forms.campaign_import_form import CampaignImportForm
from tui.forms.campaign_update_form import CampaignUpdateForm
from tui.forms.delete_confirm import BrandDeleteConfirm, BrandOtpConfirm, CampaignDeleteConfirm
from tui.forms.number_picker import NumberPicker
from tui.forms.profile_form import ProfileForm
from tui.messages import RegistryChanged
from tui.screens.profiles import ProfilesScreen

from .lifecycle_fakes import PROFILES_API, LifecycleGateway, ProfileGateway

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
def test_campaign_import_form(snap_compare, host, wait, size):
    """An id typed, the alias forgotten: submitting names what is missing, nothing is sent."""
    gateway = LifecycleGateway()

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press(*"C1A2B3C", "ctrl+s")
        await pilot.pause()
        assert not gateway.submissions()

    app = host(lambda: CampaignImportForm(gateway))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


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


ACCOUNT = [
    {"number": "14155550101", "number_type": "local", "city": "San Francisco",
     "region": "California, UNITED STATES", "tendlc_campaign_id": "CACT001",
     "tendlc_registration_status": "COMPLETED"},
    {"number": "14155550102", "number_type": "local", "city": "San Francisco",
     "region": "California, UNITED STATES", "tendlc_campaign_id": None,
     "tendlc_registration_status": "UNREGISTERED"},
    {"number": "14845551234", "number_type": "local", "city": "Allentown",
     "region": "Pennsylvania, UNITED STATES", "tendlc_campaign_id": None,
     "tendlc_registration_status": "UNREGISTERED"},
    {"number": "18885550100", "number_type": "tollfree", "city": None, "region": None,
     "tendlc_campaign_id": None, "tendlc_registration_status": "UNREGISTERED"},
]  # fmt: skip


@SIZES
def test_number_picker(snap_compare, host, wait, size):
    gateway = LifecycleGateway()
    gateway.numbers = ACCOUNT

    async def run_before(pilot) -> None:
        await wait(pilot, "load")
        await pilot.press("down", "space")

    app = host(lambda: NumberPicker(gateway))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_bulk_link_results(snap_compare, host, registry, wait, size, tmp_path):
    gateway = LifecycleGateway()
    path = tmp_path / "numbers.csv"
    path.write_text("number\n+14845551234\n+14845551235\n+14845551236\n")

    def link(req):  # as Plivo: a batch with a stranger in it is refused, naming the stranger
        if "14845551235" in req.numbers:
            raise GatewayError(
                "link failed: The number 14845551235 does not belong to your account"
            )
        return gateway._answer("number.link", req, numbers=tuple(req.numbers))

    gateway.link_numbers = link

    async def run_before(pilot) -> None:
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#path", Input).value = "numbers.csv"
        form.read_file(str(path))
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    app = host(lambda: BulkLinkScreen(gateway, registry, "CACT001"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def settled(number: str, badge: Badge, **detail: str) -> Resource:
    return Resource(ResourceType.NUMBER, number, badge, 0.0, parent_id="CACT001",
                    cycle=Cycle.LINK, cycle_terminal=True, detail=detail)  # fmt: skip


@SIZES
def test_bulk_link_outcomes(snap_compare, host, registry, wait, size, tmp_path):
    # After the run, each row follows its number's callbacks: one linked, one failed with
    # the reason; the refused one keeps Plivo's refusal.
    gateway = LifecycleGateway()
    path = tmp_path / "numbers.csv"
    path.write_text("+14845551234\n+14845551235\n+14845551236\n")

    def link(req):
        if "14845551235" in req.numbers:
            raise GatewayError(
                "link failed: The number 14845551235 does not belong to your account"
            )
        return gateway._answer("number.link", req, numbers=tuple(req.numbers))

    gateway.link_numbers = link

    async def run_before(pilot) -> None:
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#path", Input).value = "numbers.csv"
        form.read_file(str(path))
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        reason = "The carriers rejected the number for this campaign."
        numbers = (settled("14845551234", Badge.LINKED),
                   settled("14845551236", Badge.FAILED, failure_reason=reason))  # fmt: skip
        form.post_message(RegistryChanged(Change(Cause.CALLBACK, numbers)))
        await pilot.pause()
        await pilot.pause()

    app = host(lambda: BulkLinkScreen(gateway, registry, "CACT001"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_bulk_unlink_confirm(snap_compare, host, wait, size):
    gateway = LifecycleGateway()
    numbers = ["14155550101", "14155550102", "14845551234"]
    app = host(lambda: BulkUnlinkScreen(gateway, "CACT001", numbers))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@SIZES
def test_profile_form_errors(snap_compare, host, wait, size):
    gateway = ProfileGateway()

    async def run_before(pilot) -> None:
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#profile_alias", Input).value = "harbor-west"
        form.query_one("#ein_issuing_country", Input).value = "USA"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")

    app = host(lambda: ProfileForm(gateway))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_profile_form_update(snap_compare, host, wait, size):
    gateway = ProfileGateway()
    app = host(lambda: ProfileForm(gateway, PROFILES_API[0]))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@SIZES
def test_brand_fix_form(snap_compare, host, wait, size):
    """A rejected brand's profile, opened at the field its decline concerns."""
    gateway = ProfileGateway()
    app = host(lambda: BrandFixForm(gateway, "BREJ001"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@SIZES
def test_brand_fix_form_copies_for_an_ein(snap_compare, host, wait, size):
    """Plivo cannot change a profile's EIN: the fix is a new profile, copied."""
    gateway = ProfileGateway()
    gateway.brand["declined_reasons"] = [
        {"code": "1101", "message": "The US EIN provided is invalid."}
    ]
    app = host(lambda: BrandFixForm(gateway, "BREJ001"))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait))


@SIZES
def test_profiles_screen(snap_compare, host, wait, size):
    gateway = ProfileGateway()
    app = host(lambda: ProfilesScreen(gateway))
    assert snap_compare(app, terminal_size=size, run_before=loaded(wait, "profiles"))


@SIZES
def test_duplicate_warning(snap_compare, host, size):
    """A create that repeats an unanswered one: Reconcile first is the default."""
    from plivo_client.preflight import Finding, FindingKind
    from tui.forms.duplicate import duplicate_screen

    finding = Finding(
        FindingKind.POSSIBLE_DUPLICATE,
        "An earlier brand.create for profile harbor-dental-primary, alias harbor, got no answer: "
        "a blind retry may create a second brand.",
        blocking=False,
    )
    app = host(lambda: duplicate_screen(finding))
    assert snap_compare(app, terminal_size=size)


@SIZES
def test_export_prompt(snap_compare, host, size):
    from tui.controllers.exports import HINT
    from tui.screens.prompt import PromptScreen

    app = host(
        lambda: PromptScreen(
            "Export the event log to", "./tendlc-events-20260101-000000.jsonl", hint=HINT
        )
    )
    assert snap_compare(app, terminal_size=size)
