"""A receiver killed mid-append: the torn tail is repaired on open and no acknowledged callback is lost.

`tendlc receive` runs as a real subprocess under concurrent signed callbacks and is SIGKILLed at
a random moment while appends are in flight. A SIGKILL cannot cut one write() in half, so each
round then tears the segment's tail the way a power cut or disk fault would: a random prefix of a
further append written over the closing braces, sometimes followed by zeros. Reopening must repair the tail and keep every callback that got a 200.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
from pathlib import Path

import aiohttp

from receiver.signature import signature_headers
from receiver.store.store import Store

TOKEN = "CrashToken_0123456789abcdef"
DEADLINE = 20.0
ROUNDS = 3


async def _spawn(db: Path) -> tuple[asyncio.subprocess.Process, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLIVO_", "TENDLC_"))}
    env["PLIVO_AUTH_TOKEN"] = TOKEN
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tendlc", "receive", "--port", "0", "--db", str(db),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    while True:
        raw = await asyncio.wait_for(proc.stderr.readline(), DEADLINE)
        assert raw, "receiver exited before listening"
        line = raw.decode()
        if line.startswith("listening on "):
            return proc, line.split()[2]


async def _load_then_kill(db: Path, kill_after: int, prefix: str) -> set[str]:
    """Send callbacks from 8 workers; SIGKILL the receiver after `kill_after` acks; the acked."""
    proc, url = await _spawn(db)
    acked: set[str] = set()
    enough = asyncio.Event()
    counter = iter(range(10**6))

    async def worker(session: aiohttp.ClientSession) -> None:
        while not enough.is_set():
            brand = f"{prefix}{next(counter):06d}"
            payload = {"brand_id": brand, "event": "brand", "status": "created"}
            headers = signature_headers("POST", url, payload, TOKEN)
            try:
                async with session.post(url, data=payload, headers=headers) as resp:
                    await resp.read()
                    if resp.status == 200:
                        acked.add(brand)
                        if len(acked) >= kill_after:
                            enough.set()
            except (TimeoutError, aiohttp.ClientError):
                return  # the receiver is gone

    async with aiohttp.ClientSession() as session:
        workers = [asyncio.create_task(worker(session)) for _ in range(8)]
        await asyncio.wait_for(enough.wait(), DEADLINE * 3)
        proc.send_signal(signal.SIGKILL)  # requests are still in flight
        await proc.wait()
        await asyncio.gather(*workers)
    return acked


def _tear(segment: Path, rng: random.Random) -> str:
    """Leave the tail as a crash in the middle of the next append could: a prefix of it written
    over the closing braces (from none of it to all but its last byte), and after a power cut
    perhaps a run of zeros where the file grew but its data never reached the disk."""
    raw = segment.read_bytes()
    assert raw.endswith(b"}}")
    table = json.loads(raw)["journal"]
    last = max(map(int, table))
    doc = {**table[str(last)], "seq": last + 1, "id": "never-acknowledged"}
    item = f',"{last + 1}":{json.dumps(doc, separators=(",", ":"))}}}}}'.encode()
    cut = rng.randrange(0, len(item))
    zeros = rng.choice([0, 0, 512])
    segment.write_bytes(raw[:-2] + item[:cut] + b"\0" * zeros)
    return f"append torn after {cut} of {len(item)} bytes, then {zeros} zero bytes"


async def test_a_receiver_killed_mid_append_loses_no_acknowledged_callback(tmp_path):
    rng = random.Random(11)
    db = tmp_path / "db"
    acked: set[str] = set()
    for round_ in range(ROUNDS):
        acked |= await _load_then_kill(db, rng.randrange(30, 300), f"R{round_}-")
        segment = max((db / "journal").glob("*.json"))
        how = _tear(segment, rng)
        store = Store.open(db)
        try:
            held = {e.brand_id for e in store.journal()}
            assert acked <= held, (round_, how, sorted(acked - held)[:5])
            assert any("complete entries" in w for w in store.warnings), (how, store.warnings)
            assert "never-acknowledged" not in {e.id for e in store.journal()}
        finally:
            await store.close()
        reopened = Store.open(db, readonly=True)
        assert reopened.warnings == [], (how, reopened.warnings)  # the repair is on disk
        reopened.close_sync()
