"""What forwarding keeps: each forward and its attempts, and their durable log, forwards.jsonl.

One JSON object a line, appended as things happen (not fsynced: the journal, fsynced before
each 200, is what a crash cannot lose): `from` (the journal position forwarding starts
after), `queued`/`skipped` (a callback for a target), `attempt`, `delivered`/`failed`. A torn
last line is ignored; a log past COMPACT_BYTES is rewritten with what is still kept.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from receiver.domain.models import CallbackEvent

log = logging.getLogger(__name__)

FORWARDS_NAME = "forwards.jsonl"
COMPACT_BYTES = 8 * 1024 * 1024
PENDING, DELIVERED, FAILED, SKIPPED = "pending", "delivered", "failed", "skipped"
Key = tuple[str, str]  # (event id, target)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try: what the handler answered (status, first bytes) or why it could not be reached."""

    n: int
    at: float
    status: int | None
    ms: float
    body: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def line(self) -> str:
        what = f"HTTP {self.status}" if self.status is not None else f"unreachable: {self.error}"
        return f"attempt {self.n}: {what} in {self.ms:.0f} ms"


@dataclass(slots=True)
class Forward:
    """One callback to one target, and its attempts so far."""

    event_id: str
    seq: int
    target: str
    state: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    reason: str = ""
    event: CallbackEvent | None = None
    due: float = 0.0
    moved: int = 0  # the Forwarder's move count when it last changed (Forwarder.mark)

    def view(self) -> dict[str, Any]:
        """What `tendlc receive` prints and the console shows."""
        return {
            "event_id": self.event_id,
            "target": self.target,
            "state": self.state,
            "reason": self.reason,
            "attempts": [asdict(a) for a in self.attempts],
        }

    @classmethod
    def from_view(cls, data: dict[str, Any]) -> Forward:
        """Inverse of view() (what an attached console gets from the server's API)."""
        attempts = [Attempt(**a) for a in data.get("attempts") or ()]
        return cls(str(data["event_id"]), 0, str(data["target"]), str(data["state"]), attempts,
                   str(data.get("reason") or ""))  # fmt: skip


class ForwardLog:
    """forwards.jsonl in a store directory: appended per change, folded back at start."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._failed = False
        self._fd: int | None = None  # kept open: an open and a close per line cost ingest

    def exists(self) -> bool:
        return self.path.exists()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=True) + "\n"
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(self._fd, line.encode("ascii"))
            self._failed = False
        except OSError as exc:  # the journal still holds the callback: queued again at start
            self.close()  # opened again at the next line
            if not self._failed:
                log.error("forwarding: cannot write %s (%s); forwards continue", self.path, exc)
            self._failed = True

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def read(self) -> tuple[int, dict[Key, Forward], bool]:
        """(the last journal position logged, every forward by key, whether to compact)."""
        try:
            text = self.path.read_text("ascii", errors="replace")
        except FileNotFoundError:
            return 0, {}, False
        except OSError as exc:
            log.error("forwarding: cannot read %s (%s)", self.path, exc)
            return 0, {}, False
        last_seq = 0
        state: dict[Key, Forward] = {}
        for raw in text.splitlines():
            try:
                rec = json.loads(raw)
                key = (str(rec["id"]), str(rec["target"]))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line
            op = rec.get("op")
            if op == "from":
                last_seq = max(last_seq, int(rec.get("seq") or 0))
            elif op in ("queued", "skipped"):
                seq = int(rec.get("seq") or 0)
                last_seq = max(last_seq, seq)
                state[key] = Forward(key[0], seq, key[1], PENDING if op == "queued" else SKIPPED)
            elif key in state and op == "attempt":
                fields = {k: rec.get(k) for k in ("n", "at", "status", "ms", "body", "error")}
                state[key].attempts.append(Attempt(**fields))
            elif key in state and op in (DELIVERED, FAILED):
                state[key].state, state[key].reason = op, str(rec.get("reason") or "")
        return last_seq, state, len(text) > COMPACT_BYTES

    def compact(self, last_seq: int, forwards: list[Forward]) -> None:
        """Rewrite the log with `forwards` only (atomically: a crash keeps the old one)."""
        lines: list[dict[str, Any]] = [{"op": "from", "id": "", "target": "", "seq": last_seq}]
        for fwd in forwards:
            op = "skipped" if fwd.state == SKIPPED else "queued"
            base = {"id": fwd.event_id, "target": fwd.target}
            lines.append({"op": op, "seq": fwd.seq, **base})
            lines += [{"op": "attempt", **base, **asdict(a)} for a in fwd.attempts]
            if fwd.state in (DELIVERED, FAILED):
                lines.append({"op": fwd.state, **base, "reason": fwd.reason})
        tmp = self.path.with_suffix(".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.writelines(json.dumps(r, ensure_ascii=True) + "\n" for r in lines)
                f.flush()
                os.fsync(f.fileno())
            self.close()  # the next line goes to the new file
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("forwarding: could not compact %s (%s)", self.path, exc)
