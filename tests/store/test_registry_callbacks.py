"""Registry rules for callbacks: badges per kind, precedence, duplicates, cycles, timelines."""

from __future__ import annotations

import pytest

from receiver.domain.models import Badge, Cause, Cycle, Kind, ResourceType
from receiver.domain.registry import Registry

B, C, N = ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER


@pytest.mark.parametrize(
    ("kind", "rtype", "ids", "flow"),
    [
        (Kind.BRAND, B, {"brand_id": "B1"}, [("created", Badge.PENDING), ("registered", Badge.REGISTERED)]),
        (Kind.BRAND, B, {"brand_id": "B1"}, [("created", Badge.PENDING), ("rejected", Badge.REJECTED)]),
        (Kind.CAMPAIGN, C, {"brand_id": "B1", "campaign_id": "C1"}, [("created", Badge.PENDING), ("registered", Badge.REGISTERED)]),
        (Kind.CAMPAIGN, C, {"brand_id": "B1", "campaign_id": "C1"}, [("created", Badge.PENDING), ("rejected", Badge.REJECTED)]),
        (Kind.NUMBER_LINKING, N, {"campaign_id": "C1", "number": "14155550100"}, [("created", Badge.PENDING), ("success", Badge.LINKED)]),
        (Kind.NUMBER_LINKING, N, {"campaign_id": "C1", "number": "14155550100"}, [("created", Badge.PENDING), ("failed", Badge.FAILED)]),
        (Kind.NUMBER_UNLINKING, N, {"campaign_id": "C1", "number": "14155550100"}, [("created", Badge.UNLINKING), ("success", Badge.UNLINKED)]),
    ],
)  # fmt: skip
def test_each_kind_moves_through_its_badges(ev, kind, rtype, ids, flow):
    reg = Registry()
    rid = ids.get("number") or ids.get("campaign_id") or ids["brand_id"]
    for n, (status, badge) in enumerate(flow):
        event = ev(kind, status, at=100.0 + n, **ids)
        changed, message = reg.apply_callback(event)
        assert [r.badge for r in changed] == [badge]
        shown = f"+{rid}" if rtype is ResourceType.NUMBER else rid
        assert message.startswith(f"{rtype.value} {shown}: ") and message.endswith(badge.value)
        res = reg.get(rtype, rid)
        assert res.badge == badge and res.updated_at == 100.0 + n
        assert res.timeline[-1].cause == Cause.CALLBACK and res.timeline[-1].ref == event.id
    assert res.cycle_terminal and res.awaiting_since is None
    assert len(res.timeline) == len(flow)
    if rtype == C:
        assert res.parent_id == "B1"
    if rtype == N:
        assert res.parent_id == "C1"


