"""Ingest benchmark: signed callbacks into `tendlc receive` vs a bare aiohttp handler and naive TinyDB.

Run: python benchmarks/ingest.py [-n 10000] [-c 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from _common import (
    ROOT,
    LoadResult,
    callbacks,
    percentile,
    send_load,
    start_server,
    stored_brand_ids,
    tendlc_receive,
)


def report(name: str, result: LoadResult, baseline: LoadResult | None, lost: int | None) -> None:
    ms = [x * 1000 for x in result.latencies]
    ratio = f"  {result.throughput / baseline.throughput:5.2f}x bare" if baseline else ""
    lost_txt = f"  lost {lost}" if lost is not None else ""
    print(
        f"{name:<10} {result.throughput:8.0f} cb/s  p50 {percentile(ms, 50):6.1f} ms  "
        f"p99 {percentile(ms, 99):6.1f} ms  max {max(ms, default=float('nan')):7.1f} ms  "
        f"acked {len(result.acked)}/{result.sent}  errors {result.errors}{lost_txt}{ratio}"
    )


async def run(n: int, concurrency: int) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tendlc-bench-"))
    py = sys.executable
    results: dict[str, LoadResult] = {}

    bare = start_server([py, str(ROOT / "benchmarks" / "_baseline_server.py"), "bare"])
    try:
        results["bare"] = await send_load(bare.url, callbacks(bare.url, n), concurrency)
    finally:
        bare.stop()

    naive = start_server(
        [py, str(ROOT / "benchmarks" / "_baseline_server.py"), "tinydb", str(tmp / "naive.json")]
    )
    try:
        results["tinydb"] = await send_load(naive.url, callbacks(naive.url, n), concurrency)
    finally:
        naive.stop()

    db = tmp / "store"
    server = tendlc_receive(db)
    try:
        results["tendlc"] = await send_load(server.url, callbacks(server.url, n), concurrency)
    finally:
        server.stop()
    stored = stored_brand_ids(db)
    lost = len(set(results["tendlc"].acked) - stored)

    print(f"ingest: {n} signed callbacks, concurrency {concurrency}")
    report("bare", results["bare"], None, None)
    report("tinydb", results["tinydb"], results["bare"], None)
    report("tendlc", results["tendlc"], results["bare"], lost)
    return 0 if lost == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("-c", type=int, default=50)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.n, args.c)))


if __name__ == "__main__":
    main()
