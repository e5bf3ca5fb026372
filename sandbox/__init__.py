"""The offline Plivo 10DLC simulator (DESIGN.md "The sandbox"), for tests, demos and any SDK.

`server` (the `Sandbox`: app, world, scheduler, delivery on one loop), `routes` (REST handlers)
and `wire` (auth, bodies, list envelopes, errors), `rules` (Plivo's documented validation),
`world` and `seed` (the in-memory account and its example profiles), `scheduler` (created →
terminal after a delay), `delivery` (signed callbacks on Plivo's retry schedule), `outcomes`
(fault knobs), `ids`, `transport` (points a plivo SDK client at the sandbox), `main`
(`tendlc sandbox`).

May import: receiver (signing, domain values), the standard library, aiohttp, plivo and
requests (for `transport`). Never tui, tendlc, plivo_client or textual.
"""

import logging

logging.getLogger("tendlc.sandbox").addHandler(logging.NullHandler())

from sandbox.server import Sandbox, SandboxStartError  # noqa: E402 - after the logger is quieted

__all__ = ["Sandbox", "SandboxStartError"]
