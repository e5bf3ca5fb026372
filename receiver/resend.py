"""Callback replay: re-send a stored callback with a fresh signature, or render it as curl."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
from yarl import URL

from receiver.domain.models import CallbackEvent, RequestRecord
from receiver.parse import ParseError, media_type, parse_body
from receiver.signature import signature_headers, v2_base

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER_AGENT = "tendlc-replay"
H_REPLAY_OF = "X-Tendlc-Replay-Of"
MAX_RESPONSE_CHARS = 64 * 1024
DEFAULT_TIMEOUT = 10.0
MIN_PREFIX = 6  # shortest id prefix `tendlc replay` looks up


class ReplayError(Exception):
    """The target could not be reached; the message says why and what to check."""


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What the target answered to a replayed callback."""

    status: int
    body: str
    url: str
    method: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    """The HTTP request a replay sends: method, final URL (GET carries the params), headers, body."""

    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    signed: bool


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lname = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lname), None)


def _is_json(content_type: str | None, body: str) -> bool:
    """The receiver's rule (receiver.parse): JSON media type, or an untyped body starting with `{`."""
    media = media_type(content_type)
    if media == JSON or media.endswith("+json"):
        return True
    if media in (FORM, "multipart/form-data"):
        return False
    return body.lstrip().startswith("{")


