"""Flood benchmark: unsigned 64 KB bodies and 0xFF bodies against `tendlc receive` (numbers only).

Starts `tendlc receive` in a subprocess on loopback, then sends, with `-c` workers over kept-alive
connections: `-n` unsigned 64 KB form bodies (each refused 403), `-n` 64 KB bodies of 0xFF bytes
(each refused 400), then `-s` signed callbacks (each must be 200 and stored). For each flood it
prints requests tried, answers by status, 5xx count, throughput, the store's bytes on disk
(journal and unverified.json) and the server's peak RSS so far (VmHWM). After a clean stop it
counts signed callbacks acknowledged but absent from the store (`lost`), and refused ones that
reached the journal (`applied`: must be 0).

Run: python benchmarks/floods.py [-n 1000] [-c 20] [-s 500]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from _common import callbacks, stored_brand_ids, tendlc_receive

BODY = 64_000


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_bytes(db: Path) -> tuple[int, int]:
    """(journal and other files, unverified.json) bytes under the store directory."""
    unverified = db / "unverified.json"
    total = sum(p.stat().st_size for p in db.rglob("*") if p.is_file())
    ring = unverified.stat().st_size if unverified.exists() else 0
    return total - ring, ring


async def flood(
    url: str, items: list[tuple[bytes, dict[str, str]]], concurrency: int
) -> tuple[Counter[int], float, list[int]]:
    statuses: Counter[int] = Counter()
    pending = iter(enumerate(items))
    ok: list[int] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:

        async def worker() -> None:
            for i, (body, headers) in pending:
                try:
                    async with s.post(url, data=body, headers=headers) as resp:
                        await resp.read()
                        statuses[resp.status] += 1
                        if resp.status == 200:
                            ok.append(i)
                except aiohttp.ClientError:
                    statuses[0] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return statuses, elapsed, ok


def report(name: str, n: int, statuses: Counter[int], elapsed: float, pid: int, db: Path) -> None:
    fivexx = sum(v for k, v in statuses.items() if k >= 500)
    journal, ring = disk_bytes(db)
    answers = " ".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
    print(
        f"{name:<10} {n:>6} {answers:<22} {fivexx:>4} {n / elapsed:8.0f} "
        f"{journal / 1e6:9.2f} {ring / 1e6:9.2f} {peak_rss_mb(pid):8.1f}"
    )


async def run(n: int, concurrency: int, signed_n: int) -> None:
    db = Path(tempfile.mkdtemp(prefix="tendlc-floods-")) / "db"
    server = tendlc_receive(db)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unsigned = [(b"brand_id=B1&status=registered&pad=" + b"x" * (BODY - 35), form)] * n
    binary = [(b"\xff" * BODY, {"Content-Type": "application/json"})] * n
    print(f"{'flood':<10} {'tried':>6} {'answers':<22} {'5xx':>4} {'req/s':>8} "
          f"{'store MB':>9} {'ring MB':>9} {'RSS MB':>8}")  # fmt: skip
    try:
        pid = server.proc.pid
        for name, items in (("unsigned", unsigned), ("0xff", binary)):
            statuses, elapsed, _ = await flood(server.url, items, concurrency)
            report(name, n, statuses, elapsed, pid, db)
        signed = callbacks(server.url, signed_n)
        statuses, elapsed, ok = await flood(server.url, [(b, h) for b, h, _ in signed], concurrency)
        report("signed", signed_n, statuses, elapsed, pid, db)
    finally:
        server.stop()
    stored = stored_brand_ids(db)
    acked = {signed[i][2] for i in ok}
    print(f"signed acknowledged {len(acked)}, lost {len(acked - stored)}, "
          f"refused but journaled {len(stored - {b for _, _, b in signed})}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="requests per flood")
    parser.add_argument("-c", type=int, default=20, help="concurrent connections")
    parser.add_argument("-s", type=int, default=500, help="signed callbacks after the floods")
    args = parser.parse_args()
    asyncio.run(run(args.n, args.c, args.s))


if __name__ == "__main__":
    main()
