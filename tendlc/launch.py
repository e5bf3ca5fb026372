"""Start-up of `tendlc`: check what can fail before the screen takes over, then run the app."""

from __future__ import annotations

import logging
import socket
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from receiver.config import ReceiverConfig
from receiver.server import bind_problem

SANDBOX_DELAY = 3.0  # seconds from `created` to the final status: long enough to see `pending`


@dataclass(frozen=True, slots=True)
class LaunchOptions:
    """What the command line decided (tendlc/main.py)."""

    db_path: Path
    config: ReceiverConfig
    sandbox: bool
    tunnel: str = "none"
    auth_id: str | None = None
    overdue_after: float | None = 120.0  # seconds awaiting a callback before "overdue"; None: never
    faults: tuple[Any, ...] = ()  # sandbox FaultSpecs to arm (--scenario); sandbox mode only
    faults_seed: int = 0
    forward_to: tuple[str, ...] = ()  # --forward-to: receiver/forward.py
    forward_retry_scale: float = 1.0


def port_problem(host: str, port: int) -> str | None:
    """Why the receiver could not bind host:port right now, or None (port 0 always binds)."""
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            return bind_problem(host, port, exc)
    return None


def live_problem(options: LaunchOptions) -> str | None:
    """What is missing to talk to Plivo, or None."""
    if options.sandbox:
        return None
    if not options.auth_id:
        return (
            "PLIVO_AUTH_ID is not set: export it (and PLIVO_AUTH_TOKEN), or run `tendlc --sandbox`"
        )
    if not options.config.auth_token:
        return "PLIVO_AUTH_TOKEN is not set: export it, or run `tendlc --sandbox`"
    return None


def run_tui(options: LaunchOptions, *, err: TextIO | None = None) -> int:
    """Run the console; 0 on a normal quit, 1 with a one-line reason when something fails."""
    from plivo_client.gateway import Gateway
    from plivo_client.types import GatewayError
    from receiver.server import Receiver
    from receiver.store.store import Store, StoreError
    from sandbox.server import Sandbox
    from tui.app import make_app

    err = err or sys.stderr

    def fail(reason: str) -> int:
        print(f"tendlc: {reason}", file=err)
        return 1

    if reason := live_problem(options) or port_problem(options.config.host, options.config.port):
        return fail(reason)
    try:
        store = Store.open(options.db_path)
    except StoreError as exc:
        return fail(str(exc))

    config = options.config
    sandbox = None
    if options.sandbox:
        sandbox = Sandbox(
            delay=SANDBOX_DELAY,
            seed=None,
            preregistered=True,
            faults=options.faults,
            faults_seed=options.faults_seed,
        )
        config = replace(
            config, auth_token=sandbox.auth_token, main_auth_token=sandbox.main_auth_token
        )
    receiver = Receiver(store, config)
    if sandbox is not None:  # scripts run beside the console use its sandbox (tendlc/session.py)
        box = sandbox
        receiver.inbox_info = lambda: {
            "sandbox": {
                "api_url": box.base_url,
                "auth_id": box.auth_id,
                "auth_token": box.auth_token,
            }
        }

    def callback_url() -> str:
        return receiver.config.callback_url

    if sandbox is not None:

        def gateway():
            return Gateway(
                sandbox.auth_id,
                sandbox.auth_token,
                base_url=sandbox.base_url,
                store=store,
                callback_url=callback_url,
            )

    else:
        try:
            gateway = Gateway(
                options.auth_id or "",
                config.auth_token or "",
                store=store,
                callback_url=callback_url,
            )
        except GatewayError as exc:
            store.close_sync()
            return fail(str(exc))

    forwarder = None
    if options.forward_to:
        from receiver.forward import Forwarder

        # Signed with your own tokens when set (your handler checks them), else the receiver's.
        own, own_main = ReceiverConfig.tokens_from_env()
        forwarder = Forwarder(
            store,
            options.forward_to,
            token=own or config.auth_token,
            main_token=own_main or (None if own else config.main_auth_token),
            scale=options.forward_retry_scale,
        )
    logging.getLogger().handlers[:] = [logging.NullHandler()]  # nothing may write to the screen
    app = make_app(
        store=store,
        receiver=receiver,
        gateway=gateway,
        sandbox=sandbox,
        mode="SANDBOX" if sandbox is not None else "LIVE",
        tunnel=options.tunnel,
        overdue_after=options.overdue_after,
        forwarder=forwarder,
    )
    try:
        app.run()
    finally:
        store.close_sync()  # a no-op after a normal quit; releases the lock after a crash
    return app.return_code or 0
