"""Fixtures for the form tests: a fake gateway, a registry with fixed resources, a host app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from plivo_client.types import BrandInfo, GatewayError, Profile, Submitted, Usecase
from receiver.domain.models import Badge, RequestRecord, Resource, ResourceType

PROFILES = [
    Profile("p-acme", "acme-main", "Acme Corp", "PRIVATE", True, "PRIMARY"),
    Profile("p-solo", "jane-solo", "Jane Doe", "INDIVIDUAL", False, "SECONDARY"),
]

USECASES = {
    "BREG001": [
        Usecase("2FA", "2FA", "Two-factor authentication"),
        Usecase("CUSTOMER_CARE", "Customer Care", "Account support"),
        Usecase("MIXED", "Mixed", "A combination of two to five standard usage cases"),
        Usecase("LOW_VOLUME", "Low Volume Mixed", "Low volume, several use cases"),
    ],
    "BREG002": [Usecase("STARTER", "Starter", "Low cost campaign type")],
}

BRAND_NAMES = {"BREG001": "Acme"}  # the company name get_brand reports (others: not found)
READS = ("brand.usecases", "brand.read", "campaign.read")


class FakeGateway:
    """Stands in for plivo_client.gateway.Gateway: same method names, fixed answers, records every call."""

    callback_url = "https://cb.example.test/tendlc_status/"
    method = "POST"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail_with: GatewayError | None = None
        self.profiles_error: GatewayError | None = None
        self.usecases_error: GatewayError | None = None
        self.hold = threading.Event()
        self.hold.set()

    def _answer(self, action: str, request: Any, **ids: Any) -> Submitted:
        self.hold.wait(5)
        self.calls.append((action, request))
        if self.fail_with is not None:
            raise self.fail_with
        record = RequestRecord(id="rq000001", at=1_700_000_000.0, action=action, params={}, ok=True)
        return Submitted(record, f"{action} submitted", **ids)

    def list_profiles(self) -> list[Profile]:
        if self.profiles_error is not None:
            raise self.profiles_error
        return list(PROFILES)

    def brand_usecases(self, brand_id: str) -> list[Usecase]:
        self.calls.append(("brand.usecases", brand_id))
        if self.usecases_error is not None:
            raise self.usecases_error
        return list(USECASES.get(brand_id, ()))

    def get_brand(self, brand_id: str) -> BrandInfo:
        self.calls.append(("brand.read", brand_id))
        if brand_id not in BRAND_NAMES:
            raise GatewayError(f"get brand {brand_id} failed: not found", status=404)
        return BrandInfo(brand_id, "", "STANDARD", "COMPLETED", "p-acme", BRAND_NAMES[brand_id])

    def create_brand(self, req: Any) -> Submitted:
        return self._answer("brand.create", req, brand_id="BNEW001")

    def create_campaign(self, req: Any) -> Submitted:
        return self._answer("campaign.create", req, campaign_id="CNEW001")

    def link_numbers(self, req: Any) -> Submitted:
        return self._answer("number.link", req, numbers=tuple(req.numbers))

    def unlink_number(self, campaign_id: str, number: str) -> Submitted:
        return self._answer("number.unlink", (campaign_id, number), numbers=(number,))

    def submissions(self) -> list[tuple[str, Any]]:
        return [c for c in self.calls if c[0] not in READS]


def _resource(type_: ResourceType, id_: str, badge: Badge, name: str, parent: str | None = None):
    return Resource(type=type_, id=id_, badge=badge, updated_at=0.0, name=name, parent_id=parent)


class FakeRegistry:
    """Stands in for receiver.domain.registry.Registry (get / all) with fixed resources."""

    def __init__(self, resources: list[Resource] | None = None) -> None:
        self.resources = resources if resources is not None else default_resources()

    def all(self, type: ResourceType | None = None) -> list[Resource]:
        return [r for r in self.resources if type is None or r.type == type]

    def get(self, type: ResourceType, id: str) -> Resource | None:
        return next((r for r in self.resources if r.type == type and r.id == id), None)


def default_resources() -> list[Resource]:
    B, C = ResourceType.BRAND, ResourceType.CAMPAIGN
    return [
        _resource(B, "BREG001", Badge.REGISTERED, "acme-main"),
        _resource(B, "BREG002", Badge.REGISTERED, "jane-solo"),
        _resource(B, "BPEND01", Badge.PENDING, "acme-new"),
        _resource(B, "BREJ001", Badge.REJECTED, "acme-old"),
        _resource(C, "CACT001", Badge.REGISTERED, "alerts", "BREG001"),
        _resource(C, "CACT002", Badge.REGISTERED, "support", "BREG001"),
        _resource(C, "CPEND01", Badge.PENDING, "promo", "BREG001"),
    ]


class FormHost(App[None]):
    """A bare app that pushes one form and keeps what it was dismissed with."""

    def __init__(self, make_form: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_form = make_form
        self.results: list[Any] = []
        self.animation_level = "none"
        self.theme = "textual-dark"

    def compose(self) -> ComposeResult:
        yield Static("main screen")

    def on_mount(self) -> None:
        self.push_screen(self.make_form(), callback=self.results.append)


async def settle(pilot: Pilot, *groups: str) -> None:
    """Wait for the form's workers of `groups`, then for the messages they posted."""
    app = pilot.app
    for _ in range(3):
        workers = [w for w in app.workers if w.group in groups]
        await app.workers.wait_for_complete(workers)
        await pilot.pause()


@pytest.fixture(autouse=True)
def no_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor would make snapshots flaky."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def host() -> Callable[[Callable[[], Screen]], FormHost]:
    """Makes a FormHost for a form factory."""
    return FormHost


@pytest.fixture
def wait() -> Callable[..., Any]:
    """`await wait(pilot, "submit")`: let the form's workers of those groups finish."""
    return settle


@pytest.fixture
def fake_registry() -> Callable[[list[Resource] | None], FakeRegistry]:
    return FakeRegistry


@pytest.fixture
def make_resource() -> Callable[..., Resource]:
    return _resource
