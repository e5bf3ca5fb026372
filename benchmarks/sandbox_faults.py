"""Sandbox fault overhead: API answers per second with no faults armed vs many that never match.

Every API call asks the armed faults whether one fires (a linear scan with glob matching),
so this prints what that costs: GET 10dlc/Brand/ answered with 0 faults, then with N armed
faults whose filters match nothing, same client, same concurrency, in one run.

Run: python benchmarks/sandbox_faults.py [-n REQUESTS] [-c CONCURRENCY] [--faults N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import time

import aiohttp

from sandbox.faults.catalogue import parse_flag
from sandbox.server import Sandbox

AUTH_ID = "MABENCHFAULTS0000001"
TOKEN = "bench-token"


async def rate(faults: int, requests: int, concurrency: int) -> float:
    """Requests per second against a sandbox holding `faults` armed, non-matching faults."""
    specs = [parse_flag(f"api-error:path=Nothing/{i}") for i in range(faults)]
    sandbox = Sandbox(delay=0, auth_id=AUTH_ID, auth_token=TOKEN, faults=specs)
    await sandbox.start()
    url = f"{sandbox.base_url}/v1/Account/{AUTH_ID}/10dlc/Brand/"
    auth = {"Authorization": "Basic " + base64.b64encode(f"{AUTH_ID}:{TOKEN}".encode()).decode()}
    queue = iter(range(requests))
    try:
        async with aiohttp.ClientSession(headers=auth) as http:

            async def worker() -> None:
                for _ in queue:
                    async with http.get(url) as resp:
                        await resp.read()
                        assert resp.status == 200, resp.status

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return requests / (time.perf_counter() - t0)
    finally:
        await sandbox.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="requests per run")
    parser.add_argument("-c", type=int, default=10, help="concurrent clients")
    parser.add_argument("--faults", type=int, default=50, help="armed faults in the second run")
    args = parser.parse_args()
    await rate(0, 200, args.c)  # warm-up
    bare = await rate(0, args.n, args.c)
    loaded = await rate(args.faults, args.n, args.c)
    print(f"GET 10dlc/Brand/, {args.n} requests, concurrency {args.c}")
    print(f"  no faults armed           {bare:8.0f} req/s")
    print(f"  {args.faults:3d} non-matching faults  {loaded:8.0f} req/s  ({loaded / bare:.2f}x)")


if __name__ == "__main__":
    asyncio.run(main())
