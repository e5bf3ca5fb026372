"""Baseline servers for benchmarks/ingest.py: `bare` (answers 200) and `tinydb` (db.insert per request)."""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web


def make_handler(mode: str, db_path: str | None):
    if mode == "bare":

        async def bare(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="ok")

        return bare
    from tinydb import TinyDB

    db = TinyDB(db_path)

    async def naive(request: web.Request) -> web.Response:
        db.insert(dict(await request.post()))  # the obvious handler a TinyDB user writes
        return web.Response(text="ok")

    return naive


async def serve(mode: str, db_path: str | None) -> None:
    app = web.Application()
    app.router.add_route("*", "/tendlc_status/", make_handler(mode, db_path))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"listening on http://127.0.0.1:{port}/tendlc_status/", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
