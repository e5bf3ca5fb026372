"""Shared bits for the benchmark scripts: subprocess servers, signed callback load, percentiles."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from yarl import URL

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from receiver.signature import signature_headers  # noqa: E402

TOKEN = "BenchToken_0123456789abcdef"
LISTEN = re.compile(r"listening on http://([\d.]+):(\d+)")


@dataclass
class Server:
    proc: subprocess.Popen
    url: str

    def cpu_seconds(self) -> float:
        """User + system CPU the server process (all its threads) has used so far (Linux; else nan)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(
    args: list[str], env: dict[str, str] | None = None, path: str = "/tendlc_status/"
) -> Server:
    """Start a server that prints `listening on http://HOST:PORT…` on stderr; return its URL."""
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=full_env, text=True
    )
    deadline = time.monotonic() + 30
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError(f"server exited early: {args}")
        match = LISTEN.search(line)
        if match:
            _drain(proc)  # keep reading stderr so the child never blocks on a full pipe
            return Server(proc, f"http://{match.group(1)}:{match.group(2)}{path}")
    proc.kill()
    raise RuntimeError("server did not report its address in 30 s")


def _drain(proc: subprocess.Popen) -> None:
    import threading

    def run() -> None:
        assert proc.stderr is not None
        for _ in proc.stderr:
            pass

    threading.Thread(target=run, daemon=True).start()


def tendlc_receive(db: Path) -> Server:
    return start_server(
        [sys.executable, "-m", "tendlc", "receive", "--port", "0", "--db", str(db)],
        env={"PLIVO_AUTH_TOKEN": TOKEN},
    )


def callbacks(url: str, n: int, start: int = 0) -> list[tuple[bytes, dict[str, str], str]]:
    """n distinct signed brand callbacks (form-encoded), each with its own brand id."""
    out = []
    for i in range(start, start + n):
        brand = f"B{i:09d}"
        params = {
            "brand_id": brand,
            "event": "brand",
            "status": "registered" if i % 2 else "created",
        }
        headers = signature_headers("POST", url, params, TOKEN)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        out.append((urlencode(params).encode(), headers, brand))
    return out


@dataclass
class LoadResult:
    sent: int
    acked: list[str]
    latencies: list[float]
    elapsed: float
    errors: int
    client_cpu: float = float("nan")  # seconds of this process's CPU while sending
    server_cpu: float = float("nan")  # seconds of the server's CPU while it was sent this load

    @property
    def throughput(self) -> float:
        return len(self.acked) / self.elapsed if self.elapsed else 0.0


WARMUP = 200
"""Callbacks every server gets before its measured load (first connections, lazy imports)."""


async def measure(
    server: Server, items: list[tuple[bytes, dict[str, str], str]], concurrency: int
) -> LoadResult:
    """Warm the server up, then send `items` and note both sides' CPU time per run."""
    await send_load(server.url, callbacks(server.url, WARMUP, start=10**8), concurrency)
    before = server.cpu_seconds()
    result = await send_load(server.url, items, concurrency)
    result.server_cpu = server.cpu_seconds() - before
    return result


def _own_cpu() -> float:
    return time.process_time()


async def send_load(
    url: str, items: list[tuple[bytes, dict[str, str], str]], concurrency: int
) -> LoadResult:
    """POST every item with `concurrency` workers over kept-alive connections.

    Bodies and signed headers are built before the clock starts and the URL is parsed once,
    so the client spends as little as it can per request: the same client (this process,
    one core of two) drives every server, which is what makes the ratios comparable.
    """
    target = URL(url)
    pending = iter(items)
    acked: list[str] = []
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

        async def worker() -> None:
            nonlocal errors
            post = session.post
            for body, headers, marker in pending:
                t0 = time.perf_counter()
                try:
                    async with post(target, data=body, headers=headers) as resp:
                        await resp.read()
                        if resp.status == 200:
                            latencies.append(time.perf_counter() - t0)
                            acked.append(marker)
                        else:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1

        c0, t0 = _own_cpu(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - t0, _own_cpu() - c0
    return LoadResult(len(items), acked, latencies, elapsed, errors, client_cpu=cpu)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def stored_brand_ids(db: Path) -> set[str]:
    from receiver.store.store import Store

    store = Store.open(db, readonly=True)
    try:
        return {e.brand_id for e in store.journal() if getattr(e, "brand_id", None)}
    finally:
        store.close_sync()
