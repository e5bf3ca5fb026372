"""The store as files and streams: `tendlc events`/`status`, and the TUI's log and timeline exports."""

from __future__ import annotations

import csv
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from receiver.domain.declines import resource_declines
from receiver.domain.models import (
    CallbackEvent,
    RequestRecord,
    Resource,
    ResourceType,
    TimelineEntry,
)
from receiver.safetext import csv_cell, json_text, printable
from receiver.store.entries import entry_time
from receiver.store.status_json import iso_utc, json_array, status_lines

CSV_COLUMNS = (
    "seq", "type", "id", "time", "kind", "status", "brand_id", "campaign_id", "number",
    "verified", "reason", "http_status", "replay_of", "replays", "method", "url", "params", "body",
)  # fmt: skip
STATUS_COLUMNS = ("type", "id", "name", "parent", "badge", "api status", "updated")


class ExportError(Exception):
    """The store could not be read; the message says what to do."""


@contextmanager
def open_readonly(db_path: Path, err: TextIO, command: str) -> Iterator[Any]:
    """The store at `db_path`, opened read-only (raises ExportError when it is missing or bad).

    The store's warnings (e.g. a damaged snapshot) go to `err`, one line each.
    """
    from receiver.store.store import Store, StoreError

    if not db_path.exists():
        raise ExportError(
            f"no store at {db_path}: run `tendlc` or `tendlc receive` first, or pass --db PATH"
        )
    if not db_path.is_dir():
        raise ExportError(f"{db_path} is not a store directory: pass --db PATH of a store")
    try:
        store = Store.open(db_path, readonly=True)
    except (StoreError, OSError) as exc:
        raise ExportError(f"cannot read the store at {db_path}: {exc}") from exc
    for warning in store.warnings:
        err.write(f"{command}: warning: {warning}\n")
    try:
        yield store
    finally:
        store.close_sync()


def entry_dict(entry: CallbackEvent | RequestRecord) -> dict[str, Any]:
    """One journal entry for JSON lines: its own fields plus `type` and an ISO `time`."""
    if isinstance(entry, CallbackEvent):
        return {"type": "callback", "time": iso_utc(entry.received_at), **entry.to_dict()}
    return {"type": "request", "time": iso_utc(entry.at), **entry.to_dict()}


def entry_row(entry: CallbackEvent | RequestRecord) -> dict[str, Any]:
    """One journal entry as a CSV row (requests put their action under `kind`)."""
    if isinstance(entry, CallbackEvent):
        row = {k: getattr(entry, k) for k in CSV_COLUMNS if hasattr(entry, k)}
        row.update(type="callback", time=iso_utc(entry.received_at), kind=entry.kind.value)
        row["params"] = json_text(entry.params)
        return row
    return {
        "seq": entry.seq,
        "type": "request",
        "id": entry.id,
        "time": iso_utc(entry.at),
        "kind": entry.action,
        "status": "ok" if entry.ok else "error",
        "brand_id": entry.brand_id,
        "campaign_id": entry.campaign_id,
        "number": " ".join(entry.numbers),
        "reason": entry.error or "",
        "params": json_text(entry.params, default=str),
        "body": json_text(entry.response, default=str) if entry.response else "",
    }


def write_events(
    entries: Iterable[CallbackEvent | RequestRecord],
    fmt: str,
    out: TextIO,
    replays: Callable[[str], int] | None = None,
) -> int:
    """Write journal entries as jsonl or csv; returns how many.

    `replays(id)` gives how many times a callback was received again; callbacks then carry a
    `replays` count (jsonl and csv).
    """
    count = 0

    def with_replays(data: dict[str, Any], entry: CallbackEvent | RequestRecord) -> dict[str, Any]:
        if replays is not None and isinstance(entry, CallbackEvent):
            data["replays"] = replays(entry.id)
        return data

    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for entry in entries:
            row = with_replays(entry_row(entry), entry)
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
            count += 1
    else:
        for entry in entries:
            data = with_replays(entry_dict(entry), entry)
            out.write(json_text(data, default=str) + "\n")
            count += 1
    out.flush()
    return count


def run_events(db_path: Path, fmt: str, out: TextIO, *, err: TextIO | None = None) -> int:
    """`tendlc events`: the whole journal and the kept unverified callbacks, oldest first."""
    err = err or sys.stderr
    try:
        with open_readonly(db_path, err, "tendlc events") as store:
            write_events(stored_events(store), fmt, out, store.replay_count)
    except ExportError as exc:
        err.write(f"tendlc events: {exc}\n")
        return 1
    return 0


