"""What every headless verb shares: options, inputs (flags or --from-file), output, exit codes.

Exit codes: 0 success; 1 refused (by local validation or by Plivo) or a terminal failure;
2 a usage error (bad flags, an unreadable file, no credentials).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from plivo_client.types import GatewayError, Submitted
from receiver.config import default_db_path
from tendlc.verbs import waiting
from tendlc.verbs.session import Session, SessionError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass(frozen=True, slots=True)
class Field:
    """One API field a verb takes as a flag: text, a boolean (--x/--no-x), or a list."""

    name: str
    kind: str = "text"  # text | flag | list
    help: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


ATTACH_KEY = "tendlc.attach"


def _keep_attach(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value and not value.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--attach")
    ctx.meta[ATTACH_KEY] = value


def common(f: Callable[..., Any]) -> Callable[..., Any]:
    """--db, --api-url, --attach and --json (--attach is read by open_session, not passed)."""
    f = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(f)
    f = click.option(
        "--attach",
        metavar="URL",
        default=None,
        expose_value=False,
        callback=_keep_attach,
        help="Record on a `tendlc receive --serve-api` server instead of the local store "
        "(needs TENDLC_API_TOKEN).",
    )(f)
    f = click.option(
        "--api-url",
        default=None,
        metavar="URL",
        help="A `tendlc sandbox` base URL instead of Plivo's API.",
    )(f)
    return click.option(
        "--db",
        "db",
        type=click.Path(path_type=Path),
        default=None,
        help="Store directory (default: $TENDLC_DB or the user data dir).",
    )(f)


def waiting_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--wait and --timeout."""
    f = click.option(
        "--timeout",
        type=click.FloatRange(0),
        default=600.0,
        show_default=True,
        metavar="SECONDS",
        help="With --wait: give up after this long (exit 1).",
    )(f)
    return click.option(
        "--wait", is_flag=True, help="Block until the terminal status; exit by its outcome."
    )(f)


def from_file_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--from-file",
        "from_file",
        type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
        default=None,
        metavar="FILE.json",
        help="Fields as Plivo's API names them (flags override).",
    )(f)