def _pairs(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Form/query pairs from signed fields (repeated keys are lists)."""
    pairs: list[tuple[str, str]] = []
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item if isinstance(item, str) else str(item)))
    return pairs


def _with_query(url: str, pairs: Iterable[tuple[str, str]]) -> str:
    pairs = list(pairs)
    if not pairs:
        return url
    parts = urlsplit(url)
    extra = urlencode(pairs)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def build_request(
    event: CallbackEvent,
    target_url: str,
    *,
    token: str | None = None,
    main_token: str | None = None,
    nonce: str | None = None,
    v3_nonce: str | None = None,
) -> ReplayRequest:
    """The request that replays `event` to `target_url`, signed for that URL when a token is given.

    GET: the original query fields go into the target's query string. POST JSON: the original
    body as is. POST form (urlencoded, multipart or untyped): the fields, urlencoded. A body
    the receiver could not parse is re-sent as stored.
    """
    if not target_url.startswith(("http://", "https://")):
        raise ValueError(f"replay target must start with http:// or https://, got {target_url!r}")
    method = event.method.upper()
    headers = {"User-Agent": USER_AGENT, H_REPLAY_OF: event.id}
    body: str | None = None
    url = target_url
    signed_fields: dict[str, Any] = {}
    if method == "GET":
        query = urlsplit(event.url).query
        pairs = parse_qsl(query, keep_blank_values=True) if query else list(event.params.items())
        url = _with_query(target_url, pairs)  # V3 signs them as part of the URL
    else:
        content_type = _header(event.headers, "Content-Type")
        try:
            parsed = parse_body(method, content_type, event.body.encode(), "")
        except ParseError:
            body, signed_fields = event.body, {}
            if content_type:
                headers["Content-Type"] = content_type
        else:
            signed_fields = parsed.signed
            if _is_json(content_type, event.body):
                body = event.body
                headers["Content-Type"] = (
                    content_type if content_type and "json" in content_type.lower() else JSON
                )
            else:
                body = urlencode(_pairs(signed_fields))
                headers["Content-Type"] = FORM
    signing_token = token or main_token
    if signing_token:
        headers.update(
            signature_headers(
                method, url, signed_fields, signing_token, main_token, nonce, v3_nonce
            )
        )
    return ReplayRequest(method, url, headers, body, bool(signing_token))


async def replay(
    event: CallbackEvent,
    target_url: str,
    *,
    token: str | None,
    main_token: str | None = None,
    session: aiohttp.ClientSession | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ReplayResult:
    """Re-send `event` to `target_url` (same method and fields, fresh V2/Ma-V2/V3 signature).

    Raises ReplayError when the target cannot be reached. Redirects are not followed.
    """
    request = build_request(event, target_url, token=token, main_token=main_token)
    data = request.body.encode() if request.body is not None else None
    own = session is None
    client = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
    try:
        async with client.request(
            request.method,
            URL(request.url, encoded=True),
            headers=request.headers,
            data=data,
            allow_redirects=False,
        ) as response:
            text = await response.text(errors="replace")
            return ReplayResult(
                response.status, text[:MAX_RESPONSE_CHARS], request.url, request.method
            )
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        raise ReplayError(f"could not reach {request.url}: {reason}") from exc
    finally:
        if own:
            await client.close()


def curl_command(
    event: CallbackEvent,
    target_url: str,
    *,
    token: str | None = None,
    main_token: str | None = None,
) -> str:
    """A copy-pasteable curl command that replays `event` (signed when a token is given).

    The auth token itself never appears: only the signatures computed from it.
    """
    request = build_request(event, target_url, token=token, main_token=main_token)
    if request.signed:
        comment = (
            f"# fresh Plivo signature: valid only for {v2_base(request.url)} "
            "(the auth token is not in this command)"
        )
    else:
        comment = "# unsigned: set PLIVO_AUTH_TOKEN to include Plivo signature headers"
    words = ["curl", "-X", request.method, request.url]
    for name, value in request.headers.items():
        words += ["-H", f"{name}: {value}"]
    if request.body is not None:
        words += ["--data-raw", request.body]
    return comment + "\n" + " ".join(shlex.quote(w) for w in words)


def find_callback(store: Any, event_id: str) -> CallbackEvent | RequestRecord | None:
    """The journal entry with this id, else the only callback whose id starts with it.

    Raises LookupError when a prefix matches several callbacks.
    """
    entry = store.find_entry(event_id)
    if entry is not None or len(event_id) < MIN_PREFIX:
        return entry
    matches = [
        e.id for e in store.journal() if isinstance(e, CallbackEvent) and e.id.startswith(event_id)
    ]
    if len(matches) > 1:
        shown = ", ".join(matches[:3]) + (", …" if len(matches) > 3 else "")
        raise LookupError(
            f"{event_id!r} matches {len(matches)} callbacks ({shown}): give more of the id"
        )
    return store.find_entry(matches[0]) if matches else None


def run_replay(
    db_path: Path,
    event_id: str,
    target_url: str,
    *,
    token: str | None,
    main_token: str | None,
    out: TextIO,
    err: TextIO,
    curl: bool = False,
) -> int:
    """`tendlc replay`: find the event, re-send it (or print curl); 0 on a 2xx answer, else 1."""
    from receiver.store.store import Store, StoreError

    if not db_path.exists():
        err.write(f"no store at {db_path}: pass --db DIR or set TENDLC_DB\n")
        return 1
    try:
        store = Store.open(db_path, readonly=True)
    except StoreError as exc:
        err.write(f"{exc}\n")
        return 1
    try:
        entry = find_callback(store, event_id)
    except LookupError as exc:
        err.write(f"{exc.args[0]}\n")
        return 1
    finally:
        store.close_sync()
    if entry is None:
        err.write(
            f"no callback {event_id!r} in {db_path}: list them with `tendlc events` "
            "and pass an id starting with 'ev'\n"
        )
        return 1
    if not isinstance(entry, CallbackEvent):
        err.write(
            f"{entry.id} is a request tendlc submitted, not a callback: only callbacks can be replayed\n"
        )
        return 1
    if curl:
        out.write(curl_command(entry, target_url, token=token, main_token=main_token) + "\n")
        return 0
    if not token and not main_token:
        err.write(
            "warning: PLIVO_AUTH_TOKEN is not set: the replay is sent unsigned "
            "(a receiver that checks signatures answers 403)\n"
        )
    try:
        result = asyncio.run(replay(entry, target_url, token=token, main_token=main_token))
    except ReplayError as exc:
        err.write(f"replay of {entry.id} failed: {exc} (is the receiver running? check --to)\n")
        return 1
    out.write(f"replayed {entry.id} to {result.url}: HTTP {result.status}\n")
    if not result.ok:
        answer = result.body.strip().splitlines()[0] if result.body.strip() else "(empty body)"
        err.write(f"the target answered {result.status}: {answer}\n")
        return 1
    return 0
