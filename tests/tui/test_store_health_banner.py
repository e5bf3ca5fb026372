"""A failing disk shows in the header and as a toast, callbacks get 503, and recovery clears it."""

from __future__ import annotations

import errno
import itertools
from urllib.parse import urlencode

import aiohttp

from receiver.signature import signature_headers
from receiver.store.disk.atomicdb import atomic_write

SIZE = (120, 40)


async def _post_signed(stack, brand_id: str) -> int:
    url = stack.receiver.config.callback_url
    params = {"brand_id": brand_id, "event": "brand", "status": "created"}
    headers = signature_headers("POST", url, params, stack.sandbox.auth_token)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=urlencode(params), headers=headers) as resp:
            return resp.status


async def test_write_failure_shows_in_the_header_and_recovers(
    make_stack, started, wait_for, toasts
):
    disk_full = {"on": False}

    def write_file(path, data: bytes) -> None:
        if disk_full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        atomic_write(path, data)

    ticks = itertools.count()
    stack = make_stack(
        lambda: 1_767_225_600.0 + next(ticks), store_options={"write_file": write_file}
    )
    app = stack.app
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await started(pilot)
        bar = app.main_screen.status_bar
        assert bar.store_error is None

        disk_full["on"] = True
        assert await _post_signed(stack, "BFULL01") == 503  # Plivo will retry
        await wait_for(pilot, lambda: bar.store_error is not None, "the header's red line")
        assert "No space left on device" in bar.store_error
        assert any(n.title == "store" and n.severity == "error" for n in toasts)

        disk_full["on"] = False
        assert await _post_signed(stack, "BFULL01") == 200
        await wait_for(pilot, lambda: bar.store_error is None, "the red line to clear")
        assert [r.id for r in stack.store.registry.all()] == ["BFULL01"]
