"""UI benchmark: first paint of the main screen over 10,000 numbers, and callback→badge delay.

What it does, all in this process, headless (`app.run_test(size=(140, 45))`, no sandbox, a
receiver that never binds):

1. Writes a store in a temp dir through the real journal: 3 brands, 2 campaigns and N numbers
   linked by two `number.link` requests (one per campaign), then closes it.
2. First paint. t0 is taken before `Store.open` (the app reads the real store from disk, as
   `tendlc` does at launch); the figure ends when a screen refresh has completed (awaited with
   `screen.wait_for_refresh()`) after which the Numbers table holds all N rows and its virtual
   height covers them (so nothing is left to lay out); the Brands tab is the one on screen.
   Store open is also shown on its own.
   Baseline: the same with an empty store, in the same invocation; the ratio is N rows / empty.
   Then, each timed from calling the action a key runs until painted: switching to the
   Numbers tab (`3`), one filter pass over the N rows (100 match), clearing it (all N rows
   back), and `end` (cursor to the last row).
3. Burst: `--burst` verified `number_linking success` callbacks for distinct existing numbers
   are recorded with `store.record_callback` at a fixed pace (`--rate` per second, fired as
   tasks on the app's loop without waiting for each other, as the receiver does). Every
   (burst/tracked)-th one is tracked. Its delay runs from the start of its `record_callback`
   call to the moment the Numbers table's own data for that key says `linked`: the table's
   `apply` is wrapped, and after each call the tracked keys it was given are checked with
   `table.get_cell(key, "badge")` (the cell the user sees). Shown as well: arrival → the
   store's notification (a subscriber of our own: the store's commit latency, the baseline
   for this figure) and arrival → the next completed screen refresh after the table change.

Run: python benchmarks/ui.py [--numbers 10000] [--burst 2000] [--tracked 500] [--rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from _common import percentile  # also puts the repository root on sys.path

from receiver.config import ReceiverConfig
from receiver.domain.models import CallbackEvent, Kind, RequestRecord
from receiver.store.store import Store
from tui.app import TendlcApp, make_app
from tui.screens.main import FLUSH_INTERVAL
from tui.widgets.resource_table import ResourceTable

SIZE = (140, 45)
CALLBACK_URL = "https://bench.tendlc.test/tendlc_status/"
TARGET_PAINT_S = 1.5
TARGET_P99_MS = 100.0
T0 = time.time()  # recent: nothing is overdue, so no overdue marks or reconciles
FILTER = "141500099"  # matches 100 of the 10,000 numbers (1415 0009900 … 1415 0009999)


class StillReceiver:
    """A receiver that never binds: the app's services start without a socket."""

    def __init__(self) -> None:
        self.config = ReceiverConfig(port=8765, public_url="https://bench.tendlc.test")
        self.port = self.config.port
        self.warnings: list[str] = []
        self.running = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    def set_public_url(self, url: str | None) -> None:
        self.config = replace(self.config, public_url=url)


def number_ids(n: int) -> list[str]:
    return [f"1415{i:07d}" for i in range(n)]


def callback(n: int, kind: Kind, status: str, **ids: str) -> CallbackEvent:
    params = {**ids, "event": kind.value, "status": status}
    return CallbackEvent(
        f"ev{n:07d}", T0 + n, "POST", "/tendlc_status/", {}, "", params, kind, status,
        verified=True, reason="V2 ok", **ids,
    )  # fmt: skip


async def fill(path: Path, numbers: list[str]) -> None:
    """Brands, campaigns and numbers written through the journal, as the gateway would."""
    store = Store.open(path)
    for i, brand in enumerate(("BACME01", "BGLOBX2", "BINIT03")):
        request = RequestRecord(f"rqb{i}", T0, "brand.create", {"brand_alias": f"Brand {i}"}, True)
        await store.record_request(replace(request, brand_id=brand), callback_url=CALLBACK_URL)
        await store.record_callback(
            callback(i, Kind.BRAND, "registered", brand_id=brand), apply=True
        )
    half = len(numbers) // 2
    for i, (brand, campaign, chunk) in enumerate(
        (("BACME01", "CACME01", numbers[:half]), ("BGLOBX2", "CGLOB01", numbers[half:]))
    ):
        params = {"campaign_alias": f"Campaign {i}", "usecase": "MIXED"}
        create = RequestRecord(
            f"rqc{i}", T0, "campaign.create", params, True, brand_id=brand, campaign_id=campaign
        )
        await store.record_request(create, callback_url=CALLBACK_URL)
        if chunk:
            link = RequestRecord(
                f"rql{i}", T0, "number.link", {}, True, campaign_id=campaign, numbers=tuple(chunk)
            )
            await store.record_request(link, callback_url=CALLBACK_URL)
    await store.close()


