"""The offline Plivo 10DLC simulator (see DESIGN.md "The sandbox")."""

import logging

logging.getLogger("tendlc.sandbox").addHandler(logging.NullHandler())

from sandbox.server import Sandbox, SandboxStartError  # noqa: E402 - after the logger is quieted

__all__ = ["Sandbox", "SandboxStartError"]
