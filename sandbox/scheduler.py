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
from dataclasses import dataclass

from sandbox import outcomes
from sandbox.delivery import Dispatcher, Sleep, resource_id
from sandbox.faults.armed import Armed, Faults, hold_answer, release
from sandbox.world import Brand, Campaign, LinkedNumber, World

log = logging.getLogger("tendlc.sandbox.scheduler")

Payload = dict[str, str]
Settle = Callable[[], Payload | None]
CREATED_AFTER = 0.25  # seconds from the API answer to the `created` callback (delay > 0)


@dataclass(slots=True)
class Plan:
    """How faults bend one request's lifecycle (sandbox/faults/catalogue.py, group "lifecycle")."""

    reorder: bool = False  # terminal callback first, then the stale `created`
    hold: asyncio.Future[None] | None = None  # the API answer waits for this
    hold_until: str = "created"
    stuck: Armed | None = None  # stays PROCESSING until this fault is removed


class Scheduler:
    """Owns the asyncio tasks that move requests through their lifecycle on the running loop."""

    def __init__(
        self,
        world: World,
        dispatcher: Dispatcher,
        *,
        delay: float,
        sleep: Sleep = asyncio.sleep,
        faults: Faults | None = None,
    ) -> None:
        self.world = world
        self.dispatcher = dispatcher
        self.delay = delay
        self._sleep = sleep
        self.faults = faults or Faults()
        self.tasks: set[asyncio.Task[None]] = set()
        self.parked: dict[asyncio.Task[None], Armed] = {}  # held by stuck-processing
        self._parked_changed = asyncio.Event()

    # --- requests -----------------------------------------------------------------------

    def brand_submitted(self, brand: Brand) -> None:
        brand.cycle += 1
        brand.registration_status = "PROCESSING"
        cycle, brand_id = brand.cycle, brand.brand_id

        def settle() -> Payload | None:
            b = self.world.brands.get(brand_id)
            if b is None or b.cycle != cycle:
                return None
            if self._fails(
                "brand", brand_id, b.brand_alias, outcomes.brand_rejected(b.brand_alias)
            ):
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
            decline = outcomes.campaign_decline(judged)
            if self._fails("campaign", campaign_id, c.campaign_alias, decline is not None):
                c.registration_status = "FAILED"
                c.error_code, c.error_reason = decline or (
                    outcomes.CAMPAIGN_ERROR_CODE,
                    outcomes.CAMPAIGN_ERROR_REASON,
                )
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
            failed = self._fails("number_linking", number, "", outcomes.link_fails(number))
            n.status = "FAILED" if failed else "COMPLETED"
            n.failure_reason = outcomes.LINK_FAILURE_REASON if failed else ""
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
            if self._fails("number_unlinking", number, "", outcomes.unlink_fails(number)):
                return _number_payload(n, "number_unlinking", "failed")
            del self.world.numbers[number]
            return _number_payload(n, "number_unlinking", "success")

        self._start(url, method, _number_payload(entry, "number_unlinking", "created"), settle)

    # --- running ------------------------------------------------------------------------

    def _fails(self, kind: str, rid: str, alias: str, default: bool) -> bool:
        """An outcome rule's verdict for this request, else the outcome knob's (`default`)."""
        return self.faults.outcome(kind, rid, alias, default)

    def _plan(self, kind: str, rid: str) -> Plan:
        """Which lifecycle faults fire for this request (decided when it is submitted)."""
        alias = ""
        if kind == "brand" and (brand := self.world.brands.get(rid)):
            alias = brand.brand_alias
        elif kind == "campaign" and (campaign := self.world.campaigns.get(rid)):
            alias = campaign.campaign_alias
        plan = Plan(
            reorder=self.faults.request("reorder-callbacks", kind, rid, alias) is not None,
            stuck=self.faults.request("stuck-processing", kind, rid, alias),
        )
        race = self.faults.request("callback-before-answer", kind, rid, alias)
        if race is not None:
            plan.hold, plan.hold_until = hold_answer(), race.spec.param("until")
        return plan

    def _start(self, url: str, method: str, created: Payload, settle: Settle) -> None:
        plan = self._plan(created["event"], resource_id(created))
        task = asyncio.create_task(
            self._run(url, method, created, settle, plan), name=f"sandbox-{created['event']}"
        )
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(
        self, url: str, method: str, created: Payload, settle: Settle, plan: Plan | None = None
    ) -> None:
        plan = plan or Plan()
        try:
            if self.delay > 0 and plan.hold is None:
                # Like Plivo, answer the request first and call back a moment later.
                await asyncio.sleep(min(CREATED_AFTER, self.delay / 4))
            if not plan.reorder:
                await self._send(url, method, created)  # attempted before the terminal status
            if plan.hold_until == "created":
                release(plan.hold)
            if plan.stuck is not None:
                await self._park(plan.stuck)
            await self._sleep(self.delay)
            terminal = settle()
            if terminal is None:
                log.debug("%s transition dropped: superseded or deleted", created["event"])
                return
            if plan.reorder or plan.hold is not None:
                await self._send(url, method, terminal)
            else:
                self.dispatcher.send(url, method, terminal)
            release(plan.hold)
            if plan.reorder:
                self.dispatcher.send(url, method, created)  # the stale `created`, last
            if terminal.get("registration_status") == "ACTIVE":
                await self._maybe_expire(terminal["campaign_id"])
        finally:
            release(plan.hold)

    async def _send(self, url: str, method: str, payload: Payload) -> None:
        """Send a callback and wait until its first attempt is over."""
        first = self.dispatcher.send(url, method, payload)
        if first is not None:
            await asyncio.wait([first])

    async def _park(self, fault: Armed) -> None:
        """Wait (not counted by idle()) until the stuck-processing fault is removed."""
        task = asyncio.current_task()
        assert task is not None
        self.parked[task] = fault
        self._parked_changed.set()
        try:
            await fault.released.wait()
        finally:
            self.parked.pop(task, None)
            self._parked_changed.set()

    async def _maybe_expire(self, campaign_id: str) -> None:
        campaign = self.world.campaigns.get(campaign_id)
        if campaign is None:
            return
        fault = self.faults.request(
            "expire-campaign", "campaign", campaign_id, campaign.campaign_alias
        )
        if fault is None:
            return
        cycle = campaign.cycle
        await self._sleep(fault.spec.param("after"))
        campaign = self.world.campaigns.get(campaign_id)
        if (
            campaign is not None
            and campaign.cycle == cycle
            and campaign.registration_status == "ACTIVE"
        ):
            campaign.registration_status = "EXPIRED"  # Plivo documents no callback for this
            log.info("campaign %s expired (fault %s)", campaign_id, fault.label)

    async def idle(self) -> None:
        """Wait until every scheduled transition and every delivery (retries included) is done.

        Requests held by a stuck-processing fault do not count: they wait for its removal.
        """
        while True:
            pending = [
                t
                for t in (*self.tasks, *self.dispatcher.tasks)
                if not t.done() and not (t in self.parked and not self.parked[t].released.is_set())
            ]
            if not pending:
                return
            self._parked_changed.clear()
            parked = asyncio.ensure_future(self._parked_changed.wait())
            try:
                await asyncio.wait([*pending, parked], return_when=asyncio.FIRST_COMPLETED)
            finally:
                parked.cancel()

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
