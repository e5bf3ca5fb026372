"""`tendlc profile ...` and `tendlc brand ...` against a sandbox on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.cli.conftest import PROFILE


def test_profile_lifecycle(cli):
    path = cli.file("profile.json", PROFILE)
    created = cli.json("profile", "create", "--from-file", path)
    assert created["ok"] and created["profile_uuid"]
    uuid = created["profile_uuid"]

    got = cli.json("profile", "get", uuid)
    assert got["company_name"] == "Acme Retail LLC"
    assert got["authorized_contact"]["email"] == "ada@acme.example"

    result = cli("profile", "update", uuid, "--website", "https://acme.example/new",
                 "--address-city", "Dallas")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = cli.json("profile", "get", uuid)
    assert got["website"] == "https://acme.example/new"
    assert got["address"]["city"] == "Dallas" and got["address"]["street"] == "1 Main St"

    listed = cli("profile", "list")
    assert result.exit_code == 0 and "acme-retail" in listed.stdout

    result = cli("profile", "delete", uuid)
    assert result.exit_code == 0, result.output
    assert "deleted" in result.stdout
    result = cli("profile", "get", uuid)
    assert result.exit_code == 1 and uuid in result.stderr


def test_profile_flags_override_the_file_and_validation_refuses_before_sending(cli, box):
    bad = dict(PROFILE, vertical="SPACE")
    path = cli.file("bad.json", bad)
    result = cli("profile", "create", "--from-file", path)
    assert result.exit_code == 1
    assert "vertical: one of" in result.stderr and "not sent" in result.stderr
    before = len(box.sandbox.world.profiles)
    result = cli("profile", "create", "--from-file", path, "--vertical", "RETAIL",
                 "--contact-email", "not-an-email")  # fmt: skip
    assert result.exit_code == 1 and "authorized_contact: email" in result.stderr
    assert len(box.sandbox.world.profiles) == before  # nothing reached the API


def test_profile_update_refuses_fields_plivo_does_not_update(cli):
    path = cli.file("upd.json", {"profile_alias": "renamed"})
    result = cli("profile", "update", "some-uuid", "--from-file", path)
    assert result.exit_code == 1 and "profile_alias: cannot be updated" in result.stderr


def test_primary_profile_delete_is_refused_with_plivos_reason(cli):
    uuid = cli.profile_uuid("harbor-dental-primary")
    result = cli("profile", "delete", uuid, "--json")
    assert result.exit_code == 1
    assert "primary profile" in result.stderr
    assert '"ok": false' in result.stdout


def test_usage_errors_exit_2(cli, tmp_path):
    assert cli("profile", "get").exit_code == 2  # missing argument
    assert cli("profile", "create", "--from-file", str(tmp_path / "missing.json")).exit_code == 2
    notjson = cli.file("x.json", "{nope")
    result = cli("brand", "create", "--from-file", notjson)
    assert result.exit_code == 2 and "cannot read" in result.output
    result = cli("brand", "create", "--from-file", cli.file("y.json", {"colour": "red"}))
    assert result.exit_code == 2 and "unknown brand fields: colour" in result.output


def test_no_credentials_is_a_usage_error(cli, box):
    from click.testing import CliRunner

    from tendlc.main import main

    result = CliRunner().invoke(
        main,
        ["brand", "list", "--api-url", box.url],
        env={"PLIVO_AUTH_ID": "", "PLIVO_AUTH_TOKEN": ""},
    )
    assert result.exit_code == 2 and "PLIVO_AUTH_ID" in result.output


def test_brand_create_wait_registered(cli, clock):
    uuid = cli.profile_uuid("harbor-dental-primary")
    result = cli("brand", "create", "--profile-uuid", uuid, "--brand-alias", "harbor", "--wait")
    assert result.exit_code == 0, result.output
    assert "registered" in result.stdout
    assert "brand " in result.stderr and "done after" in result.stderr  # the progress line
    brand_id = result.stdout.split()[1]  # "brand BXXXXXX (harbor) submitted"
    assert cli.json("brand", "get", brand_id)["registration_status"] == "COMPLETED"
    status = cli.json("status")
    assert any(r["id"] == brand_id and r["badge"] == "registered" for r in status)


def test_brand_create_wait_rejected_exits_1_with_the_explained_reason(cli, clock):
    uuid = cli.profile_uuid("harbor-dental-primary")
    out = cli.json(
        "brand", "create", "--profile-uuid", uuid, "--brand-alias", "reject-me", "--wait"
    )
    assert out["ok"] is False
    outcome = out["outcome"][out["brand_id"]]
    assert outcome["status"] == "rejected"
    assert "code 1101: the US EIN provided is invalid" in outcome["reason"]  # declines.describe
    result = cli("brand", "get", out["brand_id"])
    assert "declined: code 1101" in result.stdout


def test_brand_wait_timeout_exits_1_and_the_request_stands(cli, box, clock):
    box.gate.hold()  # nothing moves past PROCESSING
    uuid = cli.profile_uuid("harbor-dental-primary")
    result = cli("brand", "create", "--profile-uuid", uuid, "--brand-alias", "slow", "--wait",
                 "--timeout", "30")  # fmt: skip
    assert result.exit_code == 1
    assert "timed out after 30 s" in result.stderr and "still PROCESSING" in result.stderr
    assert "waiting for brand" in result.stderr  # the progress line, meanwhile
    assert sum(clock.slept) == pytest.approx(30)  # backoff, capped by what is left of the timeout
    assert clock.slept[0] == 0.5 and max(clock.slept) <= 5.0
    [mine] = [r for r in cli.json("status") if r["name"] == "slow"]
    assert mine["badge"] in ("submitted", "pending")


def test_brand_refused_by_plivo_exits_1(cli):
    uuid = cli.profile_uuid("lena-bakes")  # no EIN: STANDARD is refused
    result = cli("brand", "create", "--profile-uuid", uuid, "--brand-alias", "lena")
    assert result.exit_code == 1 and "EIN" in result.stderr
    # the refused request is journaled, as the TUI's are
    events = cli("events", api=False)
    assert '"action": "brand.create"' in events.stdout and '"ok": false' in events.stdout


def test_brand_delete_and_otp(cli):
    brand_id = cli.registered_brand()
    result = cli("brand", "otp", brand_id)
    assert result.exit_code == 1 and "OTP is for STARTER brands" in result.stderr
    result = cli("brand", "delete", brand_id)
    assert result.exit_code == 0, result.output
    assert "deleted" in result.stdout
    assert cli("brand", "get", brand_id).exit_code == 1


def test_starter_brand_otp_prints_plivos_message(cli):
    uuid = cli.profile_uuid("lena-bakes")
    out = cli.json("brand", "create", "--profile-uuid", uuid, "--brand-alias", "lena",
                   "--brand-type", "STARTER")  # fmt: skip
    assert out["ok"], out
    result = cli("brand", "otp", out["brand_id"])
    assert result.exit_code == 0, result.output
    assert "reply YES to confirm registration" in result.stdout
    events = cli("events", api=False)
    assert '"action": "brand.otp"' in events.stdout  # journaled like every request