def test_unlink_failed_leaves_the_number_linked(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100"))
    reg.apply_callback(ev(Kind.NUMBER_UNLINKING, "created", campaign_id="C1", number="14155550100"))
    changed, message = reg.apply_callback(
        ev(Kind.NUMBER_UNLINKING, "failed", campaign_id="C1", number="14155550100")
    )
    res = changed[0]
    assert res.badge == Badge.LINKED and res.cycle == Cycle.UNLINK and res.cycle_terminal
    assert res.timeline[-1].detail == "callback: unlink failed"
    assert res.detail["status_note"] == "unlink failed"
    assert message == "number +14155550100: unlinking → linked (unlink failed)"


def test_toast_message_names_the_resource_and_both_badges(ev, rq):
    reg = Registry()
    reg.apply_request(rq("brand.create", brand_id="B43KNAS"), None)
    _, message = reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B43KNAS"))
    assert message == "brand B43KNAS: submitted → registered"


def test_terminal_before_created_keeps_the_terminal_state(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1", at=10.0))
    changed, message = reg.apply_callback(ev(Kind.BRAND, "created", brand_id="B1", at=5.0))
    assert changed == [] and message == ""
    res = reg.get(B, "B1")
    assert res.badge == Badge.REGISTERED and [t.badge for t in res.timeline] == [Badge.REGISTERED]


def test_stale_created_after_terminal_is_ignored(ev):
    reg = Registry()
    for status in ("created", "rejected", "created"):
        reg.apply_callback(ev(Kind.CAMPAIGN, status, brand_id="B1", campaign_id="C1"))
    res = reg.get(C, "C1")
    assert res.badge == Badge.REJECTED
    assert [t.detail for t in res.timeline] == ["callback: created", "callback: rejected"]


def test_identical_duplicates_are_no_ops_without_timeline_entries(ev):
    reg = Registry()
    first = ev(Kind.NUMBER_LINKING, "created", campaign_id="C1", number="14155550100")
    reg.apply_callback(first)
    assert reg.apply_callback(first) == ([], "")
    assert reg.apply_callback(
        ev(Kind.NUMBER_LINKING, "created", campaign_id="C1", number="14155550100")
    ) == ([], "")
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100"))
    assert reg.apply_callback(
        ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100")
    ) == ([], "")
    assert len(reg.get(N, "14155550100").timeline) == 2


def test_a_second_terminal_of_the_same_cycle_does_not_overwrite(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.BRAND, "registered", brand_id="B1"))
    assert reg.apply_callback(ev(Kind.BRAND, "rejected", brand_id="B1")) == ([], "")
    assert reg.get(B, "B1").badge == Badge.REGISTERED


def test_new_request_after_terminal_starts_a_new_cycle(ev, rq):
    reg = Registry()
    reg.apply_request(rq("campaign.create", brand_id="B1", campaign_id="C1", at=1.0), "http://cb/")
    reg.apply_callback(ev(Kind.CAMPAIGN, "rejected", campaign_id="C1", at=2.0))
    changed, _ = reg.apply_request(
        rq("campaign.update", brand_id="B1", campaign_id="C1", at=3.0), "http://cb/"
    )
    assert changed[0].badge == Badge.SUBMITTED and not changed[0].cycle_terminal
    reg.apply_callback(ev(Kind.CAMPAIGN, "created", campaign_id="C1", at=4.0))
    reg.apply_callback(ev(Kind.CAMPAIGN, "registered", campaign_id="C1", at=5.0))
    res = reg.get(C, "C1")
    assert [t.badge for t in res.timeline] == [
        Badge.SUBMITTED, Badge.REJECTED, Badge.SUBMITTED, Badge.PENDING, Badge.REGISTERED,
    ]  # fmt: skip
    assert [t.cause for t in res.timeline][:3] == [Cause.REQUEST, Cause.CALLBACK, Cause.REQUEST]


def test_callback_of_another_cycle_starts_it_once_the_current_one_is_terminal(ev):
    reg = Registry()
    reg.apply_callback(ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100"))
    changed, _ = reg.apply_callback(
        ev(Kind.NUMBER_UNLINKING, "created", campaign_id="C1", number="14155550100")
    )
    assert changed[0].cycle == Cycle.UNLINK and changed[0].badge == Badge.UNLINKING


def test_callback_of_another_cycle_is_stale_while_the_current_one_runs(ev, rq):
    reg = Registry()
    reg.apply_request(rq("number.unlink", campaign_id="C1", numbers=("14155550100",)), None)
    late = ev(Kind.NUMBER_LINKING, "success", campaign_id="C1", number="14155550100")
    assert reg.apply_callback(late) == ([], "")
    res = reg.get(N, "14155550100")
    assert res.badge == Badge.UNLINKING and res.cycle == Cycle.UNLINK


def test_created_after_an_unlink_request_is_recorded_though_the_badge_stays(ev, rq):
    reg = Registry()
    reg.apply_request(rq("number.unlink", campaign_id="C1", numbers=("14155550100",)), None)
    changed, message = reg.apply_callback(
        ev(Kind.NUMBER_UNLINKING, "created", campaign_id="C1", number="14155550100")
    )
    assert changed[0].badge == Badge.UNLINKING and reg.rank(N, "14155550100") == 1
    assert message == "number +14155550100: unlinking (created)"
    assert [t.cause for t in changed[0].timeline] == [Cause.REQUEST, Cause.CALLBACK]


def test_callback_for_an_unknown_resource_creates_it(ev):
    reg = Registry()
    changed, message = reg.apply_callback(
        ev(Kind.CAMPAIGN, "registered", brand_id="B9", campaign_id="C9", at=50.0)
    )
    assert message == "campaign C9: new → registered"
    res = reg.get(C, "C9")
    assert (res.badge, res.parent_id, res.cycle, res.cycle_terminal) == (
        Badge.REGISTERED, "B9", Cycle.REGISTER, True,
    )  # fmt: skip
    assert reg.get(B, "B9") is None


@pytest.mark.parametrize(
    ("kind", "status", "ids"),
    [
        (Kind.UNKNOWN, "registered", {"brand_id": "B1"}),
        (Kind.BRAND, "registered", {}),
        (Kind.NUMBER_LINKING, "success", {"campaign_id": "C1"}),
        (Kind.BRAND, "teleported", {"brand_id": "B1"}),
        (Kind.BRAND, None, {"brand_id": "B1"}),
    ],
    ids=["unknown-kind", "no-brand-id", "no-number", "unknown-status", "no-status"],
)
def test_events_without_kind_id_or_known_status_change_nothing(ev, kind, status, ids):
    reg = Registry()
    assert reg.apply_callback(ev(kind, status, **ids)) == ([], "")
    assert reg.all() == []


def test_rejection_reasons_are_kept_in_detail(ev):
    reg = Registry()
    params = {"brand_id": "B1", "Status": "rejected", "Declined_Reasons": "tax id mismatch"}
    changed, _ = reg.apply_callback(ev(Kind.BRAND, "rejected", brand_id="B1", params=params))
    assert changed[0].detail == {"declined_reasons": "tax id mismatch"}


def test_status_and_numbers_are_normalised(ev):
    reg = Registry()
    reg.apply_callback(
        ev(Kind.NUMBER_LINKING, " SUCCESS ", campaign_id="C1", number="+1 415-555-0100")
    )
    assert reg.get(N, "14155550100").badge == Badge.LINKED
    assert reg.get(N, "+14155550100") is reg.get(N, "14155550100")


def test_changed_resources_are_copies(ev):
    reg = Registry()
    changed, _ = reg.apply_callback(ev(Kind.BRAND, "created", brand_id="B1"))
    changed[0].timeline.clear()
    changed[0].detail["x"] = 1
    assert len(reg.get(B, "B1").timeline) == 1 and reg.get(B, "B1").detail == {}
