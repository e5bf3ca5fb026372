"""Armed faults at run time: which one fires on a callback, a request or an API call, by seed.

`Faults` holds what was asked for (`FaultSpec`s from sandbox/faults/catalogue.py), decides on
each matching event whether a fault fires (its `skip`, `count` and `probability`, drawn
from one `random.Random(seed)`, so the same traffic under the same seed fires the same
faults) and records every firing. The dispatcher, the scheduler and the API middleware ask
it through the hooks below; nothing here touches the network.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from receiver.domain.models import Clock, system_clock
from sandbox.faults.catalogue import CATALOGUE, FaultSpec

log = logging.getLogger("tendlc.sandbox.faults")

CALLBACK_FAULTS = tuple(n for n, e in CATALOGUE.items() if e.group == "callback")
OUTCOME_FAULTS = tuple(n for n, e in CATALOGUE.items() if e.group == "outcome")
API_FAULTS = tuple(n for n, e in CATALOGUE.items() if e.group == "api")

# The futures an API answer waits for (callback-before-answer), set per request by the
# API middleware and read by the scheduler while the handler runs.
ANSWER_HOLDS: ContextVar[list[asyncio.Future[None]] | None] = ContextVar(
    "sandbox_answer_holds", default=None
)


@dataclass(eq=False)
class Armed:
    """A fault as armed: its id (`f1`, `f2`, …), spec, and how often it matched and fired."""

    id: str
    spec: FaultSpec
    matched: int = 0
    fired: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)  # set when removed

    @property
    def spent(self) -> bool:
        return self.spec.count is not None and self.fired >= self.spec.count

    @property
    def label(self) -> str:
        return f"{self.id} {self.spec.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.id,  # "id" is the spec's resource-id filter
            **self.spec.to_json(),
            "matched": self.matched,
            "fired": self.fired,
            "state": "spent" if self.spent else "armed",
        }


@dataclass(frozen=True, slots=True)
class Firing:
    """One time a fault fired: which, when, and on what."""

    fault_id: str
    name: str
    at: float
    target: str  # e.g. "brand B43KNAS registered callback", "POST 10dlc/Brand/"

    def to_json(self) -> dict[str, Any]:
        return {"fault": self.fault_id, "name": self.name, "at": self.at, "target": self.target}


class Faults:
    """The armed faults of one sandbox. Used only on the sandbox's event loop."""

    def __init__(self, seed: int = 0, clock: Clock = system_clock) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._clock = clock
        self.armed: list[Armed] = []
        self.firings: list[Firing] = []
        self._next = 1

    # --- arming -----------------------------------------------------------------------------

    def arm(self, specs: Iterable[FaultSpec]) -> list[Armed]:
        """Arm each spec (in order: the first armed of several matching faults fires)."""
        added = []
        for spec in specs:
            armed = Armed(f"f{self._next}", spec)
            self._next += 1
            self.armed.append(armed)
            added.append(armed)
            log.info("fault %s armed: %s", armed.id, spec.to_json())
        return added

    def disarm(self, fault_id: str) -> bool:
        """Remove one fault; a request it holds (stuck-processing) moves on. False if unknown."""
        for armed in self.armed:
            if armed.id == fault_id:
                self.armed.remove(armed)
                armed.released.set()
                return True
        return False

    def clear(self) -> int:
        """Remove every fault; returns how many there were."""
        count = len(self.armed)
        for armed in list(self.armed):
            self.disarm(armed.id)
        return count

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "faults": [a.to_json() for a in self.armed],
            "fired": [f.to_json() for f in self.firings],
        }

    # --- deciding ---------------------------------------------------------------------------

    def _take(self, names: Iterable[str], matches: Any, target: str) -> Armed | None:
        """The first live fault among `names` that matches and fires now, or None."""
        wanted = set(names)
        for armed in self.armed:
            spec = armed.spec
            if spec.name not in wanted or armed.spent or not matches(spec):
                continue
            armed.matched += 1
            if armed.matched <= spec.skip:
                continue
            if spec.probability < 1.0 and self._rng.random() >= spec.probability:
                continue
            armed.fired += 1
            self.firings.append(Firing(armed.id, spec.name, self._clock(), target))
            log.info("fault %s fired on %s", armed.label, target)
            return armed
        return None

    def callback(self, kind: str, word: str, rid: str) -> Armed | None:
        """A callback fault for one delivery (drop, duplicate, delay, wrong path, exhaust)."""
        return self._take(
            CALLBACK_FAULTS,
            lambda s: s.matches_callback(kind, word, rid),
            f"{kind} {rid} {word} callback",
        )

    def request(self, name: str, kind: str, rid: str, alias: str = "") -> Armed | None:
        """Whether lifecycle fault `name` applies to a request for `kind` `rid`."""
        return self._take(
            (name,), lambda s: s.matches_request(kind, rid, alias), f"{kind} {rid} request"
        )

    def outcome(self, kind: str, rid: str, alias: str, default_fails: bool) -> bool:
        """Whether the request fails: an outcome rule decides, else the default knob."""
        armed = self._take(
            OUTCOME_FAULTS, lambda s: s.matches_request(kind, rid, alias), f"{kind} {rid} outcome"
        )
        if armed is None:
            return default_fails
        return armed.spec.name != "succeed"

    def api(self, method: str, path: str) -> Armed | None:
        """An API fault for one call (`path` relative to /v1/Account/{auth_id}/)."""
        return self._take(
            API_FAULTS, lambda s: s.matches_api(method, path), f"{method} {path.strip('/')}/"
        )


def hold_answer() -> asyncio.Future[None] | None:
    """A future the current API answer waits for, or None outside an API request."""
    holds = ANSWER_HOLDS.get()
    if holds is None:
        return None
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    holds.append(future)
    return future


def release(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)
