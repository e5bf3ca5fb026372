"""Checks before a submission: brand/campaign state at the API, linked numbers, earlier attempts.

Importable without Textual. The gateway calls block (run them in the form's submit thread);
the duplicate check reads only what the store holds in memory (safe on the loop thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from receiver.domain.models import CallbackEvent, Change, RequestRecord, Resource, ResourceType

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.validation import CampaignRequest, LinkRequest
    from receiver.domain.registry import Registry
    from receiver.store.store import Store

RECENT_LIMIT = 5000  # journal entries (newest) searched for an earlier identical request
UNANSWERED_MARKERS = ("did not answer within", "cannot reach", "no answer")
BRAND_READY = "COMPLETED"
CAMPAIGN_READY = "ACTIVE"
ON_CAMPAIGN = {"COMPLETED": "linked", "PROCESSING": "being linked"}


class FindingKind(StrEnum):
    BRAND_NOT_READY = "brand_not_ready"
    USECASE_NOT_ALLOWED = "usecase_not_allowed"
    CAMPAIGN_NOT_ACTIVE = "campaign_not_active"
    ALREADY_LINKED = "already_linked"  # some numbers dropped from the request
    NOTHING_TO_LINK = "nothing_to_link"  # every number is already on the campaign
    POSSIBLE_DUPLICATE = "possible_duplicate"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a preflight check found; `blocking` ones stop the request as it is."""

    kind: FindingKind
    message: str  # one sentence: what was found and what to do
    blocking: bool
    field: str | None = None  # the form field it is about
    numbers: tuple[str, ...] = ()
    earlier: tuple[RequestRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The link request to send (numbers already on the campaign removed), or None, and why."""

    request: LinkRequest | None
    findings: tuple[Finding, ...] = ()


def check_campaign(gateway: Gateway, req: CampaignRequest) -> list[Finding]:
    """The brand must be COMPLETED at the API and allow the use case (blocking calls)."""
    brand = gateway.get_brand(req.brand_id)
    status = brand.status.upper()
    if status != BRAND_READY:
        said = status or "of no known status"
        return [
            Finding(
                FindingKind.BRAND_NOT_READY,
                f"brand {req.brand_id} is {said} at Plivo: a campaign needs a registered "
                f"({BRAND_READY}) brand; nothing was sent (press r on the main screen to refresh)",
                True,
                "brand_id",
            )
        ]
    codes = sorted(u.code for u in gateway.brand_usecases(req.brand_id))
    if codes and req.usecase not in codes:
        return [
            Finding(
                FindingKind.USECASE_NOT_ALLOWED,
                f"use case {req.usecase or '(none)'} is not allowed for brand {req.brand_id}: "
                f"choose one of {', '.join(codes)}",
                True,
                "usecase",
            )
        ]
    return []


def check_link(gateway: Gateway, req: LinkRequest) -> LinkCheck:
    """The campaign must be ACTIVE; numbers it already has (linked or linking) are left out."""
    campaign = gateway.get_campaign(req.campaign_id)
    status = campaign.status.upper()
    if status != CAMPAIGN_READY:
        said = status or "of no known status"
        finding = Finding(
            FindingKind.CAMPAIGN_NOT_ACTIVE,
            f"campaign {req.campaign_id} is {said} at Plivo: numbers link to {CAMPAIGN_READY} "
            "campaigns only; nothing was sent",
            True,
            "campaign_id",
        )
        return LinkCheck(None, (finding,))
    listed = {n.number: n.status.upper() for n in gateway.list_numbers(req.campaign_id)}
    taken = tuple(n for n in req.numbers if listed.get(n) in ON_CAMPAIGN)
    if not taken:
        return LinkCheck(req, ())
    said = ", ".join(f"+{n} ({ON_CAMPAIGN[listed[n]]})" for n in taken)
    rest = tuple(n for n in req.numbers if n not in taken)
    if not rest:
        finding = Finding(
            FindingKind.NOTHING_TO_LINK,
            f"every number is already on campaign {req.campaign_id}: {said}; nothing was sent",
            True,
            "numbers",
            taken,
        )
        return LinkCheck(None, (finding,))
    finding = Finding(
        FindingKind.ALREADY_LINKED,
        f"left out, already on campaign {req.campaign_id}: {said}",
        False,
        "numbers",
        taken,
    )
    return LinkCheck(replace(req, numbers=rest), (finding,))


# -- earlier identical requests -------------------------------------------------------------

IDENTITY: dict[str, tuple[str, str, ResourceType]] = {
    # action -> (parent key, alias key, resource type it creates)
    "brand.create": ("profile_uuid", "brand_alias", ResourceType.BRAND),
    "campaign.create": ("brand_id", "campaign_alias", ResourceType.CAMPAIGN),
}


def identity(action: str, params: Mapping[str, Any]) -> tuple[str, str] | None:
    """(profile or brand, alias lower-cased) that makes two create requests the same."""
    keys = IDENTITY.get(action)
    if keys is None:
        return None
    parent, alias = (str(params.get(k) or "").strip() for k in keys[:2])
    return (parent, alias.lower()) if parent and alias else None


def unanswered(record: RequestRecord) -> bool:
    """The request failed without an answer (timeout, network): it may have been received."""
    error = (record.error or "").lower()
    return not record.ok and any(marker in error for marker in UNANSWERED_MARKERS)


def awaiting(record: RequestRecord, registry: Registry) -> Resource | None:
    """The resource an accepted create made, while it still waits for its final callback."""
    keys = IDENTITY.get(record.action)
    if not record.ok or keys is None:
        return None
    rid = record.brand_id if keys[2] is ResourceType.BRAND else record.campaign_id
    resource = registry.get(keys[2], rid) if rid else None
    return resource if resource is not None and not resource.cycle_terminal else None


def earlier_attempt(
    entries: Iterable[CallbackEvent | RequestRecord],
    registry: Registry,
    action: str,
    params: Mapping[str, Any],
) -> Finding | None:
    """A warning when the same create was sent before and got no answer, or still awaits callbacks."""
    wanted = identity(action, params)
    if wanted is None:
        return None
    matches: list[tuple[RequestRecord, str]] = []
    for entry in entries:
        if not isinstance(entry, RequestRecord) or entry.action != action:
            continue
        if identity(action, entry.params) != wanted:
            continue
        if unanswered(entry):
            matches.append((entry, f"{entry.id} got no answer ({entry.error})"))
        elif (resource := awaiting(entry, registry)) is not None:
            matches.append((entry, f"{entry.id} made {resource.id}, still {resource.badge.value}"))
    if not matches:
        return None
    what = "brand for this profile" if action == "brand.create" else "campaign for this brand"
    record, said = matches[-1]
    more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
    return Finding(
        FindingKind.POSSIBLE_DUPLICATE,
        f"A {what} with the alias {params.get(IDENTITY[action][1])!r} was requested before: "
        f"{said}{more}. Plivo may already have it: sending again may create a duplicate.",
        False,
        earlier=tuple(r for r, _ in matches),
    )


def existing_named(registry: Registry, action: str, params: Mapping[str, Any]) -> list[Resource]:
    """Resources of the kind `action` creates whose name is the requested alias (and parent)."""
    keys = IDENTITY.get(action)
    wanted = identity(action, params)
    if keys is None or wanted is None:
        return []
    found = [r for r in registry.all(keys[2]) if r.name.strip().lower() == wanted[1]]
    if keys[2] is ResourceType.CAMPAIGN:
        found = [r for r in found if r.parent_id == wanted[0]]
    return found


class Preflight:
    """The checks a form runs before it submits, bound to one gateway and store."""

    def __init__(self, gateway: Gateway, store: Store) -> None:
        self.gateway = gateway
        self.store = store

    def campaign(self, req: CampaignRequest) -> list[Finding]:
        """Blocking: brand status and use cases at the API."""
        return check_campaign(self.gateway, req)

    def link(self, req: LinkRequest) -> LinkCheck:
        """Blocking: campaign status and the numbers already on it."""
        return check_link(self.gateway, req)

    def duplicate(self, action: str, params: Mapping[str, Any]) -> Finding | None:
        """An earlier identical create that got no answer or still awaits callbacks (no I/O)."""
        entries = self.store.recent(RECENT_LIMIT)
        return earlier_attempt(entries, self.store.registry, action, params)

    async def reconcile(self) -> Change:
        """Read everything from the API into the store (the 'reconcile first' choice)."""
        from plivo_client.reconcile import reconcile

        return await reconcile(self.gateway, self.store)

    def after_reconcile(self, action: str, params: Mapping[str, Any]) -> str:
        """One sentence on what the registry now holds under the requested alias."""
        found = existing_named(self.store.registry, action, params)
        alias = params.get(IDENTITY[action][1]) if action in IDENTITY else ""
        if not found:
            return f"Nothing named {alias!r} at Plivo yet: submit again to send it."
        said = ", ".join(f"{r.type.value} {r.id} ({r.badge.value})" for r in found)
        return f"Plivo already has {said} named {alias!r}: submit again only if you want another."
