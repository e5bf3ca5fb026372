"""Plivo callback signatures: V2, Ma-V2 and V3 signing and verification (plivo-10dlc.md §4)."""

from __future__ import annotations

import binascii
import hmac
import secrets
from base64 import b64decode, b64encode
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

H_V2 = "X-Plivo-Signature-V2"
H_MA_V2 = "X-Plivo-Signature-Ma-V2"
H_V2_NONCE = "X-Plivo-Signature-V2-Nonce"
H_V3 = "X-Plivo-Signature-V3"
H_MA_V3 = "X-Plivo-Signature-Ma-V3"
H_V3_NONCE = "X-Plivo-Signature-V3-Nonce"
SIGNATURE_HEADERS = (H_V2, H_MA_V2, H_V2_NONCE, H_V3, H_MA_V3, H_V3_NONCE)
_L_V2, _L_MA_V2, _L_V2_NONCE, _L_V3, _L_MA_V3, _L_V3_NONCE = (h.lower() for h in SIGNATURE_HEADERS)


@lru_cache(maxsize=32)
def _key(token: str) -> bytes:
    return token.encode()


def _hmac_b64(token: str, message: str) -> str:
    return b64encode(hmac.digest(_key(token), message.encode(), "sha256")).decode()


def new_nonce() -> str:
    """A 20-digit nonce like Plivo's."""
    return f"{secrets.randbelow(10**20):020d}"  # one draw, not twenty (forwards sign each try)


@lru_cache(maxsize=256)
def v2_base(url: str) -> str:
    """scheme://netloc/path: what V2 signs (query and fragment dropped)."""
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}{u.path}"


def sign_v2(url: str, nonce: str, token: str) -> str:
    return _hmac_b64(token, v2_base(url) + nonce)


def _str(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _query_string(params: Mapping[str, object]) -> str:
    parts = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, list):
            parts.append("&".join(f"{key}={v}" for v in sorted(_str(x) for x in value)))
        else:
            parts.append(f"{key}={_str(value)}")
    return "&".join(parts)


def _params_string(params: Mapping[str, object]) -> str:
    parts = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, list):
            parts.append("".join(f"{key}{v}" for v in sorted(_str(x) for x in value)))
        elif isinstance(value, Mapping):
            parts.append(f"{key}{_params_string(value)}")
        else:
            parts.append(f"{key}{_str(value)}")
    return "".join(parts)


@lru_cache(maxsize=256)
def _v3_url(url: str) -> tuple[str, dict[str, object], str, str]:
    """(base, query fields, what a POST without params signs, what precedes a POST's params)."""
    base = v2_base(url)
    url_query: dict[str, object] = dict(parse_qs(urlsplit(url).query, keep_blank_values=True))
    query = _query_string(url_query)
    bare = f"{base}?{query}" if query else base
    return base, url_query, bare, f"{base}?{query}." if query else f"{base}?"


def v3_base(method: str, url: str, params: Mapping[str, object] | None = None) -> str:
    """The string V3 signs before `.nonce`, built as plivo-python's signature_v3 does.

    The URL's parts are parsed once per URL (cached): callbacks arrive on one URL.
    """
    base, url_query, bare, prefix = _v3_url(url)
    if method.upper() == "GET":
        query = _query_string({**(params or {}), **url_query})
        return f"{base}?{query}" if query else base
    if not params:
        return bare
    return prefix + _params_string(params)


def sign_v3(
    method: str, url: str, nonce: str, token: str, params: Mapping[str, object] | None = None
) -> str:
    return _hmac_b64(token, f"{v3_base(method, url, params)}.{nonce}")


def signature_headers(
    method: str,
    url: str,
    params: Mapping[str, object],
    token: str,
    main_token: str | None = None,
    nonce: str | None = None,
    v3_nonce: str | None = None,
) -> dict[str, str]:
    """Every header Plivo would send with a callback to `url` (V2, Ma-V2, V3, Ma-V3 + nonces)."""
    nonce = nonce or new_nonce()
    v3_nonce = v3_nonce or new_nonce()
    main = main_token or token
    return {
        H_V2: sign_v2(url, nonce, token),
        H_MA_V2: sign_v2(url, nonce, main),
        H_V2_NONCE: nonce,
        H_V3: sign_v3(method, url, v3_nonce, token, params),
        H_MA_V3: sign_v3(method, url, v3_nonce, main, params),
        H_V3_NONCE: v3_nonce,
    }


