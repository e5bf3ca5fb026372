"""History benchmark: does ingest slow down as the store grows? First vs last 1,000 of 50,000.

Each callback registers a new brand, so the journal, the registry and its snapshot all grow.
The same aiohttp client as benchmarks/ingest.py sends every window at the same concurrency.

Run: python benchmarks/history.py [-n 50000] [-c 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from _common import LoadResult, callbacks, percentile, send_load, stored_brand_ids, tendlc_receive

WINDOW = 1_000
TARGET_RATIO = 0.8


def line(name: str, result: LoadResult) -> str:
    ms = [x * 1000 for x in result.latencies]
    return (
        f"{name:<14} {result.throughput:8.0f} cb/s  p50 {percentile(ms, 50):6.1f} ms  "
        f"p99 {percentile(ms, 99):6.1f} ms  max {max(ms, default=float('nan')):6.1f} ms"
    )


async def run(n: int, concurrency: int) -> int:
    db = Path(tempfile.mkdtemp(prefix="tendlc-history-")) / "store"
    server = tendlc_receive(db)
    t0 = time.perf_counter()
    try:
        first = await send_load(server.url, callbacks(server.url, WINDOW, 0), concurrency)
        middle = await send_load(
            server.url, callbacks(server.url, n - 2 * WINDOW, WINDOW), concurrency
        )
        last = await send_load(server.url, callbacks(server.url, WINDOW, n - WINDOW), concurrency)
    finally:
        server.stop()
    elapsed = time.perf_counter() - t0
    acked = set(first.acked) | set(middle.acked) | set(last.acked)
    lost = len(acked - stored_brand_ids(db))
    ratio = last.throughput / first.throughput if first.throughput else float("nan")
    size = sum(p.stat().st_size for p in db.rglob("*") if p.is_file())
    print(f"history: {n} callbacks (one new brand each), concurrency {concurrency}")
    print(line(f"first {WINDOW}", first))
    print(line(f"middle {len(middle.acked)}", middle))
    print(line(f"last {WINDOW}", last))
    print(
        f"ratio last/first: {ratio:.2f} (target >= {TARGET_RATIO}: "
        f"{'ok' if ratio >= TARGET_RATIO else 'MISSED'})   acked {len(acked)}/{n}   lost {lost}   "
        f"store {size / 1e6:.0f} MB   {elapsed:.0f} s"
    )
    return 0 if lost == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000)
    parser.add_argument("-c", type=int, default=50)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(max(args.n, 3 * WINDOW), args.c)))


if __name__ == "__main__":
    main()
