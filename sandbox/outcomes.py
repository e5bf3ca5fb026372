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

from typing import Any

TRIGGER = "reject"

BRAND_DECLINED_REASONS = (
    {"code": "1101", "message": "The US EIN provided is invalid."},
    {"code": "1102", "message": "The company name does not match the records for the EIN."},
)
CAMPAIGN_ERROR_CODE = "1001"
CAMPAIGN_ERROR_REASON = "The campaign content falls under a prohibited content category."

# what an ACTIVE campaign reports per carrier, by brand type
MNO_METADATA: dict[str, dict[str, dict[str, Any]]] = {
    "STANDARD": {
        "AT&T": {"tpm": 4500},
        "T-Mobile": {"brand_tier": "TOP"},
        "US Cellular": {"tpm": 4500},
        "Verizon Wireless": {"tpm": 4500},
    },
    "STARTER": {
        "AT&T": {"tpm": 15},
        "T-Mobile": {"brand_tier": "SOLE_PROPRIETOR"},
        "US Cellular": {"tpm": 15},
        "Verizon Wireless": {"tpm": 15},
    },
}


def brand_rejected(brand_alias: str) -> bool:
    return TRIGGER in brand_alias.lower()


def campaign_rejected(text: str) -> bool:
    return TRIGGER in text.lower()


def link_fails(number: str) -> bool:
    return number.endswith("0000")


def unlink_fails(number: str) -> bool:
    return number.endswith("9999")
