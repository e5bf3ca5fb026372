"""Pilot tests of the create-campaign form against a fake gateway and a fixed registry."""

from __future__ import annotations

from textual.widgets import Input, Select, SelectionList, Static, Switch

from plivo_client.types import GatewayError, Submitted
from plivo_client.validation import CampaignRequest
from tui.forms import CampaignForm
from tui.forms.common import Counter, FieldError

GOOD_TEXT = {
    "alias": "acme-alerts",
    "description": "Account alerts and support replies for Acme customers who opted in.",
    "sample1": "Acme: your order 1234 has shipped. Reply STOP to opt out.",
    "sample2": "Acme: your password was changed. Reply HELP for help.",
    "message_flow": "Customers tick an opt-in box on the acme.test checkout page.",
    "help_message": "Acme support: call 484-555-0100. Reply STOP to opt out.",
    "optout_message": "You will get no more Acme messages. Reply START to rejoin.",
    "help_keywords": "HELP,INFO",
}


def options(select: Select) -> list[str]:
    return [value for _, value in select._options if value != Select.NULL]


async def choose(pilot, form: CampaignForm, brand: str, usecase: str, wait) -> None:
    form.query_one("#brand_id", Select).value = brand
    await pilot.pause()
    await wait(pilot, "usecases")
    form.query_one("#vertical", Select).value = "RETAIL"
    form.query_one("#usecase", Select).value = usecase
    await pilot.pause()


def fill(form: CampaignForm, values: dict[str, str]) -> None:
    for name, value in values.items():
        form.query_one(f"#{name}", Input).value = value


