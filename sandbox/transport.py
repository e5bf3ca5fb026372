"""Point a plivo SDK client at the sandbox by mounting a requests transport adapter (§5.5 A).

The SDK resets `client.base_uri` on every call and ignores proxy variables, so the adapter
rewrites each request's scheme and host (keeping path, query, auth header and body) instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    import plivo

PLIVO_API = "https://api.plivo.com/"


class SandboxAdapter(HTTPAdapter):
    """Sends whatever the client addresses to https://api.plivo.com/ to `base_url` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = urlsplit(base_url)
        if target.scheme not in ("http", "https") or not target.netloc:
            raise ValueError(f"base_url must look like http://127.0.0.1:8766, got {base_url!r}")
        self.target = target

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        url = urlsplit(request.url or "")
        path = self.target.path.rstrip("/") + url.path
        request.url = urlunsplit(
            (self.target.scheme, self.target.netloc, path, url.query, url.fragment)
        )
        return super().send(request, **kwargs)


def point_client_at(client: plivo.RestClient, base_url: str) -> None:
    """Route every call `client` (a plivo.RestClient) makes to api.plivo.com to `base_url`."""
    adapter = SandboxAdapter(base_url)
    client.session.mount(PLIVO_API, adapter)
    multipart = getattr(client, "multipart_session", None)
    if multipart is not None:
        multipart.mount(PLIVO_API, adapter)
