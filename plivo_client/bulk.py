"""Linking many numbers to one campaign in few requests, with each number's own result.

Plivo's link request takes a list of numbers and refuses the whole list when one of them is
refused, naming that number ("The number 14155550123 is already requested for linking"). So a
batch goes as one request; a refusal that names numbers of the batch is their result and the
rest is sent again without them; a refusal that names none (the campaign, the network, a
server error) is every number's result, with no request per number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plivo_client.types import GatewayError
from plivo_client.validation import LinkRequest

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway

BATCH_SIZE = 50  # numbers per link request
_DIGIT_RUNS = re.compile(r"\d{10,15}")
SENT = "sent: awaiting callback"


@dataclass(frozen=True, slots=True)
class NumberResult:
    """One number's answer: sent (awaiting its callback) or refused, and the words to show."""

    number: str  # E.164 digits
    ok: bool
    text: str


def refusal_reason(error: GatewayError) -> str:
    """Plivo's reason without the "link numbers to campaign C failed: " the row already says."""
    return error.message.split(" failed: ", 1)[-1]


def named_in(message: str, numbers: Iterable[str]) -> list[str]:
    """The numbers of `numbers` that `message` names (with or without the leading 1)."""
    runs = set(_DIGIT_RUNS.findall(message))
    return [n for n in numbers if n in runs or n.removeprefix("1") in runs]


def link_in_batches(
    gateway: Gateway, campaign_id: str, numbers: Iterable[str], *, size: int = BATCH_SIZE
) -> Iterator[NumberResult]:
    """Link `numbers` (E.164 digits) `size` at a time; yields every number's result once, in
    the order they are answered. Blocking: run it in a worker thread."""
    pending = list(dict.fromkeys(numbers))
    while pending:
        batch, pending = pending[:size], pending[size:]
        while batch:
            try:
                submitted = gateway.link_numbers(LinkRequest(campaign_id, tuple(batch)))
            except GatewayError as error:
                reason = refusal_reason(error)
                named = named_in(error.message, batch) if len(batch) > 1 else []
                if not named or len(named) == len(batch):
                    yield from (NumberResult(n, False, reason) for n in batch)
                    break
                yield from (NumberResult(n, False, reason) for n in named)
                batch = [n for n in batch if n not in named]
                continue
            text = submitted.journal_error or SENT
            yield from (NumberResult(n, True, text) for n in batch)
            break