def numbers_table(app: TendlcApp) -> ResourceTable:
    return app.screen.query_one("#number-table", ResourceTable)


async def painted(app: TendlcApp, done, timeout: float = 60.0) -> float:
    """Wait for completed screen refreshes until `done()`; the time of the first that satisfied it."""
    deadline = time.perf_counter() + timeout
    while True:
        await app.screen.wait_for_refresh()
        if done():
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen never reached the awaited state")
        await asyncio.sleep(0.001)


def laid_out(app: TendlcApp, rows: int):
    def check() -> bool:
        table = numbers_table(app)
        return table.row_count == rows and table.virtual_size.height >= rows

    return check


@dataclass
class Paint:
    open_s: float
    first_paint_s: float
    tab_s: float = 0.0
    filter_s: float = 0.0
    unfilter_s: float = 0.0
    end_s: float = 0.0


@dataclass
class Burst:
    sent: int = 0
    arrival: dict[str, float] = field(default_factory=dict)
    notified: dict[str, float] = field(default_factory=dict)
    in_table: dict[str, float] = field(default_factory=dict)
    on_screen: dict[str, float] = field(default_factory=dict)
    flushes: list[float] = field(default_factory=list)  # ms the screen spent per batch

    def delays(self, ends: dict[str, float]) -> list[float]:
        return [(ends[k] - self.arrival[k]) * 1000 for k in self.arrival if k in ends]


async def run_app(path: Path, rows: int, burst: int, tracked: int, rate: float):
    """Open the store, start the app, time first paint; then the extra steps and the burst."""
    t0 = time.perf_counter()
    store = Store.open(path)
    opened = time.perf_counter()
    app = make_app(store=store, receiver=StillReceiver(), gateway=None, mode="SANDBOX")
    app.animation_level = "none"
    result: Burst | None = None
    async with app.run_test(size=SIZE) as pilot:
        first = await painted(app, laid_out(app, rows))
        paint = Paint(opened - t0, first - t0)
        while not app.services.started:  # let start-up finish before the next figures
            await asyncio.sleep(0.01)
        await pilot.pause()
        if rows:
            table = numbers_table(app)
            t = time.perf_counter()
            app.main_screen.action_show_tab("number")  # what `3` does
            paint.tab_s = await painted(app, lambda: table.display and table.size.height) - t
            t = time.perf_counter()
            app.main_screen.resources.set_filter(FILTER)
            paint.filter_s = await painted(app, lambda: 0 < table.row_count < rows) - t
            t = time.perf_counter()
            app.main_screen.resources.set_filter("")
            paint.unfilter_s = await painted(app, laid_out(app, rows)) - t
            t = time.perf_counter()
            table.action_last_row()  # what ctrl+end / end do
            paint.end_s = await painted(app, lambda: table.cursor_row == rows - 1) - t
            table.action_first_row()
            await painted(app, lambda: table.cursor_row == 0)
            if burst:
                result = await send_burst(app, store, number_ids(rows), burst, tracked, rate)
        await pilot.press("q")
    return paint, result


