"""Fees before billable calls, and the throughput a brand or campaign gets: as published.

Figures come from ../shared/10dlc-compliance.md (Plivo support articles, read in late 2026).
They are never a quote: every line says where it comes from and to check Plivo's pricing page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOURCE_DATE = "as published in Plivo's support articles, read late 2026"
CHECK_PRICING = "Check Plivo's pricing page (plivo.com/pricing) before relying on these figures."


@dataclass(frozen=True, slots=True)
class Fee:
    what: str
    amount: str
    source: str


CAMPAIGN_VETTING = Fee(
    "campaign vetting", "$15 per campaign (since 2023-02-01)", "Plivo support, 10DLC fees"
)
TMOBILE_ACTIVATION = Fee("T-Mobile campaign activation", "$50", "Plivo support, 10DLC fees")
TMOBILE_NON_USE = Fee(
    "T-Mobile non-use fee",
    "$250 if the campaign sends no T-Mobile traffic for 60 days",
    "Plivo support, 10DLC fees",
)
STARTER_BRAND = Fee("Starter brand", "$4, plus $2 per month", "Plivo support, 10DLC fees")


def fees_for(action: str, *, brand_type: str = "", secondary_vetting: bool = False) -> list[Fee]:
    """The published fees that apply to `action`: brand_create, campaign_create,
    campaign_update (a resubmit is vetted again), campaign_delete."""
    if action == "brand_create":
        # The shared facts name no fee for standard brands or for secondary vetting: say so
        # rather than invent one (fee_lines adds the pricing-page line).
        return [STARTER_BRAND] if brand_type.upper() == "STARTER" else []
    if action == "campaign_create":
        return [CAMPAIGN_VETTING, TMOBILE_ACTIVATION, TMOBILE_NON_USE]
    if action == "campaign_update":
        # Plivo API docs, update a campaign: it "resubmits to carriers (vetting fee)".
        return [CAMPAIGN_VETTING]
    if action == "campaign_delete":
        return []  # no published fee for deleting; vetting paid is not refunded (not sourced)
    raise ValueError(f"unknown billable action {action!r}")


def fee_lines(action: str, **kwargs: Any) -> list[str]:
    """What a confirm step shows: each fee with its source and date, then the pricing line."""
    fees = fees_for(action, **kwargs)
    lines = [f"{f.what}: {f.amount} ({f.source}, {SOURCE_DATE})" for f in fees]
    if not fees:
        lines.append(f"no published fee found for this step ({SOURCE_DATE})")
    if action == "campaign_update":
        lines.append(
            "an update resubmits the campaign to the carriers for vetting (Plivo API docs)"
        )
    if action == "brand_create" and kwargs.get("secondary_vetting"):
        lines.append("secondary vetting may carry a fee: none is published in our sources")
    lines.append(CHECK_PRICING)
    return lines


# Plivo support, 10DLC throughput: messages per minute by vetting score (AT&T-style limits).
THROUGHPUT_SOURCE = "Plivo support, 10DLC throughput"
SCORE_TIERS = ((75, 4500), (50, 2400), (1, 240))
LOW_VOLUME_TPM = 75
UNVETTED_TPM = 240
AT_AND_T_SCOPE = "sources disagree whether this limit is per brand (Plivo) or per campaign (Sinch)"
TMOBILE_NOTE = (
    "T-Mobile caps messages per day per brand (tax id) in tiers of 200k / 40k / 10k / 2k "
    "(AWS messaging blog), reset at midnight Pacific (Bird docs)"
)
MMS_NOTE = "MMS: 50 per minute per number per operator (Plivo support, 10DLC throughput)"


def brand_throughput(vetting_score: object, *, usecase: str = "") -> str:
    """The messages per minute a brand's vetting score gets, with where it comes from."""
    if usecase.upper() == "LOW_VOLUME":
        tpm, why = LOW_VOLUME_TPM, "low-volume use case"
    else:
        score = _int(vetting_score)
        if score is None or score <= 0:
            tpm, why = UNVETTED_TPM, "no secondary vetting score"
        else:
            tpm = next(t for floor, t in SCORE_TIERS if score >= floor)
            why = f"vetting score {score}"
    return f"{tpm:,} messages/min ({why}; {THROUGHPUT_SOURCE}; {AT_AND_T_SCOPE})"


def campaign_throughput(mno_metadata: object) -> list[str]:
    """Per-carrier figures from a campaign's `mno_metadata` (they win over the score table)."""
    if not isinstance(mno_metadata, Mapping):
        return []
    lines = []
    for carrier, info in mno_metadata.items():
        if not isinstance(info, Mapping):
            continue
        parts = []
        if (tpm := info.get("tpm")) not in (None, ""):
            parts.append(f"{tpm} messages/min")
        if tier := info.get("brand_tier"):
            parts.append(f"brand tier {tier}")
        if parts:
            lines.append(f"{carrier}: {', '.join(parts)} (from Plivo's mno_metadata)")
    return lines


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
