"""Decline explanations: known brand and campaign rejection codes, in plain words, with the fix.

Every entry names its source (../shared/10dlc-compliance.md collects them). An unknown code
is never guessed at: `explain` returns None and the caller shows Plivo's own text as-is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from receiver.domain.models import Badge, Cause, Resource

PLIVO_REJECTIONS = "Plivo support, campaign rejections"
PHONESPEAK = "Phonespeak knowledge base, TCR/CSP rejection codes (wording varies by CSP)"
PLIVO_BRAND_API = "Plivo API docs, brand object (declined_reasons)"


@dataclass(frozen=True, slots=True)
class Decline:
    """What a rejection code means, the fix, and the form field it most concerns."""

    code: str
    meaning: str
    fix: str
    field: str | None
    source: str
    final: bool = False  # True: the campaign cannot be fixed by an update


CAMPAIGN_DECLINES: dict[str, Decline] = {
    d.code: d
    for d in (
        Decline(
            "1001",
            "the content falls in a prohibited category",
            "not registrable: this content cannot be sent over 10DLC",
            "description",
            PLIVO_REJECTIONS,
            final=True,
        ),
        Decline(
            "1002",
            "a reseller registered itself as the brand instead of the end business",
            "register the end business's own brand, then a campaign under it",
            None,
            PLIVO_REJECTIONS,
            final=True,
        ),
        Decline(
            "1003",
            "direct-lending content without the direct_lending attribute",
            "attributes cannot be changed: delete this campaign and create a new one with "
            "direct_lending set",
            "direct_lending",
            PLIVO_REJECTIONS,
            final=True,
        ),
        Decline(
            "1004",
            "the message flow (how consent is collected) is missing or unclear",
            "describe the opt-in concretely: where it happens, how, and what the user sees",
            "message_flow",
            PLIVO_REJECTIONS,
        ),
        Decline(
            "601",
            "the campaign's attributes do not match its samples (e.g. links in samples but "
            "embedded_link false)",
            "make embedded_link / embedded_phone match what the samples contain",
            "embedded_link",
            PHONESPEAK,
        ),
        Decline(
            "602",
            "the use case does not match the samples",
            "choose the use case the samples show, or rewrite the samples for it",
            "usecase",
            PHONESPEAK,
        ),
        Decline(
            "603",
            "the website, the brand and the samples are inconsistent",
            "name the brand in the samples and make sure its website shows the same business",
            "sample1",
            PHONESPEAK,
        ),
        Decline(
            "701",
            "cannabis / CBD content",
            "not registrable over 10DLC",
            "description",
            PHONESPEAK,
            final=True,
        ),
        Decline(
            "803",
            "no opt-in language on the website",
            "publish the opt-in (with STOP/HELP, frequency and rates disclosures) on the site",
            "message_flow",
            PHONESPEAK,
        ),
        Decline(
            "806",
            "the call to action cannot be verified",
            "describe where the call to action lives (a public URL or a screenshot link) so "
            "the reviewer can see it",
            "message_flow",
            PHONESPEAK,
        ),
    )
}

BRAND_DECLINES: dict[str, Decline] = {
    "1101": Decline(
        "1101",
        "the US EIN provided is invalid",
        "enter the EIN exactly as the IRS issued it, with the exact legal company name "
        '("Plivo Inc.", not "Plivo")',
        "ein",
        PLIVO_BRAND_API,
    ),
}


PLIVO_BRAND_FAILURES = "Plivo support, brand registration failures"

# Plivo support, brand registration failures: the reasons it lists carry no codes, so they are
# recognised by what Plivo's text says; Plivo's own text is always shown beside the explanation.
BRAND_REASONS: tuple[tuple[re.Pattern[str], Decline], ...] = (
    (
        re.compile(
            r"(?i)\b(ein|tax ?id|tin)\b.*\b(match|mismatch)|\b(match|mismatch)\w*\b.*\b(ein|tax ?id)\b"
        ),
        Decline(
            "",
            "the tax id does not match the company name or business type",
            'make the profile\'s legal company name exact ("Plivo Inc.", not "Plivo") and its '
            "entity type the one on the IRS record for the EIN, then register the brand again",
            "company_name",
            PLIVO_BRAND_FAILURES,
        ),
    ),
    (
        re.compile(r"(?i)\bgovernment\b"),
        Decline(
            "",
            "the business is not recognised as a government entity",
            "use the GOVERNMENT entity type only for a recognised government body; otherwise "
            "choose the type that fits in the profile, then register the brand again",
            "entity_type",
            PLIVO_BRAND_FAILURES,
        ),
    ),
    (
        re.compile(r"(?i)\btax[- ]?exempt|\bnon[- ]?profit"),
        Decline(
            "",
            "IRS tax-exempt status was not found for this non-profit",
            "check the EIN is the one with IRS tax-exempt status, or choose the entity type "
            "that fits in the profile, then register the brand again",
            "entity_type",
            PLIVO_BRAND_FAILURES,
        ),
    ),
)


def explain(code: object, *, brand: bool = False, text: str | None = None) -> Decline | None:
    """The known decline for `code` (a campaign's, or a brand's with `brand=True`), else None.
    A brand's reason without a known code is recognised by its `text` when Plivo's support
    article lists it (BRAND_REASONS)."""
    key = str(code).strip() if code is not None else ""
    table = BRAND_DECLINES if brand else CAMPAIGN_DECLINES
    if (known := table.get(key)) is not None or not brand or not text:
        return known
    return next((decline for rx, decline in BRAND_REASONS if rx.search(text)), None)


def describe(code: object, text: str | None, *, brand: bool = False) -> str:
    """One line for a rejection: the explanation and fix when the code is known, else Plivo's
    own text as-is (never a guess), followed by the explanation when the text is a reason
    Plivo's support lists."""
    known = explain(code, brand=brand, text=text)
    given = (text or "").strip()
    if known is not None and known.code:
        return f"code {known.code}: {known.meaning}. Fix: {known.fix} (source: {known.source})"
    prefix = f"code {code}: " if code not in (None, "") else ""
    said = f"{prefix}{given}" if given else f"{prefix}no reason given".strip()
    if known is None:
        return said
    return f"{said} — {known.meaning}. Fix: {known.fix} (source: {known.source})"


