"""Domain values shared by every part of tendlc: events, requests, resources, badges."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

Clock = Callable[[], float]
"""Returns the current time as seconds since the epoch (UTC)."""

IdFactory = Callable[[], str]
"""Returns a new unique id string."""


def system_clock() -> float:
    return time.time()


def random_ids(prefix: str = "") -> IdFactory:
    """Ids that sort by creation time: 12 hex digits of microseconds then 8 random hex digits."""

    def make() -> str:
        return f"{prefix}{time.time_ns() // 1000:012x}{os.urandom(4).hex()}"

    return make


def sequential_ids(prefix: str = "ev") -> IdFactory:
    """Deterministic ids for tests and seeded demos: ev000001, ev000002, …"""
    counter = itertools.count(1)
    return lambda: f"{prefix}{next(counter):06d}"


class Kind(StrEnum):
    """What a callback is about (plivo-10dlc.md §3.1)."""

    BRAND = "brand"
    CAMPAIGN = "campaign"
    NUMBER_LINKING = "number_linking"
    NUMBER_UNLINKING = "number_unlinking"
    UNKNOWN = "unknown"


class ResourceType(StrEnum):
    BRAND = "brand"
    CAMPAIGN = "campaign"
    NUMBER = "number"


def resource_key(type: ResourceType, id: str) -> str:
    """The one spelling of a resource's key: `brand:B1`."""
    return f"{type.value}:{id}"


def split_key(key: str) -> tuple[ResourceType, str]:
    """`brand:B1` → (BRAND, "B1"): the inverse of `resource_key`."""
    type, _, id = key.partition(":")
    return ResourceType(type), id


class Badge(StrEnum):
    """The one status vocabulary the UI shows (DESIGN.md "Status model")."""

    SUBMITTED = "submitted"  # request accepted, no callback yet
    PENDING = "pending"  # `created` callback / PROCESSING
    REGISTERED = "registered"  # brand/campaign done
    LINKED = "linked"  # number linked
    REJECTED = "rejected"  # brand/campaign refused
    FAILED = "failed"  # link failed (or request failed at the API)
    UNLINKING = "unlinking"  # unlink requested / `created`
    UNLINKED = "unlinked"  # unlink succeeded
    EXPIRED = "expired"  # campaign expired
    DELETED = "deleted"  # brand deleted / campaign deactivated, at our request
    UNKNOWN = "unknown"  # seen, state not known


class Cause(StrEnum):
    """Why a resource changed: the three sources of truth."""

    REQUEST = "request"
    CALLBACK = "callback"
    RECONCILE = "reconcile"


class Cycle(StrEnum):
    """The kind of request a resource is currently going through."""

    REGISTER = "register"  # brand / campaign creation (or campaign update)
    LINK = "link"
    UNLINK = "unlink"


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """One HTTP callback as received, parsed and checked. Stored in the journal as-is."""

    id: str
    received_at: float
    method: str
    url: str  # path + query as received, e.g. "/tendlc_status/?a=b"
    headers: dict[str, str]
    body: str  # raw body text (undecodable bytes replaced); "" for GET
    params: dict[str, str]  # parsed fields, original key case
    kind: Kind
    status: str | None  # lower-case callback status, e.g. "registered"
    brand_id: str | None = None
    campaign_id: str | None = None
    number: str | None = None  # digits only, no "+"
    verified: bool = False
    reason: str = ""  # "V2 ok", "missing signature headers", "wrong token", "URL mismatch: …"
    http_status: int = 200  # what the receiver answered
    replay_of: str | None = None  # id of an earlier event with the same nonce+signature
    seq: int = 0  # journal position, assigned by the store
    body_b64: str | None = None  # refused callbacks: raw body bytes (capped), base64
    body_length: int | None = None  # refused callbacks: the body's length as received

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallbackEvent:
        fields_ = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields_["kind"] = Kind(fields_.get("kind", "unknown"))
        return cls(**fields_)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request tendlc submitted to Plivo (or the sandbox), with its outcome. No secrets."""

    id: str
    at: float
    action: str  # "brand.create", "campaign.create", "number.link", "number.unlink", …
    params: dict[str, Any]
    ok: bool
    response: dict[str, Any] | None = None
    error: str | None = None
    brand_id: str | None = None
    campaign_id: str | None = None
    numbers: tuple[str, ...] = ()
    seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["numbers"] = list(self.numbers)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestRecord:
        fields_ = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields_["numbers"] = tuple(fields_.get("numbers") or ())
        return cls(**fields_)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One change of a resource, with its cause."""

    at: float
    cause: Cause
    badge: Badge
    detail: str  # human sentence: "callback: registered", "link requested", "reconcile: API says FAILED"
    ref: str | None = None  # event or request id behind the change

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "cause": self.cause.value,
            "badge": self.badge.value,
            "detail": self.detail,
            "ref": self.ref,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineEntry:
        return cls(
            at=data["at"],
            cause=Cause(data["cause"]),
            badge=Badge(data["badge"]),
            detail=data.get("detail", ""),
            ref=data.get("ref"),
        )


