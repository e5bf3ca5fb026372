"""The account's phone numbers (Plivo's Number API, `GET /v1/Account/{id}/Number/`), seeded.

A real account can only link numbers it rents, so the sandbox account rents a realistic set of
US long codes (and one toll-free number, which 10DLC cannot use). The JSON follows the Number
objects Plivo records (plivo-python `numberListResponse.json` / `numberGetResponse.json`): every
key present, unset ones as `null`, rates as 5-decimal strings, dates as `YYYY-MM-DD`.

`tendlc_campaign_id` / `tendlc_registration_status` are not stored here: they are derived from
the campaign links the world holds, so the two views can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.api.wire import bad

NUMBER_TYPES = ("local", "tollfree")
SERVICES = ("voice", "sms", "mms")
# the account-level 10DLC words the Number API documents (UNREGISTERED, PROCESSING, COMPLETED)
_LINK_WORD = {"PROCESSING": "PROCESSING", "COMPLETED": "COMPLETED"}
# the application every number answers with (Plivo records one on every number)
DEFAULT_APP = "29986316244302815"


@dataclass(frozen=True, slots=True)
class AccountNumber:
    """One rented number. `number` is digits without `+`, as Plivo answers it."""

    number: str
    city: str
    region: str  # Plivo's "State, UNITED STATES"
    added_on: str
    number_type: str = "local"
    alias: str | None = None
    application_id: str = DEFAULT_APP
    mms_enabled: bool = True
    voice_enabled: bool = True
    cnam_lookup: str = "disabled"

    @property
    def renewal_date(self) -> str:
        """Plivo renews monthly on the day the number was added; the sandbox shows next month."""
        year, month, day = (int(p) for p in self.added_on.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return f"{year:04d}-{month:02d}-{min(day, 28):02d}"

    def services(self) -> set[str]:
        out = {"sms"}
        if self.voice_enabled:
            out.add("voice")
        if self.mms_enabled:
            out.add("mms")
        return out

    def to_json(self, auth_id: str, link: tuple[str, str] | None) -> dict[str, Any]:
        """The Number object; `link` is (campaign_id, link status) when a campaign holds it."""
        base = f"/v1/Account/{auth_id}/"
        tollfree = self.number_type == "tollfree"
        campaign_id, status = link if link else (None, "")
        return {
            "number": self.number,
            "alias": self.alias,
            "sub_account": None,
            "added_on": self.added_on,
            "application": f"{base}Application/{self.application_id}/",
            "carrier": "Plivo",
            "region": self.region,
            "city": self.city,
            "country": "United States",
            "number_type": self.number_type,
            "monthly_rental_rate": "1.00000" if tollfree else "0.80000",
            "renewal_date": self.renewal_date,
            "active": True,
            "sms_enabled": True,
            "sms_rate": "0.00000",
            "mms_enabled": self.mms_enabled,
            "mms_rate": "0.00000",
            "voice_enabled": self.voice_enabled,
            "voice_rate": "0.00850",
            "cnam_lookup": self.cnam_lookup,
            "compliance_application_id": None,
            "compliance_status": None,
            # 10DLC applies to long codes only: Plivo records null for a toll-free number
            "tendlc_campaign_id": None if tollfree else campaign_id,
            "tendlc_registration_status": (
                None if tollfree else _LINK_WORD.get(status, "UNREGISTERED")
            ),
            "toll_free_sms_verification": "verified" if tollfree else None,
            "resource_uri": f"{base}Number/{self.number}/",
        }


def _n(number: str, city: str, state: str, added_on: str, **kw: Any) -> AccountNumber:
    return AccountNumber(number, city, f"{state}, UNITED STATES", added_on, **kw)


# Every number the sandbox account rents. The 555-01XX ones are reserved for fiction; the
# README's walkthrough, the forms' examples and the tests link these. Outcome knobs still apply:
# a number ending 0000 fails to link, one ending 9999 fails to unlink.
SEED_NUMBERS: tuple[AccountNumber, ...] = (
    # Denver: already linked to the seeded campaign (sandbox.seed.SEED_CAMPAIGN)
    _n("17205550140", "Denver", "Colorado", "2024-03-04", alias="summit-ridge dispatch", cnam_lookup="enabled"),
    _n("17205550141", "Denver", "Colorado", "2024-03-04", alias="summit-ridge billing"),
    # Tampa (Harbor Point Dental, the primary profile)
    _n("18135550100", "Tampa", "Florida", "2024-05-13", alias="front desk", cnam_lookup="enabled"),
    _n("18135550101", "Tampa", "Florida", "2024-05-13"),
    _n("18135550102", "Tampa", "Florida", "2024-05-13"),
    _n("18135550103", "Tampa", "Florida", "2024-05-13"),
    # San Francisco
    _n("14155550100", "San Francisco", "California", "2024-06-21"),
    _n("14155550101", "San Francisco", "California", "2024-06-21"),
    _n("14155550102", "San Francisco", "California", "2024-06-21"),
    _n("14155550103", "San Francisco", "California", "2024-06-21"),
    _n("14155550199", "San Francisco", "California", "2024-06-21", mms_enabled=False),
    _n("14155550000", "San Francisco", "California", "2024-06-21"),  # link fails
    _n("14155559999", "San Francisco", "California", "2024-06-21"),  # unlink fails
    # New York
    _n("12125551234", "New York", "New York", "2024-08-02", alias="ny support"),
    _n("12125550142", "New York", "New York", "2024-08-02"),
    _n("12125550000", "New York", "New York", "2024-08-02"),  # link fails
    _n("12125559999", "New York", "New York", "2024-08-02"),  # unlink fails
    # Los Angeles
    _n("13105550101", "Los Angeles", "California", "2024-09-16"),
    _n("13105550102", "Los Angeles", "California", "2024-09-16", voice_enabled=False),
    # Allentown (the numbers in Plivo's own examples, and the link form's hint)
    _n("14845007032", "Allentown", "Pennsylvania", "2024-10-07"),
    _n("14845007033", "Allentown", "Pennsylvania", "2024-10-07"),
    _n("14845007040", "Allentown", "Pennsylvania", "2024-10-07"),
    _n("14845551234", "Allentown", "Pennsylvania", "2024-11-18"),
    _n("14845551235", "Allentown", "Pennsylvania", "2024-11-18"),
    _n("14845551236", "Allentown", "Pennsylvania", "2024-11-18"),
    # toll-free: rented, but not a 10DLC number (link refuses it)
    _n("18335550100", "Toll Free", "United States", "2024-04-01", number_type="tollfree"),
)  # fmt: skip


_DATE_FILTERS = (
    "renewal_date", "renewal_date__lt", "renewal_date__lte", "renewal_date__gt",
    "renewal_date__gte",
)  # fmt: skip


def check_filters(query: dict[str, str]) -> None:
    """A 400 for a list filter whose value cannot mean anything."""
    if kind := query.get("type", ""):
        if kind.lower() not in (*NUMBER_TYPES, "mobile", "national", "fixed"):
            raise bad(f"type must be one of local, tollfree, mobile, national, fixed; got {kind!r}")
    asked = {s.strip().lower() for s in query.get("services", "").split(",") if s.strip()}
    if asked - set(SERVICES):
        raise bad(f"services must be a comma-separated list of {', '.join(SERVICES)}")
    for key in _DATE_FILTERS:
        value = query.get(key, "")
        if value and not (len(value) == 10 and value[4] == value[7] == "-"):
            raise bad(f"{key} must be a date as YYYY-MM-DD; got {value!r}")


def matches(entry: AccountNumber, link: tuple[str, str] | None, query: dict[str, str]) -> bool:
    """Whether `entry` passes the Number API's list filters (checked by `check_filters`).

    Filters (the plivo SDK's `numbers.list` parameters): type, number_startswith (the full
    digits, country code first), alias, services (all of them), tendlc_campaign_id,
    tendlc_registration_status, cnam_lookup, subaccount and renewal_date with
    __lt/__lte/__gt/__gte. Other parameters are ignored.
    """
    data = entry.to_json("", link)
    if (kind := query.get("type", "").lower()) and kind != entry.number_type:
        return False
    prefix = query.get("number_startswith", "").strip().removeprefix("+")
    if prefix and not entry.number.startswith(prefix):
        return False
    if (alias := query.get("alias")) and alias != (entry.alias or ""):
        return False
    asked = {s.strip().lower() for s in query.get("services", "").split(",") if s.strip()}
    if not asked <= entry.services():
        return False
    for key in ("tendlc_campaign_id", "tendlc_registration_status", "cnam_lookup"):
        if (want := query.get(key)) and want.upper() != str(data[key] or "").upper():
            return False
    if query.get("subaccount"):
        return False  # no number is assigned to a subaccount
    renewal = entry.renewal_date
    tests = (renewal.__eq__, renewal.__lt__, renewal.__le__, renewal.__gt__, renewal.__ge__)
    for key, test in zip(_DATE_FILTERS, tests, strict=True):
        if (value := query.get(key)) and not test(value):
            return False
    return True
