"""`tendlc campaign list | get | create | update | delete | import`, headless (beside `check`)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from plivo_client.account_requests import CAMPAIGN_UPDATABLE, CampaignImport, CampaignUpdate
from plivo_client.compliance import Severity, check_campaign
from plivo_client.preflight import check_campaign as preflight_campaign
from plivo_client.types import GatewayError
from plivo_client.validation import CampaignRequest
from receiver.domain import vocab
from receiver.domain.declines import describe
from receiver.domain.models import ResourceType
from tendlc.verbs.campaign_check import campaign, request_from_json
from tendlc.verbs.common import (
    CONTEXT,
    Field,
    common,
    fail,
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

_FLAGS = set(vocab.CAMPAIGN_ATTRIBUTES)
CREATE_FIELDS = [
    Field(
        "campaign_alias" if f.name == "alias" else f.name,
        "flag" if f.name in _FLAGS else "list" if f.name == "sub_usecases" else "text",
    )
    for f in dataclasses.fields(CampaignRequest)
]
UPDATE_FIELDS = [Field(name) for name in CAMPAIGN_UPDATABLE]


def _line(c: dict[str, Any]) -> str:
    return (
        f"{c.get('campaign_id', ''):<8} {c.get('registration_status', ''):<10} "
        f"{c.get('brand_id', ''):<8} {c.get('usecase', ''):<22} {c.get('campaign_alias', '')}"
    )


def _detail(c: dict[str, Any]) -> list[str]:
    lines = [f"{k}: {v}" for k, v in sorted(c.items()) if k not in ("mno_metadata",)]
    for carrier, meta in sorted((c.get("mno_metadata") or {}).items()):
        lines.append(f"carrier {carrier}: {', '.join(f'{k}={v}' for k, v in meta.items())}")
    if c.get("error_code") or c.get("error_reason"):
        lines.append("rejected: " + describe(c.get("error_code"), c.get("error_reason")))
    return lines


def _campaign_target(s: Any) -> Target | None:
    if not s.campaign_id:
        return None
    return Target(ResourceType.CAMPAIGN, (s.campaign_id,), request_id=s.record.id)


@campaign.command("list", context_settings=CONTEXT)
@click.option("--brand-id", default=None, help="Only this brand's campaigns.")
@common
def list_(brand_id: str | None, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Every campaign on the account (or of one brand)."""
    read_and_show(
        db,
        api_url,
        as_json,
        lambda g: g.read_campaigns(brand_id),
        lambda rs: [_line(r) for r in rs] or ["no campaigns"],
    )


