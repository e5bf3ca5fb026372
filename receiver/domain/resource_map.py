"""The registry's resources by key, in creation order; each built from registry.json when first used.

A store opens with each resource still the JSON text its snapshot holds (one per line, so no
parse is needed to find them): only its type and id are read. A resource is decoded and built
the first time it is asked for, so a receiver builds only the resources its callbacks touch, and
an unchanged resource's text goes back into the next snapshot as it was read.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from receiver.domain.models import Badge, Cause, Cycle, Resource, ResourceType, TimelineEntry
from receiver.domain.status import CREATED, SUBMITTED, TERMINAL

logger = logging.getLogger(__name__)

Key = tuple[ResourceType, str]

_LINE_KEY = re.compile(r'\n\{"type":"(brand|campaign|number)","id":"([^"\\\n]*)"')
"""The type and id at the start of each line but the first of a snapshot body (a literal
prefix: the regular expression engine skips to each line without a Python loop)."""
_HEAD = re.compile(r'\{"type":"(brand|campaign|number)","id":("(?:[^"\\]|\\.)*")')
_TYPES = {t.value: t for t in ResourceType}
_PREFIXES = [(f'{{"type":"{t.value}","id":"', t) for t in ResourceType]
_BADGES = {b.value: b for b in Badge}
_CAUSES = {c.value: c for c in Cause}
_CYCLES = {c.value: c for c in Cycle}


def build_resource(item: dict[str, Any]) -> Resource:
    """Resource.from_dict(item), about twice as fast (enum members by dict lookup): a TUI start
    builds every resource. KeyError/TypeError/ValueError on malformed data, as from_dict."""
    get = item.get
    timeline = [
        TimelineEntry(
            at=t["at"],
            cause=_CAUSES[t["cause"]],
            badge=_BADGES[t["badge"]],
            detail=t.get("detail", ""),
            ref=t.get("ref"),
        )
        for t in get("timeline") or ()
    ]
    return Resource(
        type=_TYPES[item["type"]],
        id=item["id"],
        badge=_BADGES[item["badge"]],
        updated_at=item["updated_at"],
        name=get("name", ""),
        parent_id=get("parent_id"),
        api_status=get("api_status"),
        cycle=_CYCLES[get("cycle", "register")],
        cycle_terminal=get("cycle_terminal", False),
        awaiting_since=get("awaiting_since"),
        callback_url=get("callback_url"),
        detail=dict(get("detail") or {}),
        timeline=timeline,
    )


def rank_of(item: dict[str, Any], res: Resource) -> int:
    """The rank stored with a resource, or the one its state implies (older snapshots)."""
    rank = item.get("rank")
    if rank not in (SUBMITTED, CREATED, TERMINAL):
        rank = TERMINAL if res.cycle_terminal else CREATED
    return rank


class ResourceMap:
    """A dict-like map of key -> Resource whose values may still be unbuilt JSON texts.

    Building a resource also records its rank in `ranks` (the registry's own dict).
    """

    def __init__(self, ranks: dict[Key, int]) -> None:
        self._items: dict[Key, Resource | str] = {}
        self._ranks = ranks
        self._unbuilt = 0

    def add_texts(self, texts: Iterable[str]) -> None:
        """Add resources as item_data JSON texts; ValueError if one does not start with its
        type and id (as every text tendlc writes does)."""
        items, match, prefixes = self._items, _HEAD.match, _PREFIXES
        for text in texts:
            key = None
            for prefix, rtype in prefixes:  # the usual case, without the regex
                if text.startswith(prefix):
                    end = text.find('"', len(prefix))
                    rid = text[len(prefix) : end]
                    if end > 0 and "\\" not in rid:
                        key = (rtype, rid)
                    break
            if key is None:
                found = match(text)
                if found is None:
                    raise ValueError(
                        f"a resource does not start with its type and id: {text[:60]!r}"
                    )
                key = (_TYPES[found[1]], json.loads(found[2]))
            items[key] = text
            self._unbuilt += 1

    def add_lines(self, body: str) -> None:
        """Add the resources of a snapshot body: item_data texts joined by ",\\n" (one per
        line; JSON text holds no raw newline). The keys of all lines are found in one pass when
        every line has the plain form; otherwise each text is read as add_texts does."""
        texts = body.split(",\n") if body else []
        found = _LINE_KEY.findall(body)
        if len(found) != len(texts) - 1:
            self.add_texts(texts)
            return
        self.add_texts(texts[:1])
        types, items = _TYPES, self._items
        before = len(items)
        items.update(zip([(types[t], rid) for t, rid in found], texts[1:], strict=True))
        self._unbuilt += len(items) - before

    def text(self, key: Key) -> str | None:
        """The resource's JSON text while it is not built yet."""
        value = self._items.get(key)
        return value if isinstance(value, str) else None

    def get(self, key: Key) -> Resource | None:
        value = self._items.get(key)
        return self._build(key, value) if isinstance(value, str) else value

    def __getitem__(self, key: Key) -> Resource:
        res = self.get(key)
        if res is None:
            raise KeyError(key)
        return res

    def __setitem__(self, key: Key, res: Resource) -> None:
        if isinstance(self._items.get(key), str):
            self._unbuilt -= 1
        self._items[key] = res

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._items)

    def raw_items(self) -> Iterable[tuple[Key, Resource | str]]:
        """(key, the Resource or its still unbuilt JSON text), in creation order; builds
        nothing (a reader that can use the text as it is, e.g. `status --json`)."""
        return self._items.items()

    def values(self) -> Iterable[Resource]:
        """Every resource (building those not built yet), in creation order."""
        if self._unbuilt:
            for key, value in list(self._items.items()):
                if isinstance(value, str):
                    self._build(key, value)
        return self._items.values()  # type: ignore[return-value]  # all built now

    def _build(self, key: Key, text: str) -> Resource | None:
        self._unbuilt -= 1
        try:
            item = json.loads(text)
            res = build_resource(item)
        except (KeyError, ValueError, TypeError, AttributeError):
            logger.warning("registry.json: resource %s is unreadable and was left out", key)
            del self._items[key]
            return None
        self._items[key] = res
        self._ranks[key] = rank_of(item, res)
        return res
