"""The one "still connecting" check: the gateway once the services are up, else a toast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from plivo_client.gateway import Gateway
    from tui.services import Services

STILL_CONNECTING = "Still connecting; try again in a moment."


def gateway_or_say(node: DOMNode, services: Services, title: str) -> Gateway | None:
    """The gateway, or None after telling the user (toast titled `title`) to wait a moment."""
    gateway = services.gateway
    if gateway is None:
        node.notify(STILL_CONNECTING, title=title, severity="warning")
    return gateway
