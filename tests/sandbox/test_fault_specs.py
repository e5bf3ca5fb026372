"""Fault specs and scenario files: flag syntax, strict checking, TOML and JSON, the CLI's exit 2."""

from __future__ import annotations

import asyncio
import json
import re
import sys

import pytest

from sandbox.faults.armed import Faults
from sandbox.faults.catalogue import CATALOGUE, FaultError, FaultSpec, describe, parse_flag
from sandbox.faults.scenario import load_scenario
from sandbox.main import run_sandbox


def test_flags_read_names_filters_and_typed_values():
    spec = parse_flag("duplicate-callback:kind=brand,status=registered,copies=2,same_nonce=true")
    assert spec == FaultSpec(
        "duplicate-callback", kind="brand", status="registered",
        params={"copies": 2, "same_nonce": True},
    )  # fmt: skip
    assert parse_flag("drop-callback") == FaultSpec("drop-callback")
    assert parse_flag("rate-limit:count=always").count is None
    assert parse_flag("slow-answer:seconds=2").param("seconds") == 2.0
    assert parse_flag("api-error:method=post,path=10dlc/Brand*").method == "POST"
    assert parse_flag("timeout").param("seconds") == 120.0  # defaults come from the catalogue


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("nope", "--fault: unknown fault 'nope'; known faults: drop-callback"),
        ("drop-callback:kind", "expected key=value after the name, got 'kind'"),
        ("drop-callback:kind=sms", "kind must be one of brand, campaign, number_linking"),
        ("drop-callback:status=lost", "status must be one of created, registered"),
        ("expire-campaign:kind=brand", "kind must be one of campaign; got 'brand'"),
        ("wrong-path-callback:path=x", "path must start with '/'"),
        ("duplicate-callback:copies=0", "copies must be 1 or more"),
        ("duplicate-callback:same_nonce=1", "same_nonce must be true or false"),
        ("callback-before-answer:until=never", "until must be one of created, terminal"),
        ("api-error:method=PATCH", "method must be one of GET, POST, DELETE"),
        ("rate-limit:skip=-1", "skip must be 0 or more"),
        ("delay-callback:seconds=inf", "seconds must be a number of seconds"),
    ],
)
def test_bad_flags_say_what_is_wrong(flag, message):
    with pytest.raises(FaultError) as caught:
        parse_flag(flag)
    assert message in str(caught.value)


def test_every_fault_is_described_with_its_keys():
    text = describe()
    for name, entry in CATALOGUE.items():
        assert re.search(rf"^  {re.escape(name)} ", text, re.M), name
        for key in entry.params:
            assert f"{key}=" in text


def test_matching_uses_globs_and_the_default_kind():
    stuck = parse_flag("stuck-processing")
    assert stuck.matches_request("brand", "B1", "") and not stuck.matches_request(
        "campaign", "C1", ""
    )
    link = parse_flag("fail-link:id=1415555*")
    assert link.matches_request("number_linking", "14155550101", "")
    assert not link.matches_request("number_linking", "14165550101", "")
    terminal = parse_flag("drop-callback:status=terminal")
    assert terminal.matches_callback("campaign", "rejected", "C1")
    assert not terminal.matches_callback("campaign", "created", "C1")
    api = parse_flag("api-error:path=10dlc/Campaign/*/Number")
    assert api.matches_api("POST", "10dlc/Campaign/CX/Number/")
    assert not api.matches_api("POST", "10dlc/Campaign/CX/")


def test_faults_fire_in_arming_order_and_record_each_firing():
    faults = Faults(seed=0, clock=lambda: 5.0)
    faults.arm([parse_flag("drop-callback:kind=brand"), parse_flag("drop-callback:count=2")])
    assert faults.callback("brand", "created", "B1").id == "f1"
    assert faults.callback("brand", "registered", "B1").id == "f2"
    assert faults.callback("campaign", "created", "C1").id == "f2"
    assert faults.callback("campaign", "created", "C1") is None
    assert [f.to_json() for f in faults.firings][0] == {
        "fault": "f1", "name": "drop-callback", "at": 5.0, "target": "brand B1 created callback"
    }  # fmt: skip
    assert faults.outcome("brand", "B1", "acme", default_fails=True) is True  # no rule: the knob


BAD_DAY_TOML = """
description = "a short bad day"
seed = 11

[[faults]]
name = "drop-callback"
kind = "brand"
status = "registered"

[[faults]]
name = "api-error"
status = 503
applied = true
path = "10dlc/Brand"
"""


