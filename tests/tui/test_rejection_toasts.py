"""A rejection's toast says why: the code and what it means, or Plivo's text as-is for an
unknown code; reasons read by a reconcile after the callback are said once."""

from __future__ import annotations

from textual.app import App

from receiver.domain.models import Badge, CallbackEvent, Cause, Change, Kind, Resource
from receiver.domain.models import ResourceType as RT
from tui.notices import Notice, Notices, notice_for, summary_for

T0 = 1_767_225_600.0
FLOW = "code 1004: the message flow (how consent is collected) is missing or unclear"


def campaign(id: str = "C1", badge: Badge = Badge.REJECTED, **detail) -> Resource:
    return Resource(RT.CAMPAIGN, id, badge, T0, parent_id="B1", detail=detail)


def callback(resource: Resource, status: str = "rejected") -> Change:
    event = CallbackEvent(
        "ev1", T0, "POST", "/tendlc_status/", {}, "", {}, Kind.CAMPAIGN, status,
        verified=True, reason="V2 ok", campaign_id=resource.id,
    )  # fmt: skip
    line = f"campaign {resource.id}: pending → {resource.badge.value}"
    return Change(Cause.CALLBACK, (resource,), event, message=line)


def reconciled(*resources: Resource) -> Change:
    return Change(Cause.RECONCILE, resources, message="ignored: the reconcile says its count")


def test_a_callback_with_reasons_says_why_and_what_to_do() -> None:
    notice = notice_for(callback(campaign(error_code="1004", error_reason="unclear")))
    assert notice == Notice(
        "campaign",
        f"campaign C1: pending → rejected — {FLOW} (f: fix and resubmit)",
        "error",
        about="campaign:C1",
    )


def test_an_unknown_code_is_said_as_plivo_wrote_it() -> None:
    notice = notice_for(callback(campaign(error_code="4242", error_reason="Carrier said no.")))
    assert notice.message == (
        "campaign C1: pending → rejected — code 4242: Carrier said no. (f: fix and resubmit)"
    )


def test_a_final_decline_says_an_update_cannot_fix_it() -> None:
    notice = notice_for(callback(campaign(error_code="1003", error_reason="lending")))
    assert notice.message.endswith("direct-lending content without the direct_lending "
                                   "attribute (final: an update cannot fix it)")  # fmt: skip


def test_a_brand_rejection_names_its_reasons_and_the_fix_key() -> None:
    brand = Resource(RT.BRAND, "B1", Badge.REJECTED, T0,
                     detail={"declined_reasons": "The US EIN provided is invalid. (1101)"})  # fmt: skip
    notice = notice_for(Change(Cause.CALLBACK, (brand,), message="brand B1: pending → rejected"))
    assert notice.message == (
        "brand B1: pending → rejected — code 1101: the US EIN provided is invalid"
        " (f: fix its profile, register again)"
    )


def test_without_reasons_the_toast_is_the_plain_change() -> None:
    assert notice_for(callback(campaign())).message == "campaign C1: pending → rejected"
    assert notice_for(callback(campaign(badge=Badge.PENDING), "created")).message == (
        "campaign C1: pending → pending"
    )


def test_a_burst_summary_names_the_decline_codes() -> None:
    changes = [
        callback(campaign(f"C{n}", error_code=str(code))) for n, code in enumerate((601, 1004))
    ]
    changes.append(callback(campaign("C9")))
    notices = [notice_for(c) for c in changes]
    summary = summary_for(changes, notices)
    assert "failed: C0 (601), C1 (1004), C9" in summary.message


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.notices = Notices(self, quiet=0.05, longest=5.0)


async def test_reasons_a_reconcile_reads_after_the_callback_are_said_once(wait_for, toasts) -> None:
    app = Host()
    async with app.run_test(message_hook=toasts) as pilot:
        app.notices.announce([callback(campaign())])
        explained = campaign(error_code="1004", error_reason="unclear")
        app.notices.announce([reconciled(explained)])
        await wait_for(pilot, lambda: toasts.shown, "the toast")
        # one resource, one toast: the latest, with the reasons
        (toast,) = toasts.shown
        assert toast.title == "campaign"  # said once: the message does not repeat it
        assert toast.message == f"C1: rejected — {FLOW} (f: fix and resubmit)"
        assert toast.severity == "error"
        # the same reasons read again (another reconcile): nothing more to say
        app.notices.announce([reconciled(explained)])
        assert app.notices.holding == 0
        # a reconcile that changes nothing about a rejection says nothing of its own
        app.notices.announce([reconciled(campaign("C2", Badge.REGISTERED))])
        assert app.notices.holding == 0


async def test_a_rejection_found_by_reconcile_is_toasted_with_why(wait_for, toasts) -> None:
    app = Host()
    async with app.run_test(message_hook=toasts) as pilot:
        found = campaign("C7", error_code="9001", error_reason="Not allowed by the carrier.")
        app.notices.announce([reconciled(found)])
        await wait_for(pilot, lambda: toasts.shown, "the toast")
        (toast,) = toasts.shown
        assert toast.title == "campaign" and toast.message == (
            "C7: rejected — code 9001: Not allowed by the carrier. (f: fix and resubmit)"
        )


async def test_the_same_reason_after_a_resubmit_is_said_again(wait_for, toasts) -> None:
    app = Host()
    async with app.run_test(message_hook=toasts) as pilot:
        explained = campaign(error_code="1004", error_reason="unclear")
        app.notices.announce([reconciled(explained)])
        await wait_for(pilot, lambda: len(toasts.shown) == 1, "the first rejection's toast")
        resubmitted = campaign(badge=Badge.SUBMITTED)
        app.notices.announce([Change(Cause.REQUEST, (resubmitted,), message="resubmitted")])
        await wait_for(pilot, lambda: len(toasts.shown) == 2, "the resubmit's toast")
        app.notices.announce([callback(campaign())])  # rejected again, reasons not read yet
        app.notices.announce([reconciled(explained)])  # the same code as the first time
        await wait_for(pilot, lambda: len(toasts.shown) == 3, "the second rejection's toast")
        assert FLOW in toasts.shown[-1].message


def test_a_burst_summary_names_each_rejection_once() -> None:
    """Each rejected campaign is in the summary once, with its codes (its own toast line, with
    the whole explanation, is not repeated after the list)."""
    changes = [
        callback(campaign(f"C{n}", error_code=str(code))) for n, code in enumerate((601, 1004))
    ]
    changes.append(callback(campaign("C9")))
    summary = summary_for(changes, [notice_for(c) for c in changes])
    assert summary.message == "3 rejected · failed: C0 (601), C1 (1004), C9"