@dataclass(slots=True)
class Resource:
    """Current state of one brand, campaign or number (numbers are keyed by digits)."""

    type: ResourceType
    id: str
    badge: Badge
    updated_at: float
    name: str = ""  # brand_alias / campaign_alias
    parent_id: str | None = None  # campaign -> brand_id, number -> campaign_id
    api_status: str | None = None  # last status the API reported (PROCESSING, ACTIVE, …)
    cycle: Cycle = Cycle.REGISTER
    cycle_terminal: bool = False  # the current cycle reached its final status
    awaiting_since: float | None = None  # when the current cycle started waiting for a callback
    callback_url: str | None = None  # URL given to Plivo for the current cycle
    detail: dict[str, Any] = field(default_factory=dict)  # reasons, error codes, usecase, …
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def key(self) -> str:
        return resource_key(self.type, self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "id": self.id,
            "badge": self.badge.value,
            "updated_at": self.updated_at,
            "name": self.name,
            "parent_id": self.parent_id,
            "api_status": self.api_status,
            "cycle": self.cycle.value,
            "cycle_terminal": self.cycle_terminal,
            "awaiting_since": self.awaiting_since,
            "callback_url": self.callback_url,
            "detail": self.detail,
            "timeline": [t.to_dict() for t in self.timeline],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resource:
        return cls(
            type=ResourceType(data["type"]),
            id=data["id"],
            badge=Badge(data["badge"]),
            updated_at=data["updated_at"],
            name=data.get("name", ""),
            parent_id=data.get("parent_id"),
            api_status=data.get("api_status"),
            cycle=Cycle(data.get("cycle", "register")),
            cycle_terminal=data.get("cycle_terminal", False),
            awaiting_since=data.get("awaiting_since"),
            callback_url=data.get("callback_url"),
            detail=dict(data.get("detail") or {}),
            timeline=[TimelineEntry.from_dict(t) for t in data.get("timeline") or ()],
        )


@dataclass(frozen=True, slots=True)
class Change:
    """Notice sent to subscribers after the store applied something.

    `resources` are copies of the resources as they are after the change (possibly empty:
    an unverified or unknown callback changes nothing but is still announced).
    """

    cause: Cause
    resources: tuple[Resource, ...]
    event: CallbackEvent | None = None
    request: RequestRecord | None = None
    message: str = ""  # one line for a toast: "brand B43KNAS: pending → registered"


@dataclass(frozen=True, slots=True)
class Observation:
    """What the API says about one resource right now (input to reconciliation).

    `api_status` is the API's word (PROCESSING, COMPLETED, ACTIVE, FAILED, EXPIRED) or None
    when the resource is absent at the API (e.g. a number no longer listed on its campaign).
    """

    type: ResourceType
    id: str
    api_status: str | None
    name: str = ""
    parent_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
