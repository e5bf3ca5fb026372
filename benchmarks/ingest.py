"""Ingest benchmark: signed callbacks into `tendlc receive` vs bare aiohttp, append+fsync, naive TinyDB.

Every server runs in its own subprocess; this process is the one aiohttp client that drives all
four in turn, with the same load (bodies signed and encoded before the clock starts, connections
kept alive, 200 warm-up callbacks to each server before its clock starts).
`lost` counts callbacks acknowledged with 200 but absent from the store after a clean stop.
`srv us` / `cli us` are the CPU microseconds per callback the server process (all threads) and
this client spent: `bare` is bound by the client, so `vs bare` compares tendlc with the load
generator's own ceiling on this machine (one client: two would only contend for the same cores).
`append` appends each body to one file and fsyncs it before the 200, concurrent bodies sharing
one write + fsync (group commit) and nothing else: "what durability costs"; tendlc's ratio to
it is "what tendlc adds". `-c 1` gives the per-callback ack latency against the same baselines.

Run: python benchmarks/ingest.py [-n 10000] [-c 50] [--tinydb-n 2000]
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
    measure,
    percentile,
    start_server,
    stored_brand_ids,
    tendlc_receive,
)

TARGET_RATE = 1_000.0  # callbacks/s
TARGET_P99_MS = 50.0
TARGET_RATIO = 0.5  # of the bare aiohttp handler's throughput
TARGET_VS_APPEND = 0.8  # of the append+fsync group-commit server's throughput


def row(name: str, result: LoadResult, bare: LoadResult | None, lost: int | None) -> str:
    ms = [x * 1000 for x in result.latencies]
    ratio = f"{result.throughput / bare.throughput:5.2f}x" if bare else "  1.00x"
    lost_txt = "-" if lost is None else str(lost)
    return (
        f"{name:<8} {result.sent:>6} {result.throughput:8.0f} {ratio:>7} "
        f"{percentile(ms, 50):7.1f} {percentile(ms, 99):7.1f} {max(ms, default=float('nan')):7.1f} "
        f"{len(result.acked):>6} {result.errors:>6} {lost_txt:>5} "
        f"{1e6 * result.server_cpu / result.sent:6.0f} {1e6 * result.client_cpu / result.sent:6.0f}"
    )


async def run(n: int, concurrency: int, tinydb_n: int) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tendlc-bench-"))
    py = sys.executable
    baseline = str(ROOT / "benchmarks" / "_baseline_server.py")
    results: dict[str, LoadResult] = {}

    bare = start_server([py, baseline, "bare"])
    try:
        results["bare"] = await measure(bare, callbacks(bare.url, n), concurrency)
    finally:
        bare.stop()

    append = start_server([py, baseline, "append", str(tmp / "append.log")])
    try:
        results["append"] = await measure(append, callbacks(append.url, n), concurrency)
    finally:
        append.stop()

    naive = start_server([py, baseline, "tinydb", str(tmp / "naive.json")])
    try:
        results["tinydb"] = await measure(naive, callbacks(naive.url, tinydb_n), concurrency)
    finally:
        naive.stop()

    db = tmp / "store"
    server = tendlc_receive(db)
    try:
        results["tendlc"] = await measure(server, callbacks(server.url, n), concurrency)
    finally:
        server.stop()
    lost = len(set(results["tendlc"].acked) - stored_brand_ids(db))

    print(f"ingest: signed form callbacks, concurrency {concurrency}, one aiohttp client")
    print(
        f"{'server':<8} {'sent':>6} {'cb/s':>8} {'vs bare':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'acked':>6} {'errors':>6} {'lost':>5} {'srv us':>6} {'cli us':>6}"
    )
    print(row("bare", results["bare"], None, None))
    print(row("append", results["append"], results["bare"], None))
    print(row("tinydb", results["tinydb"], results["bare"], None))
    print(row("tendlc", results["tendlc"], results["bare"], lost))
    t = results["tendlc"]
    p99 = percentile([x * 1000 for x in t.latencies], 99)
    ratio = t.throughput / results["bare"].throughput
    a = results["append"]
    vs_append = t.throughput / a.throughput
    p50 = percentile([x * 1000 for x in t.latencies], 50)
    a50 = percentile([x * 1000 for x in a.latencies], 50)
    print(
        f"tendlc vs append+fsync group commit: {vs_append:.2f}x throughput, "
        f"ack p50 {p50:.1f} vs {a50:.1f} ms ({p50 / a50:.2f}x)"
    )
    print(
        f"tendlc vs naive TinyDB: {t.throughput / results['tinydb'].throughput:.1f}x "
        f"(TinyDB measured on {tinydb_n} callbacks: its per-insert cost grows with its file)"
    )
    checks = [
        (f"throughput >= {TARGET_RATE:.0f} cb/s", t.throughput >= TARGET_RATE),
        (f"p99 ack <= {TARGET_P99_MS:.0f} ms", p99 <= TARGET_P99_MS),
        ("0 lost", lost == 0 and len(t.acked) == t.sent),
        (f">= {TARGET_RATIO} of bare", ratio >= TARGET_RATIO),
        (f">= {TARGET_VS_APPEND} of append+fsync", vs_append >= TARGET_VS_APPEND),
    ]
    print("targets: " + ", ".join(f"{name} {'ok' if ok else 'MISSED'}" for name, ok in checks))
    return 0 if lost == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000, help="callbacks per server")
    parser.add_argument("-c", type=int, default=50, help="concurrent requests")
    parser.add_argument(
        "--tinydb-n", type=int, default=2_000, help="callbacks for the (slow) TinyDB baseline"
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.n, args.c, min(args.tinydb_n, args.n))))


if __name__ == "__main__":
    main()
