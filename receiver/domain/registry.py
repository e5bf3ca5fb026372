"""The registry: current state of brands, campaigns and numbers, derived from journal entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from receiver.domain.declines import explain_rejection_row, explained_note
from receiver.domain.models import (
    Badge,
    CallbackEvent,
    Cause,
    Cycle,
    Observation,
    RequestRecord,
    Resource,
    ResourceType,
    TimelineEntry,
)
from receiver.domain.notes import api_note, change_message, difference, join_messages
from receiver.domain.resource_map import ResourceMap, TextSource, rank_of
from receiver.domain.status import (
    CALLBACK_RULES,
    CREATED,
    DELETE_REQUESTS,
    REASON_KEYS,
    REQUEST_RULES,
    SUBMITTED,
    TERMINAL,
    api_agrees,
    api_target,
    normalise_number,
    reasons,
    same_outcome,
)

__all__ = [
    "CREATED",
    "REASON_KEYS",
    "SUBMITTED",
    "TERMINAL",
    "Registry",
    "copy_resource",
    "join_messages",
    "normalise_number",
]


def copy_resource(res: Resource) -> Resource:
    """A copy safe to hand to another component (timeline and detail are copied too)."""
    return replace(res, detail=dict(res.detail), timeline=list(res.timeline))


class Registry:
    """Brands, campaigns and numbers with their badge, cycle and timeline. Pure: no I/O.

    `get`/`all`/`children` return the live objects (treat them as read-only); the `apply_*`
    methods return copies of what they changed, and a one-line message ("" when nothing changed).
    """

    def __init__(self) -> None:
        self._ranks: dict[tuple[ResourceType, str], int] = {}
        self._resources = ResourceMap(self._ranks)  # resources may be built on first use
        self._dirty: dict[tuple[ResourceType, str], None] = {}  # touched since take_dirty()

    # -- queries -----------------------------------------------------------------------------

    def get(self, type: ResourceType, id: str) -> Resource | None:
        return self._resources.get((type, self._key_id(type, id)))

    def all(self, type: ResourceType | None = None) -> list[Resource]:
        """Resources in creation order, optionally of one type (building only that type)."""
        if type is None:
            return list(self._resources.values())
        get = self._resources.get
        found = (get(key) for key in self._resources if key[0] is type)
        return [r for r in found if r is not None]

    def ids(self, type: ResourceType) -> list[str]:
        """Ids of the resources of `type`, in creation order; builds nothing."""
        return [rid for rtype, rid in self._resources if rtype is type]

    def unsettled(self) -> list[Resource]:
        """Resources whose current cycle is not terminal (awaiting a callback); builds only
        those. Which texts say so is read once; a built resource is asked itself."""
        out = []
        get = self._resources.get
        for key in self._resources.maybe_unsettled():
            res = get(key)
            if res is not None and not res.cycle_terminal:
                out.append(res)
        return out

    def children(self, parent_id: str) -> list[Resource]:
        """Campaigns of a brand, or numbers of a campaign, in creation order."""
        return [r for r in self._resources.values() if r.parent_id == parent_id]

    def rank(self, type: ResourceType, id: str) -> int | None:
        """Rank of the resource's state within its cycle (0 submitted, 1 created, 2 terminal)."""
        key = (type, self._key_id(type, id))
        self._resources.get(key)  # builds it (and its rank) if it is still text
        return self._ranks.get(key)

    def overdue(self, now: float, after: float) -> list[Resource]:
        """Resources whose current cycle has waited for a callback longer than `after` seconds."""
        return [
            r
            for r in self._resources.values()
            if not r.cycle_terminal
            and r.awaiting_since is not None
            and now - r.awaiting_since > after
        ]

    # -- callbacks ---------------------------------------------------------------------------

    def apply_callback(self, event: CallbackEvent) -> tuple[list[Resource], str]:
        """Apply one verified callback under the precedence rules; unknown kinds change nothing."""
        rule = CALLBACK_RULES.get(event.kind)
        if rule is None:
            return [], ""
        rtype, cycle, statuses = rule
        if rtype == ResourceType.BRAND:
            rid, parent = event.brand_id, None
        elif rtype == ResourceType.CAMPAIGN:
            rid, parent = event.campaign_id, event.brand_id
        else:
            rid, parent = event.number, event.campaign_id
        rid = self._key_id(rtype, rid or "")
        target = statuses.get((event.status or "").strip().lower())
        if not rid or target is None:
            return [], ""
        badge, rank, note = target
        key = (rtype, rid)
        res = self._resources.get(key)
        if res is None:
            old = None
            res = self._create(rtype, rid, badge, cycle, event.received_at)
        elif res.cycle != cycle:
            if not res.cycle_terminal:
                return [], ""  # a callback of another cycle while this one runs: stale
            old = res.badge
        elif rank <= self._ranks[key]:
            return [], ""  # late, duplicate, or a terminal state already reached
        else:
            old = res.badge
        self._dirty[key] = None
        res.cycle = cycle
        if parent:
            res.parent_id = parent
        found = reasons(event.params)
        if found:
            res.detail = {**res.detail, **found}
        if note == "unlink failed":
            res.detail = {**res.detail, "status_note": note}
        self._set_state(res, badge, rank, event.received_at)
        res.timeline.append(
            TimelineEntry(
                event.received_at,
                Cause.CALLBACK,
                badge,
                explained_note(res, f"callback: {note}"),
                event.id,
            )
        )
        return [copy_resource(res)], change_message(res, old, note)

    # -- requests ----------------------------------------------------------------------------

    def apply_request(
        self, record: RequestRecord, callback_url: str | None
    ) -> tuple[list[Resource], str]:
        """A successful create/update/link/unlink starts a new cycle, a delete ends the
        resource; a failed request changes nothing."""
        if record.ok and record.action in DELETE_REQUESTS:
            return self._apply_delete(record)
        rule = REQUEST_RULES.get(record.action)
        if not record.ok or rule is None:
            return [], ""
        rtype, cycle, badge = rule
        params = record.params or {}
        if rtype == ResourceType.BRAND:
            targets = [(record.brand_id, None, params.get("brand_alias"))]
        elif rtype == ResourceType.CAMPAIGN:
            targets = [(record.campaign_id, record.brand_id, params.get("campaign_alias"))]
        else:
            targets = [(n, record.campaign_id, None) for n in record.numbers]
        changed: list[Resource] = []
        messages: list[str] = []
        for raw_id, parent, name in targets:
            rid = self._key_id(rtype, raw_id or "")
            if not rid:
                continue
            res = self._resources.get((rtype, rid))
            if res is not None and any(t.ref == record.id for t in res.timeline):
                continue  # the same request applied twice
            if res is not None:
                self._dirty[(rtype, rid)] = None
            old = res.badge if res is not None else None
            if res is not None and self._answered_since(res, cycle, record.at):
                # Plivo's callbacks for this very request beat our record of it (they can
                # arrive before the HTTP response): keep their state, just note the request.
                self._note_request(res, record, parent, name, callback_url)
                changed.append(copy_resource(res))
                continue
            if res is None:
                res = self._create(rtype, rid, badge, cycle, record.at)
            res.cycle = cycle
            if parent:
                res.parent_id = parent
            if isinstance(name, str) and name:
                res.name = name
            detail = {k: v for k, v in res.detail.items() if k not in (*REASON_KEYS, "status_note")}
            if rtype == ResourceType.CAMPAIGN and params.get("usecase"):
                detail["usecase"] = params["usecase"]
            res.detail = detail
            res.callback_url = callback_url or res.callback_url  # an update carries none
            self._set_state(res, badge, SUBMITTED, record.at)
            res.timeline.append(
                TimelineEntry(
                    record.at, Cause.REQUEST, badge, f"{record.action} requested", record.id
                )
            )
            changed.append(copy_resource(res))
            messages.append(change_message(res, old, None))
        return changed, join_messages(messages)

    def _apply_delete(self, record: RequestRecord) -> tuple[list[Resource], str]:
        """A brand deleted or a campaign deactivated (a deactivated campaign's numbers are
        released): badge DELETED, the request's row in the timeline."""
        rtype, note = DELETE_REQUESTS[record.action]
        rid = self._key_id(rtype, (record.brand_id if rtype is ResourceType.BRAND else
                                   record.campaign_id) or "")  # fmt: skip
        res = self._resources.get((rtype, rid)) if rid else None
        if not rid or (res is not None and any(t.ref == record.id for t in res.timeline)):
            return [], ""
        old = res.badge if res is not None else None
        if res is None:
            res = self._create(rtype, rid, Badge.DELETED, Cycle.REGISTER, record.at)
        self._dirty[(rtype, rid)] = None
        self._set_state(res, Badge.DELETED, TERMINAL, record.at)
        entry = TimelineEntry(record.at, Cause.REQUEST, Badge.DELETED, f"{record.action}: {note}",
                              record.id)  # fmt: skip
        res.timeline.append(entry)
        changed, messages = [copy_resource(res)], [change_message(res, old, None)]
        released = (Badge.SUBMITTED, Badge.PENDING, Badge.LINKED, Badge.UNLINKING)
        if rtype is ResourceType.CAMPAIGN:
            for number in self.children(rid):
                if number.type is not ResourceType.NUMBER or number.badge not in released:
                    continue
                self._dirty[(number.type, number.id)] = None
                before, number.cycle = number.badge, Cycle.UNLINK
                self._set_state(number, Badge.UNLINKED, TERMINAL, record.at)
                number.timeline.append(TimelineEntry(
                    record.at, Cause.REQUEST, Badge.UNLINKED,
                    f"released: campaign {rid} deactivated", record.id,
                ))  # fmt: skip
                changed.append(copy_resource(number))
                messages.append(change_message(number, before, None))
        return changed, join_messages(messages)

    @staticmethod
    def _answered_since(res: Resource, cycle: Cycle, at: float) -> bool:
        """A callback of `cycle` arrived at or after `at` (the time the request was sent)."""
        if res.cycle != cycle:
            return False
        return any(t.cause == Cause.CALLBACK and t.at >= at for t in reversed(res.timeline))

    @staticmethod
    def _note_request(
        res: Resource,
        record: RequestRecord,
        parent: str | None,
        name: object,
        callback_url: str | None,
    ) -> None:
        if parent:
            res.parent_id = parent
        if isinstance(name, str) and name:
            res.name = name
        res.callback_url = callback_url
        res.timeline.append(
            TimelineEntry(
                record.at,
                Cause.REQUEST,
                res.badge,
                f"{record.action} requested (its callbacks arrived first)",
                record.id,
            )
        )
        res.timeline.sort(key=lambda t: t.at)

    # -- reconciliation ----------------------------------------------------------------------

    def apply_observation(self, obs: Observation, at: float) -> tuple[list[Resource], str]:
        """What the API says now. Raises the rank, or replaces one terminal state by another."""
        rid = self._key_id(obs.type, obs.id)
        if not rid:
            return [], ""
        api = obs.api_status.strip().upper() if obs.api_status else None
        key = (obs.type, rid)
        res = self._resources.get(key)
        if res is None:
            if api is None:
                return [], ""
            target = api_target(obs.type, api, None)
            badge, rank = target if target else (Badge.UNKNOWN, SUBMITTED)
            cycle = Cycle.LINK if obs.type == ResourceType.NUMBER else Cycle.REGISTER
            if badge in (Badge.UNLINKING, Badge.UNLINKED):
                cycle = Cycle.UNLINK
            res = self._create(obs.type, rid, badge, cycle, at)
            self._update_meta(res, obs)
            res.api_status = api
            self._set_state(res, badge, rank, at)
            if badge == Badge.UNKNOWN:
                res.awaiting_since = None
            note = explained_note(res, api_note(api))
            res.timeline.append(TimelineEntry(at, Cause.RECONCILE, badge, note, None))
            return [copy_resource(res)], change_message(res, None, None)
        self._dirty[key] = None
        word_before = res.api_status
        differs = self._update_meta(res, obs)
        res.api_status = api
        target = api_target(obs.type, api, res)
        if target is not None:
            badge, rank = target
            current = self._ranks[key]
            raises = rank > current
            replaces = (
                rank == TERMINAL and current == TERMINAL and not same_outcome(badge, res.badge)
            )
            if raises or replaces:
                old = res.badge
                if obs.type == ResourceType.NUMBER:
                    if badge in (Badge.UNLINKING, Badge.UNLINKED):
                        res.cycle = Cycle.UNLINK
                    elif res.cycle == Cycle.UNLINK and res.cycle_terminal:
                        res.cycle = Cycle.LINK  # linked again (elsewhere) after an unlink
                self._set_state(res, badge, rank, at, keep_awaiting=True)
                note = explained_note(res, api_note(api))
                res.timeline.append(TimelineEntry(at, Cause.RECONCILE, badge, note, None))
                return [copy_resource(res)], change_message(res, old, api_note(api))
        if api != word_before and not api_agrees(obs.type, api, res):
            differs.insert(0, f"API says {api}" if api else "absent at the API")
        rows = list(res.timeline)
        explain_rejection_row(res)
        if not differs and res.timeline == rows:
            return [], ""  # nothing differs (the API's word, if new, agrees with the badge)
        res.updated_at = at
        if differs:
            note = f"reconcile: {'; '.join(differs)}"
            res.timeline.append(TimelineEntry(at, Cause.RECONCILE, res.badge, note, None))
        return [copy_resource(res)], ""

    @staticmethod
    def _update_meta(res: Resource, obs: Observation) -> list[str]:
        """Take the API's name, parent and detail; what differed, for the timeline."""
        differs: list[str] = []
        if obs.name and obs.name != res.name:
            res.name = obs.name
            differs.append(f"name {obs.name}")
        if obs.parent_id and obs.parent_id != res.parent_id:
            res.parent_id = obs.parent_id
            differs.append(
                f"{'brand' if res.type is ResourceType.CAMPAIGN else 'campaign'} {obs.parent_id}"
            )
        new = [k for k, v in obs.detail.items() if res.detail.get(k) != v]
        if new:
            res.detail = {**res.detail, **obs.detail}
            # a rejection's reasons amend its rejection row instead (explain_rejection_row)
            shown = [k for k in new if res.badge is not Badge.REJECTED or k not in REASON_KEYS]
            if shown:
                differs.append(", ".join(difference(k, obs.detail[k]) for k in shown))
        return differs

    # -- state -------------------------------------------------------------------------------

    def _create(
        self, rtype: ResourceType, rid: str, badge: Badge, cycle: Cycle, at: float
    ) -> Resource:
        res = Resource(type=rtype, id=rid, badge=badge, updated_at=at, cycle=cycle)
        self._resources[(rtype, rid)] = res
        self._ranks[(rtype, rid)] = SUBMITTED
        self._dirty[(rtype, rid)] = None
        return res

    def _set_state(
        self, res: Resource, badge: Badge, rank: int, at: float, *, keep_awaiting: bool = False
    ) -> None:
        res.badge = badge
        res.updated_at = at
        res.cycle_terminal = rank == TERMINAL
        self._ranks[(res.type, res.id)] = rank
        if res.cycle_terminal:
            res.awaiting_since = None
        elif not (keep_awaiting and res.awaiting_since is not None):
            res.awaiting_since = at

    @staticmethod
    def _key_id(rtype: ResourceType, rid: str) -> str:
        rid = rid.strip()
        return normalise_number(rid) if rtype == ResourceType.NUMBER else rid

    # -- persistence -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (fresh containers: safe to serialise on another thread)."""
        return {"version": 1, "resources": [self.item_data(key) for key in self._resources]}

    def size(self) -> int:
        """How many resources it holds."""
        return len(self._resources)

    def keys(self) -> list[tuple[ResourceType, str]]:
        """Keys of every resource, in creation order (the order of to_dict's resources)."""
        return list(self._resources)

    def item_data(self, key: tuple[ResourceType, str]) -> dict[str, Any]:
        """One resource as it appears in to_dict()["resources"]."""
        r = self._resources[key]
        return {**r.to_dict(), "detail": dict(r.detail), "rank": self._ranks[key]}

    def item_text(self, key: tuple[ResourceType, str]) -> str | None:
        """encode(item_data(key)) as registry.json held it, while the resource is not built."""
        return self._resources.text(key)

    def raw_items(self) -> Iterable[tuple[tuple[ResourceType, str], Resource | str]]:
        """Every resource as it is held: built, or its registry.json text (ResourceMap)."""
        return self._resources.raw_items()

    def take_dirty(self) -> list[tuple[ResourceType, str]]:
        """Keys of resources created or possibly changed since the last call, in first-touch order.

        Every apply_* marks each resource it may modify (a superset of what changed), so an
        incremental copy of to_dict() stays exact when it re-reads just these keys.
        """
        dirty, self._dirty = list(self._dirty), {}
        return dirty

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Registry:
        """Inverse of to_dict; raises KeyError/ValueError/TypeError on malformed data."""
        reg = cls()
        for item in data["resources"]:
            res = Resource.from_dict(item)
            key = (res.type, res.id)
            reg._resources[key] = res
            reg._ranks[key] = rank_of(item, res)
        return reg

    @classmethod
    def from_mapped(cls, keys: list[tuple[ResourceType, str]], source: TextSource) -> Registry:
        """A registry whose resource texts stay in `source` (the snapshot file), each read and
        built on first use."""
        reg = cls()
        reg._resources.add_mapped(keys, source)
        return reg

    @property
    def text_source(self) -> TextSource | None:
        """Where the texts of resources not built yet are read from, if not memory."""
        return self._resources.source

    def held_items(self) -> Iterable[tuple[tuple[ResourceType, str], Resource | str | int]]:
        """Every resource as held: built, its text, or an index into text_source."""
        return self._resources.held_items()

    @classmethod
    def from_lines(cls, body: str) -> Registry:
        """A registry of the resources of a snapshot body (encode(item_data) texts joined by
        ",\\n"), each built on first use; ValueError if a text does not start with its key."""
        reg = cls()
        reg._resources.add_lines(body)
        return reg

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Registry:
        """A registry of resources given as encode(item_data) texts, each built on first use;
        ValueError if a text does not start with its type and id."""
        reg = cls()
        reg._resources.add_texts(texts)
        return reg
