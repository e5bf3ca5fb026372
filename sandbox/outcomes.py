"""The sandbox's outcome knobs: which requests succeed, and the reasons given when they do not.

Deterministic so tests and demos can ask for a failure:
- a brand whose brand_alias contains "reject" is rejected (FAILED, with declined_reasons);
- a campaign whose description contains "reject" is rejected (FAILED, with error_code/reason;
  an imported campaign is judged by its campaign_alias); "reject-1003" (any code of
  CAMPAIGN_DECLINES) picks the decline code, so every explanation can be tried offline;
  a brand alias with "reject-1102" (1101-1104, 1199) picks that brand reason the same way;
- a number whose last four digits are 0000 fails to link;
- a number whose last four digits are 9999 fails to unlink (it stays linked);
- everything else succeeds.
"""

from __future__ import annotations

import re

TRIGGER = "reject"

# 1101's text is Plivo's own (recorded in plivo-10dlc.md). 1102-1104 are simulator-defined
# codes worded from the reasons Plivo's support lists for brand failures (tax id vs company
# name, government entity, tax-exempt status; ../shared/10dlc-compliance.md); tendlc explains
# those by their text, never by these codes. 1199 is a reason tendlc does not know: it is
# shown as written, never guessed at.
BRAND_DECLINED_REASONS = (
    {"code": "1101", "message": "The US EIN provided is invalid."},
    {"code": "1102", "message": "The company name does not match the records for the EIN."},
    {"code": "1103", "message": "The brand is not recognised as a government entity."},
    {"code": "1104", "message": "IRS tax-exempt status was not found for this EIN."},
    {"code": "1199", "message": "The brand could not be verified with the details provided."},
)
CAMPAIGN_ERROR_CODE = "1001"
CAMPAIGN_ERROR_REASON = "The campaign content falls under a prohibited content category."
# Plivo's objects carry an `error_description` beside code and reason (plivo-go's Campaign
# model); no recorded wording exists, so this text is the sandbox's own.
CAMPAIGN_ERROR_DESCRIPTION = (
    "The sample messages or description match content the carriers do not allow; remove it, "
    "update the campaign and it is vetted again."
)
# 1001's text is Plivo's own (recorded in plivo-10dlc.md); the others are simulator-defined,
# worded from the decline meanings in ../shared/10dlc-compliance.md.
CAMPAIGN_DECLINES = {
    "1001": CAMPAIGN_ERROR_REASON,
    "1002": "The brand appears to be a reseller registering itself instead of the end business.",
    "1003": "The campaign content indicates direct lending, but the direct_lending attribute is not set.",
    "1004": "The message flow (how consent is collected) is missing or unclear.",
    "601": "The campaign attributes do not match the sample messages.",
    "602": "The use case does not match the sample messages.",
    "603": "The website, brand and sample messages are inconsistent.",
    "701": "The campaign content relates to cannabis / CBD.",
    "803": "No opt-in language was found on the website.",
    "806": "The call to action could not be verified.",
}


def brand_rejected(brand_alias: str) -> bool:
    return TRIGGER in brand_alias.lower()


def campaign_rejected(text: str) -> bool:
    return TRIGGER in text.lower()


def _picked(text: str, table: dict[str, str], default: str) -> str:
    match = re.search(rf"{TRIGGER}-(\d+)", text.lower())
    return match.group(1) if match and match.group(1) in table else default


def campaign_decline(text: str) -> tuple[str, str] | None:
    """(error_code, error_reason) when `text` asks for a rejection, else None."""
    if not campaign_rejected(text):
        return None
    code = _picked(text, CAMPAIGN_DECLINES, CAMPAIGN_ERROR_CODE)
    return code, CAMPAIGN_DECLINES[code]


def brand_declined_reasons(brand_alias: str) -> list[dict[str, str]]:
    """The declined_reasons of a rejected brand ("reject-1102" picks that one)."""
    by_code = {r["code"]: r for r in BRAND_DECLINED_REASONS}
    code = _picked(brand_alias, {k: k for k in by_code}, BRAND_DECLINED_REASONS[0]["code"])
    return [dict(by_code[code])]


# Plivo documents no reason field for a failed link (plivo-10dlc.md §2.3, §3.1: "operators
# rejected the link"); the sandbox gives one, simulator-defined, so a reason can be shown.
LINK_FAILURE_REASON = "The carriers rejected the number for this campaign."


def link_fails(number: str) -> bool:
    return number.endswith("0000")


def unlink_fails(number: str) -> bool:
    return number.endswith("9999")
