"""Every failure of a gateway call becomes a GatewayError a person can act on."""

from __future__ import annotations

import pytest
import requests

from plivo_client.gateway import Gateway, GatewayError
from plivo_client.validation import LinkRequest

ERROR_BODY = {"api_id": "e1", "error": "campaign needs a registered brand: B1234AB is PROCESSING"}


def _fail(gateway_call) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        gateway_call()
    return info.value


def test_400_passes_the_api_text_through(api, make_gateway, good_campaign):
    api.handler = lambda call: (400, ERROR_BODY)
    err = _fail(lambda: make_gateway().create_campaign(good_campaign))
    assert err.message == (
        "create campaign failed: campaign needs a registered brand: B1234AB is PROCESSING"
    )
    assert str(err) == err.message
    assert err.status == 400


def test_400_naming_a_field_sets_err_field(api, make_gateway, good_campaign):
    api.handler = lambda call: (400, {"error": "description must be at least 40 characters"})
    err = _fail(lambda: make_gateway().create_campaign(good_campaign))
    assert err.field == "description"
    api.handler = lambda call: (400, {"error": "campaign_alias already in use"})
    assert _fail(lambda: make_gateway().create_campaign(good_campaign)).field == "alias"


def test_401_says_to_check_the_credentials(api, make_gateway):
    api.handler = lambda call: (401, {"api_id": "x", "error": "authentication failed"})
    err = _fail(lambda: make_gateway().list_brands())
    assert err.message == (
        "list brands failed: Plivo rejected the credentials: check PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN"
    )
    assert err.status == 401


def test_404(api, make_gateway):
    api.handler = lambda call: (404, {"api_id": "x", "error": "brand not found"})
    err = _fail(lambda: make_gateway().get_brand("BNOPE00"))
    assert err.message == "get brand BNOPE00 failed: brand not found"
    assert err.status == 404


def test_500(api, make_gateway):
    api.handler = lambda call: (500, {"api_id": "x", "error": "internal error"})
    err = _fail(lambda: make_gateway().list_campaigns())
    assert err.message == (
        "list campaigns failed: Plivo had a server error (HTTP 500: internal error): try again later"
    )
    assert err.status == 500


def test_502_without_json(api, make_gateway):
    api.handler = lambda call: (502, "<html>Bad gateway</html>")
    err = _fail(lambda: make_gateway().list_campaigns())
    assert "server error (HTTP 502" in err.message and "try again later" in err.message
    assert err.status == 502


def test_429_says_to_wait(api, make_gateway):
    api.handler = lambda call: (429, {"error": "Too Many Requests"})
    err = _fail(lambda: make_gateway().get_campaign("C1"))
    assert err.message == (
        "get campaign C1 failed: Plivo is rate-limiting requests (HTTP 429): "
        "wait a few seconds and try again"
    )
    assert err.status == 429


def test_2xx_with_error_is_a_failure(api, make_gateway, recording_store):
    body = {"api_id": "e2", "error": "The number 14155550100 is already requested for linking"}
    api.handler = lambda call: (200, body)
    gateway = make_gateway(store=recording_store)
    err = _fail(lambda: gateway.link_numbers(LinkRequest("C1", ("14155550100",))))
    assert err.message == (
        "link numbers to campaign C1 failed: "
        "The number 14155550100 is already requested for linking"
    )
    assert err.status == 200
    (record, url), = recording_store.records  # fmt: skip
    assert record.ok is False and record.error == err.message and record.response == body
    assert record.action == "number.link" and record.numbers == ("14155550100",)


def test_2xx_without_json_body(api, make_gateway):
    api.handler = lambda call: (200, "not json")
    err = _fail(lambda: make_gateway().list_profiles())
    assert "without a JSON body" in err.message and err.status == 200


def test_connection_refused(api, make_gateway):
    refused = requests.ConnectionError(
        "HTTPSConnectionPool(host='api.plivo.com', port=443): Max retries exceeded "
        "(Caused by NewConnectionError('Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"
    )
    api.handler = lambda call: refused
    err = _fail(lambda: make_gateway().list_brands())
    assert err.message == (
        "list brands failed: cannot reach Plivo at https://api.plivo.com (connection refused): "
        "check your network, or work offline: `tendlc --sandbox` (the console), or "
        "`--api-url URL` of a running `tendlc sandbox` (status --refresh)"
    )
    assert err.status is None


