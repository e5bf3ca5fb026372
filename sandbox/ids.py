"""Seeded id generation for the sandbox: brand and campaign ids, profile uuids, api_ids."""

from __future__ import annotations

import random
import secrets
import string
import uuid
from collections.abc import Callable

_ALNUM = string.ascii_uppercase + string.digits


class IdMint:
    """Every id the sandbox hands out, drawn from one `random.Random(seed)`.

    With a seed the sequence is fixed, so the same requests in the same order get the same
    ids. Without one the generator is seeded from the OS.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._issued: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._issued:
                self._issued.add(value)
                return value

    def _code(self, prefix: str) -> str:
        return prefix + "".join(self._rng.choice(_ALNUM) for _ in range(6))

    def brand_id(self) -> str:
        """`B` + 6 upper-case letters/digits, like `B43KNAS`."""
        return self._unique(lambda: self._code("B"))

    def campaign_id(self) -> str:
        """`C` + 6 upper-case letters/digits, like `CAOHTU5`."""
        return self._unique(lambda: self._code("C"))

    def reserve(self, value: str) -> None:
        """Mark an id chosen elsewhere (an imported campaign id) as taken."""
        self._issued.add(value)

    def uuid(self) -> str:
        """A version-4 UUID string (profile uuids)."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def api_id(self) -> str:
        """The `api_id` every response carries."""
        return self.uuid()


def new_auth_id() -> str:
    """A main-account id as the SDK expects it: `MA` + 18 upper-case letters/digits."""
    return "MA" + "".join(secrets.choice(_ALNUM) for _ in range(18))


def new_auth_token() -> str:
    """A random 40-character letters-and-digits token, shaped like Plivo's."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(40))
