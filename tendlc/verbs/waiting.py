"""`--wait`: block until a request reaches its terminal status, by callback or by polling."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from plivo_client.gateway import GatewayError
from plivo_client.reconcile import Known, observe_one
from receiver.domain.declines import describe
from receiver.domain.models import Badge, Cycle, Observation, Resource, ResourceType

FIRST_DELAY, MAX_DELAY, BACKOFF = 0.5, 5.0, 1.6
API_EVERY = 4  # with callbacks, still ask the API every 4th round (a callback may be lost)

# Injected by tests (no real sleeping, no wall clock): the module's clock and sleep.
clock: Callable[[], float] = time.monotonic
sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True, slots=True)
class Outcome:
    """A terminal status: ok, the word for it, and Plivo's reason when it failed."""

    ok: bool
    status: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """What to wait for: a brand, a campaign, or numbers on a campaign (link or unlink)."""

    kind: ResourceType
    ids: tuple[str, ...]
    campaign_id: str | None = None
    unlink: bool = False
    request_id: str = ""

    def label(self) -> str:
        if self.kind is ResourceType.NUMBER:
            verb = "unlink of" if self.unlink else "link of"
            return f"{verb} {len(self.ids)} number(s) on campaign {self.campaign_id}"
        return f"{self.kind.value} {self.ids[0]}"


def _brand_reason(brand: dict[str, Any]) -> str:
    reasons = [r for r in brand.get("declined_reasons") or () if isinstance(r, dict)]
    lines = [describe(r.get("code"), r.get("message"), brand=True) for r in reasons]
    return "; ".join(lines) or "rejected, no reason given"


def by_api(gateway: Any, target: Target) -> tuple[dict[str, Outcome], str]:
    """Ask the API -> (terminal outcomes by id, the pending status word)."""
    if target.kind is ResourceType.BRAND:
        brand = gateway.read_brand(target.ids[0])
        status = str(brand.get("registration_status") or "")
        if status == "COMPLETED":
            return {target.ids[0]: Outcome(True, "registered")}, status
        if status == "FAILED":
            return {target.ids[0]: Outcome(False, "rejected", _brand_reason(brand))}, status
        return {}, status or "unknown"
    if target.kind is ResourceType.CAMPAIGN:
        camp = gateway.read_campaign(target.ids[0])
        status = str(camp.get("registration_status") or "")
        if status == "ACTIVE":
            return {target.ids[0]: Outcome(True, "registered")}, status
        if status in ("FAILED", "EXPIRED"):
            reason = describe(camp.get("error_code"), camp.get("error_reason"))
            word = "rejected" if status == "FAILED" else "expired"
            return {target.ids[0]: Outcome(False, word, reason)}, status
        return {}, status or "unknown"
    listed = {
        str(r.get("number") or "").lstrip("+"): str(r.get("status") or "")
        for r in gateway.read_campaign_numbers(target.campaign_id)
    }
    done: dict[str, Outcome] = {}
    for number in target.ids:
        status = listed.get(number)
        if target.unlink:
            if status is None:
                done[number] = Outcome(True, "unlinked")
        elif status == "COMPLETED":
            done[number] = Outcome(True, "linked")
        elif status == "FAILED":
            done[number] = Outcome(False, "failed", "the carriers refused the link")
        elif status is None:
            done[number] = Outcome(False, "failed", "not on the campaign")
    return done, "PROCESSING"


def from_registry(res: Resource | None, target: Target) -> Outcome | None:
    """The outcome the callbacks recorded for this request, or None while it is under way."""
    if res is None or not res.cycle_terminal:
        return None
    if target.request_id and not any(t.ref == target.request_id for t in res.timeline):
        return None  # the registry has not seen our request yet
    reason = _registry_reason(res)
    if res.type is ResourceType.NUMBER:
        if target.unlink:
            if res.cycle is not Cycle.UNLINK:
                return None
            ok = res.badge is Badge.UNLINKED
            return Outcome(ok, "unlinked" if ok else "unlink failed", "" if ok else reason)
        if res.cycle is not Cycle.LINK:
            return None
        ok = res.badge is Badge.LINKED
        return Outcome(ok, res.badge.value, "" if ok else reason or "the carriers refused")
    ok = res.badge is Badge.REGISTERED
    return Outcome(ok, res.badge.value, "" if ok else reason)


