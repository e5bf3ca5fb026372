"""Journal entries: their dict shape, conversion to domain objects, replay, and the lookup index."""

from __future__ import annotations

from typing import Any

from receiver.domain.models import CallbackEvent, Observation, RequestRecord, ResourceType
from receiver.domain.models import resource_key as key_of
from receiver.domain.registry import Registry
from receiver.domain.status import normalise_number

ENTRY_CALLBACK, ENTRY_REQUEST, ENTRY_RECONCILE = "callback", "request", "reconcile"
ENTRY_REPLAY = "replay"
"""Values of an entry's "entry" field."""

REPLAY_FIELDS = (
    "id", "received_at", "method", "url", "kind", "status", "brand_id", "campaign_id",
    "number", "verified", "reason", "http_status", "replay_of",
)  # fmt: skip
"""What a replay marker keeps of the callback: no headers, body or params (the original has them)."""

Entry = CallbackEvent | RequestRecord


def callback_entry(event: CallbackEvent, *, applied: bool) -> dict[str, Any]:
    """A received callback; `applied` says whether it was applied to the registry (replay does).

    Built field by field (the same keys as CallbackEvent.to_dict()) because this is on the
    ingest path: to_dict()'s dataclasses.asdict deep-copies every value (~20x slower; it was a
    seventh of the receiver's time per callback), and a loop over a shared field list is ~40%
    slower than this literal. tests/receiver/test_callback_entry.py fails if a field is missed.
    """
    return {
        "entry": ENTRY_CALLBACK,
        "applied": applied,
        "id": event.id,
        "received_at": event.received_at,
        "method": event.method,
        "url": event.url,
        "headers": dict(event.headers),
        "body": event.body,
        "params": dict(event.params),
        "kind": event.kind.value,
        "status": event.status,
        "brand_id": event.brand_id,
        "campaign_id": event.campaign_id,
        "number": event.number,
        "verified": event.verified,
        "reason": event.reason,
        "http_status": event.http_status,
        "replay_of": event.replay_of,
        "seq": event.seq,
        "body_b64": event.body_b64,
        "body_length": event.body_length,
    }


def with_seq(event: CallbackEvent, seq: int) -> CallbackEvent:
    """The event at journal position `seq` (dataclasses.replace, minus its introspection)."""
    e = event
    return CallbackEvent(
        e.id, e.received_at, e.method, e.url, e.headers, e.body, e.params, e.kind, e.status,
        e.brand_id, e.campaign_id, e.number, e.verified, e.reason, e.http_status, e.replay_of,
        seq, e.body_b64, e.body_length,
    )  # fmt: skip


def replay_marker(event: CallbackEvent) -> dict[str, Any]:
    """A callback received again (same nonce and signature as `event.replay_of`): a small marker."""
    marker = {"entry": ENTRY_REPLAY, **{name: getattr(event, name) for name in REPLAY_FIELDS}}
    marker["kind"] = event.kind.value
    return marker


def request_entry(record: RequestRecord, callback_url: str | None) -> dict[str, Any]:
    """A submitted request and the callback URL it gave Plivo (never a token)."""
    return {"entry": ENTRY_REQUEST, "callback_url": callback_url, **record.to_dict()}


def reconcile_entry(observations: list[Observation], at: float) -> dict[str, Any]:
    """What the API reported for some resources at `at`."""
    return {
        "entry": ENTRY_RECONCILE,
        "at": at,
        "observations": [observation_to_dict(o) for o in observations],
    }


def observation_to_dict(obs: Observation) -> dict[str, Any]:
    """An Observation as the journal, the inbox and the attach API hold it."""
    return {
        "type": obs.type.value,
        "id": obs.id,
        "api_status": obs.api_status,
        "name": obs.name,
        "parent_id": obs.parent_id,
        "detail": dict(obs.detail),
    }


def observation_from_dict(data: dict[str, Any]) -> Observation:
    """An Observation from its journal form, or from the JSON a script or an attached console
    sends (KeyError/ValueError on malformed input)."""
    return Observation(
        type=ResourceType(data["type"]),
        id=str(data["id"]),
        api_status=data.get("api_status"),
        name=str(data.get("name") or ""),
        parent_id=data.get("parent_id"),
        detail=dict(data.get("detail") or {}),
    )


def entry_object(entry: dict[str, Any] | None) -> Entry | None:
    """The CallbackEvent / RequestRecord an entry holds; None for reconcile or malformed entries."""
    if entry is None:
        return None
    kind = entry.get("entry")
    try:
        if kind == ENTRY_CALLBACK:
            return CallbackEvent.from_dict(entry)
        if kind == ENTRY_REPLAY:
            return CallbackEvent.from_dict({"headers": {}, "body": "", "params": {}, **entry})
        if kind == ENTRY_REQUEST:
            return RequestRecord.from_dict(entry)
    except (KeyError, ValueError, TypeError):
        return None
    return None


def replay_entry(registry: Registry, entry: dict[str, Any]) -> None:
    """Apply a stored entry to the registry exactly as when it was recorded."""
    kind = entry.get("entry")
    if kind == ENTRY_CALLBACK and entry.get("applied"):
        registry.apply_callback(CallbackEvent.from_dict(entry))
    elif kind == ENTRY_REQUEST:
        registry.apply_request(RequestRecord.from_dict(entry), entry.get("callback_url"))
    elif kind == ENTRY_RECONCILE:
        for obs in entry.get("observations") or ():
            registry.apply_observation(observation_from_dict(obs), float(entry["at"]))


def resource_key(type: ResourceType | str, id: str) -> str:
    """The domain's key (`models.resource_key`) with numbers as digits only, as indexed."""
    rtype = ResourceType(type)
    return key_of(rtype, normalise_number(id) if rtype == ResourceType.NUMBER else id)


def entry_resource_keys(entry: dict[str, Any]) -> list[str]:
    """Keys of every resource a callback/request entry mentions (brand_id, campaign_id, number(s))."""
    keys: list[str] = []
    if entry.get("brand_id"):
        keys.append(resource_key(ResourceType.BRAND, str(entry["brand_id"])))
    if entry.get("campaign_id"):
        keys.append(resource_key(ResourceType.CAMPAIGN, str(entry["campaign_id"])))
    numbers = list(entry.get("numbers") or ())
    if entry.get("number"):
        numbers.append(entry["number"])
    keys.extend(resource_key(ResourceType.NUMBER, str(n)) for n in numbers if n)
    return list(dict.fromkeys(keys))


class EntryIndex:
    """Journal positions of callbacks and requests by entry id and by resource key."""

    def __init__(self) -> None:
        self._by_id: dict[str, int] = {}
        self._by_resource: dict[str, list[int]] = {}

    def add(self, entry: dict[str, Any], seq: int) -> None:
        kind = entry.get("entry")
        if kind == ENTRY_REPLAY and isinstance(entry.get("id"), str):
            self._by_id[entry["id"]] = seq  # found by id; listed under its original's resources
            return
        if kind not in (ENTRY_CALLBACK, ENTRY_REQUEST):
            return
        if isinstance(entry.get("id"), str):
            self._by_id[entry["id"]] = seq
        for key in entry_resource_keys(entry):
            self._by_resource.setdefault(key, []).append(seq)

    def seq_of(self, entry_id: str) -> int | None:
        return self._by_id.get(entry_id)

    def seqs_for(self, type: ResourceType | str, id: str) -> list[int]:
        return list(self._by_resource.get(resource_key(type, id), ()))


def entry_time(entry: Entry) -> float:
    """When a callback was received or a request sent."""
    return entry.received_at if isinstance(entry, CallbackEvent) else entry.at
