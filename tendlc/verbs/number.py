"""`tendlc number list [--free] | link CAMPAIGN NUMBER... | unlink CAMPAIGN NUMBER...`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from plivo_client.preflight import check_link
from plivo_client.types import GatewayError, Submitted
from plivo_client.validation import LinkRequest, parse_numbers
from receiver.domain.models import ResourceType
from tendlc.verbs import waiting
from tendlc.verbs.common import (
    CONTEXT,
    common,
    fail,
    open_session,
    refuse_invalid,
    show,
    submit,
    waiting_options,
)
from tendlc.verbs.waiting import Target


def read_numbers(args: tuple[str, ...], file: Path | None) -> list[str]:
    """Numbers from the arguments and from FILE (CSV or one per line; `-` = stdin).

    A first line without digits (a CSV header) is skipped; anything else that is not a
    number is a usage error naming it.
    """
    chunks = [a for a in args if a != "-"]
    sources = []
    if "-" in args or (file is not None and str(file) == "-"):
        sources.append(sys.stdin.read())
    if file is not None and str(file) != "-":
        try:
            sources.append(file.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise click.UsageError(f"cannot read {file}: {exc}") from None
    for text in sources:
        lines = text.splitlines()
        if lines and not any(ch.isdigit() for ch in lines[0]):
            lines = lines[1:]
        chunks.extend(lines)
    valid, invalid = parse_numbers("\n".join(chunks))
    if invalid:
        raise click.UsageError(f"not phone numbers: {', '.join(invalid)}")
    if not valid:
        raise click.UsageError("no numbers given: pass NUMBER..., --file FILE or - for stdin")
    return valid


def _line(n: dict[str, Any]) -> str:
    campaign = n.get("tendlc_campaign_id") or ""
    status = n.get("tendlc_registration_status") or ""
    where = f"{status} {campaign}".strip() if campaign else "free"
    return f"+{n.get('number', '')}  {n.get('number_type', ''):<8}  {where:<22}  {n.get('alias') or ''}"


def is_free(n: dict[str, Any]) -> bool:
    """A local number no campaign holds (toll-free numbers are not 10DLC)."""
    return n.get("number_type", "local") == "local" and not n.get("tendlc_campaign_id")


@click.group(context_settings=CONTEXT)
def number() -> None:
    """Numbers: the account's inventory, link to and unlink from campaigns."""


@number.command("list", context_settings=CONTEXT)
@click.option("--free", is_flag=True, help="Only local numbers no campaign holds.")
@click.option("--campaign", "campaign_id", default=None, help="The numbers on one campaign.")
@common
def list_(
    free: bool, campaign_id: str | None, db: Path | None, api_url: str | None, as_json: bool
) -> None:
    """The account's numbers (Plivo's Number API): free, or linked and to what."""
    with open_session(db, api_url) as session:
        try:
            if campaign_id:
                rows = session.gateway.read_campaign_numbers(campaign_id)
                show(
                    rows,
                    as_json,
                    lambda rs: (
                        [f"+{r.get('number')}  {r.get('status')}" for r in rs] or ["no numbers"]
                    ),
                )
                return
            rows = session.gateway.account_numbers()
        except GatewayError as exc:
            fail(exc.message, as_json=as_json)
    if free:
        rows = [r for r in rows if is_free(r)]
    show(rows, as_json, lambda rs: [_line(r) for r in rs] or ["no numbers"])


def _number_target(campaign_id: str, unlink: bool) -> Any:
    def make(s: Submitted) -> Target:
        return Target(ResourceType.NUMBER, s.numbers, campaign_id, unlink, s.record.id)

    return make


@number.command("link", context_settings=CONTEXT)
@click.argument("campaign_id")
@click.argument("numbers", nargs=-1)
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              default=None, help="More numbers: CSV or one per line (- = stdin).")  # fmt: skip
@waiting_options
@common
def link(
    campaign_id: str, numbers: tuple[str, ...], file: Path | None, wait: bool, timeout: float,
    db: Path | None, api_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Link numbers to an ACTIVE campaign (numbers already on it are left out, and named)."""
    req = LinkRequest(campaign_id, tuple(read_numbers(numbers, file)))
    refuse_invalid(f"link numbers to campaign {campaign_id}", req.validate(), as_json)
    with open_session(db, api_url) as session:
        try:
            checked = check_link(session.gateway, req)
        except GatewayError as exc:
            fail(exc.message, as_json=as_json)
        for finding in checked.findings:
            if not finding.blocking:
                click.echo(f"tendlc: {finding.message}", err=True)
        if checked.request is None:
            fail("; ".join(f.message for f in checked.findings), as_json=as_json)
        send = checked.request
        submit(
            session, lambda: session.gateway.link_numbers(send), as_json,
            target=_number_target(campaign_id, False), wait=wait, timeout=timeout,
        )  # fmt: skip


@number.command("unlink", context_settings=CONTEXT)
@click.argument("campaign_id")
@click.argument("numbers", nargs=-1)
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              default=None, help="More numbers: CSV or one per line (- = stdin).")  # fmt: skip
@waiting_options
@common
def unlink(
    campaign_id: str, numbers: tuple[str, ...], file: Path | None, wait: bool, timeout: float,
    db: Path | None, api_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Unlink numbers from their campaign (one request each; every one is journaled)."""
    wanted = read_numbers(numbers, file)
    if len(wanted) == 1:
        with open_session(db, api_url) as session:
            submit(
                session, lambda: session.gateway.unlink_number(campaign_id, wanted[0]), as_json,
                target=_number_target(campaign_id, True), wait=wait, timeout=timeout,
            )  # fmt: skip
    with open_session(db, api_url) as session:
        sent, refused = [], {}
        for n in wanted:
            try:
                sent.append(session.gateway.unlink_number(campaign_id, n))
            except GatewayError as exc:
                refused[n] = exc.message
                click.echo(f"tendlc: {exc.message}", err=True)
        for s in sent:
            if not as_json:
                click.echo(s.message)
        out: dict[str, Any] = {
            "ok": not refused,
            "requests": {s.numbers[0]: s.record.id for s in sent},
            "refused": refused,
        }
        if wait and sent:
            goal = Target(ResourceType.NUMBER, tuple(s.numbers[0] for s in sent), campaign_id, True)
            outcomes, timed_out = waiting.wait(
                session.gateway, session.recorder, goal, timeout=timeout,
                by_callback=session.by_callback,
            )  # fmt: skip
            waiting.settle(session.gateway, session.recorder, goal)
            out["outcome"] = {
                k: {"ok": o.ok, "status": o.status, "reason": o.reason} for k, o in outcomes.items()
            }
            out["timed_out"] = timed_out
            out["ok"] = out["ok"] and not timed_out and all(o.ok for o in outcomes.values())
            if not as_json:
                for k, o in outcomes.items():
                    click.echo(f"{k}: {o.status}" + (f" — {o.reason}" if o.reason else ""))
            if timed_out:
                click.echo(f"tendlc: timed out after {timeout:g} s", err=True)
        if as_json:
            click.echo(json.dumps(out, indent=2))
    raise SystemExit(0 if out["ok"] else 1)
