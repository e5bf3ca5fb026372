"""Slowloris benchmark: slow connections against `tendlc receive`, real callbacks meanwhile.

Starts `tendlc receive` on loopback with its default limits (read deadline 10 s from a
request's first byte, idle connections closed after 15 s, at most 512 open connections) and
opens `-n` attacking connections (default 1100) of one kind:

- `trickle`: half a request's headers, then one more header byte every second (no per-read
  timeout would ever cut it);
- `silent`: connects and sends nothing.

With `--reconnect` each attacker connects again as soon as it is closed, for `--hold` seconds.
Meanwhile a signed callback is sent every `--every` seconds on a fresh connection. Prints, per
kind: attacking connections made, how the server closed them (408 deadline, 503 to make room or
refused, closed quietly), how long each was held from its first byte to the server's close
(median and max, and how many were still open at the end), the server's peak open connections
(its /healthz counters) and file descriptors, and the real callbacks' answers and latencies.
After a clean stop, counts acknowledged callbacks missing from the store (`lost`, must be 0).

Run: python benchmarks/slowloris.py [-n 1100] [--hold 30] [--kind trickle|silent|both] [--reconnect]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from _common import callbacks, percentile, stored_brand_ids, tendlc_receive

HALF = b"POST /tendlc_status/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def open_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def answer_of(data: bytes) -> str:
    if not data:
        return "closed quietly"
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    return {"408": "408 deadline", "503": "503 (room/refused)"}.get(line[9:12], line)


class Attack:
    def __init__(self, host: str, port: int, kind: str, hold: float, reconnect: bool) -> None:
        self.host, self.port, self.kind, self.hold, self.reconnect = (
            host,
            port,
            kind,
            hold,
            reconnect,
        )
        self.made = 0
        self.failed = 0
        self.answers: Counter[str] = Counter()
        self.held: dict[str, list[float]] = {}  # how it ended -> connect to close, seconds
        self.end = 0.0

    async def one(self) -> bool:
        """One attacking connection; True if the server closed it before the end."""
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            self.failed += 1
            await asyncio.sleep(0.05)  # the attacker's own back-off on a failed connect
            return True
        self.made += 1
        start = time.monotonic()
        if self.kind == "trickle":
            writer.write(HALF)
        data = b""
        try:
            while time.monotonic() < self.end:
                try:
                    chunk = await asyncio.wait_for(reader.read(4096), 1.0)
                except TimeoutError:
                    if self.kind == "trickle":
                        writer.write(b"a")  # one more header byte a second
                    continue
                data += chunk
                if not chunk:  # the server closed it
                    self._ended(answer_of(data), start)
                    return True
        except OSError:
            self._ended("reset", start)
            return True
        finally:
            writer.close()
        self._ended("still open at the end", start)
        return False

    def _ended(self, how: str, start: float) -> None:
        self.answers[how] += 1
        self.held.setdefault(how, []).append(time.monotonic() - start)

    async def attacker(self) -> None:
        while await self.one() and self.reconnect and time.monotonic() < self.end:
            pass

    async def run(self, n: int) -> None:
        self.end = time.monotonic() + self.hold
        await asyncio.gather(*(self.attacker() for _ in range(n)))


async def legit(
    url: str, every: float, until: float, start_index: int
) -> list[tuple[float, int, float]]:
    """(seconds since start, status or 0 for an error, latency) for each real callback."""
    out: list[tuple[float, int, float]] = []
    t0 = time.monotonic()
    connector = aiohttp.TCPConnector(force_close=True)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = []

        async def send(body: bytes, headers: dict[str, str], brand: str) -> None:
            sent = time.monotonic()
            try:
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            out.append((sent - t0, status, time.monotonic() - sent, brand))

        while time.monotonic() < until:
            [(body, headers, brand)] = callbacks(url, 1, start=start_index + len(tasks))
            tasks.append(asyncio.create_task(send(body, headers, brand)))
            await asyncio.sleep(every)  # the pace of real callbacks
        await asyncio.gather(*tasks)
    return out


async def watch_fds(pid: int, stop: asyncio.Event) -> int:
    peak = 0
    while not stop.is_set():
        peak = max(peak, open_fds(pid))
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except TimeoutError:
            pass
    return peak


async def health(url: str) -> dict:
    base = url.split("/tendlc_status/")[0]
    async with aiohttp.ClientSession() as session, session.get(base + "/healthz") as resp:
        return json.loads(await resp.text())


async def phase(server, kind: str, n: int, hold: float, reconnect: bool, every: float, index: int):
    split = urlsplit(server.url)
    attack = Attack(split.hostname, split.port, kind, hold, reconnect)
    stop = asyncio.Event()
    fds = asyncio.create_task(watch_fds(server.proc.pid, stop))
    before = await health(server.url)
    t0 = time.monotonic()
    running = asyncio.create_task(attack.run(n))
    sent = await legit(server.url, every, t0 + hold + 3, index)
    await running
    stop.set()
    after = await health(server.url)
    counters = {
        k: after["connections"][k] - before["connections"].get(k, 0)
        for k in ("refused", "evicted", "timed_out")
    }
    held = attack.held
    statuses = Counter(s for _, s, _, _ in sent)
    ok_lat = [lat * 1000 for _, s, lat, _ in sent if s == 200]
    during = [s for t, s, _, _ in sent if t < hold]
    print(f"\n{kind} x{n}{' (reconnecting)' if reconnect else ''}, {hold:.0f} s:")
    print(
        f"  attacking connections made {attack.made} (connect failed {attack.failed}); "
        "how they ended, and how long each was held (connect to close, median / max):"
    )
    for how, times in sorted(held.items()):
        print(
            f"    {how:<22} {len(times):>6}  {percentile(times, 50):5.1f} s / {max(times):5.1f} s"
        )
    print(
        f"  server: peak open connections {after['connections']['peak']} "
        f"(cap {after['connections']['max']}), peak fds {await fds}; "
        f"408 {counters['timed_out']}, made room {counters['evicted']}, refused {counters['refused']}"
    )
    print(
        f"  real callbacks: {len(sent)} sent, answers {dict(sorted(statuses.items()))}, "
        f"200 during the attack {during.count(200)}/{len(during)}, "
        f"latency p50 {percentile(ok_lat, 50):.1f} ms p99 {percentile(ok_lat, 99):.1f} ms "
        f"max {max(ok_lat, default=float('nan')):.1f} ms"
    )
    return [brand for _, s, _, brand in sent if s == 200]


async def run(args: argparse.Namespace) -> int:
    db = Path(tempfile.mkdtemp(prefix="tendlc-slowloris-")) / "db"
    server = tendlc_receive(db)  # with this shell's fd limit, before the client raises its own
    limit = raise_fd_limit()
    print(f"slowloris: tendlc receive at {server.url}, client fd limit {limit}")
    kinds = ["trickle", "silent"] if args.kind == "both" else [args.kind]
    acked: list[str] = []
    try:
        for i, kind in enumerate(kinds):
            acked += await phase(
                server, kind, args.n, args.hold, args.reconnect, args.every, i * 100_000
            )
    finally:
        server.stop()
    lost = len(set(acked) - stored_brand_ids(db))
    print(f"\nacknowledged {len(acked)}, lost {lost}")
    return 0 if lost == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1100, help="attacking connections")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds each attack lasts")
    parser.add_argument("--kind", choices=["trickle", "silent", "both"], default="both")
    parser.add_argument("--reconnect", action="store_true", help="attackers reconnect at once")
    parser.add_argument("--every", type=float, default=0.1, help="seconds between real callbacks")
    raise SystemExit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
