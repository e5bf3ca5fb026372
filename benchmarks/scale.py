"""Scale benchmark: what history costs at 10k / 100k / 200k resources (3 journal entries each).

For each size it builds a store with the documented fast path (benchmarks/_bigstore.py: the
store's own replay code, files written without per-batch fsyncs), opens it once as a writer
(so indexes a first open builds are in place), then measures, each against a baseline taken in
the same run:

- `tendlc status --json` wall time (subprocess; baseline: the same on an empty store);
- `tendlc receive`: start → first signed callback 200 (posted from the moment the process
  starts: the receiver acknowledges while the registry loads, receiver/store/early.py), →
  /healthz 200 (the registry loaded), and the receiver's RSS then (baseline: an empty store);
- bytes written per callback: the receiver's /proc/PID/io wchar over the bytes the journal grew
  by, for 300 callbacks at concurrency 1 and 3,000 at concurrency 50; ack p50 at c=1 against the
  append+fsync server (benchmarks/_baseline_server.py append), which does nothing else;
- TUI first paint and peak RSS (benchmarks/ui.py's measurement, in a subprocess per size;
  baseline: an empty store).

`--double` also builds the largest size with twice the journal (every callback received twice:
the same registry) and prints the same figures, for the "doubling history changes nothing"
target. Run: python benchmarks/scale.py [--sizes 10000,100000,200000] [--double] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from _bigstore import build
from _common import ROOT, TOKEN, Server, callbacks, percentile, send_load, start_server

PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PLIVO_AUTH_TOKEN": TOKEN}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hwm_mb() -> float:
    """This process's peak RSS (VmHWM: per address space, so it starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def snapshot_seq(db: Path) -> int:
    """The journal position registry.json covers, from its first line (not a 120 MB parse)."""
    with (db / "registry.json").open("rb") as f:
        head = f.readline().decode()
    return int(head.split('"seq":', 1)[1].split(",", 1)[0])


def wchar(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def journal_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db / "journal").glob("*.json"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_s(db: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [PY, "-m", "tendlc", "status", "--json", "--db", str(db)],
            env=ENV,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


async def receiver_figures(db: Path, ingest: bool) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tendlc_status/"
    [(body, headers, _)] = callbacks(url, 1, start=9 * 10**8)
    t = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "tendlc", "receive", "--port", str(port), "--db", str(db)],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = Server(proc, url)
    out: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        # first signed callback acknowledged, posted from the moment the process starts
        while "first_ack_s" not in out:
            try:
                async with session.post(url, data=body, headers=headers) as resp:
                    if resp.status == 200:
                        out["first_ack_s"] = time.perf_counter() - t
            except aiohttp.ClientError:
                await asyncio.sleep(0.005)
        health = url.replace("/tendlc_status/", "/healthz")
        while True:  # /healthz 200: the registry is loaded too
            try:
                async with session.get(health) as resp:
                    if resp.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.005)
        out["healthz_s"] = time.perf_counter() - t
    out["rss_mb"] = rss_mb(server.proc.pid)
    if ingest:
        for conc, n in ((1, 300), (50, 3000)):
            w0, j0 = wchar(server.proc.pid), journal_bytes(db)
            load = await send_load(server.url, callbacks(server.url, n, start=conc * 10**7), conc)
            out[f"w_ratio_c{conc}"] = (wchar(server.proc.pid) - w0) / max(1, journal_bytes(db) - j0)
            out[f"p50_c{conc}_ms"] = percentile(load.latencies, 50) * 1000
            out[f"rate_c{conc}"] = load.throughput
        out["rss_after_mb"] = rss_mb(server.proc.pid)
    server.stop()
    return out


async def append_baseline(tmp: Path) -> float:
    server: Server = start_server(
        [PY, str(ROOT / "benchmarks" / "_baseline_server.py"), "append", str(tmp / "a.log")]
    )
    try:
        load = await send_load(server.url, callbacks(server.url, 300), 1)
    finally:
        server.stop()
    return percentile(load.latencies, 50) * 1000


