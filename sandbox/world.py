"""The sandbox's in-memory account: profiles, brands, campaigns, linked numbers, and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from receiver.domain.models import Clock
from sandbox.carriers import mno_metadata
from sandbox.ids import IdMint
from sandbox.inventory import SEED_NUMBERS, AccountNumber
from sandbox.seed import SEED_BRAND, SEED_BRAND_PROFILE, SEED_CAMPAIGN, SEED_PROFILES

PROFILE_TEXT_FIELDS = (
    "profile_alias", "customer_type", "entity_type", "company_name", "vertical", "ein",
    "ein_issuing_country", "stock_symbol", "stock_exchange", "alt_business_id",
    "alt_business_id_type", "website", "plivo_subaccount", "business_contact_email",
    "doing_business_as",
)  # fmt: skip
BRAND_COMPANY_FIELDS = (
    "company_name", "ein", "ein_issuing_country", "entity_type", "vertical", "website",
    "stock_symbol", "stock_exchange", "alt_business_id", "alt_business_id_type",
    "address", "authorized_contact",
)  # fmt: skip
CAMPAIGN_TEXT_FIELDS = (
    "description", "sample1", "sample2", "sample3", "sample4", "sample5", "message_flow",
    "help_message", "optin_message", "optin_keywords", "optout_message", "optout_keywords",
    "help_keywords", "terms_and_conditions_link", "privacy_policy_link",
)  # fmt: skip


def iso(ts: float) -> str:
    """Plivo's timestamp format: ISO-8601 with microseconds and `Z`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


ADDRESS_KEYS = ("street", "city", "state", "postal_code", "country")


def _prune(data: dict[str, Any]) -> dict[str, Any]:
    """Plivo omits empty fields rather than sending null."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _address(value: dict[str, str]) -> dict[str, str]:
    """Plivo sends `address` even when unknown, with all five keys blank (recorded brand lists)."""
    return {k: value.get(k, "") for k in ADDRESS_KEYS}


def _contact(value: dict[str, str], *, named: bool) -> dict[str, str]:
    """`authorized_contact`, `{}` when unknown (as recorded). Profiles also carry `name`, first
    and last name joined by a space, as Plivo's recorded profile retrieve does."""
    if not value:
        return {}
    out = dict(value)
    if named:
        out["name"] = f"{value.get('first_name', '')} {value.get('last_name', '')}"
    return out


@dataclass(slots=True)
class Profile:
    profile_uuid: str
    profile_type: str  # PRIMARY / SECONDARY
    created_at: float
    text: dict[str, str] = field(default_factory=dict)  # keys from PROFILE_TEXT_FIELDS
    address: dict[str, str] = field(default_factory=dict)
    authorized_contact: dict[str, str] = field(default_factory=dict)
    primary_profile: str = ""

    @property
    def ein(self) -> str:
        return self.text.get("ein", "")

    def to_json(self) -> dict[str, Any]:
        out = _prune(
            {
                "profile_uuid": self.profile_uuid,
                "profile_type": self.profile_type,
                "primary_profile": self.primary_profile,
                **{k: self.text.get(k, "") for k in PROFILE_TEXT_FIELDS},
                "created_at": iso(self.created_at),
            }
        )
        out["address"] = _address(self.address)
        out["authorized_contact"] = _contact(self.authorized_contact, named=True)
        return out


@dataclass(slots=True)
class Brand:
    brand_id: str
    brand_alias: str
    brand_type: str
    profile_uuid: str
    created_at: float
    company: dict[str, Any]  # snapshot of the profile's company fields (BRAND_COMPANY_FIELDS)
    secondary_vetting: bool = False
    business_contact_email: str = ""
    registration_status: str = "PROCESSING"
    url: str = ""
    method: str = "POST"
    cycle: int = 0  # bumped by every request that restarts the lifecycle
    declined_reasons: list[dict[str, str]] = field(default_factory=list)
    vetting_score: int | None = None
    vetting_status: str = ""
    mobile_phone: str = ""  # STARTER: the mobile the OTP goes to (digits)

    def to_json(self) -> dict[str, Any]:
        out = _prune(
            {
                "brand_id": self.brand_id,
                "brand_alias": self.brand_alias,
                "brand_type": self.brand_type,
                "profile_uuid": self.profile_uuid,
                **{k: self.company.get(k, "") for k in BRAND_COMPANY_FIELDS},
                "business_contact_email": self.business_contact_email,
                "registration_status": self.registration_status,
                "vetting_score": self.vetting_score,
                "vetting_status": self.vetting_status,
                "declined_reasons": [dict(r) for r in self.declined_reasons],
                "created_at": iso(self.created_at),
            }
        )
        out["address"] = _address(self.company.get("address") or {})
        contact = dict(self.company.get("authorized_contact") or {})
        contact.pop("name", None)  # brands record the contact without the profile's `name`
        out["authorized_contact"] = contact
        return out


