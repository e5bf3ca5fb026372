"""Callback parsing: request bodies and query strings into fields, fields into a classified event.

Pure functions, no I/O. The receiver is tolerant by design (plivo-10dlc.md §3.3): it accepts
POST form data (urlencoded or multipart), POST JSON objects and GET query strings, and looks
keys up case-insensitively under several names.

Classification rule (first match wins):

1. an explicit ``event`` / ``event_type`` field naming a kind (``brand``, ``campaign``,
   ``number_linking``, ``number_unlinking``; ``link``/``unlink`` style aliases accepted);
   an event value naming no known kind falls through to the field rules;
2. a number field (``number``, ``phone_number``) → ``number_unlinking`` if the status says
   so (contains "unlink"), else ``number_linking``: Plivo's statuses (created / success /
   failed) are the same for both, so without ``event`` a number callback counts as linking;
3. ``campaign_id`` without a number → ``campaign``;
4. ``brand_id`` alone → ``brand``;
5. anything else → ``unknown`` (still stored and shown, never dropped).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from receiver.domain.models import Kind

STATUS_KEYS = ("status", "registration_status", "event_status")
EVENT_KEYS = ("event", "event_type", "eventtype")
BRAND_KEYS = ("brand_id", "brandid")
CAMPAIGN_KEYS = ("campaign_id", "campaignid")
NUMBER_KEYS = ("number", "phone_number", "phonenumber")

DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
MAX_HEADER_BYTES = 8 * 1024

_EVENT_ALIASES = {
    "brand": Kind.BRAND,
    "brand_registration": Kind.BRAND,
    "campaign": Kind.CAMPAIGN,
    "campaign_registration": Kind.CAMPAIGN,
    "number_linking": Kind.NUMBER_LINKING,
    "number_link": Kind.NUMBER_LINKING,
    "linking": Kind.NUMBER_LINKING,
    "link": Kind.NUMBER_LINKING,
    "number_unlinking": Kind.NUMBER_UNLINKING,
    "number_unlink": Kind.NUMBER_UNLINKING,
    "unlinking": Kind.NUMBER_UNLINKING,
    "unlink": Kind.NUMBER_UNLINKING,
}


class ParseError(ValueError):
    """The body could not be decoded; the message says why (it becomes the event's reason)."""


@dataclass(frozen=True, slots=True)
class ParsedBody:
    """Fields of one callback.

    `params` holds every field (query first, body fields override on a clash) as strings,
    the way they are stored. `signed` is what V3 signs: the body fields of a POST (nested
    JSON kept as objects, repeated form keys as lists), or the query fields of a GET.
    """

    params: dict[str, str]
    signed: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Classified:
    """What a callback is about, pulled out of its fields."""

    kind: Kind
    status: str | None
    brand_id: str | None
    campaign_id: str | None
    number: str | None


def decode_text(body: bytes) -> str:
    """Body as text for the journal; undecodable bytes become U+FFFD."""
    return body.decode("utf-8", errors="replace")


def media_type(content_type: str | None) -> str:
    """The lower-case media type of a Content-Type header ("" when there is none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _pairs_to_fields(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, Any]]:
    flat: dict[str, str] = {}
    signed: dict[str, Any] = {}
    for key, value in pairs:
        if key in signed:
            prev = signed[key]
            signed[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            signed[key] = value
            flat[key] = value
    return flat, signed


def parse_query(query: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A query string (or urlencoded body) into (first value per key, values as signed)."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"form data is not valid UTF-8 after percent-decoding ({exc.reason})"
        ) from exc
    except ValueError as exc:
        raise ParseError(f"bad form data: {exc}") from exc
    return _pairs_to_fields(pairs)


def _strict_text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what} is not valid UTF-8 (byte {exc.start}: {exc.reason})") from exc


def _json_fields(body: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    text = _strict_text(body, "JSON body")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"bad JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise ParseError("bad JSON: nested too deeply") from exc
    if not isinstance(data, dict):
        raise ParseError(f"JSON body is a {type(data).__name__}, expected an object")
    flat = {str(k): _json_scalar(v) for k, v in data.items()}
    return flat, {str(k): v for k, v in data.items()}


def _json_scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _multipart_fields(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    from email.parser import BytesParser  # only multipart needs it: keep imports cheap
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body
    )
    if not message.is_multipart() or message.defects:
        names = ", ".join(type(d).__name__ for d in message.defects) or "no parts"
        raise ParseError(f"bad multipart form data ({names}); is the boundary right?")
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ParseError("bad multipart form data: a part has no name")
        payload = part.get_payload(decode=True) or b""
        pairs.append((name, _strict_text(payload, f"multipart field {name!r}")))
    return _pairs_to_fields(pairs)


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] == b"{"


def parse_body(method: str, content_type: str | None, body: bytes, query: str) -> ParsedBody:
    """Fields of a callback from its body (per content type) and its query string.

    Raises ParseError for an undecodable body (invalid UTF-8, bad JSON, bad form data).
    Without a known content type, a body starting with ``{`` is read as JSON, anything
    else as urlencoded form data.
    """
    query_flat, query_signed = parse_query(query)
    if method.upper() == "GET" or not body.strip():
        signed = query_signed if method.upper() == "GET" else {}
        return ParsedBody(params=query_flat, signed=signed)
    media = media_type(content_type)
    if media == "application/json" or media.endswith("+json"):
        flat, signed = _json_fields(body)
    elif media == "multipart/form-data":
        flat, signed = _multipart_fields(content_type or "", body)
    elif media == "application/x-www-form-urlencoded":
        flat, signed = parse_query(_strict_text(body, "form body"))
    elif _looks_like_json(body):
        flat, signed = _json_fields(body)
    else:
        flat, signed = parse_query(_strict_text(body, "body"))
    return ParsedBody(params={**query_flat, **flat}, signed=signed)


def _lowered(params: Mapping[str, str]) -> dict[str, str]:
    lowered: dict[str, str] = {}
    for key, value in params.items():
        lowered.setdefault(key.lower(), value)
    return lowered


def lookup(params: Mapping[str, str], names: Iterable[str]) -> str | None:
    """First non-empty value among `names`, keys compared case-insensitively."""
    return _first(_lowered(params), names)


def _first(lowered: Mapping[str, str], names: Iterable[str]) -> str | None:
    for name in names:
        value = lowered.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def normalise_number(value: str | None) -> str | None:
    """Digits only (E.164 without "+"); None when there are no digits."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", value)
    return digits or None


def event_kind(value: str | None) -> Kind | None:
    """The kind an explicit `event` field names, or None."""
    if not value:
        return None
    word = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return _EVENT_ALIASES.get(word)


def classify(params: Mapping[str, str]) -> Classified:
    """Kind, status and ids of a callback, by the fields present (see the module docstring)."""
    lowered = _lowered(params)
    status = _first(lowered, STATUS_KEYS)
    status = status.lower() if status else None
    brand_id = _first(lowered, BRAND_KEYS)
    campaign_id = _first(lowered, CAMPAIGN_KEYS)
    raw_number = _first(lowered, NUMBER_KEYS)
    number = normalise_number(raw_number)
    kind = event_kind(_first(lowered, EVENT_KEYS))
    if kind is None:
        if raw_number is not None:
            unlinking = status is not None and "unlink" in status
            kind = Kind.NUMBER_UNLINKING if unlinking else Kind.NUMBER_LINKING
        elif campaign_id is not None:
            kind = Kind.CAMPAIGN
        elif brand_id is not None:
            kind = Kind.BRAND
        else:
            kind = Kind.UNKNOWN
    return Classified(kind, status, brand_id, campaign_id, number)


def keep_headers(
    headers: Iterable[tuple[str, str]], limit: int = MAX_HEADER_BYTES
) -> dict[str, str]:
    """Request headers worth storing: all but credentials, repeated names joined, size capped."""
    kept: dict[str, str] = {}
    total = 0
    for name, value in headers:
        if name.lower() in DROPPED_HEADERS:
            continue
        size = len(name) + len(value) + 4
        if total + size > limit:
            continue
        total += size
        kept[name] = f"{kept[name]}, {value}" if name in kept else value
    return kept
