"""Plivo's Number API for the account's rented numbers: `GET Number/` and `GET Number/{number}/`.

Shaped like plivo-python's recorded `numberListResponse.json` (a `meta` with limit, next,
offset, previous and total_count, and the numbers under `objects`, which the SDK's
`numbers.list` iterates) and `numberGetResponse.json` (one flat Number object with `api_id`).
Numbers are listed in the order the account rented them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.api.wire import ApiError, limit_offset, page
from sandbox.inventory import check_filters, matches
from sandbox.world import World

Handler = Callable[[web.Request], Awaitable[web.Response]]


class NumberApi:
    """Read-only handlers over `world.inventory`."""

    def __init__(self, world: World) -> None:
        self.world = world

    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "Number", self.list_numbers),
            ("GET", "Number/{number}", self.get_number),
        ]

    def _answer(self, data: dict[str, Any]) -> web.Response:
        return web.json_response({"api_id": self.world.mint.api_id(), **data})

    def _json(self, request: web.Request, number: str) -> dict[str, Any]:
        entry = self.world.inventory[number]
        return entry.to_json(request.match_info["auth_id"], self.world.link_of(number))

    async def list_numbers(self, request: web.Request) -> web.Response:
        query = {k: v.strip() for k, v in request.query.items()}
        check_filters(query)
        limit, offset = limit_offset(request)
        chosen = [
            n
            for n, entry in self.world.inventory.items()
            if matches(entry, self.world.link_of(n), query)
        ]
        rows, meta = page(request, chosen, limit, offset)
        return self._answer({"meta": meta, "objects": [self._json(request, n) for n in rows]})

    async def get_number(self, request: web.Request) -> web.Response:
        number = request.match_info["number"].strip().removeprefix("+")
        if number not in self.world.inventory:
            raise ApiError(404, f"Number {number} not found in your account.")
        return self._answer(self._json(request, number))
