"""Fixtures for the gateway tests: an in-process fake Plivo API mounted on the SDK's session.

The fake is a requests transport adapter (plivo-10dlc.md §5.5 option B): the real plivo SDK
builds and sends every request, the adapter answers it without a socket.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from plivo_client.gateway import Gateway
from plivo_client.validation import CampaignRequest
from receiver.domain.models import RequestRecord, sequential_ids

AUTH_ID = "MAFAKEAUTHID00000001"
AUTH_TOKEN = "s3cr3t-token-never-stored"
CALLBACK = "https://cb.example.test/tendlc_status/"

GOOD_CAMPAIGN = CampaignRequest(
    brand_id="B43KNAS",
    vertical="RETAIL",
    usecase="MIXED",
    sub_usecases=("CUSTOMER_CARE", "2FA"),
    description="Order updates and account security codes for our retail customers.",
    sample1="Your order #1234 has shipped. Reply STOP to opt out.",
    sample2="Your login code is 123456. Reply HELP for help.",
    message_flow="Customers opt in by ticking a box at checkout on our website.",
    help_message="Acme Retail: reply STOP to stop, call 555-0100 for help.",
    optout_message="You are unsubscribed from Acme Retail and will get no more texts.",
    optin_keywords="START,YES",
    optout_keywords="STOP,END",
    help_keywords="HELP,INFO",
    alias="acme-orders",
)


@dataclass
class Call:
    """One HTTP request the SDK sent."""

    method: str
    path: str  # after /v1/Account/{auth_id}/, e.g. "10dlc/Brand/"
    query: dict[str, str]
    body: Any
    timeout: Any


Answer = tuple[int, Any] | BaseException
Handler = Callable[[Call], Answer]


@dataclass
class FakeApi(BaseAdapter):
    """Answers every request with `handler(call)`: (status, JSON body / raw str) or an exception."""

    handler: Handler = lambda call: (200, {"api_id": "x"})  # noqa: E731
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        prefix = f"/v1/Account/{AUTH_ID}/"
        path = url.path[len(prefix) :] if url.path.startswith(prefix) else url.path
        raw = request.body.decode() if isinstance(request.body, bytes) else request.body
        call = Call(
            method=request.method,
            path=path,
            query=dict(parse_qsl(url.query)),
            body=json.loads(raw) if raw else None,
            timeout=kwargs.get("timeout"),
        )
        self.calls.append(call)
        answer = self.handler(call)
        if isinstance(answer, BaseException):
            raise answer
        status, payload = answer
        response = requests.Response()
        response.status_code = status
        response._content = (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        )
        response.headers["Content-Type"] = "application/json"
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


class RecordingStore:
    """Captures what the gateway journals (the real Store is used in test_gateway_journal.py)."""

    def __init__(self) -> None:
        self.records: list[tuple[RequestRecord, str | None]] = []

    def record_request_threadsafe(
        self, record: RequestRecord, *, callback_url: str | None = None
    ) -> None:
        self.records.append((record, callback_url))


@pytest.fixture
def auth_token() -> str:
    """The secret every test gateway is built with."""
    return AUTH_TOKEN


@pytest.fixture
def good_campaign() -> CampaignRequest:
    """A campaign request that passes every documented rule."""
    return GOOD_CAMPAIGN


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def recording_store() -> RecordingStore:
    return RecordingStore()


@pytest.fixture
def make_gateway(api: FakeApi) -> Callable[..., Gateway]:
    """Gateway(AUTH_ID, AUTH_TOKEN, ...) whose SDK session is answered by `api`."""

    def make(**kwargs: Any) -> Gateway:
        kwargs.setdefault("callback_url", CALLBACK)
        kwargs.setdefault("clock", lambda: 1_700_000_000.0)
        kwargs.setdefault("ids", sequential_ids("rq"))
        kwargs.setdefault("timeout", 3.0)
        gateway = Gateway(AUTH_ID, AUTH_TOKEN, **kwargs)
        gateway.session.mount("https://api.plivo.com/", api)
        return gateway

    return make