def tui_paint(db: Path, rows: int) -> tuple[float, float, float]:
    """(store open s, first paint s, peak RSS MB) of the TUI on this store, in a subprocess."""
    cmd = [PY, str(Path(__file__)), "--paint", str(db), "--rows", str(rows)]
    done = subprocess.run(cmd, env=ENV, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    a, b, c = done.stdout.split()[-3:]
    return float(a), float(b), float(c)


async def paint(db: Path, rows: int) -> None:
    """benchmarks/ui.py's first paint (store open + app, until the Numbers table holds `rows`)."""
    import ui

    t0 = time.perf_counter()
    store = ui.Store.open(db)
    opened = time.perf_counter()
    app = ui.make_app(store=store, receiver=ui.StillReceiver(), gateway=None, mode="SANDBOX")
    app.animation_level = "none"
    async with app.run_test(size=ui.SIZE) as pilot:
        first = await ui.painted(app, ui.laid_out(app, rows), timeout=300)
        await pilot.press("q")
    peak = hwm_mb()  # not ru_maxrss: Linux carries the forking parent's peak across exec
    print(opened - t0, first - t0, peak)


def prime(db: Path) -> float:
    """Open once as the writer (a first open may index what it has not seen), then close."""
    code = (
        "import sys; from receiver.store.store import Store; "
        f"Store.open(__import__('pathlib').Path({str(db)!r})).close_sync()"
    )
    t = time.perf_counter()
    subprocess.run([PY, "-c", code], env=ENV, check=True)
    return time.perf_counter() - t


async def figures(db: Path, rows: int, ingest: bool) -> dict[str, float]:
    out: dict[str, float] = {"status_s": status_s(db)}
    out.update(await receiver_figures(db, ingest))
    out["tui_open_s"], out["tui_paint_s"], out["tui_rss_mb"] = tui_paint(db, rows)
    return out


def show(name: str, f: dict[str, float], base: dict[str, float]) -> None:
    def r(key: str) -> str:
        return f"{f[key]:.2f} ({f[key] / base[key]:.1f}x)" if key in base else f"{f[key]:.2f}"

    line = (
        f"{name:<22} status {r('status_s')} s | receive: first ack {f['first_ack_s']:.2f} s, "
        f"healthz {r('healthz_s')} s, RSS {f['rss_mb']:.0f} MB"
        f" (empty {base['rss_mb']:.0f}) | TUI open {f['tui_open_s']:.2f} s, paint "
        f"{r('tui_paint_s')} s, RSS {f['tui_rss_mb']:.0f} MB (empty {base['tui_rss_mb']:.0f})"
    )
    print(line, flush=True)
    if "w_ratio_c1" in f:
        print(
            f"{'':<22} written/stored c=1 {f['w_ratio_c1']:.1f}x, c=50 {f['w_ratio_c50']:.1f}x | "
            f"ack p50 c=1 {f['p50_c1_ms']:.1f} ms | c=50 {f['rate_c50']:.0f} cb/s, "
            f"RSS after {f['rss_after_mb']:.0f} MB",
            flush=True,
        )


async def run(sizes: list[int], double: bool, keep: Path | None) -> None:
    tmp = keep or Path(tempfile.mkdtemp(prefix="tendlc-scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    empty = tmp / "empty"
    prime(empty)
    base = await figures(empty, 0, ingest=True)
    p50_append = await append_baseline(tmp)
    print(f"scale: {os.cpu_count()} cores, Python {sys.version.split()[0]}; same-run baselines:")
    print(
        f"append+fsync server: ack p50 c=1 {p50_append:.1f} ms | empty store: status "
        f"{base['status_s']:.2f} s, healthz {base['healthz_s']:.2f} s, TUI paint "
        f"{base['tui_paint_s']:.2f} s; written/stored c=1 {base['w_ratio_c1']:.1f}x, "
        f"ack p50 c=1 {base['p50_c1_ms']:.1f} ms ({base['p50_c1_ms'] / p50_append:.2f}x append)",
        flush=True,
    )
    runs = [(n, 1) for n in sizes] + ([(max(sizes), 2)] if double else [])
    for n, repeat in runs:
        db = tmp / f"s{n}x{repeat}"
        if not (db / "registry.json").exists():
            shutil.rmtree(db, ignore_errors=True)
            t = time.perf_counter()
            entries = build(db, n, repeat)
            built = time.perf_counter() - t
            print(f"built {n} resources, {entries} entries in {built:.0f} s", flush=True)
        entries = snapshot_seq(db)
        print(f"first writer open (indexes) {prime(db):.1f} s", flush=True)
        rows = sum(1 for i in range(n) if i % 20 > 1)
        f = await figures(db, rows, ingest=repeat == 1 and n == max(sizes))
        show(f"{n} res, {entries} entries", f, base)
        if f.get("p50_c1_ms"):
            print(f"{'':<22} ack p50 c=1 vs append+fsync: {f['p50_c1_ms'] / p50_append:.2f}x")
    if keep is None:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,200000")
    parser.add_argument("--double", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the stores here and keep them (reused)")
    parser.add_argument("--paint", type=Path, help=argparse.SUPPRESS)  # the TUI subprocess
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.paint:
        asyncio.run(paint(args.paint, args.rows))
        return
    asyncio.run(run([int(s) for s in args.sizes.split(",")], args.double, args.keep))


if __name__ == "__main__":
    main()