def field_options(fields: Iterable[Field]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One option per API field, named after it (brand_alias -> --brand-alias)."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        for spec in reversed(list(fields)):
            if spec.kind == "flag":
                opt = click.option(
                    f"{spec.flag}/--no-{spec.flag[2:]}", spec.name, default=None, help=spec.help
                )
            elif spec.kind == "list":
                opt = click.option(spec.flag, spec.name, multiple=True, help=spec.help)
            else:
                opt = click.option(spec.flag, spec.name, default=None, help=spec.help)
            f = opt(f)
        return f

    return decorate


def read_json_file(path: Path) -> dict[str, Any]:
    """A JSON object from FILE (or stdin for `-`); a usage error when it is not one."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text("utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.UsageError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"{path} must hold one JSON object with the API's field names")
    return data


def gather(
    from_file: Path | None, values: dict[str, Any], fields: Iterable[Field]
) -> dict[str, Any]:
    """The request's fields: the file's, then every flag that was given."""
    data = read_json_file(from_file) if from_file else {}
    for spec in fields:
        value = values.get(spec.name)
        if spec.kind == "list":
            if value:
                data[spec.name] = [v for item in value for v in item.split(",") if v.strip()]
        elif value is not None:
            data[spec.name] = value
    return data


def open_session(db: Path | None, api_url: str | None) -> Session:
    ctx = click.get_current_context(silent=True)
    attach = ctx.meta.get(ATTACH_KEY) if ctx is not None else None
    try:
        session = Session(db or default_db_path(), api_url=api_url, attach=attach)
        if session.note:
            click.echo(f"tendlc: {session.note}", err=True)
        return session
    except SessionError as exc:
        if any(
            k in str(exc) for k in ("PLIVO_AUTH", "--api-url", "--attach needs", "--attach wants")
        ):
            raise click.UsageError(str(exc)) from None
        fail(str(exc))


def fail(message: str, *, as_json: bool = False, extra: dict[str, Any] | None = None) -> NoReturn:
    """Exit 1 with the reason on stderr (and a JSON object on stdout with --json)."""
    if as_json:
        click.echo(json.dumps({"ok": False, "error": message, **(extra or {})}, indent=2))
    click.echo(f"tendlc: {message}", err=True)
    raise SystemExit(1)


def refuse_invalid(what: str, errors: dict[str, str], as_json: bool) -> None:
    """Local validation failed: nothing is sent, exit 1 naming every field."""
    if not errors:
        return
    lines = "; ".join(f"{k}: {v}" for k, v in errors.items())
    fail(f"{what} not sent: {lines}", as_json=as_json, extra={"errors": errors})


def read_and_show(
    db: Path | None,
    api_url: str | None,
    as_json: bool,
    read: Callable[[Any], Any],
    lines: Callable[[Any], Iterable[str]],
) -> None:
    """A read verb: `read(gateway)` in a session, then `show` it (exit 1 with Plivo's reason)."""
    with open_session(db, api_url) as session:
        try:
            data = read(session.gateway)
        except GatewayError as exc:
            fail(exc.message, as_json=as_json)
    show(data, as_json, lines)


def show(data: Any, as_json: bool, lines: Callable[[Any], Iterable[str]]) -> None:
    """Print a read: JSON, or the human lines."""
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        for line in lines(data):
            click.echo(line)


def submit(
    session: Session,
    call: Callable[[], Submitted],
    as_json: bool,
    *,
    target: Callable[[Submitted], waiting.Target | None] | None = None,
    wait: bool = False,
    timeout: float = 0.0,
    settle: waiting.Target | None = None,
) -> NoReturn:
    """Send one request, print what came back, optionally wait; exit by the outcome."""
    try:
        sub = call()
    except GatewayError as exc:
        fail(exc.message, as_json=as_json, extra={"status": exc.status, "field": exc.field})
    out: dict[str, Any] = {
        "ok": True,
        "message": sub.message,
        "request_id": sub.record.id,
        "brand_id": sub.brand_id,
        "campaign_id": sub.campaign_id,
        "numbers": list(sub.numbers),
        "response": sub.record.response,
    }
    if isinstance(sub.record.response, dict) and sub.record.response.get("profile_uuid"):
        out["profile_uuid"] = sub.record.response["profile_uuid"]
    if settle is not None:  # what the API now says, into the registry (cause: reconcile)
        waiting.settle(session.gateway, session.recorder, settle)
    if sub.journal_error:
        click.echo(f"tendlc: warning: {sub.journal_error}", err=True)
    goal = target(sub) if (wait and target) else None
    if goal is None:
        _print_done(out, as_json)
        raise SystemExit(0)
    if not as_json:
        click.echo(sub.message)
    outcomes, timed_out = waiting.wait(
        session.gateway, session.recorder, goal, timeout=timeout, by_callback=session.by_callback
    )
    waiting.settle(session.gateway, session.recorder, goal)
    out["outcome"] = {
        k: {"ok": o.ok, "status": o.status, "reason": o.reason} for k, o in outcomes.items()
    }
    out["timed_out"] = timed_out
    out["ok"] = not timed_out and all(o.ok for o in outcomes.values())
    if as_json:
        click.echo(json.dumps(out, indent=2))
    else:
        for rid, o in outcomes.items():
            click.echo(f"{rid}: {o.status}" + (f" — {o.reason}" if o.reason else ""))
    if timed_out:
        pending = [i for i in goal.ids if i not in outcomes]
        click.echo(
            f"tendlc: timed out after {timeout:g} s waiting for {', '.join(pending)}; "
            "the request stands: check later with `tendlc status --refresh`",
            err=True,
        )
    elif not out["ok"]:
        failed = sorted({o.status for o in outcomes.values() if not o.ok})
        bad = sum(1 for o in outcomes.values() if not o.ok)
        click.echo(f"tendlc: {bad} of {len(outcomes)} {'/'.join(failed)} (reasons above)", err=True)
    raise SystemExit(0 if out["ok"] else 1)


def _print_done(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(out, indent=2))
    else:
        click.echo(out["message"])
