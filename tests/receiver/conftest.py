"""Shared receiver test data: the simulator-defined callback payloads of plivo-10dlc.md §3.3."""

import pytest

from receiver.domain.models import Kind

_SIMULATOR_PAYLOADS: dict[Kind, dict[str, str]] = {
    Kind.BRAND: {
        "brand_id": "B43KNAS",
        "event": "brand",
        "status": "registered",
        "registration_status": "COMPLETED",
    },
    Kind.CAMPAIGN: {
        "brand_id": "B43KNAS",
        "campaign_id": "CAOHTU5",
        "event": "campaign",
        "status": "registered",
        "registration_status": "ACTIVE",
    },
    Kind.NUMBER_LINKING: {
        "campaign_id": "CAOHTU5",
        "number": "14845007032",
        "event": "number_linking",
        "status": "success",
    },
    Kind.NUMBER_UNLINKING: {
        "campaign_id": "CAOHTU5",
        "number": "14845007032",
        "event": "number_unlinking",
        "status": "created",
    },
}


@pytest.fixture(params=list(_SIMULATOR_PAYLOADS), ids=lambda kind: kind.value)
def kind_payload(request: pytest.FixtureRequest) -> tuple[Kind, dict[str, str]]:
    """Each callback kind with its simulator payload (a fresh copy the test may change)."""
    kind: Kind = request.param
    return kind, dict(_SIMULATOR_PAYLOADS[kind])
