"""The sandbox's outcome knobs: which requests succeed, and the reasons given when they do not.

Deterministic so tests and demos can ask for a failure:
- a brand whose brand_alias contains "reject" is rejected (FAILED, with declined_reasons);
- a campaign whose description contains "reject" is rejected (FAILED, with error_code/reason;
  an imported campaign is judged by its campaign_alias);
- a number whose last four digits are 0000 fails to link;
- a number whose last four digits are 9999 fails to unlink (it stays linked);
- everything else succeeds.
"""

from __future__ import annotations

TRIGGER = "reject"

BRAND_DECLINED_REASONS = (
    {"code": "1101", "message": "The US EIN provided is invalid."},
    {"code": "1102", "message": "The company name does not match the records for the EIN."},
)
CAMPAIGN_ERROR_CODE = "1001"
CAMPAIGN_ERROR_REASON = "The campaign content falls under a prohibited content category."
# Plivo's objects carry an `error_description` beside code and reason (plivo-go's Campaign
# model); no recorded wording exists, so this text is the sandbox's own.
CAMPAIGN_ERROR_DESCRIPTION = (
    "The sample messages or description match content the carriers do not allow; remove it, "
    "update the campaign and it is vetted again."
)


def brand_rejected(brand_alias: str) -> bool:
    return TRIGGER in brand_alias.lower()


def campaign_rejected(text: str) -> bool:
    return TRIGGER in text.lower()


def link_fails(number: str) -> bool:
    return number.endswith("0000")


def unlink_fails(number: str) -> bool:
    return number.endswith("9999")
