"""A rejection's timeline row says why: the code and its meaning when known, Plivo's text as-is
when not, whether the reasons came with the callback or later from the API (reconcile)."""

from __future__ import annotations

from receiver.domain.declines import brief, rejection_brief
from receiver.domain.models import Badge, Cause, Kind, Observation, ResourceType
from receiver.domain.registry import Registry

B, C = ResourceType.BRAND, ResourceType.CAMPAIGN
FLOW_1004 = "code 1004: the message flow (how consent is collected) is missing or unclear"


def failed(id: str, code: str = "", reason: str = "", **detail) -> Observation:
    found = {"error_code": code, "error_reason": reason} if code or reason else {}
    return Observation(C, id, "FAILED", detail={**found, **detail})


def rejected_campaign(reg: Registry, ev, rq, params: dict[str, str] | None = None) -> None:
    reg.apply_request(rq("campaign.create", at=1.0, brand_id="B1", campaign_id="C1"), None)
    reg.apply_callback(ev(Kind.CAMPAIGN, "created", at=2.0, campaign_id="C1"))
    reg.apply_callback(ev(Kind.CAMPAIGN, "rejected", at=3.0, campaign_id="C1", params=params))


def test_brief_explains_a_known_code_and_shows_an_unknown_one_as_is():
    assert brief("1004", "whatever") == FLOW_1004
    assert brief("9999", "Something new.") == "code 9999: Something new."
    assert brief(None, "Rejected by the carrier.") == "Rejected by the carrier."
    assert brief("1101", "x", brand=True) == "code 1101: the US EIN provided is invalid"
    reasons = {"declined_reasons": [{"code": "1101", "message": "bad"}, "name mismatch (1102)"]}
    assert rejection_brief("brand", reasons) == (
        "code 1101: the US EIN provided is invalid; code 1102: name mismatch"
    )
    assert rejection_brief("campaign", {}) == "" and rejection_brief("number", reasons) == ""


def test_a_callback_carrying_its_reasons_explains_its_row(ev, rq):
    reg = Registry()
    rejected_campaign(reg, ev, rq, {"status": "rejected", "error_code": "1004"})
    row = reg.get(C, "C1").timeline[-1]
    assert row.detail == f"callback: rejected — {FLOW_1004}"


def test_a_callback_without_reasons_leaves_the_row_plain(ev, rq):
    reg = Registry()
    rejected_campaign(reg, ev, rq)
    assert reg.get(C, "C1").timeline[-1].detail == "callback: rejected"


def test_reasons_read_later_go_onto_the_rejection_row(ev, rq):
    reg = Registry()
    rejected_campaign(reg, ev, rq)
    changed, message = reg.apply_observation(failed("C1", "1004", "The flow is unclear."), 4.0)
    [res] = changed
    assert message == ""  # no new badge: the row is explained, nothing new is announced
    assert [t.detail for t in res.timeline][-1] == f"callback: rejected — {FLOW_1004}"
    assert len(res.timeline) == 3  # amended, not appended
    # read again with the same reasons: nothing changes
    assert reg.apply_observation(failed("C1", "1004", "The flow is unclear."), 5.0) == ([], "")


def test_an_unknown_code_read_later_is_shown_as_plivo_wrote_it(ev, rq):
    reg = Registry()
    rejected_campaign(reg, ev, rq)
    reg.apply_observation(failed("C1", "4242", "Carrier said no."), 4.0)
    assert (
        reg.get(C, "C1").timeline[-1].detail == "callback: rejected — code 4242: Carrier said no."
    )


def test_a_rejection_found_by_reconcile_is_explained(ev, rq):
    reg = Registry()
    reg.apply_request(rq("campaign.create", at=1.0, brand_id="B1", campaign_id="C1"), None)
    changed, message = reg.apply_observation(failed("C1", "601", "Attributes mismatch."), 2.0)
    row = changed[0].timeline[-1]
    assert row.cause is Cause.RECONCILE and row.badge is Badge.REJECTED
    assert row.detail.startswith("reconcile: API says FAILED — code 601: the campaign's attrib")
    assert message == "campaign C1: submitted → rejected"
    # first seen at reconcile (not in the registry yet)
    changed, _ = Registry().apply_observation(failed("C9", "1003"), 2.0)
    assert "code 1003: direct-lending content" in changed[0].timeline[-1].detail


def test_an_earlier_cycles_row_keeps_its_reasons_after_a_resubmit(ev, rq):
    reg = Registry()
    rejected_campaign(reg, ev, rq)
    reg.apply_observation(failed("C1", "1004", "unclear"), 4.0)
    reg.apply_request(rq("campaign.update", at=5.0, campaign_id="C1"), None)
    reg.apply_callback(ev(Kind.CAMPAIGN, "created", at=6.0, campaign_id="C1"))
    res = reg.get(C, "C1")
    assert "error_code" not in res.detail  # the new cycle starts without the old reasons
    assert sum(FLOW_1004 in t.detail for t in res.timeline) == 1
    reg.apply_callback(ev(Kind.CAMPAIGN, "rejected", at=7.0, campaign_id="C1"))
    reg.apply_observation(failed("C1", "602", "use case"), 8.0)
    details = [t.detail for t in reg.get(C, "C1").timeline]
    assert details[2] == f"callback: rejected — {FLOW_1004}"  # the first cycle's, untouched
    assert details[-1] == "callback: rejected — code 602: the use case does not match the samples"


def test_a_brand_rejection_is_explained_from_its_declined_reasons(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "rejected", at=1.0, brand_id="B1"))
    reasons = [{"code": "1101", "message": "The US EIN provided is invalid."}]
    reg.apply_observation(Observation(B, "B1", "FAILED", detail={"declined_reasons": reasons}), 2)
    assert reg.get(B, "B1").timeline[-1].detail == (
        "callback: rejected — code 1101: the US EIN provided is invalid"
    )
