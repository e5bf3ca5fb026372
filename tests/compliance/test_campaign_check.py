"""The campaign check: every rule with a passing and a failing example."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from plivo_client.compliance import Severity, check_campaign, summary
from plivo_client.validation import CampaignRequest

GOOD = CampaignRequest(
    brand_id="B1",
    vertical="RETAIL",
    usecase="ACCOUNT_NOTIFICATION",
    description="Order and account updates for customers of Acme Outfitters online store.",
    sample1="Acme Outfitters: your order 4411 has shipped. Reply STOP to opt out.",
    sample2="Acme Outfitters: your password was changed. Reply STOP to opt out, HELP for help.",
    message_flow="Customers opt in by checking a box on the checkout page of our website.",
    help_message="Acme Outfitters: reply STOP to stop messages, or email help@acme.example.",
    optout_message="Acme Outfitters: you are unsubscribed and will get no more messages.",
    optin_keywords="START",
    optin_message=(
        "Acme Outfitters: you are subscribed to order alerts, up to 4 msgs per month. "
        "Msg & data rates may apply. Reply HELP for help, STOP to stop."
    ),
    alias="acme-alerts",
)


def findings(**changes):
    req = dataclasses.replace(GOOD, **changes)
    return check_campaign(req, brand_name="Acme Outfitters", brand_type="STANDARD")


def fields_of(found, severity=None):
    return {(f.field, f.code) for f in found if severity is None or f.severity is severity}


def test_a_clean_campaign_has_no_findings():
    assert findings() == []
    assert summary([]) == ""


def test_samples_with_a_link_need_embedded_link():
    link = "Acme Outfitters: track it at https://acme.example/t/4411. Reply STOP to opt out."
    assert ("embedded_link", "601") in fields_of(findings(sample1=link), Severity.LIKELY)
    assert fields_of(findings(sample1=link, embedded_link=True)) == set()
    assert ("embedded_link", "601") in fields_of(findings(embedded_link=True), Severity.ADVICE)


def test_samples_with_a_phone_number_need_embedded_phone():
    phone = "Acme Outfitters: call us at (484) 500-7032 about order 4411. Reply STOP to opt out."
    assert ("embedded_phone", "601") in fields_of(findings(sample1=phone), Severity.LIKELY)
    assert fields_of(findings(sample1=phone, embedded_phone=True)) == set()


def test_url_shorteners_are_flagged():
    short = "Acme Outfitters: track it at bit.ly/abc123. Reply STOP to opt out."
    found = findings(sample1=short, embedded_link=True)
    assert ("sample1", None) in fields_of(found, Severity.LIKELY)
    assert "bit.ly" in found[0].why
    own = "Acme Outfitters: track it at https://acme.example/t/4411. Reply STOP to opt out."
    assert fields_of(findings(sample1=own, embedded_link=True)) == set()  # a full link passes


def test_lending_words_need_direct_lending():
    lend = "Acme Outfitters: your loan application 4411 was approved. Reply STOP to opt out."
    found = findings(sample2=lend)
    assert ("direct_lending", "1003") in fields_of(found, Severity.LIKELY)
    assert "cannot be changed" in next(f.fix for f in found if f.field == "direct_lending")
    assert fields_of(findings(sample2=lend, direct_lending=True)) == set()


def test_age_restricted_words_need_age_gated():
    wine = "Acme Outfitters: the wine you ordered (order 4411) has shipped. Reply STOP to opt out."
    assert ("age_gated", "601") in fields_of(findings(sample1=wine), Severity.LIKELY)
    assert fields_of(findings(sample1=wine, age_gated=True)) == set()


def test_a_2fa_campaign_needs_a_code_in_its_samples():
    bad = findings(
        usecase="2FA",
        sample1="Acme Outfitters: here is your login link. Reply STOP to opt out.",
        sample2="Acme Outfitters: someone tried to sign in. Reply STOP to opt out.",
    )
    assert ("usecase", "602") in fields_of(bad, Severity.LIKELY)
    good = findings(usecase="2FA", sample1="Acme Outfitters: your code is 482913. Reply STOP.")
    assert ("usecase", "602") not in fields_of(good)


def test_a_2fa_sub_use_case_needs_a_code_in_its_samples():
    mixed = {
        "usecase": "MIXED",
        "sub_usecases": ("2FA", "ACCOUNT_NOTIFICATION"),
        "sample1": "Acme Outfitters: your order has shipped. Reply STOP to opt out.",
    }
    bad = findings(
        **mixed, sample2="Acme Outfitters: your password changed. Reply STOP to opt out."
    )
    assert ("sub_usecases", "602") in fields_of(bad, Severity.LIKELY)
    code = "Acme Outfitters: your sign-in code is 482913. Reply STOP to opt out."
    assert fields_of(findings(**mixed, sample2=code)) == set()
    low = findings(usecase="LOW_VOLUME", sub_usecases=("ACCOUNT_NOTIFICATION", "CUSTOMER_CARE"))
    assert ("sub_usecases", "602") not in fields_of(low)  # no 2FA among them: nothing to show


def test_marketing_samples_need_the_marketing_use_case():
    promo = "Acme Outfitters: 20% off all jackets this weekend! Reply STOP to opt out."
    assert ("usecase", "602") in fields_of(findings(sample2=promo), Severity.LIKELY)
    mixed = findings(sample2=promo, usecase="MIXED", sub_usecases=("MARKETING", "2FA"))
    assert ("usecase", "602") not in fields_of(mixed)


def test_samples_and_messages_should_name_the_brand():
    found = findings(
        sample1="Your order 4411 has shipped. Reply STOP to opt out.",
        sample2="Your password was changed. Reply STOP to opt out.",
        help_message="Reply STOP to stop messages, or email help@acme.example for help.",
    )
    assert ("sample1", "603") in fields_of(found, Severity.LIKELY)
    assert ("help_message", None) in fields_of(found, Severity.ADVICE)
    legal = check_campaign(GOOD, brand_name="Acme Outfitters Group, LLC")
    assert ("sample1", "603") not in fields_of(legal)  # the name without its legal tail counts
    assert fields_of(check_campaign(GOOD, brand_name="Acme Outdoor LLC")) >= {("sample1", "603")}
    unknown = check_campaign(dataclasses.replace(GOOD, sample1="Order 4411 shipped. STOP."))
    assert ("sample1", "603") not in fields_of(unknown)  # no brand name given: not checked


def test_opt_out_language_in_samples():
    none = findings(
        sample1="Acme Outfitters: your order 4411 has shipped today.",
        sample2="Acme Outfitters: your password was changed just now.",
    )
    assert ("sample1", None) in fields_of(none, Severity.LIKELY)
    one = findings(sample2="Acme Outfitters: your password was changed just now.")
    assert fields_of(one) == {("sample2", None)}
    assert one[0].severity is Severity.ADVICE


def test_the_message_flow_must_say_where_and_how_consent_is_given():
    vague = findings(message_flow="Users are added to the list by our staff when appropriate.")
    assert ("message_flow", "1004") in fields_of(vague, Severity.LIKELY)
    assert "where or how" in next(f.why for f in vague if f.field == "message_flow")
    where_only = findings(message_flow="Our website lists the alerts we send to our customers.")
    assert "does not say how" in next(f.why for f in where_only if f.field == "message_flow")
    assert ("message_flow", "1004") not in fields_of(findings())  # GOOD says where and how


def test_opt_in_keywords_need_a_confirmation_with_disclosures():
    assert ("optin_message", None) in fields_of(findings(optin_message=""), Severity.ADVICE)
    thin = findings(optin_message="Acme Outfitters: you are subscribed.")
    why = next(f.why for f in thin if f.field == "optin_message")
    assert "Msg & data rates" in why and "STOP" in why and "frequency" in why


def test_prohibited_content_is_a_blocker():
    cbd = "Acme Outfitters: our new CBD gummies are in stock. Reply STOP to opt out."
    found = findings(sample1=cbd)
    assert found[0].severity is Severity.BLOCKER and found[0].code == "1001"
    assert found[0].field == "sample1"  # under the field that says it
    assert "701" in found[0].why  # what other CSPs answer
    assert findings(sample1=GOOD.sample1) == []  # the same sample without it passes
    assert summary(found).startswith("1 blocker")


def test_a_starter_brand_can_only_use_the_starter_use_case():
    req = dataclasses.replace(GOOD)
    assert check_campaign(req, brand_type="STARTER")[0].severity is Severity.BLOCKER
    starter = dataclasses.replace(GOOD, usecase="STARTER")
    assert all(
        f.severity is not Severity.BLOCKER for f in check_campaign(starter, brand_type="STARTER")
    )


def test_every_finding_names_its_source():
    cbd = "Acme: CBD and wine loans at bit.ly/x or call 484-500-7032, 50% off."
    found = findings(sample1=cbd, sample2=cbd, message_flow="we add people", optin_message="hi")
    assert found and all(f.source and f.why and f.fix for f in found)


def _run(tmp_path, body, *args):
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(body) if not isinstance(body, str) else body)
    cmd = [sys.executable, "-m", "tendlc", "campaign", "check", str(path), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def api_body():
    body = {k: v for k, v in dataclasses.asdict(GOOD).items() if k != "alias"}
    body["campaign_alias"] = GOOD.alias
    body["sub_usecases"] = []
    body["url"] = "http://127.0.0.1:8765/tendlc_status/"
    return body


def test_the_headless_check(tmp_path, api_body):
    ok = _run(tmp_path, api_body, "--brand-name", "Acme Outfitters")
    assert ok.returncode == 0, ok.stderr
    assert "no findings" in ok.stderr
    api_body["sample1"] = "Acme Outfitters: CBD oil is back at https://acme.example. STOP to end."
    bad = _run(tmp_path, api_body, "--json")
    assert bad.returncode == 1
    out = json.loads(bad.stdout)
    assert [f["code"] for f in out["findings"] if f["severity"] == "blocker"] == ["1001"]


def test_the_headless_check_needs_no_brand_id(tmp_path, api_body):
    del api_body["brand_id"]
    ok = _run(tmp_path, api_body)
    assert ok.returncode == 0 and "brand_id" not in ok.stdout
    api_body["description"] = "short"
    assert _run(tmp_path, api_body).returncode == 1  # other field rules still refuse


def test_the_headless_check_refuses_bad_files(tmp_path, api_body):
    assert _run(tmp_path, "{not json").returncode == 2
    api_body["surprise"] = 1
    unknown = _run(tmp_path, api_body)
    assert unknown.returncode == 2 and "surprise" in unknown.stderr


def test_the_sandbox_example_campaign_passes_the_check():
    """F2 in the campaign form fills this in: it should teach a clean campaign."""
    from tui.forms.campaign_example import EXAMPLE_USECASE, EXAMPLE_VERTICAL, example_text

    for brand in ("", "Harbor Point Dental Group LLC"):  # it names the chosen brand
        req = CampaignRequest(
            brand_id="B1", vertical=EXAMPLE_VERTICAL, usecase=EXAMPLE_USECASE, **example_text(brand)
        )
        assert req.validate() == {}
        assert check_campaign(req, brand_name=brand, brand_type="STANDARD") == []
