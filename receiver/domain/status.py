"""Status rules: what each callback, request and API status means for a resource's badge and rank."""

from __future__ import annotations

from receiver.domain.models import Badge, Cycle, Kind, Resource, ResourceType

SUBMITTED, CREATED, TERMINAL = 0, 1, 2
"""Ranks within a cycle: a change applies only if it raises the rank (DESIGN.md "Status model")."""

REGISTRATION: dict[str, tuple[Badge, int, str]] = {
    "created": (Badge.PENDING, CREATED, "created"),
    "registered": (Badge.REGISTERED, TERMINAL, "registered"),
    "rejected": (Badge.REJECTED, TERMINAL, "rejected"),
}
"""Brands and campaigns register the same way: callback status -> (badge, rank, note)."""

CALLBACK_RULES: dict[Kind, tuple[ResourceType, Cycle, dict[str, tuple[Badge, int, str]]]] = {
    Kind.BRAND: (ResourceType.BRAND, Cycle.REGISTER, REGISTRATION),
    Kind.CAMPAIGN: (ResourceType.CAMPAIGN, Cycle.REGISTER, REGISTRATION),
    Kind.NUMBER_LINKING: (
        ResourceType.NUMBER,
        Cycle.LINK,
        {
            "created": (Badge.PENDING, CREATED, "created"),
            "success": (Badge.LINKED, TERMINAL, "success"),
            "failed": (Badge.FAILED, TERMINAL, "failed"),
        },
    ),
    Kind.NUMBER_UNLINKING: (
        ResourceType.NUMBER,
        Cycle.UNLINK,
        {
            "created": (Badge.UNLINKING, CREATED, "created"),
            "success": (Badge.UNLINKED, TERMINAL, "success"),
            "failed": (Badge.LINKED, TERMINAL, "unlink failed"),
        },
    ),
}
"""kind -> (resource type, cycle, {callback status: (badge, rank, timeline note)})."""

REQUEST_RULES: dict[str, tuple[ResourceType, Cycle, Badge]] = {
    "brand.create": (ResourceType.BRAND, Cycle.REGISTER, Badge.SUBMITTED),
    "campaign.create": (ResourceType.CAMPAIGN, Cycle.REGISTER, Badge.SUBMITTED),
    "campaign.update": (ResourceType.CAMPAIGN, Cycle.REGISTER, Badge.SUBMITTED),
    "campaign.import": (ResourceType.CAMPAIGN, Cycle.REGISTER, Badge.SUBMITTED),
    "number.link": (ResourceType.NUMBER, Cycle.LINK, Badge.SUBMITTED),
    "number.unlink": (ResourceType.NUMBER, Cycle.UNLINK, Badge.UNLINKING),
}
"""Request action -> (resource type, cycle, badge) of the cycle a successful request starts."""

DELETE_REQUESTS: dict[str, tuple[ResourceType, str]] = {
    "brand.delete": (ResourceType.BRAND, "deleted at Plivo"),
    "campaign.delete": (ResourceType.CAMPAIGN, "deactivated at Plivo; its numbers released"),
}
"""Request action -> (resource type, timeline note) of a delete: no callback follows, the
accepted request is the outcome (badge DELETED)."""

API_BADGES: dict[ResourceType, dict[str, Badge]] = {
    ResourceType.BRAND: {
        "PROCESSING": Badge.PENDING,
        "COMPLETED": Badge.REGISTERED,
        "FAILED": Badge.REJECTED,
    },
    ResourceType.CAMPAIGN: {
        "PROCESSING": Badge.PENDING,
        "ACTIVE": Badge.REGISTERED,
        "FAILED": Badge.REJECTED,
        "EXPIRED": Badge.EXPIRED,
    },
}
"""Brand and campaign API statuses (upper-case) -> badge; numbers are mapped by api_target()."""

REASON_KEYS = ("declined_reasons", "error_code", "error_reason", "reason", "failure_reason")
"""Callback fields copied into Resource.detail (matched case-insensitively)."""


def normalise_number(number: str) -> str:
    """Numbers are keyed by digits only: '+1 484-500-7032' -> '14845007032'."""
    return "".join(ch for ch in number if ch.isdigit())


def reasons(params: dict[str, str]) -> dict[str, str]:
    """The non-empty REASON_KEYS fields of a callback, keys lower-cased."""
    wanted = set(REASON_KEYS)
    return {k.lower(): v for k, v in params.items() if k.lower() in wanted and v}


def api_target(
    rtype: ResourceType, api: str | None, res: Resource | None
) -> tuple[Badge, int] | None:
    """Badge and rank an API status maps to, given the resource's cycle (None: no change)."""
    if rtype != ResourceType.NUMBER:
        badge = API_BADGES[rtype].get(api) if api else None
        if badge is None:
            return None
        return badge, CREATED if badge == Badge.PENDING else TERMINAL
    unlinking = res is not None and res.cycle == Cycle.UNLINK
    if api is None:
        if res is not None and (unlinking or res.badge == Badge.LINKED):
            return Badge.UNLINKED, TERMINAL
        return None
    if api == "PROCESSING":
        return (Badge.UNLINKING if unlinking else Badge.PENDING), CREATED
    if api == "COMPLETED":
        if unlinking and res is not None and not res.cycle_terminal:
            return None  # unlink still under way: the number stays listed until it is done
        return Badge.LINKED, TERMINAL
    if api == "FAILED":
        return Badge.FAILED, TERMINAL
    return None


def api_agrees(rtype: ResourceType, api: str | None, res: Resource) -> bool:
    """The API's word says what the badge already shows (a confirmation, not a difference).

    A number still listed COMPLETED while its unlink runs agrees too: Plivo lists it until the
    unlink is done.
    """
    target = api_target(rtype, api, res)
    if target is None:
        return rtype is ResourceType.NUMBER and api == "COMPLETED" and res.cycle == Cycle.UNLINK
    return same_outcome(target[0], res.badge)


def same_outcome(api_badge: Badge, badge: Badge) -> bool:
    """The API's badge says what `badge` says: Plivo lists a deactivated campaign as EXPIRED."""
    return api_badge == badge or (api_badge is Badge.EXPIRED and badge is Badge.DELETED)