LINK_FAILED_UNEXPLAINED = (
    "Plivo gave no reason (its docs: the operators rejected the link); link it again, or ask "
    "Plivo support"
)
"""What a failed link's detail says when neither its callback nor the API said why."""

CODE_IN_TEXT = re.compile(r"\((\d{3,4})\)\s*$")


def brief(code: object, text: str | None, *, brand: bool = False) -> str:
    """The short form for a toast or a timeline row: the code and what it means when known,
    else the code and Plivo's own text as-is (never a guess)."""
    known = explain(code, brand=brand, text=text)
    if known is not None and known.code:
        return f"code {known.code}: {known.meaning}"
    given = (text or "").strip()
    if known is not None and given:  # Plivo's words first, then what they mean
        prefix = f"code {code}: " if code not in (None, "") else ""
        return f"{prefix}{given} ({known.meaning})"
    return describe(code, text, brand=brand)


def reasons_of(kind: str, detail: Mapping[str, Any]) -> list[tuple[object, str | None]]:
    """(code, Plivo's text) for each rejection reason a resource's detail carries.

    Campaigns carry `error_code` / `error_reason` (API and callbacks); brands carry
    `declined_reasons`, as reconcile stores them ("message (code)") or as a callback sent them;
    a number whose link failed may carry `failure_reason` (or a callback's `reason`).
    """
    if kind == "number":
        keys = ("failure_reason", "reason", "error_reason")
        return [(None, str(detail[k])) for k in keys if detail.get(k)][:1]
    if kind == "campaign":
        code, text = detail.get("error_code"), detail.get("error_reason") or detail.get("reason")
        return [(code, str(text) if text else None)] if code or text else []
    if kind != "brand":
        return []
    raw = detail.get("declined_reasons")
    items = raw if isinstance(raw, list | tuple) else [raw] if raw else []
    found: list[tuple[object, str | None]] = []
    for item in items:
        if isinstance(item, Mapping):
            code, text = item.get("code"), item.get("message") or item.get("description")
        else:
            text = str(item)
            match = CODE_IN_TEXT.search(text)
            code = match.group(1) if match else None
            text = CODE_IN_TEXT.sub("", text).strip() if match else text
        found.append((code, str(text) if text else None))
    return found


def resource_declines(kind: str, detail: Mapping[str, Any]) -> list[str]:
    """One line per rejection reason a resource's detail carries, explained with the fix when
    known (the detail screen, `tendlc status`)."""
    brand = kind == "brand"
    return [describe(code, text, brand=brand) for code, text in reasons_of(kind, detail)]


def rejection_brief(kind: str, detail: Mapping[str, Any]) -> str:
    """Every reason in short ("code 1004: …; code 601: …"), "" when the detail carries none."""
    brand = kind == "brand"
    return "; ".join(brief(code, text, brand=brand) for code, text in reasons_of(kind, detail))


WHY = " — "
"""Joins a rejection's timeline note and its reasons: 'callback: rejected — code 1004: …'."""


def explained_note(res: Resource, note: str) -> str:
    """A rejection's note with its reasons in short, when the resource's detail has them."""
    if res.badge is not Badge.REJECTED:
        return note
    why = rejection_brief(res.type.value, res.detail)
    return f"{note}{WHY}{why}" if why else note


def explain_rejection_row(res: Resource) -> None:
    """Reasons that arrive after the rejection (a callback carries none; reconcile reads them)
    go onto the current cycle's rejection row, so its timeline says why."""
    if res.badge is not Badge.REJECTED:
        return
    for index in range(len(res.timeline) - 1, -1, -1):
        entry = res.timeline[index]
        if entry.cause is Cause.REQUEST:
            return  # a new cycle began after the last rejection: nothing of this one to amend
        if entry.badge is Badge.REJECTED:
            note = explained_note(res, entry.detail.split(WHY, 1)[0])
            if note != entry.detail:
                res.timeline[index] = replace(entry, detail=note)
            return
