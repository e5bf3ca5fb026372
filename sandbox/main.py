"""`tendlc sandbox`: run the simulator standalone until SIGINT/SIGTERM, printing how to reach it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from sandbox.faults.catalogue import FaultError, FaultSpec, describe, parse_flag
from sandbox.faults.scenario import load_scenario
from sandbox.server import Sandbox, SandboxStartError
from sandbox.snippets import Target, snippets


def usage_error(auth_id: str | None) -> str | None:
    """Why `auth_id` would be refused by the plivo SDK (MA/SA + 18 characters), or None."""
    if auth_id is None or (len(auth_id) == 20 and auth_id[:2] in ("MA", "SA")):
        return None
    return f"--auth-id must be MA or SA followed by 18 characters (20 in all), got {auth_id!r}"


def fault_lines(sandbox: Sandbox) -> str:
    """The armed faults, one per line, as the banner lists them."""
    if not sandbox.faults.armed:
        return "  faults      none (arm some with --fault, --scenario or POST /_sandbox/faults)"
    lines = [f"  faults      seed {sandbox.faults.seed}:"]
    for armed in sandbox.faults.armed:
        keys = ", ".join(
            f"{k}={str(v).lower() if isinstance(v, bool) else v}"
            for k, v in armed.spec.to_json().items()
            if k != "name"
        )
        lines.append(f"    {armed.id:<4}{armed.spec.name} ({keys})")
    return "\n".join(lines)


def banner(sandbox: Sandbox, delay: float, seed: int | None, allow_remote: bool) -> str:
    """What the command prints once it listens: address, credentials, faults, snippets, knobs."""
    callbacks = (
        "any address" if allow_remote else "loopback addresses only (127.0.0.1, ::1, localhost)"
    )
    retries = ", ".join(f"+{d:g} s" for d in sandbox.dispatcher.delays)
    target = Target(sandbox.base_url, sandbox.auth_id, sandbox.auth_token)
    return f"""tendlc sandbox: an offline Plivo 10DLC API
  base URL    {sandbox.base_url}
  auth id     {sandbox.auth_id}
  auth token  {sandbox.auth_token}
  delay       {delay:g} s from `created` to the final status
  seed        {seed if seed is not None else "none (ids are random)"}
  callbacks   to {callbacks}
  retries     after a non-200 at {retries} (Plivo's +60/+120/+240 s, scaled)
{fault_lines(sandbox)}
  control     {sandbox.base_url}/_sandbox/faults (same Basic auth; GET lists, POST arms)

{snippets(target)}

Outcomes: a brand_alias containing "reject" is rejected; a campaign description containing
"reject" is rejected; numbers ending in 0000 fail to link, in 9999 fail to unlink.
Press Ctrl-C to stop."""


def fault_specs(
    flags: Sequence[str], scenario: Path | None, faults_seed: int | None
) -> tuple[list[FaultSpec], int]:
    """The faults to arm (scenario first, then each --fault) and the fault seed; FaultError."""
    specs: list[FaultSpec] = []
    seed = 0
    if scenario is not None:
        loaded = load_scenario(scenario)
        specs.extend(loaded.faults)
        seed = loaded.seed if loaded.seed is not None else seed
    specs.extend(parse_flag(flag) for flag in flags)
    return specs, faults_seed if faults_seed is not None else seed


async def serve(sandbox: Sandbox, announce: Callable[[Sandbox], str], out: TextIO) -> None:
    """Start `sandbox`, print `announce(sandbox)`, serve until SIGINT/SIGTERM, then stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    await sandbox.start()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    try:
        print(announce(sandbox), file=out, flush=True)
        await stop.wait()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        await sandbox.stop()


def run_sandbox(
    host: str,
    port: int,
    delay: float,
    seed: int | None,
    auth_id: str | None,
    auth_token: str | None,
    allow_remote_callbacks: bool,
    fault: Sequence[str] = (),
    faults_seed: int | None = None,
    scenario: Path | None = None,
    list_faults: bool = False,
) -> int:
    """Run the sandbox in the foreground; 0 after SIGINT/SIGTERM, 1 if it cannot start, 2 on bad input."""
    if list_faults:
        print(describe())
        return 0
    problem = usage_error(auth_id)
    if problem:
        print(f"tendlc sandbox: {problem}", file=sys.stderr)
        return 2
    try:
        specs, fault_seed = fault_specs(fault, scenario, faults_seed)
    except FaultError as exc:
        print(f"tendlc sandbox: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    sandbox = Sandbox(
        host=host,
        port=port,
        delay=delay,
        seed=seed,
        auth_id=auth_id,
        auth_token=auth_token,
        allow_remote_callbacks=allow_remote_callbacks,
        faults=specs,
        faults_seed=fault_seed,
        preregistered=True,
    )
    try:
        asyncio.run(
            serve(sandbox, lambda sb: banner(sb, delay, seed, allow_remote_callbacks), sys.stdout)
        )
    except SandboxStartError as exc:
        print(f"tendlc sandbox: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # a signal that arrived before the handlers were installed
        return 0
    return 0
