"""Bulk link in batches: few requests, and still one result per number."""

from __future__ import annotations

from plivo_client.bulk import SENT, link_in_batches, named_in
from plivo_client.types import GatewayError, Submitted
from receiver.domain.models import RequestRecord


class PlivoLike:
    """Refuses a whole link request as Plivo does: naming the first number it refuses, or
    (with `down`) naming none."""

    def __init__(self, strangers: set[str] = frozenset(), down: str | None = None) -> None:
        self.strangers = set(strangers)
        self.down = down
        self.requests: list[tuple[str, ...]] = []

    def link_numbers(self, req) -> Submitted:
        self.requests.append(req.numbers)
        what = f"link numbers to campaign {req.campaign_id} failed"
        if self.down:
            raise GatewayError(f"{what}: {self.down}")
        for n in req.numbers:
            if n in self.strangers:
                raise GatewayError(f"{what}: The number {n} does not belong to your account")
        record = RequestRecord("rq1", 0.0, "number.link", {}, True, numbers=req.numbers)
        return Submitted(record, "sent", numbers=req.numbers)


NUMBERS = [f"1415555{i:04d}" for i in range(120)]


def test_a_big_file_goes_in_batches_and_each_stranger_costs_one_request() -> None:
    gateway = PlivoLike(strangers={NUMBERS[3], NUMBERS[77]})
    results = list(link_in_batches(gateway, "CACT001", NUMBERS, size=50))
    assert sorted(r.number for r in results) == sorted(NUMBERS)  # every number, once
    refused = {r.number: r.text for r in results if not r.ok}
    assert refused == {
        NUMBERS[3]: f"The number {NUMBERS[3]} does not belong to your account",
        NUMBERS[77]: f"The number {NUMBERS[77]} does not belong to your account",
    }
    assert all(r.text == SENT for r in results if r.ok)
    # 3 batches (50, 50, 20), each refused batch sent once more without its stranger
    assert [len(r) for r in gateway.requests] == [50, 49, 50, 49, 20]


def test_a_refusal_naming_no_number_answers_for_the_whole_batch() -> None:
    gateway = PlivoLike(
        down="campaign CACT001 is EXPIRED; numbers can only be linked to an ACTIVE campaign"
    )
    results = list(link_in_batches(gateway, "CACT001", NUMBERS[:60], size=50))
    assert len(results) == 60 and not any(r.ok for r in results)
    assert {r.text for r in results} == {
        "campaign CACT001 is EXPIRED; numbers can only be linked to an ACTIVE campaign"
    }
    assert [len(r) for r in gateway.requests] == [50, 10]  # no request per number


def test_a_batch_of_strangers_only_and_a_number_given_twice() -> None:
    gateway = PlivoLike(strangers={NUMBERS[0]})
    results = list(link_in_batches(gateway, "CACT001", [NUMBERS[0], NUMBERS[0]]))
    assert [(r.number, r.ok) for r in results] == [(NUMBERS[0], False)]
    assert gateway.requests == [(NUMBERS[0],)]


def test_numbers_are_found_in_a_message_with_or_without_the_country_code() -> None:
    batch = ["14155550101", "14155550102"]
    assert named_in("The number 4155550102 is already requested for linking", batch) == [
        "14155550102"
    ]
    assert named_in("The number 141555501021 is odd", batch) == []
    assert named_in("campaign C1 is EXPIRED", batch) == []