async def test_only_registered_brands_are_offered(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert options(form.query_one("#brand_id", Select)) == ["BREG001", "BREG002"]
        note = str(form.query_one("#brand-note", Static).render())
        assert "BPEND01 (acme-new) pending — campaigns need a registered brand" in note
        assert "BREJ001 (acme-old) rejected" in note


async def test_usecases_load_per_brand_and_sub_usecases_follow_usecase(
    host, gateway, registry, wait
):
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        subs = form.query_one("#field-sub_usecases")
        await choose(pilot, form, "BREG001", "CUSTOMER_CARE", wait)
        assert options(form.query_one("#usecase", Select)) == [
            "2FA",
            "CUSTOMER_CARE",
            "MIXED",
            "LOW_VOLUME",
        ]
        assert not subs.display
        for usecase in ("MIXED", "LOW_VOLUME"):
            form.query_one("#usecase", Select).value = usecase
            await pilot.pause()
            assert subs.display, usecase
        form.query_one("#usecase", Select).value = "2FA"
        await pilot.pause()
        assert not subs.display
        form.query_one("#brand_id", Select).value = "BREG002"
        await pilot.pause()
        await wait(pilot, "usecases")
        assert options(form.query_one("#usecase", Select)) == ["STARTER"]
        assert form.query_one("#usecase", Select).value == "STARTER"
        assert ("brand.usecases", "BREG002") in gateway.calls


async def test_valid_mixed_campaign_is_sent_and_dismissed(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await wait(pilot, "usecases")
        assert form.query_one("#brand_id", Select).value == "BREG001"
        form.query_one("#vertical", Select).value = "RETAIL"
        form.query_one("#usecase", Select).value = "MIXED"
        await pilot.pause()
        subs = form.query_one("#sub_usecases", SelectionList)
        subs.select("2FA")
        subs.select("CUSTOMER_CARE")
        fill(form, GOOD_TEXT)
        form.query_one("#embedded_link", Switch).value = True
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        expected = CampaignRequest(
            brand_id="BREG001",
            vertical="RETAIL",
            usecase="MIXED",
            sub_usecases=("2FA", "CUSTOMER_CARE"),
            embedded_link=True,
            **GOOD_TEXT,
        )
        assert gateway.submissions() == [("campaign.create", expected)]
        assert isinstance(app.results[0], Submitted)
        assert app.results[0].campaign_id == "CNEW001"


async def test_short_description_shows_inline_error_and_counter(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await choose(pilot, form, "BREG001", "CUSTOMER_CARE", wait)
        fill(form, GOOD_TEXT)
        form.query_one("#description", Input).focus()
        await pilot.press("ctrl+a")
        form.query_one("#description", Input).value = ""
        await pilot.press(*"Too short by far")
        assert str(form.query_one("#description-count", Counter).render()) == "16/40"
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        error = form.query_one("#description-error", FieldError)
        assert error.display
        assert "at least 40 characters (now 16)" in str(error.render())
        assert gateway.submissions() == []
        assert app.screen is form
        # fixing it clears the error as you type
        form.query_one("#description", Input).value = GOOD_TEXT["description"]
        await pilot.pause()
        assert not error.display


async def test_mixed_needs_two_sub_usecases(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await choose(pilot, form, "BREG001", "LOW_VOLUME", wait)
        fill(form, GOOD_TEXT)
        form.query_one("#sub_usecases", SelectionList).select("MARKETING")
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert "choose 2 to 5 (now 1)" in str(
            form.query_one("#sub_usecases-error", FieldError).render()
        )
        assert gateway.submissions() == []


async def test_gateway_error_names_a_field_and_keeps_everything(host, gateway, registry, wait):
    gateway.fail_with = GatewayError(
        "create campaign failed: sample1 looks like spam", status=400, field="sample1"
    )
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await choose(pilot, form, "BREG001", "CUSTOMER_CARE", wait)
        fill(form, GOOD_TEXT)
        form.query_one("#age_gated", Switch).value = True
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert app.screen is form and app.results == []
        assert "looks like spam" in str(form.query_one("#form-error", FieldError).render())
        assert "looks like spam" in str(form.query_one("#sample1-error", FieldError).render())
        assert form.query_one("#field-sample1").has_class("-has-error")
        for name, value in GOOD_TEXT.items():
            assert form.query_one(f"#{name}", Input).value == value
        assert form.query_one("#brand_id", Select).value == "BREG001"
        assert form.query_one("#usecase", Select).value == "CUSTOMER_CARE"
        assert form.query_one("#age_gated", Switch).value is True


async def test_no_registered_brand_says_so(host, gateway, fake_registry, make_resource, wait):
    from receiver.domain.models import Badge, ResourceType

    registry = fake_registry([make_resource(ResourceType.BRAND, "B1234AB", Badge.PENDING, "")])
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert options(form.query_one("#brand_id", Select)) == []
        assert str(form.query_one("#brand-note", Static).render()) == (
            "B1234AB pending — campaigns need a registered brand"
        )
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert "registered brand" in str(form.query_one("#brand_id-error", FieldError).render())
        assert gateway.submissions() == []


async def test_preset_brand_loads_usecases_once(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG002"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "usecases")
        uses = [c for c in gateway.calls if c[0] == "brand.usecases"]
        assert uses == [("brand.usecases", "BREG002")]  # beside one read of the brand itself
        assert gateway.calls.count(("brand.read", "BREG002")) == 1
        assert app.screen.query_one("#usecase", Select).value == "STARTER"
        assert app.screen.query_one("#field-sub_usecases").display


async def test_leaving_a_short_field_flags_it_before_submit(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        form.query_one("#sample1", Input).focus()
        await pilot.press(*"Hi there")
        await pilot.press("tab")
        await pilot.pause()
        error = form.query_one("#sample1-error", FieldError)
        assert error.display and "at least 20 characters (now 8)" in str(error.render())
        # an untouched empty field is not scolded on blur
        assert not form.query_one("#sample2-error", FieldError).display


async def test_usecase_load_failure_offers_every_usecase_with_a_note(host, gateway, registry, wait):
    from receiver.domain import vocab

    gateway.usecases_error = GatewayError("list use cases of brand BREG001 failed: timeout")
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, "usecases")
        form = app.screen
        assert options(form.query_one("#usecase", Select)) == list(vocab.USECASES)
        note = form.query_one("#usecase-note", Static)
        assert note.display and "failed: timeout" in str(note.render())


async def test_sandbox_offers_an_example_campaign_that_passes_validation(
    host, gateway, registry, wait
):
    gateway.sandbox = True
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        form.query_one("#brand_id", Select).value = "BREG001"
        await pilot.pause()
        await wait(pilot, "usecases")
        assert "f2 example" in str(form.query_one("#keys-hint").render())
        await pilot.press("f2")
        await pilot.pause()
        request = form.build_request()
        assert (request.vertical, request.usecase) == ("TECHNOLOGY", "2FA")
        assert request.validate() == {}
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        assert [action for action, _ in gateway.submissions()] == ["campaign.create"]


async def test_no_example_against_plivo(host, gateway, registry):
    gateway.sandbox = False
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await pilot.press("f2")
        await pilot.pause()
        assert form.query_one("#description", Input).value == ""
        assert "example" not in str(form.query_one("#keys-hint").render())


async def test_the_banner_names_fields_by_their_labels_and_goes_once_fixed(
    host, gateway, registry, wait
):
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await choose(pilot, form, "BREG001", "CUSTOMER_CARE", wait)
        fill(form, {**GOOD_TEXT, "sample1": "", "description": ""})
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        banner = form.query_one("#form-error", FieldError)
        text = str(banner.render())
        assert "Not sent: 2 fields to fix (Description, Sample message 1)" in text
        assert "sample1" not in text and "description" not in text

        form.query_one("#description", Input).value = GOOD_TEXT["description"]
        await pilot.pause()
        assert "Not sent: 1 field to fix (Sample message 1)" in str(banner.render())

        form.query_one("#sample1", Input).value = GOOD_TEXT["sample1"]
        await pilot.pause()
        assert not banner.display  # every field fixed: nothing stops the submit any more


async def test_a_refusal_about_a_field_leaves_the_banner_once_that_field_changes(
    host, gateway, registry, wait
):
    gateway.fail_with = GatewayError(
        "create campaign failed: sample1 looks like spam", status=400, field="sample1"
    )
    app = host(lambda: CampaignForm(gateway, registry))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await choose(pilot, form, "BREG001", "CUSTOMER_CARE", wait)
        fill(form, GOOD_TEXT)
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        banner = form.query_one("#form-error", FieldError)
        assert banner.display and "looks like spam" in str(banner.render())
        form.query_one("#sample1", Input).value = "Acme: your order 1234 is out for delivery."
        await pilot.pause()
        assert not banner.display
        assert not form.query_one("#sample1-error", FieldError).display


async def test_the_form_is_on_screen_at_once_and_its_fields_follow(gateway, registry, wait):
    from textual.app import App

    app = App()
    async with app.run_test(size=(120, 36)) as pilot:
        form = CampaignForm(gateway, registry, "BREG001")
        await app.push_screen(form)
        # The frame is up before the many fields are mounted: a loading line, the buttons.
        assert form.query("#form-loading") and form.query("#submit")
        assert not form.query("#alias")
        await pilot.press("ctrl+s")  # nothing to send yet: ignored, not an error
        assert gateway.submissions() == []

        await wait(pilot, "usecases")

        assert not form.query("#form-loading")
        assert form.focused is form.query_one("#alias", Input)
        assert options(form.query_one("#usecase", Select))  # the preset brand's use cases
