"""Registry rules for requests, API observations (reconcile), overdue cycles and persistence."""

from __future__ import annotations

import pytest

from receiver.domain.models import Badge, Cause, Cycle, Kind, Observation, ResourceType
from receiver.domain.registry import Registry

B, C, N = ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER
NUM = "14155550100"
NOW = 1_700_000_000.0  # the conftest factories' default time


def test_brand_request_submits_with_name_callback_url_and_wait_start(rq):
    reg = Registry()
    record = rq("brand.create", brand_id="B1", at=100.0, params={"brand_alias": "Acme"})
    changed, message = reg.apply_request(record, "https://t.example/tendlc_status/")
    assert message == "brand B1: new → submitted"
    res = reg.get(B, "B1")
    assert changed[0].to_dict() == res.to_dict()
    assert (res.badge, res.name, res.cycle, res.cycle_terminal) == (
        Badge.SUBMITTED, "Acme", Cycle.REGISTER, False,
    )  # fmt: skip
    assert res.callback_url == "https://t.example/tendlc_status/" and res.awaiting_since == 100.0
    assert res.timeline[0].cause == Cause.REQUEST and res.timeline[0].ref == record.id
    assert res.timeline[0].detail == "brand.create requested"


def test_campaign_request_links_its_brand_and_keeps_the_usecase(rq):
    reg = Registry()
    record = rq("campaign.create", brand_id="B1", campaign_id="C1",
                params={"campaign_alias": "Alerts", "usecase": "2FA"})  # fmt: skip
    reg.apply_request(record, None)
    res = reg.get(C, "C1")
    assert (res.parent_id, res.name, res.detail["usecase"]) == ("B1", "Alerts", "2FA")
    assert reg.children("B1") == [res]


def test_link_request_submits_every_number_under_the_campaign(rq):
    reg = Registry()
    changed, message = reg.apply_request(
        rq("number.link", campaign_id="C1", numbers=(NUM, "+14155550101")), "http://cb/"
    )
    assert [(r.id, r.badge, r.cycle, r.parent_id) for r in changed] == [
        (NUM, Badge.SUBMITTED, Cycle.LINK, "C1"),
        ("14155550101", Badge.SUBMITTED, Cycle.LINK, "C1"),
    ]
    assert message == f"number +{NUM}: new → submitted (and 1 more)"
    assert [r.id for r in reg.children("C1")] == [NUM, "14155550101"]


def test_unlink_request_starts_an_unlink_cycle(ev, rq):
    reg = Registry()
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number=NUM))
    changed, message = reg.apply_request(
        rq("number.unlink", campaign_id="C1", numbers=(NUM,)), None
    )
    assert (changed[0].badge, changed[0].cycle, changed[0].cycle_terminal) == (
        Badge.UNLINKING, Cycle.UNLINK, False,
    )  # fmt: skip
    assert message == f"number +{NUM}: linked → unlinking"


def test_failed_or_unknown_requests_change_nothing(rq):
    reg = Registry()
    assert reg.apply_request(rq("brand.create", brand_id="B1", ok=False), None) == ([], "")
    assert reg.apply_request(rq("profile.create"), None) == ([], "")
    assert reg.apply_request(rq("brand.create"), None) == ([], "")  # no id in the response
    assert reg.all() == []


def test_the_same_request_applied_twice_is_recorded_once(rq):
    reg = Registry()
    record = rq("brand.create", brand_id="B1")
    reg.apply_request(record, None)
    assert reg.apply_request(record, None) == ([], "")
    assert len(reg.get(B, "B1").timeline) == 1


def test_new_cycle_clears_the_previous_rejection_reasons(ev, rq):
    reg = Registry()
    reg.apply_callback(
        ev(Kind.CAMPAIGN, "rejected", campaign_id="C1", params={"error_reason": "bad"})
    )
    assert reg.get(C, "C1").detail == {"error_reason": "bad"}
    reg.apply_request(rq("campaign.update", brand_id="B1", campaign_id="C1", at=NOW + 60), None)
    assert reg.get(C, "C1").detail == {}


