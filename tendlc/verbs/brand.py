"""`tendlc brand list | get | create | delete | otp`: brands, headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from plivo_client.validation import BrandRequest
from receiver.domain.declines import describe
from receiver.domain.models import ResourceType
from tendlc.verbs.common import (
    CONTEXT,
    Field,
    common,
    field_options,
    from_file_option,
    gather,
    open_session,
    read_and_show,
    refuse_invalid,
    submit,
    waiting_options,
)
from tendlc.verbs.waiting import Target

FIELDS = [
    Field("profile_uuid", help="The profile the brand is registered for."),
    Field("brand_alias", help="A name to recognise the brand by."),
    Field("brand_type", help="STANDARD (default) or STARTER."),
    Field("secondary_vetting", "flag", help="Secondary vetting (STANDARD only)."),
    Field("business_contact_email"),
]


def brand_request(data: dict[str, Any]) -> BrandRequest:
    """A BrandRequest from the API's field names (unknown ones are a usage error)."""
    unknown = sorted(k for k in data if k not in {f.name for f in FIELDS} | {"url", "method"})
    if unknown:
        raise click.UsageError(f"unknown brand fields: {', '.join(unknown)}")
    return BrandRequest(
        profile_uuid=str(data.get("profile_uuid") or ""),
        alias=str(data.get("brand_alias") or ""),
        brand_type=str(data.get("brand_type") or "STANDARD").upper(),
        secondary_vetting=data.get("secondary_vetting", False),
        business_contact_email=str(data.get("business_contact_email") or ""),
    )


def _line(b: dict[str, Any]) -> str:
    return (
        f"{b.get('brand_id', ''):<8} {b.get('registration_status', ''):<10} "
        f"{b.get('brand_type', ''):<8} {b.get('brand_alias', '')} · {b.get('company_name', '')}"
    )


def _detail(b: dict[str, Any]) -> list[str]:
    lines = [f"{k}: {v}" for k, v in sorted(b.items()) if k != "declined_reasons"]
    for r in b.get("declined_reasons") or ():
        if isinstance(r, dict):
            lines.append("declined: " + describe(r.get("code"), r.get("message"), brand=True))
    return lines


@click.group(context_settings=CONTEXT)
def brand() -> None:
    """Brands: list, get, create, delete, otp."""


@brand.command("list", context_settings=CONTEXT)
@common
def list_(db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Every brand on the account."""
    read_and_show(
        db,
        api_url,
        as_json,
        lambda g: g.read_brands(),
        lambda rs: [_line(r) for r in rs] or ["no brands"],
    )


@brand.command("get", context_settings=CONTEXT)
@click.argument("brand_id")
@common
def get(brand_id: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """One brand: status, vetting score and status, and the reasons for a rejection."""
    read_and_show(db, api_url, as_json, lambda g: g.read_brand(brand_id), _detail)


@brand.command("create", context_settings=CONTEXT)
@from_file_option
@field_options(FIELDS)
@waiting_options
@common
def create(
    from_file: Path | None, wait: bool, timeout: float, db: Path | None, api_url: str | None,
    as_json: bool, **values: Any,
) -> None:  # fmt: skip
    """Register a brand for a profile. With --wait: exit 0 when registered, 1 when rejected."""
    req = brand_request(gather(from_file, values, FIELDS))
    refuse_invalid("create brand", req.validate(), as_json)
    with open_session(db, api_url) as session:
        submit(
            session,
            lambda: session.gateway.create_brand(req),
            as_json,
            target=lambda s: (
                Target(ResourceType.BRAND, (s.brand_id,), request_id=s.record.id)
                if s.brand_id
                else None
            ),
            wait=wait,
            timeout=timeout,
        )


@brand.command("delete", context_settings=CONTEXT)
@click.argument("brand_id")
@common
def delete(brand_id: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Deactivate a brand (refused while it has campaigns; cannot be undone)."""
    with open_session(db, api_url) as session:
        submit(session, lambda: session.gateway.delete_brand(brand_id), as_json)


@brand.command("otp", context_settings=CONTEXT)
@click.argument("brand_id")
@common
def otp(brand_id: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Re-send a STARTER brand's one-time password; prints Plivo's message."""
    with open_session(db, api_url) as session:
        submit(session, lambda: session.gateway.brand_otp(brand_id), as_json)
