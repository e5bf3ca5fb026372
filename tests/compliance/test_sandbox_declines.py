"""The sandbox's rejection knobs reach every decline tendlc explains (issue 14)."""

from __future__ import annotations

from receiver.domain import declines
from sandbox import outcomes


def test_every_explained_campaign_code_can_be_asked_of_the_sandbox():
    assert set(declines.CAMPAIGN_DECLINES) <= set(outcomes.CAMPAIGN_DECLINES)
    for code in declines.CAMPAIGN_DECLINES:
        got = outcomes.campaign_decline(f"Account alerts (reject-{code}) for our customers")
        assert got is not None and got[0] == code
        assert declines.describe(got[0], got[1]).startswith(f"code {code}: ")


def test_a_plain_reject_is_plivos_recorded_1001_and_no_trigger_succeeds():
    assert outcomes.campaign_decline("please reject this one") == (
        "1001",
        "The campaign content falls under a prohibited content category.",
    )
    assert outcomes.campaign_decline("reject-4242 is not a known code")[0] == "1001"
    assert outcomes.campaign_decline("an ordinary campaign") is None


def test_every_brand_explanation_and_an_unknown_reason_can_be_asked_of_the_sandbox():
    known = {r["code"] for r in outcomes.BRAND_DECLINED_REASONS}
    assert set(declines.BRAND_DECLINES) <= known
    explained = set()
    for code in sorted(known):
        [reason] = outcomes.brand_declined_reasons(f"acme-reject-{code}")
        assert reason["code"] == code
        found = declines.explain(code, brand=True, text=reason["message"])
        if found is not None:
            explained.add(found.meaning)
    every = {d.meaning for d in declines.BRAND_DECLINES.values()}
    every |= {d.meaning for _, d in declines.BRAND_REASONS}
    assert explained == every  # each explanation is reachable offline


def test_a_brand_reason_tendlc_does_not_know_is_shown_as_the_sandbox_wrote_it():
    [reason] = outcomes.brand_declined_reasons("acme-reject-1199")
    assert declines.explain("1199", brand=True, text=reason["message"]) is None
    assert declines.describe("1199", reason["message"], brand=True) == (
        f"code 1199: {reason['message']}"
    )
    assert outcomes.brand_declined_reasons("acme-reject")[0]["code"] == "1101"