def test_dns_failure(api, make_gateway):
    api.handler = lambda call: requests.ConnectionError(
        "Failed to resolve 'api.plivo.com' ([Errno -2] Name or service not known)"
    )
    assert "(host name not found)" in _fail(lambda: make_gateway().list_brands()).message


def test_read_timeout_warns_the_request_may_have_landed(api, make_gateway, good_campaign):
    api.handler = lambda call: requests.ReadTimeout("read timed out")
    err = _fail(lambda: make_gateway(timeout=3.0).create_campaign(good_campaign))
    assert err.message.startswith(
        "create campaign failed: Plivo at https://api.plivo.com did not answer within 3 s"
    )
    assert "refresh before retrying" in err.message


def test_connect_timeout(api, make_gateway):
    api.handler = lambda call: requests.ConnectTimeout("connect timed out")
    err = _fail(lambda: make_gateway(timeout=2.5).list_brands())
    assert "did not answer within 2.5 s (could not connect" in err.message


def test_every_call_carries_the_timeout(api, make_gateway):
    api.handler = lambda call: (200, {"brands": [], "meta": {}})
    make_gateway(timeout=4.0).list_brands()
    assert [c.timeout for c in api.calls] == [4.0]


def test_sdk_local_validation_is_told_apart_from_http_400(api, make_gateway):
    err = _fail(lambda: make_gateway().brand_usecases(""))  # the SDK requires a brand id
    assert api.calls == []  # nothing went on the wire
    assert err.message == (
        "list use cases of brand  failed: the plivo SDK refused the arguments before sending: "
        "brand_id is required (current value: None)"
    )
    assert err.status is None


def test_bad_auth_id_at_construction():
    with pytest.raises(GatewayError) as info:
        Gateway("not-an-auth-id", "token")
    assert "is not a Plivo auth id" in info.value.message
    assert "check PLIVO_AUTH_ID" in info.value.message


def test_missing_credentials_never_fall_back_silently(monkeypatch):
    monkeypatch.setenv("PLIVO_AUTH_ID", "MAFAKEAUTHID00000001")
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", "from-env")
    with pytest.raises(GatewayError) as info:
        Gateway("MAFAKEAUTHID00000001", "")
    assert (
        "set PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN, or work offline with `tendlc --sandbox`"
        in info.value.message
    )


def test_invalid_request_is_not_sent(api, make_gateway, recording_store, good_campaign):
    from dataclasses import replace

    gateway = make_gateway(store=recording_store)
    err = _fail(lambda: gateway.create_campaign(replace(good_campaign, description="short")))
    assert err.field == "description"
    assert err.message == ("create campaign not sent: description: at least 40 characters (now 5)")
    assert api.calls == [] and recording_store.records == []


def test_store_failure_on_a_failed_request_is_mentioned(api, make_gateway, good_campaign):
    class BrokenStore:
        def record_request_threadsafe(self, record, *, callback_url=None):
            raise OSError("disk full")

    api.handler = lambda call: (400, ERROR_BODY)
    err = _fail(lambda: make_gateway(store=BrokenStore()).create_campaign(good_campaign))
    assert err.message.endswith("(not saved to the store: disk full)")
    assert err.status == 400


@pytest.mark.parametrize(
    "args",
    [
        ["--sandbox"],  # `tendlc --sandbox`
        ["sandbox"],  # `tendlc sandbox`
        ["status", "--refresh", "--api-url", "http://127.0.0.1:1"],  # `--api-url URL`
    ],
)
def test_offline_hints_name_commands_that_exist(args):
    """Every command the offline hints name is a real one (`tendlc status --sandbox` was not)."""
    from click.testing import CliRunner

    from plivo_client.sdk import OFFLINE_ADVICE
    from tendlc.main import main

    for word in ("`tendlc --sandbox`", "`tendlc sandbox`", "`--api-url URL`"):
        assert word in OFFLINE_ADVICE
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
