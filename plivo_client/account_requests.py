"""What the profile and campaign-lifecycle verbs submit, with Plivo's documented checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plivo_client.validation import CampaignRequest
from receiver.domain import vocab

SENIORITIES = ("DIRECTOR", "GM", "VP", "CEO", "CFO", "GENERAL_COUNSEL", "OTHER")
STOCK_EXCHANGES = (
    "NASDAQ", "NYSE", "AMEX", "AMX", "ASX", "B3", "BME", "BSE", "FRA", "ICEX", "JPX", "JSE",
    "KRX", "LON", "NSE", "OMX", "SEHK", "SGX", "SSE", "STO", "SWX", "SZSE", "TSX", "TWSE",
    "VSE", "OTHER",
)  # fmt: skip
ALT_ID_TYPES = ("DUNS", "LEI", "GIIN", "NONE")
ADDRESS_KEYS = ("street", "city", "state", "postal_code", "country")
CONTACT_KEYS = ("first_name", "last_name", "email", "title", "seniority", "phone")
PROFILE_OPTIONAL = (
    "ein", "ein_issuing_country", "stock_symbol", "stock_exchange", "alt_business_id",
    "alt_business_id_type", "website", "plivo_subaccount", "business_contact_email",
    "doing_business_as",
)  # fmt: skip
PROFILE_REQUIRED = ("profile_alias", "customer_type", "entity_type", "company_name", "vertical")
PROFILE_FIELDS = (*PROFILE_REQUIRED, *PROFILE_OPTIONAL, "address", "authorized_contact")
PROFILE_UPDATABLE = (
    "entity_type", "company_name", "vertical", "address", "authorized_contact", "website",
    "plivo_subaccount", "business_contact_email", "doing_business_as",
)  # fmt: skip
CAMPAIGN_UPDATABLE = (
    "reseller_id", "description", "sample1", "sample2", "sample3", "sample4", "sample5",
    "help_message", "message_flow", "optin_keywords", "optin_message", "optout_keywords",
    "optout_message", "help_keywords", "terms_and_conditions_link", "privacy_policy_link",
)  # fmt: skip
"""What plivo-python's campaign.update sends (campaign_alias is not among them)."""
_MIN_LENGTHS = {
    "description": vocab.DESCRIPTION_MIN,
    **{f"sample{i}": vocab.SAMPLE_MIN for i in range(1, 6)},
    "message_flow": vocab.MESSAGE_FLOW_MIN,
    "help_message": vocab.HELP_MESSAGE_MIN,
    "optout_message": vocab.OPTOUT_MESSAGE_MIN,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_KEYWORDS = re.compile(r"^[^,\s]+(,[^,\s]+)*$")
_TCR_CAMPAIGN_ID = re.compile(r"^C[A-Z0-9]{6}$")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _one_of(value: str, allowed: tuple[str, ...]) -> str | None:
    return None if value in allowed else f"one of {', '.join(allowed)}"


def _check_address(value: Any, errors: dict[str, str]) -> None:
    if not isinstance(value, dict):
        errors["address"] = f"required: an object with {', '.join(ADDRESS_KEYS)}"
        return
    missing = [k for k in ADDRESS_KEYS if not _text(value.get(k))]
    if missing:
        errors["address"] = f"needs {', '.join(missing)}"
    elif not _COUNTRY.match(_text(value["country"])):
        errors["address"] = "country: a two-letter ISO code such as US"


def _check_contact(value: Any, errors: dict[str, str]) -> None:
    if not isinstance(value, dict):
        errors["authorized_contact"] = f"required: an object with {', '.join(CONTACT_KEYS)}"
        return
    missing = [k for k in CONTACT_KEYS if not _text(value.get(k))]
    phone = _text(value.get("phone")).removeprefix("+")
    if missing:
        errors["authorized_contact"] = f"needs {', '.join(missing)}"
    elif _text(value["seniority"]).upper() not in SENIORITIES:
        errors["authorized_contact"] = f"seniority: one of {', '.join(SENIORITIES)}"
    elif not _EMAIL.match(_text(value["email"])):
        errors["authorized_contact"] = "email: an address like name@example.com"
    elif not phone.isdigit() or not 8 <= len(phone) <= 15:
        errors["authorized_contact"] = "phone: an E.164 number such as +14155550100"


@dataclass(frozen=True, slots=True)
class ProfileRequest:
    """POST Profile/ (plivo-10dlc.md §1.1), as the API's field names."""

    fields: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> dict[str, str]:
        """Field -> what to fix; empty when the request can be submitted."""
        data = self.fields
        errors: dict[str, str] = {}
        unknown = sorted(k for k in data if k not in PROFILE_FIELDS)
        if unknown:
            errors[unknown[0]] = f"not a profile field ({', '.join(unknown)})"
        for name in PROFILE_REQUIRED:
            if not _text(data.get(name)):
                errors[name] = "required"
        for name, allowed in (
            ("customer_type", vocab.CUSTOMER_TYPES),
            ("entity_type", vocab.ENTITY_TYPES),
            ("vertical", vocab.VERTICALS),
        ):
            if name not in errors and (message := _one_of(_text(data.get(name)), allowed)):
                errors[name] = message
        _check_optional(data, errors)
        _check_address(data.get("address"), errors)
        _check_contact(data.get("authorized_contact"), errors)
        return errors

    def params(self) -> dict[str, Any]:
        """Keyword arguments of plivo-python's profile.create."""
        data = self.fields
        out: dict[str, Any] = {
            k: _text(data.get(k)) for k in (*PROFILE_REQUIRED, *PROFILE_OPTIONAL)
        }
        out["address"] = dict(data.get("address") or {})
        out["authorized_contact"] = dict(data.get("authorized_contact") or {})
        return out


def _check_optional(data: dict[str, Any], errors: dict[str, str]) -> None:
    for name, allowed in (
        ("stock_exchange", STOCK_EXCHANGES),
        ("alt_business_id_type", ALT_ID_TYPES),
    ):
        value = _text(data.get(name))
        if value and (message := _one_of(value, allowed)):
            errors[name] = message
    country = _text(data.get("ein_issuing_country"))
    if country and not _COUNTRY.match(country):
        errors["ein_issuing_country"] = "a two-letter ISO code such as US"
    email = _text(data.get("business_contact_email"))
    if email and not _EMAIL.match(email):
        errors["business_contact_email"] = "an email address like name@example.com"


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    """POST Profile/{uuid}/: only the documented updatable fields."""

    profile_uuid: str
    fields: dict[str, Any]

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.profile_uuid.strip():
            errors["profile_uuid"] = "required"
        given = {k: v for k, v in self.fields.items() if v not in (None, "", {})}
        refused = sorted(k for k in given if k not in PROFILE_UPDATABLE)
        if refused:
            errors[refused[0]] = (
                f"cannot be updated ({', '.join(refused)}); "
                f"updatable: {', '.join(PROFILE_UPDATABLE)}"
            )
        if not given:
            errors["fields"] = f"nothing to update: give one of {', '.join(PROFILE_UPDATABLE)}"
        for name, allowed in (("entity_type", vocab.ENTITY_TYPES), ("vertical", vocab.VERTICALS)):
            if name in given and (message := _one_of(_text(given[name]), allowed)):
                errors[name] = message
        if "address" in given and not isinstance(given["address"], dict):
            errors["address"] = "an object with street, city, state, postal_code, country"
        if "authorized_contact" in given and not isinstance(given["authorized_contact"], dict):
            errors["authorized_contact"] = "an object with the contact's fields"
        _check_optional(given, errors)
        return errors

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in self.fields.items() if v not in (None, "", {})}