# -- observations (reconcile) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rtype", "api", "badge"),
    [
        (B, "PROCESSING", Badge.PENDING), (B, "COMPLETED", Badge.REGISTERED), (B, "FAILED", Badge.REJECTED),
        (C, "PROCESSING", Badge.PENDING), (C, "ACTIVE", Badge.REGISTERED), (C, "FAILED", Badge.REJECTED),
        (C, "EXPIRED", Badge.EXPIRED),
        (N, "PROCESSING", Badge.PENDING), (N, "COMPLETED", Badge.LINKED), (N, "FAILED", Badge.FAILED),
    ],
)  # fmt: skip
def test_api_status_maps_to_a_badge_for_a_submitted_resource(rq, rtype, api, badge):
    reg = Registry()
    reg.apply_request(rq("brand.create", brand_id="B1"), None)
    reg.apply_request(rq("campaign.create", brand_id="B1", campaign_id="C1"), None)
    reg.apply_request(rq("number.link", campaign_id="C1", numbers=(NUM,)), None)
    rid = {B: "B1", C: "C1", N: NUM}[rtype]
    changed, message = reg.apply_observation(Observation(rtype, rid, api.lower()), at=500.0)
    res = reg.get(rtype, rid)
    assert res.badge == badge and res.api_status == api and changed[0].badge == badge
    assert res.timeline[-1].cause == Cause.RECONCILE
    assert res.timeline[-1].detail == f"reconcile: API says {api}"
    shown = f"+{rid}" if rtype is N else rid
    assert message == f"{rtype.value} {shown}: submitted → {badge.value}"


def test_number_processing_during_unlink_is_unlinking(rq):
    reg = Registry()
    reg.apply_request(rq("number.unlink", campaign_id="C1", numbers=(NUM,)), None)
    reg.apply_observation(Observation(N, NUM, "PROCESSING"), at=1.0)
    assert reg.get(N, NUM).badge == Badge.UNLINKING and reg.rank(N, NUM) == 1


def test_number_completed_during_a_running_unlink_changes_nothing(rq):
    reg = Registry()
    reg.apply_request(rq("number.unlink", campaign_id="C1", numbers=(NUM,)), None)
    changed, message = reg.apply_observation(Observation(N, NUM, "COMPLETED"), at=1.0)
    assert message == "" and reg.get(N, NUM).badge == Badge.UNLINKING
    # Plivo lists a number COMPLETED until its unlink is done: the word agrees with the badge,
    # so it is recorded on the resource but is no difference (no change, no timeline entry).
    assert changed == [] and reg.get(N, NUM).api_status == "COMPLETED"
    assert len(reg.get(N, NUM).timeline) == 1


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("unlinking", Badge.UNLINKED),
        ("linked", Badge.UNLINKED),
        ("unlink-failed", Badge.UNLINKED),
        ("submitted-link", Badge.SUBMITTED),
        ("failed", Badge.FAILED),
    ],
)
def test_number_absent_at_the_api(ev, rq, setup, expected):
    reg = Registry()
    if setup == "unlinking":
        reg.apply_request(rq("number.unlink", campaign_id="C1", numbers=(NUM,)), None)
    elif setup == "linked":
        reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number=NUM))
    elif setup == "unlink-failed":
        reg.apply_callback(ev(Kind.NUMBER_UNLINKING, "failed", campaign_id="C1", number=NUM))
    elif setup == "submitted-link":
        reg.apply_request(rq("number.link", campaign_id="C1", numbers=(NUM,)), None)
    else:
        reg.apply_callback(ev(Kind.NUMBER_LINKING, "failed", campaign_id="C1", number=NUM))
    before = len(reg.get(N, NUM).timeline)
    reg.apply_observation(Observation(N, NUM, None), at=9.0)
    res = reg.get(N, NUM)
    assert res.badge == expected
    if expected == Badge.UNLINKED:
        assert res.cycle == Cycle.UNLINK and res.cycle_terminal
        assert res.timeline[-1].detail == "reconcile: absent at the API"
    else:
        assert len(res.timeline) == before


def test_absent_unknown_resource_is_not_created():
    reg = Registry()
    assert reg.apply_observation(Observation(N, NUM, None), at=1.0) == ([], "")
    assert reg.all() == []


def test_observation_of_an_unknown_resource_creates_it_with_metadata():
    reg = Registry()
    obs = Observation(C, "C7", "ACTIVE", name="Alerts", parent_id="B7", detail={"usecase": "2FA"})
    changed, message = reg.apply_observation(obs, at=3.0)
    assert message == "campaign C7: new → registered"
    res = reg.get(C, "C7")
    assert (res.name, res.parent_id, res.detail, res.cycle_terminal) == (
        "Alerts", "B7", {"usecase": "2FA"}, True,
    )  # fmt: skip


