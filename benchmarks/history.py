"""History benchmark: does ingest slow down as the journal grows? First vs last 1,000 of 50,000.

Run: python benchmarks/history.py [-n 50000] [-c 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from _common import callbacks, send_load, stored_brand_ids, tendlc_receive

WINDOW = 1_000


async def run(n: int, concurrency: int) -> int:
    db = Path(tempfile.mkdtemp(prefix="tendlc-history-")) / "store"
    server = tendlc_receive(db)
    try:
        first = await send_load(server.url, callbacks(server.url, WINDOW, 0), concurrency)
        middle = await send_load(
            server.url, callbacks(server.url, n - 2 * WINDOW, WINDOW), concurrency
        )
        last = await send_load(server.url, callbacks(server.url, WINDOW, n - WINDOW), concurrency)
    finally:
        server.stop()
    acked = set(first.acked) | set(middle.acked) | set(last.acked)
    lost = len(acked - stored_brand_ids(db))
    ratio = last.throughput / first.throughput if first.throughput else float("nan")
    print(f"history: {n} callbacks, concurrency {concurrency}")
    print(f"first {WINDOW}: {first.throughput:8.0f} cb/s")
    print(f"last  {WINDOW}: {last.throughput:8.0f} cb/s")
    print(f"ratio last/first: {ratio:.2f}   lost {lost}")
    return 0 if lost == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000)
    parser.add_argument("-c", type=int, default=50)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.n, args.c)))


if __name__ == "__main__":
    main()