@dataclass(frozen=True, slots=True)
class Verification:
    """Outcome of checking one callback. `accept` decides 200 vs 403."""

    verified: bool
    accept: bool
    reason: str
    # (scheme, nonce) of every nonce header present in a verified callback: its replay identity.
    nonces: tuple[tuple[str, str], ...] = ()


def _candidates(header: str) -> list[bytes] | None:
    """A signature header as a strict list of 32-byte HMACs, or None if any item is malformed.

    One value, or comma-separated values; each must be valid base64 of exactly 32 bytes
    (surrounding whitespace stripped). Anything else (an empty item, `,x`) fails as a whole.
    """
    out = []
    for item in header.split(","):
        try:
            raw = b64decode(item.strip().encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None
        if len(raw) != 32:
            return None
        out.append(raw)
    return out


def _matches(expected: str, header: str | None) -> bool:
    if not header:
        return False
    candidates = _candidates(header)
    if candidates is None:
        return False
    want = b64decode(expected)
    return any(hmac.compare_digest(want, c) for c in candidates)


def _url_variants(url: str) -> Iterable[str]:
    u = urlsplit(url)
    path = u.path
    paths = {path, path.rstrip("/") or "/", path if path.endswith("/") else path + "/"}
    for scheme in ("https", "http"):
        for p in paths:
            yield f"{scheme}://{u.netloc}{p}"


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    params: Mapping[str, object],
    token: str | None,
    main_token: str | None = None,
    local_url: str | None = None,
) -> Verification:
    """Check a callback that arrived for public `url` (full URL incl. query).

    `local_url` is the URL the request reached locally (used only to explain a URL mismatch).
    """
    if not token and not main_token:
        return Verification(False, True, "unverified: no token configured")
    lowered: dict[str, str] = {}
    for key, value in headers.items():
        lowered.setdefault(key.lower(), value)  # the first of a name, matched case-insensitively
    get = lowered.get
    nonce, v2, ma_v2 = get(_L_V2_NONCE), get(_L_V2), get(_L_MA_V2)
    v3_nonce, v3, ma_v3 = get(_L_V3_NONCE), get(_L_V3), get(_L_MA_V3)
    has_v2 = bool(nonce and (v2 or ma_v2))
    has_v3 = bool(v3_nonce and (v3 or ma_v3))
    if not has_v2 and not has_v3:
        return Verification(False, False, f"missing signature headers ({H_V2} and {H_V2_NONCE})")

    tokens = [t for t in (token, main_token) if t]
    scheme = ""
    if has_v2:
        if token and _matches(sign_v2(url, nonce, token), v2):
            scheme = "V2"
        elif main_token and _matches(sign_v2(url, nonce, main_token), ma_v2):
            scheme = "Ma-V2"
        else:
            return Verification(
                False, False, _explain_v2(url, nonce, v2 or ma_v2, tokens, local_url)
            )
    if has_v3:
        ok_v3 = (token and _matches(sign_v3(method, url, v3_nonce, token, params), v3)) or (
            main_token and _matches(sign_v3(method, url, v3_nonce, main_token, params), ma_v3)
        )
        if not ok_v3:
            return Verification(False, False, f"V3 signature does not match for {url}")
        scheme = f"{scheme}+V3" if scheme else "V3"
    # Every nonce header present is recorded, so a copy that drops one scheme is still caught.
    seen = tuple((s, n.strip()) for s, n in (("V2", nonce), ("V3", v3_nonce)) if n and n.strip())
    return Verification(True, True, f"{scheme} ok", seen)


def _explain_v2(
    url: str, nonce: str, header: str | None, tokens: list[str], local_url: str | None
) -> str:
    expected = v2_base(url)
    candidates = list(_url_variants(url))
    if local_url:
        candidates[:0] = list(_url_variants(local_url))
    for candidate in candidates:
        if v2_base(candidate) == expected:
            continue
        if any(_matches(sign_v2(candidate, nonce, t), header) for t in tokens):
            return f"URL mismatch: signed for {v2_base(candidate)}, expected {expected} (check --public-url)"
    return f"wrong token: signature does not match the auth token for {expected}"