def test_every_difference_the_api_shows_lands_in_the_timeline(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1"))
    obs = Observation(B, "B1", "COMPLETED", name="Acme", detail={"vetting_score": 80})
    changed, message = reg.apply_observation(obs, at=5.0)
    res = reg.get(B, "B1")
    assert [r.key for r in changed] == ["brand:B1"] and message == ""
    assert (res.badge, res.name, res.api_status, res.updated_at) == (
        Badge.REGISTERED, "Acme", "COMPLETED", 5.0,
    )  # fmt: skip
    last = res.timeline[-1]
    assert (last.at, last.cause, last.badge) == (5.0, Cause.RECONCILE, Badge.REGISTERED)
    assert last.detail == "reconcile: name Acme; vetting score"
    assert reg.apply_observation(obs, at=6.0) == ([], "")  # the same again: no difference
    assert len(res.timeline) == 2


def test_an_api_word_that_confirms_the_badge_is_kept_but_is_no_change(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1"))
    assert reg.apply_observation(Observation(B, "B1", "COMPLETED"), at=5.0) == ([], "")
    res = reg.get(B, "B1")
    assert res.api_status == "COMPLETED" and len(res.timeline) == 1


def test_an_api_word_that_disagrees_without_moving_the_badge_is_a_difference(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.CAMPAIGN, "registered", brand_id="B1", campaign_id="C1"))
    changed, _ = reg.apply_observation(Observation(C, "C1", "PROCESSING"), at=5.0)
    res = reg.get(C, "C1")
    assert [r.key for r in changed] == ["campaign:C1"] and res.badge is Badge.REGISTERED
    assert res.timeline[-1].detail == "reconcile: API says PROCESSING"


def test_api_never_lowers_a_terminal_state_but_may_replace_it(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.CAMPAIGN, "registered", campaign_id="C1"))
    changed, message = reg.apply_observation(Observation(C, "C1", "PROCESSING"), at=2.0)
    assert reg.get(C, "C1").badge == Badge.REGISTERED and message == ""
    changed, message = reg.apply_observation(Observation(C, "C1", "EXPIRED"), at=3.0)
    assert reg.get(C, "C1").badge == Badge.EXPIRED
    assert message == "campaign C1: registered → expired"


def test_an_unlinked_number_listed_again_is_linked_in_a_new_link_cycle(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.NUMBER_UNLINKING, "success", campaign_id="C1", number=NUM))
    reg.apply_observation(Observation(N, NUM, "COMPLETED", parent_id="C2"), at=5.0)
    res = reg.get(N, NUM)
    assert (res.badge, res.cycle, res.parent_id) == (Badge.LINKED, Cycle.LINK, "C2")


# -- overdue ---------------------------------------------------------------------------------------


def test_overdue_lists_cycles_waiting_longer_than_the_limit(ev, rq):
    reg = Registry()
    reg.apply_request(rq("brand.create", brand_id="B1", at=100.0), None)
    reg.apply_request(rq("brand.create", brand_id="B2", at=150.0), None)
    reg.apply_request(rq("brand.create", brand_id="B3", at=100.0), None)
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B3", at=120.0))
    assert [r.id for r in reg.overdue(now=200.0, after=60.0)] == ["B1"]
    reg.apply_callback(ev(Kind.BRAND, "created", brand_id="B1", at=190.0))
    assert reg.overdue(now=200.0, after=60.0) == []  # a callback arrived: the wait restarts
    assert [r.id for r in reg.overdue(now=300.0, after=60.0)] == ["B1", "B2"]


# -- queries and persistence -----------------------------------------------------------------------


def test_all_keeps_creation_order_and_filters_by_type(ev, rq):
    reg = Registry()
    reg.apply_request(rq("brand.create", brand_id="B2"), None)
    reg.apply_callback(ev(Kind.CAMPAIGN, "created", brand_id="B2", campaign_id="C1"))
    reg.apply_callback(ev(Kind.BRAND, "created", brand_id="B1"))
    assert [r.key for r in reg.all()] == ["brand:B2", "campaign:C1", "brand:B1"]
    assert [r.id for r in reg.all(B)] == ["B2", "B1"]


def test_to_dict_round_trip_keeps_state_and_ranks(ev, rq):
    reg = Registry()
    reg.apply_request(rq("number.unlink", campaign_id="C1", numbers=(NUM,)), None)
    reg.apply_request(
        rq("brand.create", brand_id="B1", params={"brand_alias": "Acme"}), "http://cb/"
    )
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1"))
    copy = Registry.from_dict(reg.to_dict())
    assert copy.to_dict() == reg.to_dict()
    # ranks survive: a stale created is still ignored, a real created still counts
    assert copy.apply_callback(ev(Kind.BRAND, "created", brand_id="B1")) == ([], "")
    changed, _ = copy.apply_callback(
        ev(Kind.NUMBER_UNLINKING, "created", campaign_id="C1", number=NUM)
    )
    assert copy.rank(N, NUM) == 1 and changed[0].badge == Badge.UNLINKING


