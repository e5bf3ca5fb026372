"""Signature vectors from plivo-10dlc.md §4.3, cross-checked with the plivo SDK's validators."""

import pytest
from plivo.utils import validate_signature
from plivo.utils.signature_v3 import validate_v3_signature

from receiver import signature as sig

SUB = "SubAcctToken_0123456789abcdef"
MAIN = "MainAcctToken_fedcba9876543210"
URL = "http://127.0.0.1:8765/plivo/10dlc/status/?tenant=acme"
NONCE = "12345678901234567890"
PARAMS = {"brand_id": "B43KNAS", "status": "registered"}


def test_sdk_vector():
    assert sig.sign_v2("https://answer.url", "12345", "my_auth_token") == (
        "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="
    )


def test_simulator_vectors():
    assert sig.sign_v2(URL, NONCE, SUB) == "rTO0KF3zeptgJjRWADHd+nzCqFc1C/9MslDh06pDHsU="
    assert sig.sign_v2(URL, NONCE, MAIN) == "0MwIyxltaUDPw2ttEGn0ElpdQzmfZjAZXZ+HkczHPzA="
    assert sig.v3_base("POST", URL, PARAMS) == (
        "http://127.0.0.1:8765/plivo/10dlc/status/?tenant=acme.brand_idB43KNASstatusregistered"
    )
    assert (
        sig.sign_v3("POST", URL, NONCE, SUB, PARAMS)
        == "btJ7Cd+U10p57IY7LhAossD7FV32rdKboLbLBWMCbhs="
    )
    assert (
        sig.sign_v3("GET", URL, NONCE, SUB, PARAMS)
        == "QKf1+SmXflJX12ruqZzpQ/idIbzz55Uukg3MpZNu75U="
    )


@pytest.mark.parametrize(
    ("method", "url", "params", "expected"),
    [
        (
            "POST",
            "https://example.com/plivo/10dlc/callback?tag=abc",
            {"brand_id": "BXXXXXX", "status": "registered"},
            "aV45ehTDq+jR/OPcCIjCux0eCTtNWueypWTQVnHq9oY=",
        ),
        (
            "POST",
            "https://example.com/plivo/10dlc/callback",
            {"brand_id": "BXXXXXX", "status": "registered"},
            "unFPAEAh6M9ru9CeOA+vfReFe3KUQHBjwGlRl2JIWUI=",
        ),
        (
            "POST",
            "https://example.com/plivo/10dlc/callback",
            {},
            "K0JsyKuizdJHHpAG8LLF5bdTh8TjsGc2VY/+KjClKLs=",
        ),
        (
            "GET",
            "https://example.com/plivo/10dlc/callback?tag=abc",
            {"brand_id": "BXXXXXX", "status": "registered"},
            "MvR1ijJrJxVBTiKPg8QZRuhaDmnuuSFefVXNeoQA/ao=",
        ),
    ],
)
def test_second_vectors_v3(method, url, params, expected):
    token, nonce = "MY_AUTH_TOKEN_123", "05429567804466091622"
    assert sig.sign_v3(method, url, nonce, token, params) == expected
    assert validate_v3_signature(method, url, nonce, token, expected, dict(params))


def test_second_vector_v2_ignores_query():
    url = "https://example.com/plivo/10dlc/callback?tag=abc"
    expected = "xD4YSMcuIia8xza3Dqsil9wY1ofSUUk3DSN0wpC25/s="
    assert sig.sign_v2(url, "05429567804466091622", "MY_AUTH_TOKEN_123") == expected
    assert (
        sig.sign_v2(
            url.replace("tag=abc", "tag=other"), "05429567804466091622", "MY_AUTH_TOKEN_123"
        )
        == expected
    )


def test_signature_headers_agree_with_sdk():
    headers = sig.signature_headers("POST", URL, PARAMS, SUB, MAIN, nonce=NONCE, v3_nonce=NONCE)
    assert validate_signature(URL, NONCE, headers[sig.H_V2], SUB)
    assert validate_signature(URL, NONCE, headers[sig.H_MA_V2], MAIN)
    assert validate_v3_signature("POST", URL, NONCE, SUB, headers[sig.H_V3], dict(PARAMS))


def _headers(**kw):
    return sig.signature_headers("POST", URL, PARAMS, SUB, MAIN, **kw)


def test_verify_valid_v2_v3():
    result = sig.verify("POST", URL, _headers(), PARAMS, SUB, MAIN)
    assert result.verified and result.accept and result.reason == "V2+V3 ok"


def test_verify_ma_v2_with_main_token_only():
    headers = {k: v for k, v in _headers().items() if "V3" not in k}
    result = sig.verify("POST", URL, headers, PARAMS, None, MAIN)
    assert result.verified and result.reason == "Ma-V2 ok"


def test_verify_case_insensitive_headers():
    headers = {k.lower(): v for k, v in _headers().items()}
    assert sig.verify("POST", URL, headers, PARAMS, SUB, MAIN).verified


def test_verify_tampered_signature():
    headers = _headers()
    first = headers[sig.H_V2][0]
    headers[sig.H_V2] = ("B" if first == "A" else "A") + headers[sig.H_V2][1:]
    headers[sig.H_MA_V2] = headers[sig.H_V2]
    result = sig.verify("POST", URL, headers, PARAMS, SUB, MAIN)
    assert not result.verified and not result.accept
    assert result.reason.startswith("wrong token")


def test_verify_wrong_token():
    result = sig.verify("POST", URL, _headers(), PARAMS, "not-the-token")
    assert not result.accept and "wrong token" in result.reason


def test_verify_url_mismatch_names_both_urls():
    local = "http://127.0.0.1:9999/plivo/10dlc/status/"
    headers = sig.signature_headers("POST", local, PARAMS, SUB)
    public = "https://abc.trycloudflare.com/plivo/10dlc/status/"
    result = sig.verify("POST", public, headers, PARAMS, SUB, local_url=local)
    assert not result.accept
    assert result.reason == (
        "URL mismatch: signed for http://127.0.0.1:9999/plivo/10dlc/status/, "
        "expected https://abc.trycloudflare.com/plivo/10dlc/status/ (check --public-url)"
    )


def test_verify_v2_ignores_query_string():
    headers = {k: v for k, v in _headers().items() if "V3" not in k}
    other = URL.replace("tenant=acme", "tenant=zzz")
    assert sig.verify("POST", other, headers, PARAMS, SUB).verified


def test_verify_v3_tampered_params():
    result = sig.verify("POST", URL, _headers(), {**PARAMS, "status": "rejected"}, SUB, MAIN)
    assert not result.accept and "V3" in result.reason


def test_verify_missing_headers():
    result = sig.verify("POST", URL, {}, PARAMS, SUB)
    assert not result.accept and result.reason.startswith("missing signature headers")


def test_verify_no_token_accepts_unverified():
    result = sig.verify("POST", URL, {}, PARAMS, None)
    assert result.accept and not result.verified
    assert result.reason == "unverified: no token configured"


def test_verify_non_ascii_signature_is_a_mismatch_not_a_crash():
    headers = {**_headers(), sig.H_V2: "sïgnature", sig.H_MA_V2: "sïgnature"}
    result = sig.verify("POST", URL, headers, PARAMS, SUB, MAIN)
    assert not result.accept and result.reason.startswith("wrong token")


def test_a_fresh_nonce_is_twenty_digits_like_plivos_and_never_repeats():
    from receiver.signature import new_nonce

    nonces = {new_nonce() for _ in range(1000)}
    assert len(nonces) == 1000
    assert all(len(n) == 20 and n.isdigit() for n in nonces)
