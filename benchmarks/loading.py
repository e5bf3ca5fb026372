"""Loading benchmark: from `tendlc receive` starting to its port bound, and a callback meanwhile.

Builds a store with `-n` brands (default 50,000; or reuses `--db`), then starts `tendlc receive`
on it `--runs` times. For each run it prints, from the moment the process is spawned: when the
port first accepts a connection, what /healthz says then, when the `listening on` line (the
store is open) appears, and when a signed callback sent the moment the port accepted was
answered, with its status. `--root DIR` runs another checkout (e.g. /work/main, to compare).

Run: python benchmarks/loading.py [-n 50000] [--runs 3] [--db DIR] [--root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from _common import ROOT, TOKEN

from receiver.domain.models import CallbackEvent, Kind
from receiver.signature import signature_headers
from receiver.store.store import Store


async def build(db: Path, n: int) -> None:
    store = Store.open(db)

    async def one(i: int) -> None:
        brand = f"B{i:09d}"
        params = {"brand_id": brand, "event": "brand", "status": "registered"}
        event = CallbackEvent(
            f"ev{i:09d}", 1.7e9 + i, "POST", "/tendlc_status/", {}, urlencode(params),
            params, Kind.BRAND, "registered", brand_id=brand, verified=True,
        )  # fmt: skip
        await store.record_callback(event, apply=True)

    for start in range(0, n, 5000):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 5000))))
    await store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli_module(root: Path) -> str:
    """`tendlc` (its own package), or `tui.cli` in checkouts from before the layout change."""
    return "tendlc" if (root / "tendlc" / "__main__.py").exists() else "tui.cli"


async def one_run(db: Path, root: Path) -> dict[str, object]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tendlc_status/"
    env = {**os.environ, "PLIVO_AUTH_TOKEN": TOKEN, "PYTHONPATH": str(root)}
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", cli_module(root), "receive", "--port", str(port), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True, cwd=root,
    )  # fmt: skip
    ready: list[float] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("listening on") and not ready:
                ready.append(time.monotonic() - t0)

    threading.Thread(target=read_stderr, daemon=True).start()
    out: dict[str, object] = {}
    try:
        while True:  # the port's first accepted connection
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() - t0 > 60 or proc.poll() is not None:
                    raise RuntimeError("tendlc receive never bound its port") from None
                await asyncio.sleep(0.002)  # polling the port: what a retrying client does
        out["bound"] = time.monotonic() - t0
        params = {"brand_id": "BLOADING", "event": "brand", "status": "registered"}
        headers = signature_headers("POST", url, params, TOKEN)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def send() -> int:
                async with session.post(url, data=params, headers=headers) as resp:
                    return resp.status

            sent = asyncio.create_task(send())
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    out["healthz"] = f"{resp.status} {json.loads(await resp.text())['status']}"
            except aiohttp.ClientError as exc:
                out["healthz"] = type(exc).__name__
            try:
                out["callback"] = await sent
            except aiohttp.ClientError as exc:
                out["callback"] = type(exc).__name__
            out["answered"] = time.monotonic() - t0
        while not ready and time.monotonic() - t0 < 60:
            await asyncio.sleep(0.01)
        out["ready"] = ready[0] if ready else float("nan")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return out


async def run(args: argparse.Namespace) -> None:
    if args.db:
        db = Path(args.db)
    else:
        db = Path(tempfile.mkdtemp(prefix="tendlc-loading-")) / "db"
        t0 = time.perf_counter()
        await build(db, args.n)
        print(f"built a store of {args.n} brands in {time.perf_counter() - t0:.1f} s at {db}")
    root = Path(args.root).resolve() if args.root else ROOT
    print(f"tendlc receive from {root}, seconds from spawn:")
    print(f"{'run':>3} {'bound':>7} {'healthz then':>14} {'ready':>7} {'callback':>9} {'at':>7}")
    for i in range(args.runs):
        r = await one_run(db, root)
        print(
            f"{i + 1:>3} {r['bound']:7.2f} {r['healthz']:>14} {r['ready']:7.2f} "
            f"{r['callback']!s:>9} {r['answered']:7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000, help="brands in the built store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", help="use this store instead of building one")
    parser.add_argument("--root", help="run tendlc from this checkout")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