def test_callbacks_that_beat_the_request_record_are_not_undone(ev, rq):
    """Plivo may call back before its HTTP answer reaches us: the request must not reset state."""
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "created", brand_id="B1", at=100.2))
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1", at=100.4))
    record = rq("brand.create", brand_id="B1", at=100.0, params={"brand_alias": "Acme"})
    changed, _ = reg.apply_request(record, "http://cb/")
    res = reg.get(B, "B1")
    assert (res.badge, res.cycle_terminal, res.name, res.callback_url) == (
        Badge.REGISTERED, True, "Acme", "http://cb/",
    )  # fmt: skip
    assert changed[0].badge == Badge.REGISTERED
    assert [t.cause for t in res.timeline] == [Cause.REQUEST, Cause.CALLBACK, Cause.CALLBACK]
    assert res.timeline[0].detail == "brand.create requested (its callbacks arrived first)"
    assert reg.apply_request(record, "http://cb/") == ([], "")  # the same request twice


def test_link_created_before_its_request_record_keeps_pending_then_terminal(ev, rq):
    reg = Registry()
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "created", campaign_id="C1", number=NUM, at=50.5))
    reg.apply_request(rq("number.link", campaign_id="C1", numbers=(NUM,), at=50.0), None)
    assert reg.get(N, NUM).badge == Badge.PENDING
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number=NUM, at=51.0))
    assert reg.get(N, NUM).badge == Badge.LINKED


def test_a_retry_after_a_terminal_state_starts_a_new_cycle(ev, rq):
    reg = Registry()
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "failed", campaign_id="C1", number=NUM, at=10.0))
    reg.apply_request(rq("number.link", campaign_id="C1", numbers=(NUM,), at=20.0), None)
    assert reg.get(N, NUM).badge == Badge.SUBMITTED


def test_a_deleted_brand_says_so_in_its_row_and_timeline(ev, rq):
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1"))
    assert reg.apply_request(rq("brand.delete", brand_id="B1", ok=False), None) == ([], "")
    record = rq("brand.delete", brand_id="B1", at=50.0)
    changed, message = reg.apply_request(record, None)
    res = reg.get(B, "B1")
    assert message == "brand B1: registered → deleted" and changed[0].badge is Badge.DELETED
    assert res.cycle_terminal and res.awaiting_since is None  # no callback follows a delete
    last = res.timeline[-1]
    assert (last.cause, last.badge, last.ref) == (Cause.REQUEST, Badge.DELETED, record.id)
    assert last.detail == "brand.delete: deleted at Plivo"
    assert reg.apply_request(record, None) == ([], "")  # the same record again: nothing
    assert reg.overdue(now=10_000.0, after=1.0) == []
    # a brand this store never saw is recorded deleted too (a script deleting an old one)
    assert reg.apply_request(rq("brand.delete", brand_id="B9"), None)[1] == (
        "brand B9: new → deleted"
    )


def test_a_deactivated_campaign_releases_its_numbers_and_the_api_agrees(ev, rq):
    reg = Registry()
    reg.apply_callback(ev(Kind.CAMPAIGN, "registered", brand_id="B1", campaign_id="C1"))
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number=NUM))
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "failed", campaign_id="C1", number="14155550000"))
    changed, message = reg.apply_request(rq("campaign.delete", campaign_id="C1"), None)
    assert [(r.id, r.badge) for r in changed] == [("C1", Badge.DELETED), (NUM, Badge.UNLINKED)]
    assert message == "campaign C1: registered → deleted (and 1 more)"
    number = reg.get(N, NUM)
    assert number.cycle is Cycle.UNLINK and number.timeline[-1].detail == (
        "released: campaign C1 deactivated"
    )
    assert reg.get(N, "14155550000").badge is Badge.FAILED  # a failed link held nothing
    # Plivo lists a deactivated campaign as EXPIRED: that agrees, the badge stays
    assert reg.apply_observation(Observation(C, "C1", "EXPIRED"), at=NOW) == ([], "")
    assert reg.get(C, "C1").badge is Badge.DELETED


def test_an_update_keeps_the_callback_url_its_create_set(rq):
    reg = Registry()
    reg.apply_request(rq("campaign.create", campaign_id="C1"), "https://t.example/cb/")
    reg.apply_request(rq("campaign.update", campaign_id="C1"), None)  # the update sends none
    assert reg.get(C, "C1").callback_url == "https://t.example/cb/"