@dataclass(frozen=True, slots=True)
class CampaignUpdate:
    """POST 10dlc/Campaign/{id}/ (only a FAILED campaign): the fields being changed."""

    campaign_id: str
    fields: dict[str, str]

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.campaign_id.strip():
            errors["campaign_id"] = "required"
        given = {k: v for k, v in self.fields.items() if v not in (None, "")}
        if "campaign_alias" in given:
            errors["campaign_alias"] = "cannot be updated through the plivo SDK"
        refused = sorted(k for k in given if k not in CAMPAIGN_UPDATABLE and k != "campaign_alias")
        if refused:
            errors[refused[0]] = (
                f"cannot be updated ({', '.join(refused)}): "
                "create a new campaign to change attributes, use case or vertical"
            )
        if not given:
            errors["fields"] = "nothing to update: give at least one field to change"
        for name, value in given.items():
            if not isinstance(value, str):
                errors[name] = "must be text"
            elif name in _MIN_LENGTHS and len(value.strip()) < _MIN_LENGTHS[name]:
                errors[name] = (
                    f"at least {_MIN_LENGTHS[name]} characters (now {len(value.strip())})"
                )
            elif name.endswith("_keywords") and not _KEYWORDS.match(value):
                errors[name] = "comma-separated words without spaces, e.g. START,YES"
        return errors

    def params(self) -> dict[str, str]:
        return {k: v.strip() for k, v in self.fields.items() if isinstance(v, str) and v.strip()}


def updated_campaign(campaign: Mapping[str, Any], fields: Mapping[str, str]) -> CampaignRequest:
    """The campaign as it would stand after an update: Plivo's object (plivo-10dlc.md §1.3:
    `sub_usecase` a comma-joined string, the attributes under `campaign_attributes`) with
    `fields` changed, as a request the campaign check can judge."""
    attributes = campaign.get("campaign_attributes")
    attributes = attributes if isinstance(attributes, Mapping) else {}

    def text(name: str) -> str:
        value = fields[name] if name in fields else campaign.get(name)
        return value if isinstance(value, str) else ""

    def flag(name: str, default: bool) -> bool:
        value = attributes.get(name, campaign.get(name, default))
        return value if isinstance(value, bool) else default

    subs = campaign.get("sub_usecase") or campaign.get("sub_usecases") or ""
    subs = subs.split(",") if isinstance(subs, str) else list(subs)
    texts = {f: text(f) for f in CAMPAIGN_UPDATABLE if f != "reseller_id"}
    return CampaignRequest(
        brand_id=text("brand_id"),
        vertical=text("vertical"),
        usecase=text("usecase"),
        sub_usecases=tuple(s.strip() for s in subs if isinstance(s, str) and s.strip()),
        alias=text("campaign_alias"),
        **texts,
        **{a: flag(a, a in vocab.REQUIRED_TRUE_ATTRIBUTES) for a in vocab.CAMPAIGN_ATTRIBUTES},
    )


@dataclass(frozen=True, slots=True)
class CampaignImport:
    """POST 10dlc/Campaign/Import/: a TCR campaign shared with Plivo."""

    campaign_id: str
    alias: str

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not _TCR_CAMPAIGN_ID.match(self.campaign_id.strip().upper()):
            errors["campaign_id"] = "a TCR campaign id: C and 6 letters or digits"
        if not self.alias.strip():
            errors["campaign_alias"] = "required: a name to recognise the campaign by"
        return errors

    def params(self) -> dict[str, str]:
        return {
            "campaign_id": self.campaign_id.strip().upper(),
            "campaign_alias": self.alias.strip(),
        }
