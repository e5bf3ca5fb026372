"""What the forms submit: brand, campaign and link requests with Plivo's documented checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from receiver.domain import vocab

E164_MIN, E164_MAX = 11, 15
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KEYWORDS = re.compile(r"^[^,\s]+(,[^,\s]+)*$")
_NUMBER_TOKEN = re.compile(r"^[0-9+\-().]+$")
_CHUNK_SPLIT = re.compile(r"[\n\r,;]+")


def _min_length(value: str, minimum: int, *, required: bool = True) -> str | None:
    """'required' / 'at least N characters (now n)' / None when fine."""
    text = value.strip()
    if not text:
        return f"required: at least {minimum} characters" if required else None
    if len(text) < minimum:
        return f"at least {minimum} characters (now {len(text)})"
    return None


def _keywords(value: str, *, upper: bool = False) -> str | None:
    if not value:
        return None
    if not _KEYWORDS.match(value):
        return "comma-separated words without spaces, e.g. START,YES"
    if upper and value != value.upper():
        return f"upper-case only, e.g. {value.upper()}"
    return None


def _email(value: str) -> str | None:
    if value and not _EMAIL.match(value.strip()):
        return "an email address like name@example.com"
    return None


@dataclass(frozen=True, slots=True)
class BrandRequest:
    """POST 10dlc/Brand/ (plivo-10dlc.md §1.2); url/method are filled in by the gateway."""

    profile_uuid: str
    alias: str
    brand_type: str = "STANDARD"
    secondary_vetting: bool = False
    business_contact_email: str = ""

    def validate(self) -> dict[str, str]:
        """Field -> what to fix; empty when the request can be submitted."""
        errors: dict[str, str] = {}
        if not self.profile_uuid.strip():
            errors["profile_uuid"] = "required: choose the profile that backs this brand"
        if not self.alias.strip():
            errors["alias"] = "required: a name to recognise the brand by"
        if self.brand_type not in vocab.BRAND_TYPES:
            errors["brand_type"] = f"one of {', '.join(vocab.BRAND_TYPES)}"
        elif self.secondary_vetting and self.brand_type != "STANDARD":
            errors["secondary_vetting"] = "secondary vetting applies to STANDARD brands only"
        if message := _email(self.business_contact_email):
            errors["business_contact_email"] = message
        return errors

    def params(self) -> dict[str, Any]:
        """The API parameters (without url/method), as the SDK sends them."""
        return {
            "brand_alias": self.alias.strip(),
            "brand_type": self.brand_type,
            "profile_uuid": self.profile_uuid.strip(),
            "secondary_vetting": self.secondary_vetting,
            "business_contact_email": self.business_contact_email.strip(),
        }


@dataclass(frozen=True, slots=True)
class CampaignRequest:
    """POST 10dlc/Campaign/ (plivo-10dlc.md §1.3); url/method are filled in by the gateway."""

    brand_id: str
    vertical: str = ""
    usecase: str = ""
    sub_usecases: tuple[str, ...] = ()
    description: str = ""
    sample1: str = ""
    sample2: str = ""
    sample3: str = ""
    sample4: str = ""
    sample5: str = ""
    message_flow: str = ""
    help_message: str = ""
    optin_message: str = ""
    optout_message: str = ""
    optin_keywords: str = ""
    optout_keywords: str = ""
    help_keywords: str = ""
    subscriber_optin: bool = True
    subscriber_optout: bool = True
    subscriber_help: bool = True
    direct_lending: bool = False
    embedded_link: bool = False
    embedded_phone: bool = False
    age_gated: bool = False
    affiliate_marketing: bool = False
    alias: str = ""
    terms_and_conditions_link: str = ""
    privacy_policy_link: str = ""

    def validate(self) -> dict[str, str]:
        """Field -> what to fix; empty when the request can be submitted."""
        errors: dict[str, str] = {}
        if not self.brand_id.strip():
            errors["brand_id"] = "required: choose a registered brand"
        if not self.alias.strip():
            errors["alias"] = "required: a name to recognise the campaign by"
        if self.vertical not in vocab.VERTICALS:
            errors["vertical"] = "required: choose one of Plivo's verticals"
        if self.usecase not in vocab.USECASES:
            errors["usecase"] = "required: choose one of Plivo's use cases"
        elif message := self._check_sub_usecases():
            errors["sub_usecases"] = message
        checks = {
            "description": _min_length(self.description, vocab.DESCRIPTION_MIN),
            "sample1": _min_length(self.sample1, vocab.SAMPLE_MIN),
            "sample2": _min_length(self.sample2, vocab.SAMPLE_MIN),
            "sample3": _min_length(self.sample3, vocab.SAMPLE_MIN, required=False),
            "sample4": _min_length(self.sample4, vocab.SAMPLE_MIN, required=False),
            "sample5": _min_length(self.sample5, vocab.SAMPLE_MIN, required=False),
            "message_flow": _min_length(self.message_flow, vocab.MESSAGE_FLOW_MIN),
            "help_message": _min_length(self.help_message, vocab.HELP_MESSAGE_MIN),
            "optout_message": _min_length(self.optout_message, vocab.OPTOUT_MESSAGE_MIN),
            "optin_keywords": _keywords(self.optin_keywords),
            "optout_keywords": _keywords(self.optout_keywords),
            "help_keywords": _keywords(self.help_keywords, upper=True),
        }
        errors.update({name: message for name, message in checks.items() if message})
        for name in vocab.REQUIRED_TRUE_ATTRIBUTES:
            if getattr(self, name) is not True:
                errors[name] = "must be on: Plivo only accepts campaigns that honour it"
        for name in vocab.CAMPAIGN_ATTRIBUTES:
            if not isinstance(getattr(self, name), bool) and name not in errors:
                errors[name] = "must be on or off"
        return errors

    def _check_sub_usecases(self) -> str | None:
        subs = self.sub_usecases
        if self.usecase not in vocab.USECASES_WITH_SUB:
            if subs:
                return f"only for {', '.join(vocab.USECASES_WITH_SUB)} campaigns: leave empty"
            return None
        unknown = [s for s in subs if s not in vocab.SUB_USECASES]
        if unknown:
            return f"not a sub use case: {', '.join(unknown)}"
        if len(set(subs)) != len(subs):
            return "each sub use case at most once"
        low, high = vocab.SUB_USECASES_MIN, vocab.SUB_USECASES_MAX
        if not low <= len(subs) <= high:
            return f"choose {low} to {high} (now {len(subs)})"
        return None

    def params(self) -> dict[str, Any]:
        """The API parameters (without url/method), as the SDK sends them."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            data[f.name] = value.strip() if isinstance(value, str) else value
        data["sub_usecases"] = list(self.sub_usecases)
        data["campaign_alias"] = data.pop("alias")
        return data


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """POST 10dlc/Campaign/{id}/Number/: numbers as E.164 digits (no '+')."""

    campaign_id: str
    numbers: tuple[str, ...]

    def validate(self) -> dict[str, str]:
        """Field -> what to fix; empty when the request can be submitted."""
        errors: dict[str, str] = {}
        if not self.campaign_id.strip():
            errors["campaign_id"] = "required: choose an active campaign"
        if not self.numbers:
            errors["numbers"] = "required: at least one phone number"
        else:
            bad = [n for n in self.numbers if normalise_number(n) != n]
            foreign = [n for n in self.numbers if n not in bad and not is_us_number(n)]
            if bad:
                errors["numbers"] = f"not E.164 digits: {', '.join(bad)}"
            elif foreign:
                errors["numbers"] = not_us_message(foreign)
            elif len(set(self.numbers)) != len(self.numbers):
                errors["numbers"] = "each number at most once"
        return errors

    def params(self) -> dict[str, Any]:
        """The API parameters (without url/method), as the SDK sends them."""
        return {"campaign_id": self.campaign_id.strip(), "numbers": list(self.numbers)}


