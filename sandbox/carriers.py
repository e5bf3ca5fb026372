"""The per-carrier terms (`mno_metadata`) a campaign reports, from its brand's type and vetting.

Plivo's recorded campaign lists (plivo-python and plivo-go `campaignListResponse.json`) show
three shapes, always with the four carrier keys below:
- STARTER brands: every carrier 15 TPM, T-Mobile tier SOLE_PROPRIETOR (or LOW);
- a STANDARD brand without secondary vetting (BCKWPKX there): 240 TPM, tier LOW;
- vetted STANDARD brands: 4500 TPM, tier TOP (also the docs' retrieve example).
An imported (shared) campaign has no brand in the account; the sandbox gives it the TOP terms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.world import Brand

CARRIERS = ("AT&T", "T-Mobile", "US Cellular", "Verizon Wireless")
BRAND_TIERS = ("TOP", "LOW", "SOLE_PROPRIETOR")


def _terms(tpm: int, tier: str) -> dict[str, dict[str, Any]]:
    return {
        carrier: ({"brand_tier": tier} if carrier == "T-Mobile" else {"tpm": tpm})
        for carrier in CARRIERS
    }


def mno_metadata(brand: Brand | None) -> dict[str, dict[str, Any]]:
    if brand is None:
        return _terms(4500, "TOP")
    if brand.brand_type == "STARTER":
        return _terms(15, "SOLE_PROPRIETOR")
    if brand.vetting_status == "ACTIVE":
        return _terms(4500, "TOP")
    return _terms(240, "LOW")