def test_a_toml_and_a_json_scenario_read_the_same(tmp_path):
    toml_file = tmp_path / "bad-day.toml"
    toml_file.write_text(BAD_DAY_TOML)
    json_file = tmp_path / "bad-day.json"
    json_file.write_text(json.dumps({
        "description": "a short bad day", "seed": 11,
        "faults": [
            {"name": "drop-callback", "kind": "brand", "status": "registered"},
            {"name": "api-error", "status": 503, "applied": True, "path": "10dlc/Brand"},
        ],
    }))  # fmt: skip
    toml, js = load_scenario(toml_file), load_scenario(json_file)
    assert (
        toml == js
        and toml.seed == 11
        and [f.name for f in toml.faults]
        == [
            "drop-callback",
            "api-error",
        ]
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.toml", "seed = ", "is not valid TOML"),
        ("a.json", "{", "is not valid JSON"),
        ("a.json", "[]", "must be a table/object with `faults`"),
        ("a.toml", "seeds = 1", "unknown key 'seeds'; a scenario has description, seed, faults"),
        ("a.toml", 'seed = "x"', "seed must be a whole number"),
        ("a.toml", "[faults]\nname = 'drop-callback'", "faults must be a list ([[faults]]"),
        ("a.toml", "[[faults]]\nname = 'drop'", "faults[0]: unknown fault 'drop'"),
        (
            "a.toml",
            "[[faults]]\nname = 'timeout'\nsecs = 1",
            "faults[0] timeout: unknown key 'secs'",
        ),
    ],
)
def test_bad_scenario_files_name_the_file_and_the_problem(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FaultError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_a_missing_or_binary_scenario_is_an_error(tmp_path):
    with pytest.raises(FaultError, match="cannot read scenario .*missing.toml"):
        load_scenario(tmp_path / "missing.toml")
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(FaultError, match="is not UTF-8 text"):
        load_scenario(tmp_path / "bin.toml")


def _run(*, fault=(), scenario=None, list_faults=False) -> int:
    return run_sandbox(
        "127.0.0.1", 0, 0.0, None, None, None, False,
        fault=fault, scenario=scenario, list_faults=list_faults,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fault", "scenario", "message"),
    [
        (["drop-next"], None, "tendlc sandbox: --fault: unknown fault 'drop-next'"),
        (["api-error:status=404"], None, "status must be one of 500, 502, 503, 504"),
        ([], "missing.toml", "tendlc sandbox: cannot read scenario"),
        ([], "bad.toml", "faults[0]: unknown fault 'nope'"),
    ],
)
def test_the_command_exits_2_on_bad_faults(tmp_path, capsys, fault, scenario, message):
    (tmp_path / "bad.toml").write_text("[[faults]]\nname = 'nope'\n")
    code = _run(fault=fault, scenario=tmp_path / scenario if scenario else None)
    out, err = capsys.readouterr()
    assert code == 2 and message in err and out == ""


def test_list_faults_describes_the_catalogue_and_exits_0(capsys):
    assert _run(list_faults=True) == 0
    assert capsys.readouterr().out.strip() == describe()


async def test_the_cli_passes_fault_options_through(tmp_path):
    (tmp_path / "bad.json").write_text('{"faults": [{"name": "drop-callback", "kind": "sms"}]}')
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tendlc", "sandbox", "--port", "0", "--faults-seed", "3",
        "--fault", "slow-answer", "--scenario", str(tmp_path / "bad.json"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode == 2 and out == b""
    assert b"bad.json: faults[0] drop-callback: kind must be one of brand" in err


def test_the_banner_lists_each_armed_fault_with_its_keys():
    from sandbox.main import banner
    from sandbox.server import Sandbox

    quiet = banner(Sandbox(auth_id="MA" + "B" * 18, auth_token="t"), 2.0, None, False)
    assert "faults      none (arm some with --fault, --scenario or POST /_sandbox/faults)" in quiet
    specs = [parse_flag("fail-link:id=*0101"), parse_flag("timeout:applied=true,count=always")]
    sb = Sandbox(auth_id="MA" + "B" * 18, auth_token="t", faults=specs, faults_seed=5)
    text = banner(sb, 2.0, None, False)
    assert "  faults      seed 5:\n    f1  fail-link (count=1, id=*0101)\n" in text
    assert "    f2  timeout (count=always, seconds=120.0, applied=true)\n" in text