def stored_events(store: Any) -> Iterator[CallbackEvent | RequestRecord]:
    """The journal in order, with the kept unverified callbacks (seq 0) merged in by time."""
    unverified = list(store.unverified())
    i = 0
    for entry in store.journal():
        while i < len(unverified) and entry_time(unverified[i]) < entry_time(entry):
            yield unverified[i]
            i += 1
        yield entry
    yield from unverified[i:]


def resources_in_order(registry: Any) -> list[Resource]:
    """Brands, then campaigns, then numbers, each in creation order."""
    return [
        r
        for t in (ResourceType.BRAND, ResourceType.CAMPAIGN, ResourceType.NUMBER)
        for r in registry.all(t)
    ]


def _row(resource: Resource) -> tuple[str, ...]:
    updated = datetime.fromtimestamp(resource.updated_at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return (
        resource.type.value,
        resource.id,
        resource.name or "-",
        resource.parent_id or "-",
        resource.badge.value,
        resource.api_status or "-",
        updated,
    )


def format_table(resources: list[Resource]) -> str:
    """An aligned plain-text table: type, id, name, parent, badge, api status, updated."""
    if not resources:
        return "no brands, campaigns or numbers in this store yet\n"
    rows = [STATUS_COLUMNS, *(tuple(printable(c) for c in _row(r)) for r in resources)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(STATUS_COLUMNS))]
    lines = []
    for row, resource in zip(rows, [None, *resources], strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if resource is not None:
            for why in resource_declines(resource.type.value, resource.detail):
                lines.append(f"  └ {printable(why)}")
    return "\n".join(lines) + "\n"


def run_status(db_path: Path, as_json: bool, out: TextIO, *, err: TextIO | None = None) -> int:
    """`tendlc status`: every brand, campaign and number with its badge, as a table or JSON."""
    err = err or sys.stderr
    try:
        with open_readonly(db_path, err, "tendlc status") as store:
            registry = store.registry
    except ExportError as exc:
        err.write(f"tendlc status: {exc}\n")
        return 1
    if as_json:
        out.write(json_array(status_lines(registry)) + "\n")
    else:
        out.write(format_table(resources_in_order(registry)))
    out.flush()
    return 0


if TYPE_CHECKING:
    from receiver.store.store import Store

TIMELINE_COLUMNS = ("type", "id", "time", "cause", "badge", "detail", "ref")


class ExportFailed(Exception):
    """The file could not be written; the message says why and what to do."""


def default_name(what: str, now: float) -> str:
    """`tendlc-events-20260101-120000.jsonl` for `what`="events", at local time `now`."""
    return f"tendlc-{what}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}.jsonl"


def format_of(path: Path) -> str:
    """`csv` for a .csv file, else `jsonl`."""
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def target_path(typed: str, default: str) -> Path:
    """The file to write: `typed` (~ expanded), or `default` inside it when it is a directory."""
    path = Path(typed.strip() or default).expanduser()
    return path / default if path.is_dir() else path


def timeline_rows(resource: Resource) -> list[dict[str, Any]]:
    """One dict per timeline entry, with the resource and an ISO time."""

    def row(entry: TimelineEntry) -> dict[str, Any]:
        data = entry.to_dict()
        return {"type": resource.type.value, "id": resource.id, "time": iso_utc(entry.at), **data}

    return [row(e) for e in resource.timeline]


def write_timeline(rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=TIMELINE_COLUMNS, extrasaction="ignore")
        writer.writeheader()
    for row in rows:
        if fmt == "csv":
            writer.writerow(row)
        else:
            out.write(json_text(row, default=str) + "\n")
        count += 1
    return count


def _open_new(path: Path) -> TextIO:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private, as the store
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    except FileExistsError:
        raise ExportFailed(f"{path} already exists: type another file name") from None
    except FileNotFoundError:
        raise ExportFailed(
            f"{path.parent} does not exist: create it or type another path"
        ) from None
    except OSError as exc:
        raise ExportFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_new(path: Path, write: Callable[[TextIO, str], int]) -> int:
    """Create `path` and `write(out, format)` into it; returns what `write` returns."""
    with _open_new(path) as out:
        try:
            return write(out, format_of(path))
        except OSError as exc:
            raise ExportFailed(f"writing {path} failed: {exc.strerror or exc}") from None


def export_events(store: Store, path: Path) -> int:
    """Write the journal (and kept unverified callbacks) to a new file; returns how many."""
    return _write_new(
        path, lambda out, fmt: write_events(stored_events(store), fmt, out, store.replay_count)
    )


def export_timeline(resource: Resource, path: Path) -> int:
    """Write one resource's timeline to a new file; returns how many entries."""
    return _write_new(path, lambda out, fmt: write_timeline(timeline_rows(resource), fmt, out))
