"""The documented profile rules the sandbox enforces (plivo-10dlc.md §1.1), as 400 errors."""

from __future__ import annotations

from typing import Any

from receiver.domain import vocab
from sandbox.api.rules import one_of, required
from sandbox.api.wire import Body, bad
from sandbox.world import ADDRESS_KEYS, PROFILE_TEXT_FIELDS, Profile, World

# Plivo's docs list DIRECTOR, GM, VP, CEO, CFO, GENERAL_COUNSEL, OTHER, yet every docs example
# (Python, Node, cURL) and every recorded response uses "admin" (once "Admin"), and plivo-python's
# own test sends "C_LEVEL". The sandbox accepts the documented words and the ones Plivo shows,
# in any case, and keeps the value as sent, as the recorded responses do.
SENIORITIES = ("DIRECTOR", "GM", "VP", "CEO", "CFO", "GENERAL_COUNSEL", "OTHER", "ADMIN", "C_LEVEL")
# The documented request words, and the TCR words Plivo's recorded responses and plivo-node's
# mocks carry (PRIVATE_PROFIT, PUBLIC_PROFIT, SOLE_PROPRIETOR); a profile keeps what was sent.
ENTITY_TYPES = (*vocab.ENTITY_TYPES, "PRIVATE_PROFIT", "PUBLIC_PROFIT", "SOLE_PROPRIETOR")
STOCK_EXCHANGES = (
    "NASDAQ", "NYSE", "AMEX", "AMX", "ASX", "B3", "BME", "BSE", "FRA", "ICEX", "JPX", "JSE",
    "KRX", "LON", "NSE", "OMX", "SEHK", "SGX", "SSE", "STO", "SWX", "SZSE", "TSX", "TWSE",
    "VSE", "OTHER",
)  # fmt: skip
ALT_ID_TYPES = ("DUNS", "LEI", "GIIN", "NONE")
CONTACT_KEYS = ("first_name", "last_name", "email", "title", "seniority", "phone")
CONTACT_REQUIRED = ("first_name", "last_name", "email")
PROFILE_UPDATABLE = (
    "entity_type", "company_name", "vertical", "address", "authorized_contact", "website",
    "plivo_subaccount", "business_contact_email", "doing_business_as",
)  # fmt: skip


def _address(value: dict[str, Any]) -> dict[str, str]:
    absent = [k for k in ADDRESS_KEYS if not str(value.get(k) or "").strip()]
    if absent:
        raise bad(f"address needs {', '.join(absent)}")
    return {k: str(value[k]).strip() for k in ADDRESS_KEYS}


def _contact(value: dict[str, Any]) -> dict[str, str]:
    """first_name, last_name and email are required; title, seniority and phone are checked
    when given. Plivo's recorded profiles include contacts without phone, title or seniority,
    and plivo-node's own test creates a profile whose contact has no phone."""
    absent = [k for k in CONTACT_REQUIRED if not str(value.get(k) or "").strip()]
    if absent:
        raise bad(f"authorized_contact needs {', '.join(absent)}")
    contact = {k: str(value[k]).strip() for k in CONTACT_KEYS if str(value.get(k) or "").strip()}
    if "seniority" in contact:
        one_of("authorized_contact.seniority", contact["seniority"].upper(), SENIORITIES)
    if "@" not in contact["email"]:
        raise bad(f"authorized_contact.email is not an email address: {contact['email']!r}")
    if "phone" in contact:
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
        "entity_type": one_of("entity_type", required(body, "entity_type"), ENTITY_TYPES),
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
        one_of("entity_type", body.text("entity_type"), ENTITY_TYPES)
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