def _registry_reason(res: Resource) -> str:
    detail = res.detail
    code = detail.get("error_code")
    text = detail.get("error_reason") or detail.get("reason") or detail.get("failure_reason")
    if code or text:
        return describe(code, str(text or ""), brand=res.type is ResourceType.BRAND)
    return str(detail.get("declined_reasons") or "")


def wait(
    gateway: Any,
    recorder: Any,
    target: Target,
    *,
    timeout: float,
    by_callback: bool,
    err: TextIO | None = None,
) -> tuple[dict[str, Outcome], bool]:
    """Poll until every id is terminal or `timeout` passes -> (outcomes, timed out).

    With a receiver writing the store, its registry (fed by callbacks) is read each round and
    the API every API_EVERY-th; otherwise the API each round, backing off to MAX_DELAY.
    """
    err = err or sys.stderr
    start = clock()
    delay = FIRST_DELAY
    done: dict[str, Outcome] = {}
    status = "submitted"
    rounds = 0
    while True:
        if by_callback:
            for rid in target.ids:
                if rid not in done:
                    res = recorder.resource(target.kind.value, rid)
                    outcome = from_registry(res, target)
                    if outcome is not None:
                        done[rid] = outcome
                    elif res is not None:
                        status = res.badge.value
        if len(done) < len(target.ids) and (not by_callback or rounds % API_EVERY == API_EVERY - 1):
            try:
                seen, status = by_api(gateway, target)
                done.update({k: v for k, v in seen.items() if k not in done})
            except GatewayError as exc:
                status = f"cannot ask the API ({exc.message})"
        rounds += 1
        elapsed = clock() - start
        if len(done) == len(target.ids):
            _progress(err, f"{target.label()}: done after {elapsed:.0f} s", end=True)
            return _with_reasons(gateway, target, done), False
        if elapsed >= timeout:
            _progress(err, f"{target.label()}: still {status} after {elapsed:.0f} s", end=True)
            return done, True
        _progress(err, f"waiting for {target.label()}: {status} ({elapsed:.0f} s)")
        sleep(min(delay, max(timeout - elapsed, 0.0)))
        delay = min(delay * BACKOFF, MAX_DELAY)


def _with_reasons(gateway: Any, target: Target, done: dict[str, Outcome]) -> dict[str, Outcome]:
    """A callback says "rejected" without the why: the API's object has it (best effort)."""
    if all(o.ok or o.reason for o in done.values()) or target.kind is ResourceType.NUMBER:
        return done
    try:
        seen, _ = by_api(gateway, target)
    except GatewayError:
        return done
    return {
        k: (seen[k] if not o.ok and k in seen and seen[k].reason else o) for k, o in done.items()
    }


def _progress(err: TextIO, line: str, *, end: bool = False) -> None:
    try:
        if err.isatty():
            err.write("\r\x1b[K" + line + ("\n" if end else ""))
        else:
            err.write(line + "\n")
        err.flush()
    except (OSError, ValueError):
        pass


def settle(gateway: Any, recorder: Any, target: Target) -> None:
    """Record what the API says now about the target (cause `reconcile`), best effort."""
    observations: list[Observation] = []
    known = recorder.known() if hasattr(recorder, "known") else Known({})
    for rid in target.ids:
        try:
            observations += observe_one(gateway, known, target.kind, rid, target.campaign_id)
        except GatewayError:
            continue
    if observations:
        try:
            recorder.record_observations(observations)
        except Exception:  # the outcome is already known and printed; the store is a bonus
            pass
