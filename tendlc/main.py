"""The `tendlc` command line (click): parses options and hands off; importable without Textual."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from receiver.config import DEFAULT_HOST, default_db_path
from tendlc.options import (
    CONTEXT,
    UNSIGNED_REFUSAL,
    LazyGroup,
    attach_option,
    db_option,
    exposure,
    forward_options,
    receiver_config,
    receiver_options,
    tunnel_option,
)


@click.group(
    cls=LazyGroup,
    lazy_subcommands={
        "profile": "tendlc.verbs.profile:profile",
        "brand": "tendlc.verbs.brand:brand",
        "campaign": "tendlc.verbs.campaign:campaign",  # check + list/get/create/...
        "number": "tendlc.verbs.number:number",
    },
    invoke_without_command=True,
    context_settings=CONTEXT,
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Run against an in-process sandbox, whatever the environment says.",
)
@db_option
@receiver_options
@tunnel_option
@click.option(
    "--overdue",
    "overdue",
    type=click.FloatRange(0),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Flag and reconcile a resource awaiting a callback this long (0 = never).",
)
@click.option(
    "--scenario",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Sandbox mode: arm the faults of a scenario file (see `tendlc sandbox --list-faults`).",
)
@forward_options
@click.version_option(package_name="tendlc")
@click.pass_context
def main(
    ctx: click.Context,
    sandbox: bool,
    db: Path | None,
    host: str,
    port: int,
    public_url: str | None,
    callback_path: str,
    tunnel: str,
    overdue: float,
    scenario: Path | None,
    forward_to: tuple[str, ...],
    forward_retry_scale: float,
) -> None:
    """tendlc: a terminal console for US 10DLC registration through Plivo.

    With PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN set it talks to Plivo (LIVE); without them,
    or with --sandbox, it runs against a local simulator (SANDBOX).
    """
    if ctx.invoked_subcommand is not None:
        return
    from tendlc.launch import LaunchOptions, run_tui

    config = receiver_config(host, port, public_url, callback_path)
    # Either credential set means the user meant LIVE: a missing other half is an error, not
    # a silent fall-back to the sandbox.
    live = (
        bool(os.environ.get("PLIVO_AUTH_ID") or os.environ.get("PLIVO_AUTH_TOKEN")) and not sandbox
    )
    faults, faults_seed = scenario_faults(scenario, live)
    options = LaunchOptions(
        db_path=db or default_db_path(),
        config=config,
        sandbox=not live,
        tunnel=tunnel,
        auth_id=os.environ.get("PLIVO_AUTH_ID") if live else None,
        overdue_after=overdue or None,
        faults=faults,
        faults_seed=faults_seed,
        forward_to=forward_to,
        forward_retry_scale=forward_retry_scale,
    )
    sys.exit(run_tui(options))


def scenario_faults(scenario: Path | None, live: bool) -> tuple[tuple[Any, ...], int]:
    """The faults of `--scenario` for the in-process sandbox; a usage error when unusable."""
    if scenario is None:
        return (), 0
    if live:
        raise click.UsageError(
            "--scenario arms faults on the sandbox: run `tendlc --sandbox --scenario FILE`, "
            "or `tendlc sandbox --scenario FILE` for other programs"
        )
    from sandbox.faults.catalogue import FaultError
    from sandbox.main import fault_specs

    try:
        specs, seed = fault_specs((), scenario, None)
    except FaultError as exc:
        raise click.UsageError(str(exc)) from None
    return tuple(specs), seed


@main.command(context_settings=CONTEXT)
@db_option
@receiver_options
@tunnel_option
@click.option(
    "--accept-unsigned",
    is_flag=True,
    help="Without PLIVO_AUTH_TOKEN, still serve a public URL, tunnel or non-loopback host "
    "(every callback is then accepted unverified).",
)
@forward_options
@click.option(
    "--serve-api",
    is_flag=True,
    help="Also serve the store's API under /_tendlc/v1/ for `--attach` "
    "(needs TENDLC_API_TOKEN; put it behind TLS).",
)
def receive(
    db: Path | None,
    host: str,
    port: int,
    public_url: str | None,
    callback_path: str,
    tunnel: str,
    accept_unsigned: bool,
    forward_to: tuple[str, ...],
    forward_retry_scale: float,
    serve_api: bool,
) -> None:
    """Run the callback receiver alone: one JSON line per event on stdout."""
    from tendlc.receive import run_receive

    config = receiver_config(host, port, public_url, callback_path)
    why = exposure(host, public_url, tunnel)
    if why and not config.auth_token and not accept_unsigned:
        raise click.UsageError(UNSIGNED_REFUSAL.format(why=why))
    db_path = db or default_db_path()
    forward = (forward_to, forward_retry_scale)
    api = None
    if serve_api:
        from receiver.http.api import ApiConfigError, ApiTokens

        try:
            api = ApiTokens.from_env(dict(os.environ))
        except ApiConfigError as exc:
            raise click.UsageError(str(exc)) from None
    sys.exit(run_receive(config, db_path, tunnel=tunnel, forward=forward, api=api))


@main.command(context_settings=CONTEXT)
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Address the simulator binds."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8766,
    show_default=True,
    help="Simulator port (0 = any free port).",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=2.0,
    show_default=True,
    help="Seconds from `created` to the final status.",
)
@click.option(
    "--seed", type=int, default=None, help="Fix generated ids (brand, campaign, profile, api_id)."
)
@click.option(
    "--auth-id",
    default=None,
    help="Account id to accept (MA/SA + 18 chars; generated when omitted).",
)
@click.option(
    "--auth-token",
    default=None,
    envvar="TENDLC_SANDBOX_TOKEN",
    help="Token to accept (generated when omitted; env TENDLC_SANDBOX_TOKEN).",
)
@click.option(
    "--allow-remote-callbacks",
    is_flag=True,
    help="Deliver callbacks to non-loopback addresses too.",
)
@click.option(
    "--fault",
    multiple=True,
    metavar="NAME[:KEY=VALUE,...]",
    help="Arm a fault, e.g. drop-callback or api-error:status=503 (repeatable; see --list-faults).",
)
@click.option(
    "--faults-seed", type=int, default=None, help="Seed of the faults' probability draws."
)
@click.option(
    "--scenario",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Arm the faults of a scenario file (TOML, or JSON when named .json).",
)
@click.option("--list-faults", is_flag=True, help="Describe every fault and exit.")
def sandbox(**options: Any) -> None:
    """Run the offline Plivo 10DLC simulator alone, for any Plivo SDK."""
    from sandbox.main import run_sandbox

    sys.exit(run_sandbox(**options))  # the options above are run_sandbox's parameters


@main.command(context_settings=CONTEXT)
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@attach_option
def events(db: Path | None, fmt: str, attach: str | None) -> None:
    """Export the stored journal (callbacks and requests)."""
    if attach:
        from tendlc.attach import run_events_attached

        sys.exit(run_events_attached(attach, fmt, sys.stdout))
    from receiver.store.export import run_events

    sys.exit(run_events(db or default_db_path(), fmt, sys.stdout))


@main.command(context_settings=CONTEXT)
@db_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    default=None,
    help="JSON output (default when stdout is not a terminal).",
)
@click.option(
    "--refresh", is_flag=True, help="First reconcile with the API (PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN)."
)
@click.option(
    "--api-url", default=None, help="With --refresh: a `tendlc sandbox` base URL instead of Plivo."
)
@attach_option
def status(
    db: Path | None, as_json: bool | None, refresh: bool, api_url: str | None, attach: str | None
) -> None:
    """Print brands, campaigns and numbers with their status."""
    from receiver.store.export import run_status

    if as_json is None:
        as_json = not sys.stdout.isatty()
    if attach:
        if refresh:
            raise click.UsageError(
                "--refresh reconciles a local store; it cannot be used with --attach"
            )
        from tendlc.attach import run_status_attached

        sys.exit(run_status_attached(attach, as_json, sys.stdout))
    db_path = db or default_db_path()
    if refresh:
        from plivo_client.reconcile import run_refresh

        code = run_refresh(
            db_path,
            auth_id=os.environ.get("PLIVO_AUTH_ID"),
            auth_token=os.environ.get("PLIVO_AUTH_TOKEN"),
            api_url=api_url,
            err=sys.stderr,
        )
        if code:
            sys.exit(code)
    sys.exit(run_status(db_path, as_json, sys.stdout))


@main.command(context_settings=CONTEXT)
@click.argument("event_id")
@click.option(
    "--to",
    "to",
    default=None,
    metavar="URL",
    help="Send it here (default: the receiver's callback URL from the options below).",
)
@click.option(
    "--curl",
    "as_curl",
    is_flag=True,
    help="Print a copy-pasteable curl command instead of sending.",
)
@db_option
@receiver_options
@click.pass_context
def replay(
    ctx: click.Context,
    event_id: str,
    to: str | None,
    as_curl: bool,
    db: Path | None,
    host: str,
    port: int,
    public_url: str | None,
    callback_path: str,
) -> None:
    """Re-send a stored callback with a fresh signature (tokens from PLIVO_AUTH_TOKEN / PLIVO_MAIN_AUTH_TOKEN).

    With a tendlc running on the store (the console or `tendlc receive`) and no --to or --port,
    it goes to that process's callback URL; beside a console in sandbox mode it is signed with
    the sandbox's token, which that receiver verifies.
    """
    from receiver.resend import run_replay

    if to is not None and not to.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--to")
    config = receiver_config(host, port, public_url, callback_path)
    db_path = db or default_db_path()
    target, token, main_token = to, config.auth_token, config.main_auth_token
    defaults = ctx.get_parameter_source("port") is click.core.ParameterSource.DEFAULT
    if to is None and defaults and not public_url:
        from tendlc.verbs.session import running_writer

        found = running_writer(db_path)
        if found is not None:
            target = found.get("callback_url") or None
            box = found.get("sandbox") or {}
            if not token and box.get("auth_token"):
                token, main_token = box["auth_token"], None
    sys.exit(
        run_replay(
            db_path,
            event_id,
            target or config.callback_url,
            token=token,
            main_token=main_token,
            out=sys.stdout,
            err=sys.stderr,
            curl=as_curl,
        )
    )


if __name__ == "__main__":  # pragma: no cover
    main()
