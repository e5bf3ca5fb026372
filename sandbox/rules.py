"""The documented 10DLC rules the sandbox enforces (plivo-10dlc.md §1, §6), as 400/404 errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from receiver.domain import vocab
from sandbox.wire import ApiError, Body, bad, lookup
from sandbox.world import (
    CAMPAIGN_TEXT_FIELDS,
    PROFILE_TEXT_FIELDS,
    Brand,
    Campaign,
    LinkedNumber,
    Profile,
    World,
)

SENIORITIES = ("DIRECTOR", "GM", "VP", "CEO", "CFO", "GENERAL_COUNSEL", "OTHER")
STOCK_EXCHANGES = (
    "NASDAQ", "NYSE", "AMEX", "AMX", "ASX", "B3", "BME", "BSE", "FRA", "ICEX", "JPX", "JSE",
    "KRX", "LON", "NSE", "OMX", "SEHK", "SGX", "SSE", "STO", "SWX", "SZSE", "TSX", "TWSE",
    "VSE", "OTHER",
)  # fmt: skip
ALT_ID_TYPES = ("DUNS", "LEI", "GIIN", "NONE")
ADDRESS_KEYS = ("street", "city", "state", "postal_code", "country")
CONTACT_KEYS = ("first_name", "last_name", "email", "title", "seniority", "phone")
PROFILE_UPDATABLE = (
    "entity_type", "company_name", "vertical", "address", "authorized_contact", "website",
    "plivo_subaccount", "business_contact_email", "doing_business_as",
)  # fmt: skip
CAMPAIGN_UPDATABLE = ("campaign_alias", "reseller_id", *CAMPAIGN_TEXT_FIELDS)
MIN_LENGTHS = {
    "description": vocab.DESCRIPTION_MIN,
    "sample1": vocab.SAMPLE_MIN,
    "sample2": vocab.SAMPLE_MIN,
    "sample3": vocab.SAMPLE_MIN,
    "sample4": vocab.SAMPLE_MIN,
    "sample5": vocab.SAMPLE_MIN,
    "message_flow": vocab.MESSAGE_FLOW_MIN,
    "help_message": vocab.HELP_MESSAGE_MIN,
    "optout_message": vocab.OPTOUT_MESSAGE_MIN,
}
CAMPAIGN_REQUIRED = (
    "description",
    "sample1",
    "sample2",
    "message_flow",
    "help_message",
    "optout_message",
)
KEYWORD_FIELDS = ("optin_keywords", "optout_keywords", "help_keywords")
LIVE_CAMPAIGN = ("ACTIVE", "PROCESSING")
_TCR_CAMPAIGN_ID = re.compile(r"^C[A-Z0-9]{6}$")
_US_NUMBER = re.compile(r"^1[2-9]\d{9}$")


@dataclass(frozen=True, slots=True)
class Callback:
    """Where and how to send the callbacks for one request (`url` "" = none)."""

    url: str = ""
    method: str = "POST"


def one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise bad(f"{field} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def required(body: Body, field: str) -> str:
    value = body.text(field)
    if not value:
        raise bad(f"{field} is required")
    return value


def callback(body: Body) -> Callback:
    url = body.text("url")
    if url and not url.lower().startswith(("http://", "https://")):
        raise bad(f"url must start with http:// or https://; got {url!r}")
    method = one_of("method", (body.text("method") or "POST").upper(), vocab.METHODS)
    return Callback(url, method)


def normalise_number(raw: str) -> str:
    """Digits only (a leading `+` stripped); a US 10DLC number is 1 + 10 digits."""
    digits = raw.strip().removeprefix("+")
    if not _US_NUMBER.match(digits):
        raise bad(f"The number {raw} is not a valid number")
    return digits


# --- profiles -------------------------------------------------------------------------------


def _address(value: dict[str, Any]) -> dict[str, str]:
    absent = [k for k in ADDRESS_KEYS if not str(value.get(k) or "").strip()]
    if absent:
        raise bad(f"address needs {', '.join(absent)}")
    return {k: str(value[k]).strip() for k in ADDRESS_KEYS}


def _contact(value: dict[str, Any]) -> dict[str, str]:
    absent = [k for k in CONTACT_KEYS if not str(value.get(k) or "").strip()]
    if absent:
        raise bad(f"authorized_contact needs {', '.join(absent)}")
    contact = {k: str(value[k]).strip() for k in CONTACT_KEYS}
    one_of("authorized_contact.seniority", contact["seniority"].upper(), SENIORITIES)
    contact["seniority"] = contact["seniority"].upper()
    if "@" not in contact["email"]:
        raise bad(f"authorized_contact.email is not an email address: {contact['email']!r}")
    phone = contact["phone"].removeprefix("+")
    if not phone.isdigit() or not 8 <= len(phone) <= 15:
        raise bad(f"authorized_contact.phone must be an E.164 number; got {contact['phone']!r}")
    contact["phone"] = phone
    return contact


def profile_create(body: Body) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Validated text fields, address and authorized_contact of a new profile."""
    text = {
        "profile_alias": required(body, "profile_alias"),
        "customer_type": one_of(
            "customer_type", required(body, "customer_type"), vocab.CUSTOMER_TYPES
        ),
        "entity_type": one_of("entity_type", required(body, "entity_type"), vocab.ENTITY_TYPES),
        "company_name": required(body, "company_name"),
        "vertical": one_of("vertical", required(body, "vertical"), vocab.VERTICALS),
    }
    for key in PROFILE_TEXT_FIELDS:
        if key not in text and body.text(key):
            text[key] = body.text(key)
    if "stock_exchange" in text:
        one_of("stock_exchange", text["stock_exchange"], STOCK_EXCHANGES)
    if "alt_business_id_type" in text:
        one_of("alt_business_id_type", text["alt_business_id_type"], ALT_ID_TYPES)
    return text, _address(body.obj("address")), _contact(body.obj("authorized_contact"))


