"""`tendlc campaign ...` and `tendlc number ...` against a sandbox on 127.0.0.1."""

from __future__ import annotations

from tests.cli.conftest import CAMPAIGN


def test_campaign_create_wait_registered_then_list_get(cli):
    campaign_id = cli.active_campaign()
    listed = cli.json("campaign", "list")
    assert campaign_id in [c["campaign_id"] for c in listed]
    got = cli("campaign", "get", campaign_id)
    assert got.exit_code == 0 and "registration_status: ACTIVE" in got.stdout
    assert "carrier T-Mobile: brand_tier=" in got.stdout  # per-carrier mno_metadata


def test_campaign_rejected_fixed_and_resubmitted(cli):
    brand = cli.registered_brand()
    path = cli.file("c.json", dict(CAMPAIGN, description=CAMPAIGN["description"] + " reject"))
    result = cli("campaign", "create", "--from-file", path, "--brand-id", brand, "--wait")
    assert result.exit_code == 1
    assert "rejected" in result.stdout and "code 1001" in result.stdout
    campaign_id = cli.json("campaign", "list", "--brand-id", brand)[0]["campaign_id"]

    fixed = "Acme Retail order updates and login codes, sent only to customers who opted in."
    out = cli.json("campaign", "update", campaign_id, "--description", fixed, "--wait")
    assert out["ok"] is True and out["outcome"][campaign_id]["status"] == "registered"
    # the registry shows the new cycle: request, then the API's answer
    status = {r["id"]: r for r in cli.json("status")}
    assert status[campaign_id]["badge"] == "registered"


def test_campaign_update_checks_fields_before_sending(cli):
    result = cli("campaign", "update", "CXXXXXX", "--description", "too short")
    assert result.exit_code == 1 and "description: at least 40 characters" in result.stderr
    result = cli("campaign", "update", "CXXXXXX")
    assert result.exit_code == 1 and "nothing to update" in result.stderr


def test_campaign_update_of_an_active_campaign_is_refused_by_plivo(cli):
    campaign_id = cli.active_campaign()
    result = cli(
        "campaign", "update", campaign_id, "--sample3", "Acme Retail: a third sample text."
    )
    assert result.exit_code == 1 and f"campaign {campaign_id} is ACTIVE" in result.stderr


def test_campaign_create_validates_and_checks_before_sending(cli, box):
    path = cli.file("c.json", dict(CAMPAIGN, sample1="short"))
    result = cli("campaign", "create", "--from-file", path, "--brand-id", "BXXXXXX")
    assert result.exit_code == 1 and "sample1: at least 20 characters" in result.stderr
    assert not box.sandbox.world.campaigns

    # a compliance blocker (prohibited content) is refused, nothing sent
    cannabis = dict(
        CAMPAIGN, sample1="Acme Retail: 20% off CBD gummies today! Reply STOP to opt out."
    )
    path = cli.file("cbd.json", cannabis)
    dry = cli("campaign", "create", "--from-file", path, "--brand-id", "BXXXXXX", "--dry-run")
    assert dry.exit_code == 1 and "blocker" in dry.stdout
    brand = cli.registered_brand()
    result = cli("campaign", "create", "--from-file", path, "--brand-id", brand)
    assert result.exit_code == 1 and "not sent" in result.stderr
    assert not box.sandbox.world.campaigns


def test_campaign_dry_run_sends_nothing(cli, box):
    path = cli.file("c.json", CAMPAIGN)
    out = cli.json("campaign", "create", "--from-file", path, "--brand-id", "BXXXXXX", "--dry-run")
    assert out["ok"] is True and isinstance(out["findings"], list)
    assert not box.sandbox.world.campaigns and not box.sandbox.world.brands


def test_campaign_create_for_an_unregistered_brand_is_refused_by_the_preflight(cli, box):
    box.gate.hold()
    uuid = cli.profile_uuid("harbor-dental-primary")
    brand = cli.json("brand", "create", "--profile-uuid", uuid, "--brand-alias", "acme")["brand_id"]
    path = cli.file("c.json", CAMPAIGN)
    result = cli("campaign", "create", "--from-file", path, "--brand-id", brand)
    assert result.exit_code == 1 and "PROCESSING at Plivo" in result.stderr
    assert not box.sandbox.world.campaigns


