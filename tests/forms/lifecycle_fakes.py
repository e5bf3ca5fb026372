"""A fake gateway with the lifecycle calls, for the lifecycle form tests and snapshots."""

from __future__ import annotations

from typing import Any

from plivo_client.types import BrandInfo, GatewayError, Submitted

from .conftest import FakeGateway

REJECTED_CAMPAIGN: dict[str, Any] = {
    "campaign_id": "CREJ001",
    "registration_status": "FAILED",
    "brand_id": "BREG001",
    "usecase": "CUSTOMER_CARE",
    "campaign_alias": "harbor-reminders",
    "description": "Appointment reminders and follow-ups for Harbor Point Dental patients.",
    "sample1": "Harbor Point Dental: your cleaning is tomorrow at 9:30. Reply STOP to opt out.",
    "sample2": "Harbor Point Dental: reply C to confirm your appointment, HELP for help.",
    "message_flow": "Patients opt in at the front desk.",
    "help_message": "Harbor Point Dental: call 813-555-0142 for help. Reply STOP to opt out.",
    "optout_message": "You are unsubscribed from Harbor Point Dental texts. Reply START to rejoin.",
    "help_keywords": "HELP",
    "optout_keywords": "STOP",
    "error_code": "1004",
    "error_reason": "The message flow (call to action) is missing or unclear.",
}


class LifecycleGateway(FakeGateway):
    """FakeGateway plus read_campaign, update/delete, brand delete/OTP, account numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.campaign = dict(REJECTED_CAMPAIGN)
        self.read_error: GatewayError | None = None
        self.numbers: list[dict[str, Any]] = []

    def read_campaign(self, campaign_id: str) -> dict[str, Any]:
        self.calls.append(("campaign.read", campaign_id))
        if self.read_error is not None:
            raise self.read_error
        return dict(self.campaign, campaign_id=campaign_id)

    def get_brand(self, brand_id: str) -> BrandInfo:
        self.calls.append(("brand.read", brand_id))
        return BrandInfo(
            brand_id, "harbor", "STANDARD", "COMPLETED", "p-acme", "Harbor Point Dental"
        )

    def update_campaign(self, req: Any) -> Submitted:
        return self._answer("campaign.update", req, campaign_id=req.campaign_id)

    def import_campaign(self, req: Any) -> Submitted:
        return self._answer("campaign.import", req, campaign_id=req.campaign_id)

    def delete_campaign(self, campaign_id: str) -> Submitted:
        return self._answer("campaign.delete", campaign_id, campaign_id=campaign_id)

    def delete_brand(self, brand_id: str) -> Submitted:
        return self._answer("brand.delete", brand_id, brand_id=brand_id)

    def brand_otp(self, brand_id: str) -> Submitted:
        return self._answer("brand.otp", brand_id, brand_id=brand_id)

    def account_numbers(self, **filters: str) -> list[dict[str, Any]]:
        self.calls.append(("numbers.account", filters))
        return [dict(n) for n in self.numbers]


PROFILES_API: list[dict[str, Any]] = [
    {"profile_uuid": "p-acme", "profile_alias": "acme-main", "company_name": "Acme Corp",
     "entity_type": "PRIVATE", "vertical": "RETAIL", "ein": "12-3456789",
     "ein_issuing_country": "US", "profile_type": "PRIMARY", "customer_type": "DIRECT",
     "website": "https://acme.example",
     "address": {"street": "1 Main St", "city": "Tampa", "state": "FL", "postal_code": "33602",
                 "country": "US"},
     "authorized_contact": {"first_name": "Rosa", "last_name": "Diaz", "email": "rosa@acme.example",
                            "title": "Owner", "seniority": "CEO", "phone": "+18135550142"}},
    {"profile_uuid": "p-solo", "profile_alias": "jane-solo", "company_name": "Jane Doe",
     "entity_type": "INDIVIDUAL", "vertical": "PROFESSIONAL", "profile_type": "SECONDARY",
     "customer_type": "DIRECT"},
]  # fmt: skip


REJECTED_BRAND: dict[str, Any] = {
    "brand_id": "BREJ001", "brand_alias": "acme", "brand_type": "STANDARD",
    "registration_status": "FAILED", "profile_uuid": "p-acme", "secondary_vetting": False,
    "declined_reasons": [
        {"code": "1102", "message": "The company name does not match the records for the EIN."}
    ],
}  # fmt: skip


class ProfileGateway(LifecycleGateway):
    """LifecycleGateway plus the raw profile and brand reads and profile create/update/delete."""

    def __init__(self) -> None:
        super().__init__()
        self.brand = dict(REJECTED_BRAND)

    def read_brand(self, brand_id: str) -> dict[str, Any]:
        return dict(self.brand, brand_id=brand_id)

    def read_profile(self, uuid: str) -> dict[str, Any]:
        return next(dict(p) for p in PROFILES_API if p["profile_uuid"] == uuid)

    def read_profiles(self) -> list[dict[str, Any]]:
        return [dict(p) for p in PROFILES_API]

    def create_profile(self, req: Any) -> Submitted:
        return self._answer("profile.create", req)

    def update_profile(self, req: Any) -> Submitted:
        return self._answer("profile.update", req)

    def delete_profile(self, uuid: str) -> Submitted:
        return self._answer("profile.delete", uuid)
