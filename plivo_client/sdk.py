"""Runs plivo SDK calls: HTTP status capture, errors a person can act on, manual pagination."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import plivo
import requests
from plivo import exceptions as px

from plivo_client.types import GatewayError
from receiver.domain.vocab import LIST_LIMIT_MAX

PLIVO_URL = "https://api.plivo.com"
PAGE_LIMIT = LIST_LIMIT_MAX  # the most Plivo's 10DLC lists return per page (plivo-10dlc.md §0.2)
MAX_PAGES = 500  # a guard against a server that keeps answering full pages
_HTTP_STATUS = {
    px.ValidationError: 400,
    px.AuthenticationError: 401,
    px.ForbiddenError: 403,
    px.GeoPermissionError: 403,
    px.ResourceNotFoundError: 404,
    px.PlivoServerError: 500,
}


def plain(value: Any) -> Any:
    """An SDK ResponseObject (nested) as plain dicts and lists."""
    if isinstance(value, plivo.base.ResponseObject):
        return {k: plain(v) for k, v in vars(value).items()}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def sdk_text(exc: BaseException) -> str:
    """The SDK puts either a string or a list of strings in its exceptions."""
    arg = exc.args[0] if exc.args else ""
    if isinstance(arg, list | tuple):
        return "; ".join(str(a) for a in arg)
    return str(arg) or type(exc).__name__


def network_reason(exc: requests.RequestException) -> str:
    """A few words on why a connection failed."""
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error"
    if "refused" in text:
        return "connection refused"
    if any(s in text for s in ("name resolution", "name or service", "nodename", "getaddrinfo")):
        return "host name not found"
    if "reset" in text or "aborted" in text:
        return "connection reset"
    return "connection failed"


def field_in(text: str, fields: Mapping[str, str]) -> str | None:
    """The request field an error text names (API names mapped to request field names)."""
    lowered = text.lower()
    for api_name in sorted(fields, key=len, reverse=True):
        if api_name.lower() in lowered or api_name.replace("_", " ").lower() in lowered:
            return fields[api_name]
    return None


OFFLINE_ADVICE = (
    "check your network, or work offline: `tendlc --sandbox` (the console), or "
    "`--api-url URL` of a running `tendlc sandbox` (status --refresh)"
)


class SdkCalls:
    """Runs calls on one plivo client and turns every failure into a GatewayError.

    Thread-safe: the HTTP status of the last response is kept per thread (a session
    response hook), which also tells an HTTP 400 from the SDK's local argument checks.
    """

    def __init__(self, client: plivo.RestClient, *, where: str, sandbox: bool, timeout: float):
        self.client = client
        self.where = where.rstrip("/")
        self.sandbox = sandbox
        self.timeout = timeout
        self._local = threading.local()
        client.session.hooks["response"].append(self._saw_response)

    @property
    def who(self) -> str:
        return "the sandbox" if self.sandbox else "Plivo"

    def _saw_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._local.status = response.status_code
        self._local.retry_after = response.headers.get("Retry-After", "")

    def request(
        self,
        what: str,
        call: Callable[..., Any],
        *args: Any,
        fields: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[Any, int | None]:
        """Run one SDK call -> (plain answer, HTTP status); failures raise GatewayError."""
        self._local.status = None
        self._local.retry_after = ""
        try:
            result = call(*args, **kwargs)
        except requests.Timeout as exc:
            raise self._timeout_error(what, exc) from exc
        except requests.RequestException as exc:
            advice = "check that the sandbox is running" if self.sandbox else OFFLINE_ADVICE
            raise GatewayError(
                f"{what} failed: cannot reach {self.who} at {self.where} "
                f"({network_reason(exc)}): {advice}"
            ) from exc
        except px.PlivoRestError as exc:
            raise self._api_error(what, exc, fields or {}) from exc
        return plain(result), getattr(self._local, "status", None)

    def checked(
        self, what: str, data: Any, status: int | None, fields: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """A 2xx answer as a dict; one carrying `error` is a failure too (plivo-10dlc.md §5.1)."""
        if not isinstance(data, dict):
            raise GatewayError(
                f"{what} failed: {self.who} answered HTTP {status} without a JSON body: "
                "try again later",
                status=status,
            )
        if data.get("error"):
            text = str(data["error"])
            field = field_in(text, fields or {})
            raise GatewayError(f"{what} failed: {text}", status=status, field=field)
        return data

    def read(self, what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict:
        """Run a read call and check its answer."""
        return self.checked(what, *self.request(what, call, *args, **kwargs))

    def part(self, what: str, data: dict[str, Any], key: str) -> dict[str, Any]:
        """The object under `key` of an answer (e.g. "brand"), or a GatewayError."""
        part = data.get(key)
        if not isinstance(part, dict):
            raise GatewayError(f"{what} failed: the answer from {self.where} has no {key!r}")
        return part

    def paged(
        self, what: str, fetch: Callable[..., Any], key: str, ident: str
    ) -> list[dict[str, Any]]:
        """Walk limit/offset pages until a short page, the last `meta`, or nothing new.

        The SDK's own iteration returns nothing for 10DLC lists (plivo-10dlc.md §5.4).
        """
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        offset = 0
        for _ in range(MAX_PAGES):
            data = self.read(what, fetch, limit=PAGE_LIMIT, offset=offset)
            page = [row for row in data.get(key) or [] if isinstance(row, dict)]
            new = [row for row in page if str(row.get(ident)) not in seen]
            seen.update(str(row.get(ident)) for row in new)
            items.extend(new)
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            total = meta.get("total_count")
            if len(page) != PAGE_LIMIT or not new:
                break  # a short page, or a server that ignores paging and repeats itself
            if "next" in meta and not meta["next"]:
                break
            if isinstance(total, int) and offset + len(page) >= total:
                break
            offset += len(page)
        return items

    def _timeout_error(self, what: str, exc: requests.Timeout) -> GatewayError:
        if isinstance(exc, requests.ConnectTimeout):
            detail = "could not connect: check your network"
        else:
            detail = "sent, but no answer: it may still have been received, refresh before retrying"
        return GatewayError(
            f"{what} failed: {self.who} at {self.where} did not answer within "
            f"{self.timeout:g} s ({detail})"
        )

    def _api_error(
        self, what: str, exc: px.PlivoRestError, fields: Mapping[str, str]
    ) -> GatewayError:
        status = getattr(self._local, "status", None)
        text = sdk_text(exc)
        field = field_in(text, fields)
        if status is None and isinstance(exc, px.ValidationError):
            return GatewayError(
                f"{what} failed: the plivo SDK refused the arguments before sending: {text}",
                field=field,
            )
        status = status or next((s for t, s in _HTTP_STATUS.items() if type(exc) is t), None)
        if status == 401:
            message = f"{self.who} rejected the credentials: check PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN"
        elif status == 429:
            retry_after = str(getattr(self._local, "retry_after", "")).strip()
            wait = (
                f"wait {retry_after} s (its Retry-After)"
                if retry_after.isdigit()
                else ("wait a few seconds")
            )
            message = f"{self.who} is rate-limiting requests (HTTP 429): {wait} and try again"
        elif status is not None and status >= 500:
            message = f"{self.who} had a server error (HTTP {status}: {text}): try again later"
        elif type(exc) is px.PlivoRestError:
            message = f"unexpected answer from {self.who} (HTTP {status}): {text}"
        else:
            message = text
        return GatewayError(f"{what} failed: {message}", status=status, field=field)
