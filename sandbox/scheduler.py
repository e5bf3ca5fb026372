"""The lifecycle scheduler: each request goes `created` now, then to its terminal status after `delay`.

API statuses move in step with the callbacks: brand PROCESSING → COMPLETED/FAILED, campaign
PROCESSING → ACTIVE/FAILED, number PROCESSING → COMPLETED/FAILED; a successful unlink removes
the number. Every request bumps its resource's `cycle`, so a transition scheduled for an older
request (or for a resource deleted meanwhile) is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sandbox import outcomes
from sandbox.delivery import Dispatcher, Sleep
from sandbox.world import Brand, Campaign, LinkedNumber, World

log = logging.getLogger("tendlc.sandbox.scheduler")

Payload = dict[str, str]
Settle = Callable[[], Payload | None]
CREATED_AFTER = 0.25  # seconds from the API answer to the `created` callback (delay > 0)


class Scheduler:
    """Owns the asyncio tasks that move requests through their lifecycle on the running loop."""

    def __init__(
        self, world: World, dispatcher: Dispatcher, *, delay: float, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.world = world
        self.dispatcher = dispatcher
        self.delay = delay
        self._sleep = sleep
        self.tasks: set[asyncio.Task[None]] = set()

    # --- requests -----------------------------------------------------------------------

    def brand_submitted(self, brand: Brand) -> None:
        brand.cycle += 1
        brand.registration_status = "PROCESSING"
        cycle, brand_id = brand.cycle, brand.brand_id

        def settle() -> Payload | None:
            b = self.world.brands.get(brand_id)
            if b is None or b.cycle != cycle:
                return None
            if outcomes.brand_rejected(b.brand_alias):
                b.registration_status = "FAILED"
                b.declined_reasons = outcomes.brand_declined_reasons(b.brand_alias)
            else:
                b.registration_status = "COMPLETED"
                if b.brand_type == "STANDARD" and b.secondary_vetting:
                    b.vetting_status, b.vetting_score = "ACTIVE", 80
            return _brand_payload(b)

        self._start(brand.url, brand.method, _brand_payload(brand), settle)

    def campaign_submitted(self, campaign: Campaign) -> None:
        """A new, updated or imported campaign: back to PROCESSING, then ACTIVE or FAILED."""
        campaign.cycle += 1
        campaign.registration_status = "PROCESSING"
        campaign.error_code = campaign.error_reason = campaign.error_description = ""
        # mno_metadata stays: Plivo reports it on PROCESSING and FAILED campaigns too
        cycle, campaign_id = campaign.cycle, campaign.campaign_id

        def settle() -> Payload | None:
            c = self.world.campaigns.get(campaign_id)
            if c is None or c.cycle != cycle or c.registration_status != "PROCESSING":
                return None
            judged = (
                c.text.get("description", "") if c.campaign_source == "plivo" else c.campaign_alias
            )
            if (decline := outcomes.campaign_decline(judged)) is not None:
                c.registration_status = "FAILED"
                c.error_code, c.error_reason = decline
                c.error_description = outcomes.CAMPAIGN_ERROR_DESCRIPTION
            else:
                c.registration_status = "ACTIVE"
            return _campaign_payload(c)

        self._start(campaign.url, campaign.method, _campaign_payload(campaign), settle)

    def number_linked(self, entry: LinkedNumber, url: str, method: str) -> None:
        entry.cycle += 1
        entry.status = "PROCESSING"
        entry.unlinking = False
        cycle, number, campaign_id = entry.cycle, entry.number, entry.campaign_id

        def settle() -> Payload | None:
            n = self.world.numbers.get(number)
            if n is None or n.cycle != cycle or n.campaign_id != campaign_id:
                return None
            failed = outcomes.link_fails(number)
            n.status = "FAILED" if failed else "COMPLETED"
            return _number_payload(n, "number_linking", "failed" if failed else "success")

        self._start(url, method, _number_payload(entry, "number_linking", "created"), settle)

    def number_unlinking(self, entry: LinkedNumber, url: str, method: str) -> None:
        """The number stays listed (with its status) until the unlink succeeds, then disappears."""
        entry.cycle += 1
        entry.unlinking = True
        cycle, number, campaign_id = entry.cycle, entry.number, entry.campaign_id

        def settle() -> Payload | None:
            n = self.world.numbers.get(number)
            if n is None or n.cycle != cycle or n.campaign_id != campaign_id:
                return None
            n.unlinking = False
            if outcomes.unlink_fails(number):
                return _number_payload(n, "number_unlinking", "failed")
            del self.world.numbers[number]
            return _number_payload(n, "number_unlinking", "success")

        self._start(url, method, _number_payload(entry, "number_unlinking", "created"), settle)

    # --- running ------------------------------------------------------------------------

    def _start(self, url: str, method: str, created: Payload, settle: Settle) -> None:
        task = asyncio.create_task(
            self._run(url, method, created, settle), name=f"sandbox-{created['event']}"
        )
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, url: str, method: str, created: Payload, settle: Settle) -> None:
        if self.delay > 0:
            # Like Plivo, answer the request first and call back a moment later.
            await asyncio.sleep(min(CREATED_AFTER, self.delay / 4))
        first = self.dispatcher.send(url, method, created)
        if first is not None:
            await asyncio.wait([first])  # `created` is attempted before the terminal status
        await self._sleep(self.delay)
        terminal = settle()
        if terminal is None:
            log.debug("%s transition dropped: superseded or deleted", created["event"])
            return
        self.dispatcher.send(url, method, terminal)

    async def idle(self) -> None:
        """Wait until every scheduled transition and every delivery (retries included) is done."""
        while True:
            pending = [t for t in (*self.tasks, *self.dispatcher.tasks) if not t.done()]
            if not pending:
                return
            await asyncio.wait(pending)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


# --- callback payloads (simulator-defined schema, plivo-10dlc.md §3.3) -------------------

_BRAND_WORD = {"PROCESSING": "created", "COMPLETED": "registered", "FAILED": "rejected"}
_CAMPAIGN_WORD = {"PROCESSING": "created", "ACTIVE": "registered", "FAILED": "rejected"}


def _brand_payload(brand: Brand) -> Payload:
    return {
        "brand_id": brand.brand_id,
        "event": "brand",
        "status": _BRAND_WORD[brand.registration_status],
        "registration_status": brand.registration_status,
    }


def _campaign_payload(campaign: Campaign) -> Payload:
    payload = {
        "brand_id": campaign.brand_id,  # empty for an imported (shared) campaign: left out
        "campaign_id": campaign.campaign_id,
        "event": "campaign",
        "status": _CAMPAIGN_WORD[campaign.registration_status],
        "registration_status": campaign.registration_status,
    }
    return {k: v for k, v in payload.items() if v}


def _number_payload(entry: LinkedNumber, event: str, word: str) -> Payload:
    return {
        "campaign_id": entry.campaign_id,
        "number": entry.number,
        "event": event,
        "status": word,
    }
