"""The `--serve-api` API seen from a client: JSON reads and records, and the stream's events.

Blocking calls (urllib) for the command line and worker threads; `read_events` parses the
server-sent events of an aiohttp response on the loop. The token comes from TENDLC_API_TOKEN
(or TENDLC_API_READ_TOKEN, which can only read); every error is one line that says what to fix.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from receiver.domain.models import CallbackEvent, Observation, RequestRecord
from receiver.http.api import ENV_READ_TOKEN, ENV_TOKEN, PREFIX
from receiver.store.entries import observation_to_dict

TIMEOUT = 30.0


class ApiError(Exception):
    """The server could not be read or refused; the message says why."""


class ApiRefused(ApiError):
    """The server refused the token (401): retrying will not help."""


class ApiClient:
    """The API of one server: `base` is what --attach names (http[s]://host[:port])."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise ApiError(f"--attach wants the server's base URL (http[s]://…), got {url!r}")
        self.base = url.rstrip("/")
        token = token or os.environ.get(ENV_TOKEN) or os.environ.get(ENV_READ_TOKEN)
        if not token:
            raise ApiError(f"--attach needs {ENV_TOKEN} or {ENV_READ_TOKEN} in the environment")
        self.token = token
        self.timeout = timeout

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, path: str) -> str:
        return f"{self.base}{PREFIX}{path}"

    def get(self, path: str) -> Any:
        return self._call(urllib.request.Request(self.url(path), headers=self.headers), path)

    def post(self, path: str, body: Any) -> Any:
        data = json.dumps(body, default=str).encode("utf-8")
        headers = {**self.headers, "Content-Type": "application/json"}
        request = urllib.request.Request(self.url(path), data=data, headers=headers, method="POST")
        return self._call(request, path)

    def _call(self, request: urllib.request.Request, path: str) -> Any:
        # No proxy from the environment may see the token: open directly.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise ApiRefused(f"{self.base} refused the API token (401)") from None
            if exc.code == 403:
                raise ApiError(
                    f"{self.base} refused to record: {ENV_READ_TOKEN} only reads; "
                    f"set {ENV_TOKEN} (403)"
                ) from None
            raise ApiError(f"{self.base} answered {exc.code} to {path}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiError(f"cannot reach {self.base}: {reason}") from None
        except ValueError as exc:
            raise ApiError(f"{self.base} did not answer JSON: {exc}") from None

    # -- what the API answers, as domain values ----------------------------------------------

    def info(self) -> dict[str, Any]:
        return self.get("/info")

    def journal_page(self, after: int, limit: int = 1000) -> tuple[list[dict[str, Any]], bool]:
        """Journal entries after `after`, as the API sends them (entry_from reads one)."""
        page = self.get(f"/journal?after={after}&limit={limit}")
        return list(page["entries"]), bool(page.get("more"))

    def record_request(self, record: RequestRecord, callback_url: str | None) -> int:
        """Journal `record` on the server; its seq there."""
        body = {"record": record.to_dict(), "callback_url": callback_url}
        return int(self.post("/requests", body).get("seq") or 0)

    def record_observations(self, observations: list[Observation]) -> int:
        body = {"observations": [observation_to_dict(o) for o in observations]}
        return int(self.post("/observations", body).get("seq") or 0)


Entry = CallbackEvent | RequestRecord


def entry_from(item: dict[str, Any]) -> Entry:
    """A journal entry as the API sends it ({"type": "callback" | "request", ...})."""
    item = dict(item)
    kind = item.pop("type", None)
    return (CallbackEvent if kind == "callback" else RequestRecord).from_dict(item)


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One server-sent event: its id (the journal position, when it has one), name and data."""

    id: int | None
    event: str
    data: Any


async def read_events(content: Any) -> AsyncIterator[StreamEvent]:
    """The events of an SSE body (an aiohttp StreamReader), until it ends."""
    fields: dict[str, str] = {}
    while True:
        raw = await content.readline()
        if not raw:
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if line.startswith(":"):
            continue  # a keepalive
        if line:
            key, _, value = line.partition(":")
            fields[key] = value[1:] if value.startswith(" ") else value
            continue
        if not fields:
            continue
        ident = fields.get("id", "")
        try:
            data = json.loads(fields.get("data", "null"))
        except ValueError:
            data = None
        yield StreamEvent(int(ident) if ident.isdigit() else None, fields.get("event", ""), data)
        fields = {}
