"""`--tunnel ngrok`: an ngrok tunnel through the official `ngrok` package (optional extra)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from receiver.tunnels.base import Tunnel, TunnelState, TunnelStatus

EXTRA_HINT = "ngrok support needs the extra: pip install 'tendlc[ngrok]'"
TOKEN_HINT = (
    "set NGROK_AUTHTOKEN to your ngrok authtoken "
    "(https://dashboard.ngrok.com/get-started/your-authtoken), "
    "or use --tunnel cloudflared or --public-url"
)


async def _resolve(value: Any) -> Any:
    """ngrok's functions return a Task when a loop is running and a value otherwise."""
    return await value if inspect.isawaitable(value) else value


class NgrokTunnel(Tunnel):
    """Forwards an ngrok endpoint to the receiver with `ngrok.forward(addr, authtoken=...)`.

    The `ngrok` module is imported only on `start()`; the token comes from `authtoken` or
    the NGROK_AUTHTOKEN environment variable and never appears in a status reason.
    """

    kind = "ngrok"

    def __init__(
        self, local_url: str, *, authtoken: str | None = None, timeout: float = 30.0
    ) -> None:
        super().__init__(local_url)
        self._authtoken = authtoken
        self.timeout = timeout
        self._module: Any = None
        self._listener: Any = None

    @property
    def addr(self) -> str:
        """host:port the ngrok agent forwards to."""
        return urlsplit(self.local_url).netloc or self.local_url

    async def start(self) -> TunnelStatus:
        if self._listener is not None:
            return self.status
        try:
            ngrok = importlib.import_module("ngrok")
        except ImportError:
            return self._set_status(TunnelState.DOWN, None, EXTRA_HINT)
        token = self._authtoken or os.environ.get("NGROK_AUTHTOKEN") or None
        if not token:
            return self._set_status(TunnelState.DOWN, None, TOKEN_HINT)
        self._module = ngrok
        self._set_status(TunnelState.STARTING, None, f"starting ngrok tunnel to {self.local_url}")
        try:
            async with asyncio.timeout(self.timeout):
                listener = await _resolve(ngrok.forward(self.addr, authtoken=token))
            url = str(listener.url())
        except TimeoutError:
            return self._set_status(
                TunnelState.DOWN,
                None,
                f"ngrok gave no URL within {self.timeout:g} s: check your network",
            )
        except Exception as exc:  # the ngrok package raises plain ValueError/OSError/etc.
            message = str(exc).replace(token, "***") or type(exc).__name__
            return self._set_status(
                TunnelState.DOWN, None, f"ngrok failed: {message} (check NGROK_AUTHTOKEN)"
            )
        self._listener = listener
        return self._set_status(TunnelState.UP, url, f"ngrok tunnel to {self.local_url}")

    async def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                await _resolve(listener.close())
            except Exception:  # already closed by ngrok: fall back to closing it by URL
                url = self._status.url
                if url is not None and self._module is not None:
                    with suppress(Exception):
                        await _resolve(self._module.disconnect(url))
        if self._status.state is not TunnelState.OFF:
            self._set_status(TunnelState.OFF, None, "stopped")