def profile_update(profile: Profile, body: Body) -> None:
    """Apply an update in place after checking that only updatable fields are given."""
    given = [k for k in body.data if body.given(k)]
    refused = [k for k in given if k not in PROFILE_UPDATABLE]
    if refused:
        raise bad(
            f"{', '.join(refused)} cannot be updated; updatable: {', '.join(PROFILE_UPDATABLE)}"
        )
    if not given:
        raise bad(f"nothing to update; give at least one of {', '.join(PROFILE_UPDATABLE)}")
    if body.given("entity_type"):
        one_of("entity_type", body.text("entity_type"), vocab.ENTITY_TYPES)
    if body.given("vertical"):
        one_of("vertical", body.text("vertical"), vocab.VERTICALS)
    address = (
        _address({**profile.address, **body.obj("address")}) if body.given("address") else None
    )
    contact = (
        _contact({**profile.authorized_contact, **body.obj("authorized_contact")})
        if body.given("authorized_contact")
        else None
    )
    for key in given:
        if key not in ("address", "authorized_contact"):
            profile.text[key] = body.text(key)
    profile.address = address or profile.address
    profile.authorized_contact = contact or profile.authorized_contact


def profile_delete(world: World, profile: Profile) -> None:
    if profile.profile_type == "PRIMARY":
        raise bad(f"profile {profile.profile_uuid} is the primary profile and cannot be deleted")
    brand = world.brand_of_profile(profile.profile_uuid)
    if brand:
        raise bad(
            f"profile {profile.profile_uuid} backs brand {brand.brand_id}; delete the brand first"
        )


# --- brands ---------------------------------------------------------------------------------


def brand_create(world: World, body: Body) -> tuple[Profile, str, str]:
    """The profile, brand_alias and brand_type of a valid brand registration."""
    alias = required(body, "brand_alias")
    uuid = required(body, "profile_uuid")
    brand_type = one_of("brand_type", body.text("brand_type") or "STARTER", vocab.BRAND_TYPES)
    profile = lookup(world.profiles, uuid, "profile")
    existing = world.brand_of_profile(uuid)
    if existing:
        raise bad(f"profile {uuid} already backs brand {existing.brand_id}; one brand per profile")
    if brand_type == "STANDARD" and not profile.ein:
        raise bad(
            f"a STANDARD brand needs an EIN, and profile {uuid} has none; use STARTER or add an EIN"
        )
    if body.flag("secondary_vetting") and brand_type != "STANDARD":
        raise bad("secondary_vetting is only available for STANDARD brands")
    return profile, alias, brand_type


def brand_delete(world: World, brand: Brand) -> None:
    live = [
        c.campaign_id
        for c in world.campaigns_of(brand.brand_id)
        if c.registration_status in LIVE_CAMPAIGN
    ]
    if live:
        raise bad(
            f"brand {brand.brand_id} has active campaigns ({', '.join(live)}); delete them first"
        )


# --- campaigns ------------------------------------------------------------------------------


