"""Forwarding benchmark: does a dead or slow `--forward-to` handler slow ingest? (issue 16)

`tendlc receive` runs, same load (signed callbacks, concurrency 50): no forward target (the
baseline), a dead target (a closed port: every attempt refused, retries compressed to 0.01 so
all four attempts happen during the run), and a slow target (answers after 5 s, held by this
process). Each round runs the three in a rotated order (a shared machine's load drifts); the
summary is the median of the rounds. Prints cb/s and p99 of the acks, the ratio to the
baseline, lost acks, and the server's peak RSS.

Run: python benchmarks/forward.py [-n 5000] [-c 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from _common import TOKEN, callbacks, measure, percentile, start_server, stored_brand_ids
from aiohttp import web

TARGET_RATIO = 0.9  # of the no-forward baseline


def receive(db: Path, *extra: str):
    cmd = [sys.executable, "-m", "tendlc", "receive", "--port", "0", "--db", str(db), *extra]
    return start_server(cmd, env={"PLIVO_AUTH_TOKEN": TOKEN})


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def run(n: int, concurrency: int, rounds: int = 1) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tendlc-forward-"))

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_post("/hook", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    slow_url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    cases = {
        "none": (),
        "dead": ("--forward-to", "http://127.0.0.1:9/hook", "--forward-retry-scale", "0.01"),
        "slow": ("--forward-to", slow_url),
    }
    print(f"forward: {n} signed callbacks per run, concurrency {concurrency}, {rounds} round(s)")
    print(f"{'round':<5} {'target':<6} {'cb/s':>7} {'p99 ms':>7} {'lost':>5} {'peak MB':>8}")
    names = list(cases)
    rates: dict[str, list[float]] = {name: [] for name in names}
    p99s: dict[str, list[float]] = {name: [] for name in names}
    failed = 0
    try:
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                db = tmp / f"{name}-{r}"
                server = receive(db, *cases[name])
                try:
                    result = await measure(server, callbacks(server.url, n), concurrency)
                    rss = peak_rss_mb(server.proc.pid)
                finally:
                    server.stop()
                lost = len(set(result.acked) - stored_brand_ids(db))
                failed += lost
                p99 = percentile([x * 1000 for x in result.latencies], 99)
                rates[name].append(result.throughput)
                p99s[name].append(p99)
                print(
                    f"{r + 1:<5} {name:<6} {result.throughput:7.0f} {p99:7.1f} {lost:>5} {rss:8.0f}"
                )
    finally:
        await runner.cleanup()
    base = statistics.median(rates["none"])
    worst = 1.0
    print(f"median {'target':<6} {'cb/s':>7} {'vs none':>7} {'p99 ms':>7}")
    for name in names:
        rate = statistics.median(rates[name])
        worst = min(worst, rate / base)
        print(
            f"       {name:<6} {rate:7.0f} {rate / base:6.2f}x {statistics.median(p99s[name]):7.1f}"
        )
    ok = worst >= TARGET_RATIO
    print(
        f"target: every median >= {TARGET_RATIO} of the no-forward one: {'ok' if ok else 'MISSED'}"
    )
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5_000)
    parser.add_argument("-c", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.n, args.c, args.rounds)))


if __name__ == "__main__":
    main()
