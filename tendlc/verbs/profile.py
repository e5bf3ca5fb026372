"""`tendlc profile list | get | create | update | delete`: business profiles, headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from plivo_client.account_requests import (
    ADDRESS_KEYS,
    CONTACT_KEYS,
    PROFILE_OPTIONAL,
    PROFILE_REQUIRED,
    PROFILE_UPDATABLE,
    ProfileRequest,
    ProfileUpdate,
)
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

TEXT = [Field(name) for name in (*PROFILE_REQUIRED, *PROFILE_OPTIONAL)]
NESTED = [Field(f"address_{k}") for k in ADDRESS_KEYS] + [
    Field(f"contact_{k}", help="authorized_contact." + k if k == "phone" else "")
    for k in CONTACT_KEYS
]


def _nest(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """--address-city / --contact-email ... into address{} / authorized_contact{}."""
    for prefix, key, names in (
        ("address_", "address", ADDRESS_KEYS),
        ("contact_", "authorized_contact", CONTACT_KEYS),
    ):
        given = {n: values[prefix + n] for n in names if values.get(prefix + n) is not None}
        if given:
            base = data.get(key) if isinstance(data.get(key), dict) else {}
            data[key] = {**base, **given}
    return data


def _line(p: dict[str, Any]) -> str:
    return (
        f"{p.get('profile_uuid', '')}  {p.get('profile_type', ''):<9}  "
        f"{p.get('entity_type', ''):<14}  {p.get('profile_alias', '')} · {p.get('company_name', '')}"
        + ("" if p.get("ein") else "  (no EIN: STARTER brands only)")
    )


@click.group(context_settings=CONTEXT)
def profile() -> None:
    """Business profiles: list, get, create, update, delete."""


@profile.command("list", context_settings=CONTEXT)
@common
def list_(db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Every profile on the account."""
    read_and_show(
        db,
        api_url,
        as_json,
        lambda g: g.read_profiles(),
        lambda rs: [_line(r) for r in rs] or ["no profiles"],
    )


@profile.command("get", context_settings=CONTEXT)
@click.argument("profile_uuid")
@common
def get(profile_uuid: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """One profile, with every field Plivo returns."""
    read_and_show(
        db,
        api_url,
        as_json,
        lambda g: g.read_profile(profile_uuid),
        lambda d: [f"{k}: {v}" for k, v in sorted(d.items())],
    )


@profile.command("create", context_settings=CONTEXT)
@from_file_option
@field_options(TEXT + NESTED)
@waiting_options
@common
def create(
    from_file: Path | None, wait: bool, timeout: float, db: Path | None, api_url: str | None,
    as_json: bool, **values: Any,
) -> None:  # fmt: skip
    """Create a profile (profile_alias, customer_type, entity_type, company_name, vertical,
    address, authorized_contact required). A profile has no pending state: --wait returns at once."""
    data = _nest(gather(from_file, values, TEXT), values)
    req = ProfileRequest(data)
    refuse_invalid("create profile", req.validate(), as_json)
    with open_session(db, api_url) as session:
        submit(session, lambda: session.gateway.create_profile(req), as_json)


@profile.command("update", context_settings=CONTEXT)
@click.argument("profile_uuid")
@from_file_option
@field_options(
    [Field(n) for n in PROFILE_UPDATABLE if n not in ("address", "authorized_contact")] + NESTED
)
@waiting_options
@common
def update(
    profile_uuid: str, from_file: Path | None, wait: bool, timeout: float, db: Path | None,
    api_url: str | None, as_json: bool, **values: Any,
) -> None:  # fmt: skip
    """Change a profile's updatable fields (entity_type, company_name, vertical, address,
    authorized_contact, website, ...)."""
    fields = [Field(n) for n in PROFILE_UPDATABLE if n not in ("address", "authorized_contact")]
    data = _nest(gather(from_file, values, fields), values)
    req = ProfileUpdate(profile_uuid, data)
    refuse_invalid(f"update profile {profile_uuid}", req.validate(), as_json)
    with open_session(db, api_url) as session:
        submit(session, lambda: session.gateway.update_profile(req), as_json)


@profile.command("delete", context_settings=CONTEXT)
@click.argument("profile_uuid")
@common
def delete(profile_uuid: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Delete a profile (not the primary one, nor one that backs a brand)."""
    with open_session(db, api_url) as session:
        submit(session, lambda: session.gateway.delete_profile(profile_uuid), as_json)
