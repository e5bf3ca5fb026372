"""`tendlc --sandbox --scenario FILE`: the console's in-process sandbox arms a scenario's faults."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import tendlc.launch
from tendlc.main import main


@pytest.fixture
def launched(monkeypatch) -> list[tendlc.launch.LaunchOptions]:
    """Stand-in for run_tui: records the options instead of opening the screen."""
    seen: list[tendlc.launch.LaunchOptions] = []
    monkeypatch.setattr(tendlc.launch, "run_tui", lambda options: seen.append(options) or 0)
    monkeypatch.delenv("PLIVO_AUTH_ID", raising=False)
    monkeypatch.delenv("PLIVO_AUTH_TOKEN", raising=False)
    return seen


def test_the_scenario_reaches_the_in_process_sandbox(tmp_path, launched, monkeypatch):
    path = tmp_path / "day.toml"
    path.write_text('seed = 4\n[[faults]]\nname = "drop-callback"\nkind = "brand"\n')
    result = CliRunner().invoke(main, ["--sandbox", "--db", str(tmp_path / "db"),
                                       "--scenario", str(path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (options,) = launched
    assert options.sandbox and options.faults_seed == 4
    assert [f.name for f in options.faults] == ["drop-callback"]


class Built(Exception):
    """Raised by the stand-in Sandbox once run_tui has built it."""


def test_run_tui_arms_the_faults_on_its_sandbox(tmp_path, monkeypatch):
    from receiver.config import ReceiverConfig
    from receiver.store.store import Store
    from sandbox.faults.catalogue import parse_flag

    made, opened = [], []
    real_open = Store.open

    def sandbox(**kwargs):
        made.append(kwargs)
        raise Built

    monkeypatch.setattr("sandbox.server.Sandbox", sandbox)
    monkeypatch.setattr(
        Store, "open", lambda *a, **k: opened.append(real_open(*a, **k)) or opened[-1]
    )
    faults = (parse_flag("stuck-processing"),)
    options = tendlc.launch.LaunchOptions(
        tmp_path / "store", ReceiverConfig(port=0), sandbox=True, faults=faults, faults_seed=9
    )
    try:
        with pytest.raises(Built):
            tendlc.launch.run_tui(options)
    finally:
        for store in opened:
            store.close_sync()
    assert made[0]["faults"] == faults and made[0]["faults_seed"] == 9


def test_a_bad_scenario_or_live_mode_is_a_usage_error(tmp_path, launched, monkeypatch):
    path = tmp_path / "bad.toml"
    path.write_text('[[faults]]\nname = "drop"\n')
    result = CliRunner().invoke(main, ["--sandbox", "--scenario", str(path)])
    assert result.exit_code == 2 and "faults[0]: unknown fault 'drop'" in result.output
    monkeypatch.setenv("PLIVO_AUTH_ID", "MA" + "L" * 18)
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", "live")
    result = CliRunner().invoke(main, ["--scenario", str(path)])
    assert result.exit_code == 2 and "--scenario arms faults on the sandbox" in result.output
    assert launched == []
