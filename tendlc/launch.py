"""Start-up of `tendlc`: check what can fail before the screen takes over, then run the app."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from receiver.config import ReceiverConfig
from receiver.http.binding import bind_problem, listen_on

if TYPE_CHECKING:
    from receiver.http.opening import StoreOpening

SANDBOX_DELAY = 3.0  # seconds from `created` to the final status: long enough to see `pending`
QUICK_OPEN = 1.0  # seconds to wait for the store before the screen starts (a locked one fails)


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
    attach: str | None = None  # --attach URL: the store is a `tendlc receive --serve-api` server


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
    from receiver.http.opening import StoreOpening, describe
    from receiver.http.server import Receiver
    from receiver.store.store import Store, StoreError
    from sandbox.server import Sandbox
    from tui.app import make_app

    err = err or sys.stderr

    def fail(reason: str) -> int:
        print(f"tendlc: {reason}", file=err)
        return 1

    if reason := live_problem(options):
        return fail(reason)
    if options.attach:
        return _run_attached(options, fail)
    # Bind first: while the store opens (on a thread) callbacks queue on the socket instead of
    # being refused, and once the app runs, the receiver answers them (receiver/http/opening.py).
    config = options.config
    try:
        sock = listen_on(config.host, config.port)
    except OSError as exc:
        return fail(bind_problem(config.host, config.port, exc))
    config = replace(config, port=sock.getsockname()[1])
    # Callbacks are acknowledged while a large registry loads (receiver/store/early.py).
    opening = StoreOpening.staged(options.db_path).start()
    try:  # a small store opens here, as before; a large one finishes behind a loading screen
        store: Store | StoreOpening = opening.join(QUICK_OPEN) or opening
    except (StoreError, OSError) as exc:
        sock.close()
        return fail(describe(exc))
    if store is not opening and opening.early is not None:
        opening.early.shutdown()  # nothing came before the app runs; the receiver feeds leftovers

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
    receiver = Receiver(store, config, sock=sock)
    if (
        sandbox is not None
    ):  # scripts run beside the console use its sandbox (tendlc/verbs/session.py)
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
                store=opening.join(),
                callback_url=callback_url,
            )

    else:

        def live() -> Gateway:  # the store is open by then: join() returns at once
            return Gateway(
                options.auth_id or "",
                config.auth_token or "",
                store=opening.join(),
                callback_url=callback_url,
            )

        try:  # bad credentials are said now, before the screen starts
            if store is opening:  # made by Services.start, once the store is open
                Gateway(options.auth_id or "", config.auth_token or "")
                gateway = live
            else:
                gateway = live()
        except GatewayError as exc:
            sock.close()
            _close(opening)
            return fail(str(exc))

    forwarder = None
    if options.forward_to:
        from receiver.forward import Forwarder

        # Signed with your own tokens when set (your handler checks them), else the receiver's.
        own, own_main = ReceiverConfig.tokens_from_env()
        started = time.time()  # a first start forwards what arrives from here on

        def make_forwarder() -> Forwarder:  # made once the store is open (Services.start)
            return Forwarder(
                opening.join(),
                options.forward_to,
                token=own or config.auth_token,
                main_token=own_main or (None if own else config.main_auth_token),
                scale=options.forward_retry_scale,
                since=started,
            )

        forwarder = make_forwarder

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
        sock.close()  # a no-op once the receiver served it
        _close(opening)  # a no-op after a normal quit; releases the lock after a crash
    return app.return_code or 0


def _run_attached(options: LaunchOptions, fail: Any) -> int:
    """The console on a server's store: read it first (a bad URL or token is said now)."""
    from tendlc.attach import AttachError, attached_parts
    from tui.app import make_app

    try:
        parts = attached_parts(options, sandbox_delay=SANDBOX_DELAY)
    except AttachError as exc:
        return fail(str(exc))
    logging.getLogger().handlers[:] = [logging.NullHandler()]  # nothing may write to the screen
    app = make_app(
        store=parts.store,  # type: ignore[arg-type]
        receiver=parts.receiver,  # type: ignore[arg-type]
        gateway=parts.gateway,
        sandbox=parts.sandbox,
        mode="SANDBOX" if parts.sandbox is not None else "LIVE",
        overdue_after=options.overdue_after,
    )
    app.run()
    return app.return_code or 0


def _close(opening: StoreOpening) -> None:
    """Close the store once its open is over (however that ended)."""
    try:
        store = opening.join()
    except Exception:  # noqa: BLE001 - it did not open: nothing to close
        return
    if store is not None:
        store.close_sync()
