"""`tendlc campaign check FILE.json`: the campaign check, headless, before anything is paid for."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from plivo_client.compliance import Severity, check_campaign, summary
from plivo_client.validation import CampaignRequest

FIELDS = {f.name for f in dataclasses.fields(CampaignRequest)}
ALIASES = {"campaign_alias": "alias"}  # the API's name for the form's alias


def request_from_json(data: Any) -> CampaignRequest:
    """A CampaignRequest from the JSON body Plivo's API takes (unknown keys are an error)."""
    if not isinstance(data, dict):
        raise click.UsageError("the file must hold one JSON object: the campaign request")
    values: dict[str, Any] = {}
    unknown = []
    for key, value in data.items():
        name = ALIASES.get(key, key)
        if name in ("url", "method"):
            continue  # filled in by the gateway
        if name not in FIELDS:
            unknown.append(key)
            continue
        values[name] = tuple(value) if name == "sub_usecases" and isinstance(value, list) else value
    if unknown:
        raise click.UsageError(f"unknown campaign fields: {', '.join(sorted(unknown))}")
    if "brand_id" not in values:
        values["brand_id"] = ""
    return CampaignRequest(**values)


@click.group()
def campaign() -> None:
    """Campaigns: list, get, create, update, delete, import; check one before you submit it."""


@campaign.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--brand-name", default="", help="The brand's name, to check samples name it.")
@click.option("--brand-type", default="", help="STANDARD or STARTER, when known.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(file: Path, brand_name: str, brand_type: str, as_json: bool) -> None:
    """Check FILE.json (a campaign request, as Plivo's API takes it) against what TCR rejects.

    Exit 0: nothing blocks (likely rejections and advice are printed); 1: a blocker or a
    field the form would refuse (a missing brand_id is not one: the check needs no brand);
    2: the file cannot be read.
    """
    try:
        data = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.UsageError(f"cannot read {file}: {exc}") from exc
    req = request_from_json(data)
    errors = req.validate()
    if not req.brand_id:  # a campaign can be checked before its brand is chosen
        errors.pop("brand_id", None)
    findings = check_campaign(req, brand_name=brand_name, brand_type=brand_type)
    if as_json:
        out = {
            "errors": errors,
            "findings": [dataclasses.asdict(f) | {"severity": str(f.severity)} for f in findings],
        }
        click.echo(json.dumps(out, indent=2))
    else:
        for name, message in errors.items():
            click.echo(f"error · {name}: {message}")
        for finding in findings:
            click.echo(finding.line())
        click.echo(summary(findings) or ("no findings" if not errors else ""), err=True)
    blocked = errors or any(f.severity is Severity.BLOCKER for f in findings)
    raise SystemExit(1 if blocked else 0)
