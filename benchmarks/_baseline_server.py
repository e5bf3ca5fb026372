"""Baseline servers for the benchmarks: `bare` (answers 200), `tinydb` (db.insert per request) and
`append` (each body appended to one file and fsynced before its 200, concurrent bodies sharing one
write + fsync: a group commit with nothing else, i.e. what durability alone costs)."""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web


class GroupAppend:
    """Append bodies to a file on one writer thread; each batch is one write + one fsync."""

    def __init__(self, path: str) -> None:
        import os
        from concurrent.futures import ThreadPoolExecutor

        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._running = False
        self._executor = ThreadPoolExecutor(1)

    def _write(self, data: bytes) -> None:
        import os

        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        self._running = True
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                await loop.run_in_executor(
                    self._executor, self._write, b"".join(b for b, _ in batch)
                )
                for _, fut in batch:
                    fut.set_result(None)
        finally:
            self._running = False

    def append(self, body: bytes) -> asyncio.Future[None]:
        fut = asyncio.get_running_loop().create_future()
        self._pending.append((body + b"\n", fut))
        if not self._running:
            asyncio.get_running_loop().create_task(self._run())
        return fut


def make_handler(mode: str, db_path: str | None):
    if mode == "append":
        assert db_path is not None
        log = GroupAppend(db_path)

        async def append(request: web.Request) -> web.Response:
            await log.append(await request.read())
            return web.Response(text="ok")

        return append
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
