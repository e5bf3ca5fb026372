"""The documented 10DLC rules the sandbox enforces (plivo-10dlc.md §1, §6), as 400/404 errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from receiver.domain import vocab
from sandbox.api.wire import ApiError, Body, bad
from sandbox.world import CAMPAIGN_TEXT_FIELDS, Brand, Campaign, LinkedNumber, Profile, World

T = TypeVar("T")
CAMPAIGN_UPDATABLE = ("campaign_alias", "reseller_id", *CAMPAIGN_TEXT_FIELDS)
# Fields a campaign has but an update cannot change: sending one is a mistake worth a 400.
# Any other key is ignored, as create ignores it: plivo-node turns sample3..5 into
# sample_3..sample_5 (lodash snakeCase) on every create and update.
CAMPAIGN_FIXED = (
    "brand_id", "vertical", "usecase", "sub_usecases", "campaign_id", "campaign_source",
    *vocab.CAMPAIGN_ATTRIBUTES,
)  # fmt: skip
# Campaign updates are allowed while FAILED (docs) and, with caveats, while PROCESSING (docs:
# "may be updated in processing"); an ACTIVE or EXPIRED campaign cannot be changed.
UPDATABLE_STATES = ("FAILED", "PROCESSING")
# Documented minimums. sample3..5 have none: the docs do not give one and plivo-python's own
# test creates a campaign with sample3 = "test 1".
MIN_LENGTHS = {
    "description": vocab.DESCRIPTION_MIN,
    "sample1": vocab.SAMPLE_MIN,
    "sample2": vocab.SAMPLE_MIN,
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
# TCR ids look like C + 6 (CAOHTU5), but the docs' import example uses C1234567: any id of
# letters and digits is taken (Plivo publishes no rule).
_CAMPAIGN_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_US_NUMBER = re.compile(r"^1[2-9]\d{9}$")


@dataclass(frozen=True, slots=True)
class Callback:
    """Where and how to send the callbacks for one request (`url` "" = none)."""

    url: str = ""
    method: str = "POST"


def find(table: Mapping[str, T], key: str, what: str) -> T:
    """`table[key]`, or a 404 in Plivo's recorded wording ("Profile not found.")."""
    found = table.get(key)
    if found is None:
        raise ApiError(404, f"{what} not found.")
    return found


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


# --- brands ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrandRequest:
    profile: Profile
    alias: str
    brand_type: str
    secondary_vetting: bool
    mobile_phone: str


def brand_create(world: World, body: Body) -> BrandRequest:
    """A valid brand registration.

    - brand_type is matched in any case (plivo-node's own test sends "starter"); default STARTER.
    - secondary_vetting defaults to true, as documented; it is "only applicable for STANDARD",
      so a STARTER request's value is ignored rather than refused (the docs' Node STARTER
      example sends false, plivo-python always sends false).
    - mobile_phone (STARTER, private-beta docs) is kept for the OTP step.
    """
    alias = required(body, "brand_alias")
    uuid = required(body, "profile_uuid")
    brand_type = (body.text("brand_type") or "STARTER").upper()
    one_of("brand_type", brand_type, vocab.BRAND_TYPES)
    profile = find(world.profiles, uuid, "Profile")
    existing = world.brand_of_profile(uuid)
    if existing:
        raise bad(f"profile {uuid} already backs brand {existing.brand_id}; one brand per profile")
    if brand_type == "STANDARD" and not profile.ein:
        raise bad(
            f"a STANDARD brand needs an EIN, and profile {uuid} has none; use STARTER or add an EIN"
        )
    vetting = body.flag("secondary_vetting", default=True) and brand_type == "STANDARD"
    mobile = body.text("mobile_phone").removeprefix("+")
    if mobile and not (mobile.isdigit() and len(mobile) == 11 and mobile[0] == "1"):
        raise bad(f"mobile_phone must be a US or Canadian mobile number; got {mobile!r}")
    return BrandRequest(profile, alias, brand_type, vetting, mobile)


def brand_otp(brand: Brand) -> str:
    """The message of `POST 10dlc/Brand/{id}/OTP/` (plivo-node `brand.trigger_otp`)."""
    if brand.brand_type != "STARTER":
        raise bad(
            f"brand {brand.brand_id} is a {brand.brand_type} brand; OTP is for STARTER brands"
        )
    phone = brand.mobile_phone or str(
        (brand.company.get("authorized_contact") or {}).get("phone", "")
    )
    if not phone:
        raise bad(f"brand {brand.brand_id} has no mobile_phone to send the OTP to")
    return (
        f"Message sent to {'X' * (len(phone) - 4)}{phone[-4:]}, reply YES to confirm registration."
    )


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
    brand = find(world.brands, brand_id, "Brand")
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
    """The changed fields of an update of a FAILED or PROCESSING campaign."""
    if campaign.registration_status not in UPDATABLE_STATES:
        raise bad(
            f"campaign {campaign.campaign_id} is {campaign.registration_status}; "
            "only a FAILED or PROCESSING campaign can be updated"
        )
    refused = [k for k in body.data if body.given(k) and k in CAMPAIGN_FIXED]
    if refused:
        raise bad(f"{', '.join(refused)} cannot be updated on a campaign")
    changes = _lengths(body, CAMPAIGN_UPDATABLE)
    if not changes:
        raise bad("nothing to update; give at least one field to change")
    return changes


def campaign_import(world: World, body: Body) -> tuple[str, str]:
    campaign_id = required(body, "campaign_id")
    alias = required(body, "campaign_alias")
    if not _CAMPAIGN_ID.match(campaign_id):
        raise bad(
            f"campaign_id must be a TCR campaign id (letters and digits); got {campaign_id!r}"
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
        owned = world.inventory.get(number)
        if owned is None:
            # A real account links only numbers it rents (GET Number/ lists them).
            raise bad(f"The number {number} does not belong to your account")
        if owned.number_type != "local":
            raise bad(
                f"The number {number} is a {owned.number_type} number; "
                "only local (10DLC) numbers can be linked to a campaign"
            )
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
