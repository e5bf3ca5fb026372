"""Files the UI writes: the event log or one resource's timeline, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from receiver.export import iso_utc, stored_events, write_events
from receiver.models import Resource, TimelineEntry

if TYPE_CHECKING:
    from receiver.store import Store

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
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
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
