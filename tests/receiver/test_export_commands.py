"""`tendlc events` and `tendlc status` over a real store, through the click CLI."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from receiver.domain.models import CallbackEvent, Kind, RequestRecord
from receiver.store.export import format_table, iso_utc, run_status
from receiver.store.store import Store
from tendlc.main import main

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def callback(i: int, kind: Kind, status: str, **ids) -> CallbackEvent:
    return CallbackEvent(
        id=f"ev{i:06d}", received_at=T0 + i, method="POST", url="/tendlc_status/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="status=" + status, params={"status": status, **ids}, kind=kind, status=status,
        verified=True, reason="V2 ok", **ids,
    )  # fmt: skip


@pytest.fixture
async def db(tmp_path):
    path = tmp_path / "db"
    store = Store.open(path, clock=lambda: T0)
    await store.record_request(
        RequestRecord(
            id="rq1",
            at=T0,
            action="brand.create",
            params={"brand_alias": "Acme Corp"},
            ok=True,
            brand_id="B43KNAS",
        )
    )
    await store.record_callback(
        callback(1, Kind.BRAND, "registered", brand_id="B43KNAS"), apply=True
    )
    await store.record_callback(
        callback(2, Kind.CAMPAIGN, "created", brand_id="B43KNAS", campaign_id="CAOHTU5"), apply=True
    )
    await store.record_callback(
        callback(3, Kind.NUMBER_LINKING, "success", campaign_id="CAOHTU5", number="14845007032"),
        apply=True,
    )
    unknown = CallbackEvent(
        "ev000004",
        T0 + 4,
        "POST",
        "/tendlc_status/",
        {},
        "odd=1",
        {"odd": "1"},
        Kind.UNKNOWN,
        None,
        reason="wrong token: …",
        http_status=403,
    )
    await store.record_callback(unknown, apply=False)
    await store.close()
    return path


def test_events_jsonl_exports_the_whole_journal_in_order(db):
    result = CliRunner().invoke(main, ["events", "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["type"], r["id"]) for r in rows] == [
        ("request", "rq1"), ("callback", "ev000001"), ("callback", "ev000002"), ("callback", "ev000003"), ("callback", "ev000004"),
    ]  # fmt: skip
    assert rows[1]["time"] == "2025-01-01T00:00:01.000Z"
    assert rows[1]["kind"] == "brand" and rows[1]["status"] == "registered"
    assert (
        rows[4]["kind"] == "unknown"
        and rows[4]["http_status"] == 403
        and rows[4]["body"] == "odd=1"
    )
    assert CallbackEvent.from_dict(rows[3]).number == "14845007032"
    journaled = [r["seq"] for r in rows if r["seq"]]  # the 403 is in the unverified ring: seq 0
    assert journaled == sorted(journaled) and rows[4]["seq"] == 0
    assert [r.get("replays") for r in rows] == [None, 0, 0, 0, 0]


def test_events_csv(db):
    result = CliRunner().invoke(main, ["events", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["type"], r["kind"], r["status"]) for r in rows] == [
        ("request", "brand.create", "ok"), ("callback", "brand", "registered"), ("callback", "campaign", "created"),
        ("callback", "number_linking", "success"), ("callback", "unknown", ""),
    ]  # fmt: skip
    assert rows[3]["number"] == "14845007032" and rows[3]["verified"] == "True"
    assert json.loads(rows[4]["params"]) == {"odd": "1"}


def test_status_table_is_aligned(db):
    result = CliRunner().invoke(main, ["status", "--db", str(db)])  # not a tty: JSON by default
    assert json.loads(result.stdout)
    out = io.StringIO()
    assert run_status(db, False, out) == 0
    assert out.getvalue() == (
        "type      id           name       parent   badge       api status  updated\n"
        "brand     B43KNAS      Acme Corp  -        registered  -           2025-01-01 00:00:01Z\n"
        "campaign  CAOHTU5      -          B43KNAS  pending     -           2025-01-01 00:00:02Z\n"
        "number    14845007032  -          CAOHTU5  linked      -           2025-01-01 00:00:03Z\n"
    )


def test_status_json(db):
    result = CliRunner().invoke(main, ["status", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["type"], r["id"], r["badge"], r["parent_id"]) for r in rows] == [
        ("brand", "B43KNAS", "registered", None), ("campaign", "CAOHTU5", "pending", "B43KNAS"),
        ("number", "14845007032", "linked", "CAOHTU5"),
    ]  # fmt: skip
    assert rows[0]["name"] == "Acme Corp" and rows[0]["updated"] == "2025-01-01T00:00:01.000Z"
    assert "timeline" not in rows[0]


@pytest.mark.parametrize(
    "command", [["events"], ["status"], ["status", "--json"], ["events", "--format", "csv"]]
)
def test_missing_store_is_a_clear_error(tmp_path, command):
    missing = tmp_path / "nope"
    result = CliRunner().invoke(main, [*command, "--db", str(missing)])
    assert result.exit_code == 1
    assert result.stdout == ""
    name = command[0]
    assert (
        result.stderr
        == f"tendlc {name}: no store at {missing}: run `tendlc` or `tendlc receive` first, or pass --db PATH\n"
    )
    assert not missing.exists()


def test_readers_work_while_a_writer_holds_the_store(db):
    writer = Store.open(db)
    try:
        result = CliRunner().invoke(main, ["status", "--db", str(db), "--json"])
        assert result.exit_code == 0 and len(json.loads(result.stdout)) == 3
    finally:
        writer.close_sync()


def test_a_file_instead_of_a_directory(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    result = CliRunner().invoke(main, ["events", "--db", str(path)])
    assert result.exit_code == 1 and "not a store directory" in result.stderr


def test_empty_store_and_iso_helper(tmp_path):
    Store.open(tmp_path / "db").close_sync()
    out = io.StringIO()
    assert run_status(tmp_path / "db", False, out) == 0
    assert out.getvalue() == "no brands, campaigns or numbers in this store yet\n"
    assert format_table([]) == out.getvalue()
    assert iso_utc(None) is None and iso_utc(0) == "1970-01-01T00:00:00.000Z"


async def test_hostile_ids_are_shown_escaped_and_csv_cells_are_not_formulas(tmp_path):
    """Finding 8: a callback id carrying ESC ] 0 ; … BEL must not set the terminal's title, and
    a cell starting with = must not run as a spreadsheet formula."""
    path = tmp_path / "db"
    store = Store.open(path, clock=lambda: T0)
    hostile = "B\x1b]0;pwned\x07"
    await store.record_callback(callback(1, Kind.BRAND, "registered", brand_id=hostile), apply=True)
    await store.record_callback(callback(2, Kind.BRAND, "=HYPERLINK(1)", brand_id="B2"), apply=True)
    await store.close()

    out = io.StringIO()
    assert run_status(path, False, out) == 0
    table = out.getvalue()
    assert "\x1b" not in table and "\x07" not in table
    assert "B\\x1b]0;pwned\\x07" in table

    result = CliRunner().invoke(main, ["events", "--db", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[1]["status"] == "'=HYPERLINK(1)"
    assert not any(cell.startswith("=") for row in rows for cell in row.values() if cell)


def test_exports_carry_no_raw_control_characters():
    """`tendlc events` (jsonl and csv) is printed to terminals: no raw C0, DEL or C1."""
    from receiver.safetext import csv_cell, json_text

    hostile = "B1\x1b]0;pwned\x07\x9b2J\x7f é"
    line = json_text({"brand_id": hostile})
    assert json.loads(line) == {"brand_id": hostile}  # lossless
    assert not any(ch in line for ch in "\x1b\x07\x9b\x7f") and "é" in line
    cell = csv_cell("=" + hostile + "\nnext")
    assert cell == "'=B1\\x1b]0;pwned\\x072J\\x7f é\nnext".replace("\\x072J", "\\x07\\x9b2J")
