"""What the gateway hands back: typed read results, Submitted, and GatewayError."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from receiver.domain.models import RequestRecord


class GatewayError(Exception):
    """A request to Plivo (or the sandbox) failed; `message` says what happened and what to do."""

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status  # HTTP status when Plivo answered, None for local/network errors
        self.field = field  # request field the error is about, when it can be told
        self.journaled = False  # recorded in the store: its change already tells the console

    def __str__(self) -> str:
        return self.message


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Profile:
    """A business profile (Profile/), the thing a brand is registered for."""

    uuid: str
    alias: str
    company_name: str
    entity_type: str
    has_ein: bool
    profile_type: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            uuid=_text(data, "profile_uuid"),
            alias=_text(data, "profile_alias"),
            company_name=_text(data, "company_name"),
            entity_type=_text(data, "entity_type"),
            has_ein=bool(data.get("ein")),
            profile_type=_text(data, "profile_type"),
        )


def _declined(reasons: Any) -> tuple[str, ...]:
    out: list[str] = []
    for reason in reasons or ():
        if isinstance(reason, Mapping):
            message = _text(reason, "message") or _text(reason, "description")
            code = _text(reason, "code")
            out.append(f"{message} ({code})" if code and message else message or code)
        elif reason:
            out.append(str(reason))
    return tuple(r for r in out if r)


@dataclass(frozen=True, slots=True)
class BrandInfo:
    """A brand as the API reports it; `status` is its registration_status."""

    brand_id: str
    alias: str
    brand_type: str
    status: str
    profile_uuid: str
    company_name: str
    declined_reasons: tuple[str, ...] = ()
    vetting_score: int | None = None  # secondary vetting (0-100) when Plivo reports it
    vetting_status: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> BrandInfo:
        score = data.get("vetting_score")
        return cls(
            brand_id=_text(data, "brand_id"),
            alias=_text(data, "brand_alias"),
            brand_type=_text(data, "brand_type"),
            status=_text(data, "registration_status"),
            profile_uuid=_text(data, "profile_uuid"),
            company_name=_text(data, "company_name"),
            declined_reasons=_declined(data.get("declined_reasons")),
            vetting_score=score if isinstance(score, int) and not isinstance(score, bool) else None,
            vetting_status=_text(data, "vetting_status"),
        )


@dataclass(frozen=True, slots=True)
class Usecase:
    """One use case a brand may register a campaign for."""

    code: str
    name: str
    details: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Usecase:
        return cls(
            code=_text(data, "code"), name=_text(data, "name"), details=_text(data, "details")
        )


def _sub_usecases(data: Mapping[str, Any]) -> tuple[str, ...]:
    value = data.get("sub_usecases", data.get("sub_usecase"))
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip())
    return tuple(str(s) for s in value or ())


@dataclass(frozen=True, slots=True)
class CampaignInfo:
    """A campaign as the API reports it; `status` is its registration_status."""

    campaign_id: str
    brand_id: str
    alias: str
    usecase: str
    status: str
    sub_usecases: tuple[str, ...] = ()
    error_reason: str = ""
    error_code: str = ""
    mno_metadata: Mapping[str, Any] | None = None  # per-carrier tpm / brand_tier

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CampaignInfo:
        mno = data.get("mno_metadata")
        return cls(
            campaign_id=_text(data, "campaign_id"),
            brand_id=_text(data, "brand_id"),
            alias=_text(data, "campaign_alias"),
            usecase=_text(data, "usecase"),
            status=_text(data, "registration_status"),
            sub_usecases=_sub_usecases(data),
            error_reason=_text(data, "error_reason") or _text(data, "error_description"),
            error_code=_text(data, "error_code"),
            mno_metadata=dict(mno) if isinstance(mno, Mapping) and mno else None,
        )


@dataclass(frozen=True, slots=True)
class NumberInfo:
    """One number on a campaign and its link status (PROCESSING, COMPLETED, FAILED)."""

    number: str
    campaign_id: str
    status: str
    reason: str = ""  # why a link FAILED, when the number object says (see LINK_REASON_KEYS)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], campaign_id: str) -> NumberInfo:
        reason = next((_text(data, k) for k in LINK_REASON_KEYS if _text(data, k)), "")
        return cls(
            number=_text(data, "number").lstrip("+"),
            campaign_id=campaign_id,
            status=_text(data, "status"),
            reason=reason,
        )


LINK_REASON_KEYS = ("failure_reason", "error_reason", "reason", "remark")
"""Where a number object may say why its link failed. Plivo documents none of them (its Node
SDK types carry an optional `remark`); the sandbox sends `failure_reason`."""


@dataclass(frozen=True, slots=True)
class Submitted:
    """A request the API accepted, as journaled, with the ids it concerns."""

    record: RequestRecord
    message: str  # one line for a toast, e.g. "brand B43KNAS submitted: awaiting callback"
    brand_id: str | None = None
    campaign_id: str | None = None
    numbers: tuple[str, ...] = ()
    journal_error: str | None = None  # the store could not record it (the API did accept it)


def refuse_invalid(what: str, errors: Mapping[str, str]) -> None:
    """Refuse to send a request that fails local validation (nothing is journaled)."""
    if errors:
        field, message = next(iter(errors.items()))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        label = field.replace("_", " ")
        raise GatewayError(f"{what} not sent: {label}: {message}{more}", field=field)