async def send_burst(
    app: TendlcApp, store: Store, numbers: list[str], n: int, tracked: int, rate: float
) -> Burst:
    """Record `n` callbacks at `rate`/s on the app's loop; time the tracked ones to the table."""
    table = numbers_table(app)
    every = max(1, n // tracked)
    step = max(1, len(numbers) // n)
    targets = [numbers[(i * step) % len(numbers)] for i in range(n)]
    watch = {k for i, k in enumerate(targets) if i % every == 0}
    out = Burst()
    original_apply = table.apply

    def apply(resources) -> None:
        resources = list(resources)
        original_apply(resources)
        now = time.perf_counter()
        seen = []
        for resource in resources:
            key = resource.id
            if key in watch and key not in out.in_table:
                if table.get_cell(key, "badge").plain.strip() == "linked":
                    out.in_table[key] = now
                    seen.append(key)
        if seen:
            app.screen.call_after_refresh(lambda: stamp(seen))

    def stamp(keys: list[str]) -> None:
        now = time.perf_counter()
        for key in keys:
            out.on_screen.setdefault(key, now)

    def notified(change) -> None:
        now = time.perf_counter()
        for resource in change.resources:
            if resource.id in watch:
                out.notified.setdefault(resource.id, now)

    screen = app.main_screen
    original_flush = screen.flush_changes

    def flush() -> None:
        t = time.perf_counter()
        original_flush()
        out.flushes.append((time.perf_counter() - t) * 1000)

    screen.flush_changes = flush  # the screen's coalescing timer looks it up when it is set
    table.apply = apply
    unsubscribe = store.subscribe(notified)
    tasks = []
    interval = 1.0 / rate
    start = time.perf_counter()
    try:
        for i, number in enumerate(targets):
            due = start + i * interval
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            campaign = "CACME01" if (i * step) % len(numbers) < len(numbers) // 2 else "CGLOB01"
            event = callback(
                100 + i, Kind.NUMBER_LINKING, "success", campaign_id=campaign, number=number
            )
            if number in watch:
                out.arrival[number] = time.perf_counter()
            tasks.append(asyncio.ensure_future(store.record_callback(event, apply=True)))
            out.sent += 1
        await asyncio.gather(*tasks)
        deadline = time.perf_counter() + 10
        while len(out.on_screen) < len(watch) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
    finally:
        unsubscribe()
        del table.apply
        del screen.flush_changes
    return out


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f} ms  p99 {percentile(values, 99):7.1f} ms"


async def main_async(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tendlc-ui-") as tmp:
        return await measure(Path(tmp), args)


async def measure(tmp: Path, args: argparse.Namespace) -> int:
    numbers = number_ids(args.numbers)
    t = time.perf_counter()
    await fill(tmp / "full", numbers)
    await fill(tmp / "empty", [])
    print(f"ui: {args.numbers} numbers written in {time.perf_counter() - t:.1f} s; size {SIZE}")
    base, _ = await run_app(tmp / "empty", 0, 0, 0, args.rate)
    paint, burst = await run_app(tmp / "full", args.numbers, args.burst, args.tracked, args.rate)
    ratio = paint.first_paint_s / base.first_paint_s
    ok_paint = paint.first_paint_s <= TARGET_PAINT_S
    print(
        f"first paint, empty store (baseline): {base.first_paint_s * 1000:7.0f} ms"
        f"  (store open {base.open_s * 1000:.0f} ms)"
    )
    print(
        f"first paint, {args.numbers} numbers:      {paint.first_paint_s * 1000:7.0f} ms"
        f"  (store open {paint.open_s * 1000:.0f} ms)  {ratio:.2f}x baseline"
        f"  target ≤ {TARGET_PAINT_S * 1000:.0f} ms {'ok' if ok_paint else 'MISSED'}"
    )
    print(f"  switch to Numbers tab:   {paint.tab_s * 1000:7.1f} ms")
    print(f"  filter pass over {args.numbers} rows:  {paint.filter_s * 1000:7.1f} ms (100 match)")
    print(f"  filter cleared (all rows back):   {paint.unfilter_s * 1000:7.1f} ms")
    print(f"  cursor to last row (end):         {paint.end_s * 1000:7.1f} ms")
    ok_badge = True
    if burst is not None:
        store_ms = burst.delays(burst.notified)
        table_ms = burst.delays(burst.in_table)
        screen_ms = burst.delays(burst.on_screen)
        p99 = percentile(table_ms, 99)
        ok_badge = p99 <= TARGET_P99_MS and len(table_ms) == len(burst.arrival)
        print(
            f"burst: {burst.sent} callbacks at {args.rate:.0f}/s, {len(burst.arrival)} tracked, "
            f"{len(table_ms)} seen in the table"
        )
        print(f"  arrival → store notify (baseline): {ms(store_ms)}")
        print(
            f"  arrival → badge in table:          {ms(table_ms)}"
            f"  {p99 / percentile(store_ms, 99):.1f}x baseline p99"
            f"  target p99 ≤ {TARGET_P99_MS:.0f} ms {'ok' if ok_badge else 'MISSED'}"
        )
        print(f"  arrival → screen refreshed:        {ms(screen_ms)}")
        print(
            f"  screen work per batch ({len(burst.flushes)} batches, "
            f"{FLUSH_INTERVAL * 1000:.0f} ms coalescing): "
            f"median {statistics.median(burst.flushes):.1f} ms  max {max(burst.flushes):.1f} ms"
        )
    return 0 if ok_paint and ok_badge else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=2_000)
    parser.add_argument("--tracked", type=int, default=500)
    parser.add_argument("--rate", type=float, default=1_000.0, help="callbacks per second")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
