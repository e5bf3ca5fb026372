"""The campaign check in the create-campaign form: findings inline, counted, blockers stop."""

from __future__ import annotations

from textual.widgets import Input, Label, Select, SelectionList, Static

from tests.forms.conftest import BRAND_NAMES
from tests.forms.test_campaign_form import GOOD_TEXT, fill
from tui.forms import CampaignForm


async def _ready(pilot, form, wait) -> None:
    await wait(pilot, "usecases")
    form.query_one("#vertical", Select).value = "RETAIL"
    form.query_one("#usecase", Select).value = "MIXED"
    await pilot.pause()
    subs = form.query_one("#sub_usecases", SelectionList)
    subs.select("2FA")
    subs.select("CUSTOMER_CARE")
    fill(form, GOOD_TEXT)
    await pilot.pause()


def _text(form, selector: str) -> str:
    return str(form.query_one(selector, Static).render())


async def test_findings_appear_under_their_fields_and_in_the_title(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await _ready(pilot, form, wait)
        # GOOD_TEXT's second sample carries no opt-out language (Telnyx): advice
        assert "advice: carries no opt-out language" in _text(form, "#sample2-finding")
        assert form.query_one("#sample2-finding").display
        title = str(form.query_one("#form-title", Label).render())
        assert title == "Create campaign · check: 1 advice"
        form.query_one(
            "#sample2", Input
        ).value = "Acme: call 484-555-0100 about order 1234. STOP to end."
        await pilot.pause()
        assert "likely rejection (601)" in _text(form, "#embedded_phone-finding")
        form.query_one(
            "#sample1", Input
        ).value = "Acme: your loan application 1234 is approved. Reply STOP to opt out."
        await pilot.pause()
        assert "(1003)" in _text(form, "#direct_lending-finding")
        form.query_one("#sample1", Input).value = GOOD_TEXT["sample1"]
        await pilot.pause()
        assert not form.query_one("#direct_lending-finding").display  # fixed: the line goes
        assert "$15 per campaign" in _text(form, "#fees")


async def test_likely_rejections_do_not_block_but_a_blocker_does(host, gateway, registry, wait):
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await _ready(pilot, form, wait)
        form.query_one("#sample2", Input).value = "Acme: CBD gummies are back in stock. Reply STOP."
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert gateway.submissions() == []
        assert "blocker" in _text(form, "#sample2-error")  # under the sample that says it
        form.query_one("#sample2", Input).value = GOOD_TEXT["sample2"]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait(pilot, "submit")
        [(action, sent)] = gateway.submissions()  # sent despite the advice on sample2
        assert action == "campaign.create" and sent.sample2 == GOOD_TEXT["sample2"]


async def test_the_brand_name_plivo_reports_is_checked_against_the_samples(
    host, gateway, registry, wait
):
    """The registry rarely holds a brand's company name: the form reads it from Plivo."""
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await _ready(pilot, form, wait)
        assert ("brand.read", "BREG001") in gateway.calls
        assert not form.query_one("#sample1-finding").display  # GOOD_TEXT names Acme
        form.query_one("#sample1", Input).value = "Your order 1234 has shipped. Reply STOP."
        form.query_one("#sample2", Input).value = "Your password was changed. Reply STOP."
        await pilot.pause()
        assert "(603)" in _text(form, "#sample1-finding")
        assert "'Acme'" in _text(form, "#sample1-finding")


async def test_the_example_names_the_chosen_brand(host, gateway, registry, wait, monkeypatch):
    monkeypatch.setitem(BRAND_NAMES, "BREG001", "Harbor Point Dental")
    gateway.sandbox = True  # f2 is offered in sandbox mode only
    app = host(lambda: CampaignForm(gateway, registry, brand_id="BREG001"))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        await wait(pilot, "usecases")
        await pilot.press("f2")
        await pilot.pause()
        assert form.query_one("#sample1", Input).value.startswith("Harbor Point Dental: ")
        assert form.checks.findings == []
        title = str(form.query_one("#form-title", Label).render())
        assert title == "Create campaign · check: nothing found"
