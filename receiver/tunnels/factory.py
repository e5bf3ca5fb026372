"""`make_tunnel`: the tunnel for `--tunnel KIND` (none, ngrok, cloudflared)."""

from __future__ import annotations

from typing import Any

from receiver.tunnels.base import TUNNEL_KINDS, Tunnel
from receiver.tunnels.cloudflared import CloudflaredTunnel
from receiver.tunnels.ngrok import NgrokTunnel


def make_tunnel(kind: str, local_url: str, **options: Any) -> Tunnel | None:
    """The tunnel for `--tunnel KIND` forwarding to `local_url`; None for "none".

    `options` go to the provider (cloudflared: binary, url_timeout, stop_timeout;
    ngrok: authtoken, timeout).
    """
    if kind == "none":
        return None
    if kind == "cloudflared":
        return CloudflaredTunnel(local_url, **options)
    if kind == "ngrok":
        return NgrokTunnel(local_url, **options)
    raise ValueError(f"unknown tunnel {kind!r}: use one of {', '.join(TUNNEL_KINDS)}")