def is_valid_number(digits: str) -> bool:
    """E.164 digits without '+': 11–15 digits; NANP (leading 1) = 1 + area code [2-9] + 9."""
    if not digits.isdigit() or not E164_MIN <= len(digits) <= E164_MAX:
        return False
    if digits.startswith("1"):
        return len(digits) == 11 and digits[1] not in "01"
    return True


def is_us_number(digits: str) -> bool:
    """10DLC is US-only: a valid number in the +1 (NANP) plan."""
    return digits.startswith("1") and is_valid_number(digits)


def not_us_message(numbers: list[str]) -> str:
    """What to tell someone who typed numbers outside the +1 plan."""
    shown = ", ".join(f"+{n}" for n in numbers)
    return f"not US numbers (10DLC covers US +1 long codes only): {shown}"


def normalise_number(token: str) -> str | None:
    """One typed number -> E.164 digits without '+', or None if it is not a valid number.

    Without a '+', a 10-digit number is taken as a US number and gets a leading 1.
    """
    text = token.strip()
    if not text or not _NUMBER_TOKEN.match(text.replace(" ", "")):
        return None
    if "+" in text[1:] or (text.startswith("+") and not text[1:].strip()):
        return None
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and len(digits) == 10:
        digits = "1" + digits
    return digits if is_valid_number(digits) else None


def _split_chunk(chunk: str) -> tuple[list[str], list[str]]:
    """Numbers separated by spaces, where one number may itself contain spaces."""
    whole = normalise_number(chunk)
    if whole:
        return [whole], []
    valid: list[str] = []
    invalid: list[str] = []
    group: list[str] = []

    def flush_invalid() -> None:
        if group:
            invalid.append(" ".join(group))
            group.clear()

    for token in chunk.split():
        if not _NUMBER_TOKEN.match(token):
            flush_invalid()
            invalid.append(token)
            continue
        if token.startswith("+"):
            flush_invalid()
        digits = len(re.sub(r"\D", "", " ".join(group)))
        if digits + len(re.sub(r"\D", "", token)) > E164_MAX:
            flush_invalid()
        group.append(token)
        number = normalise_number(" ".join(group))
        if number:
            valid.append(number)
            group.clear()
    flush_invalid()
    return valid, invalid


def parse_numbers(text: str) -> tuple[list[str], list[str]]:
    """Numbers typed one per line or comma/space separated -> (valid E.164 digits, invalid tokens).

    Accepts '+', dashes, spaces, dots and parentheses; US 10-digit numbers get a leading 1.
    Valid numbers are deduplicated in order; invalid tokens are returned as typed.
    """
    valid: list[str] = []
    invalid: list[str] = []
    for chunk in _CHUNK_SPLIT.split(text):
        if not chunk.strip():
            continue
        good, bad = _split_chunk(chunk.strip())
        for number in good:
            if number not in valid:
                valid.append(number)
        invalid.extend(bad)
    return valid, invalid