@campaign.command("get", context_settings=CONTEXT)
@click.argument("campaign_id")
@common
def get(campaign_id: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """One campaign, with per-carrier mno_metadata and the reason for a rejection."""
    read_and_show(db, api_url, as_json, lambda g: g.read_campaign(campaign_id), _detail)


@campaign.command("create", context_settings=CONTEXT)
@from_file_option
@field_options(CREATE_FIELDS)
@click.option("--dry-run", is_flag=True, help="Run every check; send nothing.")
@click.option("--brand-name", default="", help="With --dry-run: the brand's name, for the checks.")
@click.option("--brand-type", default="", help="With --dry-run: STANDARD or STARTER.")
@waiting_options
@common
def create(
    from_file: Path | None, dry_run: bool, brand_name: str, brand_type: str, wait: bool,
    timeout: float, db: Path | None, api_url: str | None, as_json: bool, **values: Any,
) -> None:  # fmt: skip
    """Register a campaign. Checked first like the form: Plivo's field rules, the campaign
    check (blockers refuse it), then the brand's status and use cases at Plivo."""
    req = request_from_json(gather(from_file, values, CREATE_FIELDS))
    refuse_invalid("create campaign", req.validate(), as_json)
    if dry_run:
        _checks(req, brand_name, brand_type, as_json, dry_run=True)
    with open_session(db, api_url) as session:
        try:
            brand = session.gateway.read_brand(req.brand_id)
            _checks(
                req,
                str(brand.get("company_name") or ""),
                str(brand.get("brand_type") or ""),
                as_json,
            )
            found = preflight_campaign(session.gateway, req)
        except GatewayError as exc:
            fail(exc.message, as_json=as_json)
        if blocking := [f.message for f in found if f.blocking]:
            fail("create campaign not sent: " + "; ".join(blocking), as_json=as_json)
        submit(
            session, lambda: session.gateway.create_campaign(req), as_json,
            target=_campaign_target, wait=wait, timeout=timeout,
        )  # fmt: skip


def _checks(
    req: CampaignRequest, brand_name: str, brand_type: str, as_json: bool, *, dry_run: bool = False
) -> None:
    """The campaign check; blockers refuse (exit 1). With dry_run, print and exit."""
    findings = check_campaign(req, brand_name=brand_name, brand_type=brand_type)
    blockers = [f for f in findings if f.severity is Severity.BLOCKER]
    if dry_run:
        if as_json:
            data = [dataclasses.asdict(f) | {"severity": str(f.severity)} for f in findings]
            click.echo(json.dumps({"ok": not blockers, "findings": data}, indent=2))
        else:
            for f in findings:
                click.echo(f.line())
            click.echo("would be sent" if not blockers else "would be refused", err=True)
        raise SystemExit(1 if blockers else 0)
    for f in findings:
        if f.severity is not Severity.BLOCKER:
            click.echo(f.line(), err=True)
    if blockers:
        fail(
            "create campaign not sent: " + "; ".join(f.line() for f in blockers),
            as_json=as_json,
            extra={
                "findings": [
                    dataclasses.asdict(f) | {"severity": str(f.severity)} for f in blockers
                ]
            },
        )


@campaign.command("update", context_settings=CONTEXT)
@click.argument("campaign_id")
@from_file_option
@field_options(UPDATE_FIELDS)
@waiting_options
@common
def update(
    campaign_id: str, from_file: Path | None, wait: bool, timeout: float, db: Path | None,
    api_url: str | None, as_json: bool, **values: Any,
) -> None:  # fmt: skip
    """Fix and resubmit a rejected (FAILED) campaign: a new registration cycle."""
    data = gather(from_file, values, UPDATE_FIELDS)
    data.pop("campaign_id", None)
    req = CampaignUpdate(campaign_id, data)
    refuse_invalid(f"update campaign {campaign_id}", req.validate(), as_json)
    with open_session(db, api_url) as session:
        submit(
            session, lambda: session.gateway.update_campaign(req), as_json,
            target=_campaign_target, wait=wait, timeout=timeout,
        )  # fmt: skip


@campaign.command("delete", context_settings=CONTEXT)
@click.argument("campaign_id")
@common
def delete(campaign_id: str, db: Path | None, api_url: str | None, as_json: bool) -> None:
    """Deactivate a campaign: irreversible, its numbers are released (Plivo stops billing it)."""
    with open_session(db, api_url) as session:
        submit(
            session, lambda: session.gateway.delete_campaign(campaign_id), as_json,
            settle=Target(ResourceType.CAMPAIGN, (campaign_id,)),
        )  # fmt: skip


@campaign.command("import", context_settings=CONTEXT)
@click.argument("campaign_id")
@click.option("--campaign-alias", "alias", required=True, help="A name to recognise it by.")
@waiting_options
@common
def import_(
    campaign_id: str, alias: str, wait: bool, timeout: float, db: Path | None,
    api_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Import a campaign registered at TCR and shared with Plivo."""
    req = CampaignImport(campaign_id, alias)
    refuse_invalid(f"import campaign {campaign_id}", req.validate(), as_json)
    with open_session(db, api_url) as session:
        submit(
            session, lambda: session.gateway.import_campaign(req), as_json,
            target=_campaign_target, wait=wait, timeout=timeout,
        )  # fmt: skip