def test_campaign_delete_and_import(cli):
    campaign_id = cli.active_campaign()
    assert cli("number", "link", campaign_id, "4845551235", "--wait").exit_code == 0
    result = cli("campaign", "delete", campaign_id)
    assert result.exit_code == 0 and "deactivated" in result.stdout
    assert cli.json("campaign", "get", campaign_id)["registration_status"] == "EXPIRED"
    status = {r["id"]: r for r in cli.json("status")}
    assert status[campaign_id]["badge"] == "deleted"  # the API's EXPIRED agrees with it
    assert status["14845551235"]["badge"] == "unlinked"  # released with the campaign

    out = cli.json("campaign", "import", "CSHARED", "--campaign-alias", "shared-one", "--wait")
    assert out["ok"] is True and out["campaign_id"] == "CSHARED"
    assert cli.json("campaign", "get", "CSHARED")["campaign_source"] == "shared"
    result = cli("campaign", "import", "not-an-id", "--campaign-alias", "x")
    assert result.exit_code == 1 and "TCR campaign id" in result.stderr


def test_number_link_wait_per_number_results_and_failure(cli):
    campaign_id = cli.active_campaign()
    csv = cli.file("nums.csv", "number,label\n+1 415 555 0101,front\n(415) 555-0102\n4155550000\n")
    # a CSV header is skipped; labels are not numbers -> usage error
    result = cli("number", "link", campaign_id, "--file", csv)
    assert result.exit_code == 2 and "front" in result.output

    nums = cli.file("nums.txt", "number\n+1 415 555 0101\n(415) 555-0102\n4155550000\n")
    out = cli.json("number", "link", campaign_id, "--file", nums, "--wait")
    assert out["outcome"]["14155550101"]["status"] == "linked"
    assert out["outcome"]["14155550102"]["status"] == "linked"
    assert out["outcome"]["14155550000"] == {
        "ok": False, "status": "failed", "reason": "the carriers refused the link"
    }  # fmt: skip
    assert out["ok"] is False  # one number failed: exit 1

    # already linked numbers are left out and named; nothing left -> refused
    result = cli("number", "link", campaign_id, "+14155550101")
    assert result.exit_code == 1 and "already on campaign" in result.stderr


def test_number_link_from_stdin_and_unlink_wait(cli):
    campaign_id = cli.active_campaign()
    result = cli("number", "link", campaign_id, "-", "--wait", input="4155550103\n3105550101\n")
    assert result.exit_code == 0, result.output
    assert "14155550103: linked" in result.stdout

    result = cli("number", "unlink", campaign_id, "+14155550103", "--wait")
    assert result.exit_code == 0, result.output
    assert "14155550103: unlinked" in result.stdout
    listed = cli.json("number", "list", "--campaign", campaign_id)
    assert [n["number"] for n in listed] == ["13105550101"]
    status = {r["id"]: r for r in cli.json("status")}
    assert status["14155550103"]["badge"] == "unlinked"


def test_number_unlink_several_and_timeout(cli, box, clock):
    campaign_id = cli.active_campaign()
    assert cli("number", "link", campaign_id, "3105550102", "4845551234", "--wait").exit_code == 0
    box.gate.hold()
    result = cli("number", "unlink", campaign_id, "3105550102", "4845551234", "--wait",
                 "--timeout", "12")  # fmt: skip
    assert result.exit_code == 1 and "timed out after 12 s" in result.stderr
    assert result.stdout.count("submitted") == 2  # both requests went out and are journaled


def test_number_unlink_refused_for_a_number_not_on_the_campaign(cli):
    campaign_id = cli.active_campaign()
    result = cli("number", "unlink", campaign_id, "4155550199")
    assert result.exit_code == 1 and "not linked to this campaign" in result.stderr


def test_number_link_validates_before_sending(cli):
    result = cli("number", "link", "CXXXXXX", "+44 20 7946 0958")
    assert result.exit_code == 1 and "not US numbers" in result.stderr
    result = cli("number", "link", "CXXXXXX")
    assert result.exit_code == 2 and "no numbers given" in result.output


def test_number_list_free_from_the_account_inventory(cli):
    result = cli("number", "list")
    assert result.exit_code == 0, result.output
    assert "free" in result.stdout
    every = cli.json("number", "list")
    free = cli.json("number", "list", "--free")
    assert free and len(free) < len(every)
    assert all(not n.get("tendlc_campaign_id") and n["number_type"] == "local" for n in free)