def _lengths(body: Body, fields: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for key in fields:
        value = body.text(key)
        if not value:
            continue
        minimum = MIN_LENGTHS.get(key)
        if minimum and len(value) < minimum:
            raise bad(f"{key} must be at least {minimum} characters (got {len(value)})")
        if key in KEYWORD_FIELDS:
            if any(ch.isspace() for ch in value):
                raise bad(f"{key} must be comma-separated keywords without spaces; got {value!r}")
            if key == "help_keywords" and value != value.upper():
                raise bad(f"help_keywords must be upper-case; got {value!r}")
        out[key] = value
    return out


def _sub_usecases(usecase: str, subs: list[str]) -> list[str]:
    if usecase not in vocab.USECASES_WITH_SUB:
        if subs:
            raise bad(
                f"sub_usecases are only allowed for {', '.join(vocab.USECASES_WITH_SUB)} campaigns"
            )
        return []
    lo, hi = vocab.SUB_USECASES_MIN, vocab.SUB_USECASES_MAX
    if not lo <= len(subs) <= hi:
        raise bad(f"a {usecase} campaign needs {lo} to {hi} sub_usecases; got {len(subs)}")
    for sub in subs:
        one_of("sub_usecases", sub, vocab.SUB_USECASES)
    if len(set(subs)) != len(subs):
        raise bad("sub_usecases must not repeat a code")
    return subs


def campaign_create(world: World, body: Body) -> dict[str, Any]:
    """Keyword arguments for `Campaign` (all but id and created_at) of a valid registration."""
    brand_id = required(body, "brand_id")
    vertical = one_of("vertical", required(body, "vertical"), vocab.VERTICALS)
    usecase = one_of("usecase", required(body, "usecase"), vocab.USECASES)
    brand = lookup(world.brands, brand_id, "brand")
    if brand.registration_status != "COMPLETED":
        raise bad(
            f"brand {brand_id} is {brand.registration_status}; campaigns need a COMPLETED brand"
        )
    if brand.brand_type == "STARTER" and usecase != "STARTER":
        raise bad(
            f"brand {brand_id} is a STARTER brand; its campaigns must use the STARTER usecase"
        )
    if brand.brand_type != "STARTER" and usecase == "STARTER":
        raise bad(
            f"the STARTER usecase is only for STARTER brands; brand {brand_id} is {brand.brand_type}"
        )
    subs = _sub_usecases(usecase, body.strings("sub_usecases"))
    for key in CAMPAIGN_REQUIRED:
        required(body, key)
    text = _lengths(body, CAMPAIGN_TEXT_FIELDS)
    attributes = {key: body.flag(key) for key in vocab.CAMPAIGN_ATTRIBUTES}
    for key in vocab.REQUIRED_TRUE_ATTRIBUTES:
        if not attributes[key]:
            raise bad(f"{key} must be true")
    cb = callback(body)
    return {
        "brand_id": brand_id,
        "campaign_alias": body.text("campaign_alias"),
        "vertical": vertical,
        "usecase": usecase,
        "sub_usecases": subs,
        "text": text,
        "attributes": attributes,
        "url": cb.url,
        "method": cb.method,
    }


def campaign_update(campaign: Campaign, body: Body) -> dict[str, str]:
    """The changed fields of an update; only a FAILED campaign may be updated."""
    if campaign.registration_status != "FAILED":
        raise bad(
            f"campaign {campaign.campaign_id} is {campaign.registration_status}; "
            "only a FAILED campaign can be updated"
        )
    given = [k for k in body.data if body.given(k)]
    refused = [k for k in given if k not in CAMPAIGN_UPDATABLE]
    if refused:
        raise bad(f"{', '.join(refused)} cannot be updated on a campaign")
    changes = _lengths(body, CAMPAIGN_UPDATABLE)
    if not changes:
        raise bad("nothing to update; give at least one field to change")
    return changes


def campaign_import(world: World, body: Body) -> tuple[str, str]:
    campaign_id = required(body, "campaign_id").upper()
    alias = required(body, "campaign_alias")
    if not _TCR_CAMPAIGN_ID.match(campaign_id):
        raise bad(
            f"campaign_id must be a TCR campaign id (C + 6 letters/digits); got {campaign_id!r}"
        )
    if campaign_id in world.campaigns:
        raise bad(f"campaign {campaign_id} already exists in this account")
    return campaign_id, alias


def campaign_delete(world: World, campaign: Campaign) -> None:
    if campaign.registration_status == "EXPIRED":
        raise bad(f"campaign {campaign.campaign_id} is already deactivated")
    busy = [n.number for n in world.numbers_of(campaign.campaign_id) if n.status == "PROCESSING"]
    if busy:
        raise bad(
            f"campaign {campaign.campaign_id} has numbers still PROCESSING ({', '.join(busy)}); "
            "wait until they finish"
        )


# --- numbers --------------------------------------------------------------------------------


def link(world: World, campaign: Campaign, body: Body) -> list[str]:
    """The numbers (digits) to link to `campaign`, which must be ACTIVE."""
    if campaign.registration_status != "ACTIVE":
        raise bad(
            f"campaign {campaign.campaign_id} is {campaign.registration_status}; "
            "numbers can only be linked to an ACTIVE campaign"
        )
    raw = body.strings("numbers")
    if not raw:
        raise bad("numbers is required: a list of E.164 numbers")
    numbers = list(dict.fromkeys(normalise_number(n) for n in raw))
    for number in numbers:
        current = world.numbers.get(number)
        if current and current.status != "FAILED":
            raise bad(f"The number {number} is already requested for linking")
    return numbers


def linked_number(world: World, campaign: Campaign, raw: str) -> LinkedNumber:
    number = normalise_number(raw)
    entry = world.numbers.get(number)
    if entry is None or entry.campaign_id != campaign.campaign_id:
        raise ApiError(404, f"The number {number} is not linked to this campaign")
    return entry


def unlink(entry: LinkedNumber) -> None:
    if entry.unlinking:
        raise bad(f"The number {entry.number} is already requested for unlinking")
    if entry.status == "PROCESSING":
        raise bad(f"The number {entry.number} is still PROCESSING; wait for the link to finish")