@dataclass(slots=True)
class Campaign:
    campaign_id: str
    brand_id: str
    created_at: float
    campaign_alias: str = ""
    vertical: str = ""
    usecase: str = ""
    sub_usecases: list[str] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)  # keys from CAMPAIGN_TEXT_FIELDS
    attributes: dict[str, bool] = field(default_factory=dict)
    reseller_id: str = ""
    campaign_source: str = "plivo"
    registration_status: str = "PROCESSING"
    url: str = ""
    method: str = "POST"
    cycle: int = 0
    error_code: str = ""
    error_reason: str = ""
    error_description: str = ""
    # per-carrier terms, set when the campaign is registered or imported and kept in every
    # state: Plivo's recorded lists show them on PROCESSING and FAILED campaigns too
    mno_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {
            "campaign_id": self.campaign_id,
            "registration_status": self.registration_status,
            "reseller_id": self.reseller_id,
            "brand_id": self.brand_id,
            "usecase": self.usecase,
            "sub_usecase": ",".join(self.sub_usecases),
            "campaign_alias": self.campaign_alias,
            "mno_metadata": self.mno_metadata,
            **{k: self.text.get(k, "") for k in CAMPAIGN_TEXT_FIELDS},
            "campaign_attributes": dict(self.attributes),
            "vertical": self.vertical,
            "campaign_source": self.campaign_source,
            "error_code": self.error_code,
            "error_reason": self.error_reason,
            "error_description": self.error_description,
            "created_at": iso(self.created_at),
        }
        out = _prune(data)
        out["reseller_id"] = self.reseller_id  # the docs example shows it even when empty
        return out


@dataclass(slots=True)
class LinkedNumber:
    number: str  # digits, no "+"
    campaign_id: str
    status: str = "PROCESSING"  # PROCESSING / COMPLETED / FAILED
    cycle: int = 0
    unlinking: bool = False  # an unlink request is in flight
    failure_reason: str = ""  # a FAILED link's reason (simulator-defined field)

    def to_json(self) -> dict[str, Any]:
        out = {"number": self.number, "status": self.status}
        if self.status == "FAILED" and self.failure_reason:
            out["failure_reason"] = self.failure_reason
        return out


class World:
    """Everything one sandbox account holds. Mutated only on the event loop.

    It starts with the seed: the example profiles and the account's rented numbers and, with
    `preregistered`, one registered brand with an ACTIVE campaign holding two of the numbers
    (what `tendlc sandbox` and the console show). Seeded ids are fixed, not drawn from `mint`,
    so `--seed N` gives the same ids it always did for everything created later.
    """

    def __init__(self, mint: IdMint, clock: Clock, *, preregistered: bool = False) -> None:
        self.mint = mint
        self.clock = clock
        self.profiles: dict[str, Profile] = {}
        self.brands: dict[str, Brand] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.numbers: dict[str, LinkedNumber] = {}  # by number: a number lives in one campaign
        self.inventory: dict[str, AccountNumber] = {n.number: n for n in SEED_NUMBERS}
        self._seed_profiles()
        if preregistered:
            self._seed_account()

    def _seed_profiles(self) -> None:
        for spec in SEED_PROFILES:
            self._add_profile(spec, self.mint.uuid())

    def _add_profile(self, spec: dict[str, Any], uuid: str) -> Profile:
        primary = next((p.profile_uuid for p in self.profiles.values()), "")
        self.profiles[uuid] = profile = Profile(
            profile_uuid=uuid,
            profile_type="SECONDARY" if primary else "PRIMARY",
            created_at=self.clock(),
            text={k: v for k, v in spec.items() if isinstance(v, str) and k != "profile_uuid"},
            address=dict(spec["address"]),
            authorized_contact=dict(spec["authorized_contact"]),
            primary_profile=primary,
        )
        return profile

    def _seed_account(self) -> None:
        uuid = SEED_BRAND_PROFILE["profile_uuid"]
        self.mint.reserve(uuid)
        profile = self._add_profile(SEED_BRAND_PROFILE, uuid)
        company = profile.to_json()
        brand = Brand(
            brand_id=SEED_BRAND["brand_id"],
            brand_alias=SEED_BRAND["brand_alias"],
            brand_type=SEED_BRAND["brand_type"],
            profile_uuid=profile.profile_uuid,
            created_at=self.clock(),
            company={k: company[k] for k in BRAND_COMPANY_FIELDS if k in company},
            secondary_vetting=SEED_BRAND["secondary_vetting"],
            registration_status="COMPLETED",
        )
        spec = SEED_CAMPAIGN
        campaign = Campaign(
            campaign_id=spec["campaign_id"],
            brand_id=brand.brand_id,
            created_at=self.clock(),
            campaign_alias=spec["campaign_alias"],
            vertical=spec["vertical"],
            usecase=spec["usecase"],
            text=dict(spec["text"]),
            attributes=dict(spec["attributes"]),
            registration_status="ACTIVE",
            mno_metadata=mno_metadata(brand),
        )
        for value in (brand.brand_id, campaign.campaign_id):
            self.mint.reserve(value)
        self.brands[brand.brand_id] = brand
        self.campaigns[campaign.campaign_id] = campaign
        for number in spec["numbers"]:
            self.numbers[number] = LinkedNumber(number, campaign.campaign_id, status="COMPLETED")

    @property
    def primary(self) -> Profile:
        return next(p for p in self.profiles.values() if p.profile_type == "PRIMARY")

    def brand_of_profile(self, profile_uuid: str) -> Brand | None:
        return next((b for b in self.brands.values() if b.profile_uuid == profile_uuid), None)

    def campaigns_of(self, brand_id: str) -> list[Campaign]:
        return [c for c in self.campaigns.values() if c.brand_id == brand_id]

    def numbers_of(self, campaign_id: str) -> list[LinkedNumber]:
        return [n for n in self.numbers.values() if n.campaign_id == campaign_id]

    def link_of(self, number: str) -> tuple[str, str] | None:
        """(campaign_id, link status) of a number a campaign holds, for the Number API."""
        entry = self.numbers.get(number)
        if entry is None or entry.status == "FAILED":
            return None
        return entry.campaign_id, entry.status
