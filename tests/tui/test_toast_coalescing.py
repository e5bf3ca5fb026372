"""A burst of callbacks gives one summary toast; errors are named in it, never hidden."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App

from receiver.domain.models import (
    Badge,
    CallbackEvent,
    Cause,
    Change,
    Kind,
    RequestRecord,
    Resource,
    ResourceType,
)
from tests.tui.test_main_screen_pilot import post_callback
from tui.notices import Notice, Notices, collapse, summary_for, untitled

T0 = 1_767_225_600.0


def link_callback(n: int, number: str, status: str, badge: Badge) -> Change:
    event = CallbackEvent(
        f"ev{n}", T0 + n, "POST", "/tendlc_status/", {}, "", {}, Kind.NUMBER_LINKING, status,
        verified=True, reason="V2 ok", campaign_id="C1", number=number,
    )  # fmt: skip
    resource = Resource(ResourceType.NUMBER, number, badge, T0 + n, parent_id="C1")
    return Change(Cause.CALLBACK, (resource,), event, message=f"number {number}: {badge.value}")


def twelve_links() -> list[Change]:
    changes = [link_callback(n, f"1415556{n:04d}", "success", Badge.LINKED) for n in range(10)]
    changes += [link_callback(10, "14155550000", "failed", Badge.FAILED)]
    changes += [link_callback(11, "14155559000", "failed", Badge.FAILED)]
    return changes


def test_a_burst_summary_counts_outcomes_and_names_the_failures() -> None:
    changes = twelve_links()
    notices = [Notice("number", c.message, "information") for c in changes]
    summary = summary_for(changes, notices)
    assert summary.title == "12 callbacks"
    assert summary.message.startswith("10 linked · 2 failed · failed: +14155550000, +14155559000")
    assert summary.severity == "error"


def test_a_resource_counts_once_by_its_last_status() -> None:
    pending = link_callback(1, "14155550101", "processing", Badge.PENDING)
    linked = link_callback(2, "14155550101", "success", Badge.LINKED)
    summary = summary_for([pending, linked], [Notice("n", "a", "information")] * 3)
    assert summary.message == "1 linked" and summary.severity == "information"


def test_a_flapping_tunnel_is_one_notice_with_a_count() -> None:
    down = Notice("tunnel down", "cloudflared exited", "error")
    up = Notice("reconcile", "1 change (everything)", "information")
    assert collapse([down, up, down, down]) == [up, Notice("tunnel down", "cloudflared exited (3 times)", "error")]  # fmt: skip


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.notices = Notices(self, quiet=0.05, longest=5.0)


async def test_changes_in_separate_flushes_become_one_toast(wait_for, toasts) -> None:
    app = Host()
    async with app.run_test(message_hook=toasts) as pilot:
        for change in twelve_links():  # each as if it came in a flush of its own
            app.notices.announce([change])
        assert app.notices.holding == 12 and not toasts.shown
        await wait_for(pilot, lambda: toasts.shown, "the summary toast")
        (toast,) = toasts.shown
        assert (toast.title, toast.severity) == ("12 callbacks", "error")
        assert app.notices.holding == 0


async def test_two_notices_are_shown_as_they_are(wait_for, toasts) -> None:
    app = Host()
    async with app.run_test(message_hook=toasts) as pilot:
        app.notices.announce(twelve_links()[:2])
        await wait_for(pilot, lambda: len(toasts.shown) == 2, "both toasts")
        assert [n.title for n in toasts] == ["number", "number"]


async def test_unsigned_callbacks_from_a_script_give_one_toast(stack, started, wait_for, toasts):
    """Eight unsigned callbacks (an SDK snippet pointed at the wrong token): one warning."""
    app = stack.app
    async with app.run_test(size=(120, 36), message_hook=toasts) as pilot:
        await started(pilot)
        screen = app.main_screen
        screen.notices.quiet = screen.notices.longest = 60.0  # the test ends the burst itself
        for n in range(8):
            params = {"brand_id": f"BFORGED{n}", "event": "brand", "status": "registered"}
            assert await post_callback(stack, params, signed=False) == 403
        await wait_for(pilot, lambda: screen.notices.holding == 8, "the eight notices")
        before = len(toasts.shown)
        screen.notices.flush()
        await pilot.pause()
        (toast,) = toasts.shown[before:]
        assert toast.title == "8 callbacks" and toast.severity == "warning"
        assert toast.message == "8 unverified callbacks"
        assert not toasts.messages("unverified callback")


def test_notices_about_one_resource_become_its_latest() -> None:
    first = Notice("brand", "brand B1: new → submitted", "information", about="brand:B1")
    second = Notice("brand", "brand B1: submitted → pending", "information", about="brand:B1")
    other = Notice("brand", "brand B2: new → submitted", "information", about="brand:B2")
    assert collapse([first, other, second]) == [other, second]


def test_a_toast_says_its_title_once() -> None:
    assert untitled(Notice("brand", "brand B1: submitted → pending", "information")) == (
        "B1: submitted → pending"
    )
    assert untitled(Notice("reconcile", "3 changes", "information")) == "3 changes"
    assert untitled(Notice("brand", "brand", "information")) == "brand"  # never left empty


def test_a_link_and_its_first_callbacks_are_one_toast_named_by_the_action() -> None:
    """`l` with two numbers: the request and both `created` callbacks, said as one toast."""
    resources = tuple(
        Resource(ResourceType.NUMBER, n, Badge.SUBMITTED, T0, parent_id="C1")
        for n in ("14155550101", "14155550000")
    )
    record = RequestRecord(
        "rq1",
        T0,
        "number.link",
        {},
        True,
        {},
        campaign_id="C1",
        numbers=tuple(r.id for r in resources),
    )
    request = Change(Cause.REQUEST, resources, request=record, message="number +14155550101: …")
    created = [link_callback(n, r.id, "created", Badge.PENDING) for n, r in enumerate(resources, 1)]
    notices = [Notice("number", "…", "information")] * 3
    summary = summary_for([request, *created], notices)
    assert summary.title == "number.link · 2 callbacks"
    assert summary.message == "2 pending" and summary.severity == "information"


def test_a_created_callback_for_our_request_is_progress_not_a_toast() -> None:
    from receiver.domain.models import TimelineEntry
    from tui.notices import notice_for

    asked = TimelineEntry(T0, Cause.REQUEST, Badge.SUBMITTED, "number.link requested", "rq1")
    created = link_callback(1, "14155550101", "created", Badge.PENDING)
    ours = Resource(ResourceType.NUMBER, "14155550101", Badge.PENDING, T0, timeline=[asked])
    assert notice_for(replace(created, resources=(ours,))) is None  # the request said the action
    assert notice_for(created) is not None  # pending without a request of ours: news
    linked = link_callback(2, "14155550101", "success", Badge.LINKED)
    done = replace(ours, badge=Badge.LINKED)
    assert notice_for(replace(linked, resources=(done,))) is not None  # the outcome is said


async def test_over_any_dialog_toasts_sit_at_the_top_clear_of_its_buttons(stack, started) -> None:
    """At 80x24 a toast raised while a dialog is open (the bulk link run, a choice, a form)
    is drawn at the top of the screen, above the dialog's buttons."""
    from textual.widgets import Button
    from textual.widgets._toast import Toast

    from tui.screens.prompt import ChoiceScreen

    app = stack.app
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        dialog = ChoiceScreen("A choice", "Pick one.", [("yes", "Yes")])
        await app.push_screen(dialog)
        await pilot.pause()
        app.notify("a callback arrived while the dialog is open", title="brand")
        for _ in range(3):
            await pilot.pause()
        toasts = list(dialog.query(Toast))
        buttons = list(dialog.query(Button))
        assert toasts and max(t.region.bottom for t in toasts) <= min(b.region.y for b in buttons)


def test_a_failed_number_and_the_reason_read_for_it_are_said_once() -> None:
    """The bulk link's summary said "failed: +14155550000 · number link failed: +14155550000:
    The carriers rejected …": the number once, with its reason."""
    changes = [link_callback(n, f"1415555010{n}", "success", Badge.LINKED) for n in range(3)]
    changes += [link_callback(3, "14155550000", "failed", Badge.FAILED)]
    notices = [Notice("number", c.message, "information") for c in changes]
    why = "The carriers rejected the number for this campaign."
    key = changes[-1].resources[0].key
    notices.append(Notice("number link failed", f"+14155550000: {why}", "error", about=key))
    summary = summary_for(changes, notices)
    assert summary.message == f"3 linked · 1 failed · failed: +14155550000: {why}"
    assert summary.severity == "error"
