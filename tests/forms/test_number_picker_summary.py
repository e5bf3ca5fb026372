"""The number picker's summary counts every number on the account: at 120x36 the sandbox's
said "26 numbers on the account: 23 free, 2 linked", and the toll-free one went uncounted."""

from __future__ import annotations

from tui.forms.number_picker import account_summary, number_kind

FREE = {"number": "14155550100", "number_type": "local"}
LINKED = {"number": "17205550140", "number_type": "local", "tendlc_campaign_id": "C1"}
TOLL_FREE = {"number": "18885550100", "number_type": "tollfree"}
UK = {"number": "442079460958", "number_type": "local"}


def test_each_number_is_free_linked_or_not_a_us_long_code() -> None:
    assert [number_kind(r) for r in (FREE, LINKED, TOLL_FREE, UK)] == [
        "free", "linked", "other", "other",
    ]  # fmt: skip


def test_the_parts_of_the_summary_add_up_to_its_total() -> None:
    rows = [FREE, FREE, LINKED, TOLL_FREE]
    assert (
        account_summary(rows) == "4 numbers on the account: 2 free, 1 linked, 1 not a US long code"
    )
    assert account_summary([FREE, TOLL_FREE, UK]).endswith("1 free, 0 linked, 2 not US long codes")


def test_a_summary_with_nothing_else_says_only_free_and_linked() -> None:
    assert account_summary([FREE, LINKED]) == "2 numbers on the account: 1 free, 1 linked"
    assert account_summary([LINKED]).endswith("0 free, 1 linked — none free to link")
