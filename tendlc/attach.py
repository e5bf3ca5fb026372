"""`--attach URL`: read a store that a `tendlc receive --serve-api` serves, from anywhere.

Used by `tendlc status --attach URL` and `tendlc events --attach URL`. The token comes from
TENDLC_API_TOKEN (or TENDLC_API_READ_TOKEN); every error is one line that says what to fix.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any, TextIO

from receiver.domain.models import CallbackEvent, RequestRecord, Resource
from receiver.http.api import ENV_READ_TOKEN, ENV_TOKEN, PREFIX
from receiver.store.export import format_table, write_events
from receiver.store.status_json import compact, json_array, resource_dict

TIMEOUT = 30.0


class AttachError(Exception):
    """The server could not be read; the message says why."""


class Attached:
    """A remote store's API (receiver/http/api.py)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise AttachError(f"--attach wants the server's base URL (http[s]://…), got {url!r}")
        self.base = url.rstrip("/")
        token = token or os.environ.get(ENV_TOKEN) or os.environ.get(ENV_READ_TOKEN)
        if not token:
            raise AttachError(f"--attach needs {ENV_TOKEN} or {ENV_READ_TOKEN} in the environment")
        self.token = token

    def get(self, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.base}{PREFIX}{path}", headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise AttachError(f"{self.base} refused the API token (401)") from None
            raise AttachError(f"{self.base} answered {exc.code} to {path}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AttachError(f"cannot reach {self.base}: {reason}") from None
        except ValueError as exc:
            raise AttachError(f"{self.base} did not answer JSON: {exc}") from None

    def resources(self) -> list[Resource]:
        return [Resource.from_dict(r) for r in self.get("/registry")["resources"]]

    def entries(self) -> Iterator[CallbackEvent | RequestRecord]:
        after = 0
        while True:
            page = self.get(f"/journal?after={after}")
            for item in page["entries"]:
                kind = item.pop("type", None)
                entry = (CallbackEvent if kind == "callback" else RequestRecord).from_dict(item)
                after = max(after, entry.seq)
                yield entry
            if not page.get("more"):
                return


def run_status_attached(url: str, as_json: bool, out: TextIO, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        resources = Attached(url).resources()
    except AttachError as exc:
        err.write(f"tendlc status: {exc}\n")
        return 1
    if as_json:
        out.write(json_array(compact(resource_dict(r)) for r in resources) + "\n")
    else:
        out.write(format_table(resources))
    out.flush()
    return 0


def run_events_attached(url: str, fmt: str, out: TextIO, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        write_events(Attached(url).entries(), fmt, out)
    except AttachError as exc:
        err.write(f"tendlc events: {exc}\n")
        return 1
    return 0
