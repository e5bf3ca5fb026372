"""HTTP plumbing for the sandbox API: errors, Basic auth, body and query reading, list envelopes."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from receiver.domain.vocab import LIST_LIMIT_MAX

log = logging.getLogger("tendlc.sandbox")

ACCOUNT_PREFIX = "/v1/Account/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


class ApiError(Exception):
    """A request the sandbox refuses, answered as Plivo does: `{api_id, error}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> ApiError:
    return ApiError(400, message)


def missing(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def lookup(table: Mapping[str, T], key: str, what: str) -> T:
    """`table[key]`, or a 404 "`what` `key` not found"."""
    found = table.get(key)
    if found is None:
        raise missing(f"{what} {key}")
    return found


def make_middlewares(
    auth_id: str, auth_token: str, api_id: Callable[[], str]
) -> list[Callable[..., Any]]:
    """Auth check for /v1/Account/… and the error envelope for everything the API answers."""

    @web.middleware
    async def envelope(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(ACCOUNT_PREFIX):
            return await handler(request)
        try:
            check_auth(request, auth_id, auth_token)
            return await handler(request)
        except ApiError as exc:
            return web.json_response({"api_id": api_id(), "error": exc.message}, status=exc.status)
        except web.HTTPMethodNotAllowed as exc:
            error = f"method {request.method} is not allowed on {request.path}"
            return web.json_response({"api_id": api_id(), "error": error}, status=exc.status)
        except web.HTTPNotFound:
            error = f"no such resource: {request.path}"
            return web.json_response({"api_id": api_id(), "error": error}, status=404)

    return [envelope]


def check_auth(request: web.Request, auth_id: str, auth_token: str) -> None:
    """HTTP Basic with the sandbox's credentials; the path's auth_id must be the username."""
    path_id = request.path[len(ACCOUNT_PREFIX) :].split("/", 1)[0]
    check_basic(request, auth_id, auth_token)
    if path_id != auth_id:
        raise ApiError(401, f"Authentication failed: the URL's account {path_id} is not {auth_id}")


def check_basic(request: web.Request, auth_id: str, auth_token: str) -> None:
    """HTTP Basic with the sandbox's credentials, or a 401 ApiError saying what is wrong."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise ApiError(
            401, "Authentication failed: no Authorization header (HTTP Basic auth_id:auth_token)"
        )
    login, password = _decode_basic(header)
    if not (_same(login, auth_id) and _same(password, auth_token)):
        raise ApiError(401, "Authentication failed: wrong auth_id or auth_token")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _decode_basic(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError(scheme)
        login, sep, password = (
            base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        )
        if not sep:
            raise ValueError("no colon")
    except (ValueError, binascii.Error):
        raise ApiError(401, "Authentication failed: malformed Basic Authorization header") from None
    return login, password


class Body:
    """A request's JSON (or form) body, where an empty string means "not given" (§5.4)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    async def read(cls, request: web.Request) -> Body:
        raw = await request.read()
        if not raw.strip():
            return cls({})
        ctype = request.content_type
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return cls(dict(await request.post()))
        try:
            data = json.loads(raw)
        except ValueError:
            raise bad("the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise bad("the request body must be a JSON object")
        return cls(data)

    def given(self, key: str) -> bool:
        return self.data.get(key) not in (None, "")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise bad(f"{key} must be a string")
        return str(value).strip()

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise bad(f"{key} must be true or false")

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value in (None, "", []):
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            return [str(v).strip() for v in value]
        raise bad(f"{key} must be a list of strings")

    def obj(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise bad(f"{key} must be an object")
        return value


def query_text(request: web.Request, key: str) -> str:
    return request.query.get(key, "").strip()


def limit_offset(request: web.Request) -> tuple[int, int]:
    """`limit` 1..20 (default 20) and `offset` ≥ 0 (default 0); anything else is a 400."""
    limit = _query_int(request, "limit", LIST_LIMIT_MAX)
    offset = _query_int(request, "offset", 0)
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise bad(f"limit must be between 1 and {LIST_LIMIT_MAX}, got {limit}")
    if offset < 0:
        raise bad(f"offset must be 0 or more, got {offset}")
    return limit, offset


def _query_int(request: web.Request, key: str, default: int) -> int:
    raw = query_text(request, key)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad(f"{key} must be an integer, got {raw!r}") from None


def page(
    request: web.Request, items: Sequence[Any], limit: int, offset: int
) -> tuple[list[Any], dict[str, Any]]:
    """One page of `items` and Plivo's `meta` (next/previous are relative paths or null)."""
    total = len(items)
    others = [(k, v) for k, v in request.query.items() if k not in ("limit", "offset")]
    path = request.path if request.path.endswith("/") else request.path + "/"

    def link(at: int) -> str:
        return f"{path}?{urlencode([('limit', limit), ('offset', at), *others])}"

    meta = {
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < total else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "total_count": total,
    }
    return list(items[offset : offset + limit]), meta
