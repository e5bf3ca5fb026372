"""`--wait --timeout` on every verb that waits (campaign create, update and import, number link)
against a sandbox that holds every transition: exit 1 after the timeout, the request stands."""

from __future__ import annotations

import pytest

from tests.cli.conftest import CAMPAIGN


def timed_out(result, seconds: int, what: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"timed out after {seconds} s" in result.stderr
    assert f"waiting for {what}" in result.stderr  # the progress line meanwhile


def test_campaign_create_wait_times_out(cli, box, clock):
    brand = cli.registered_brand()
    box.gate.hold()
    path = cli.file("c.json", CAMPAIGN)
    result = cli("campaign", "create", "--from-file", path, "--brand-id", brand, "--wait",
                 "--timeout", "9")  # fmt: skip
    timed_out(result, 9, "campaign")
    assert sum(clock.slept) == pytest.approx(9)
    [mine] = [r for r in cli.json("status") if r["name"] == CAMPAIGN["campaign_alias"]]
    assert mine["badge"] in ("submitted", "pending")  # the request stands


def test_campaign_update_wait_times_out(cli, box, clock):
    brand = cli.registered_brand()
    path = cli.file("c.json", dict(CAMPAIGN, description=CAMPAIGN["description"] + " reject"))
    assert cli("campaign", "create", "--from-file", path, "--brand-id", brand,
               "--wait").exit_code == 1  # fmt: skip
    campaign_id = cli.json("campaign", "list", "--brand-id", brand)[0]["campaign_id"]
    box.gate.hold()
    fixed = "Acme Retail order updates and login codes, sent only to customers who opted in."
    result = cli("campaign", "update", campaign_id, "--description", fixed, "--wait",
                 "--timeout", "7")  # fmt: skip
    timed_out(result, 7, f"campaign {campaign_id}")
    assert "resubmitted" in result.stdout


def test_campaign_import_wait_times_out(cli, box, clock):
    box.gate.hold()
    result = cli("campaign", "import", "CSHARED", "--campaign-alias", "shared-one", "--wait",
                 "--timeout", "6")  # fmt: skip
    timed_out(result, 6, "campaign CSHARED")


def test_number_link_wait_times_out(cli, box, clock):
    campaign_id = cli.active_campaign()
    box.gate.hold()
    result = cli("number", "link", campaign_id, "4845551234", "--wait", "--timeout", "8")
    timed_out(result, 8, "link of 1 number(s)")
    status = {r["id"]: r for r in cli.json("status")}
    assert status["14845551234"]["badge"] in ("submitted", "pending")
