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
from collections import UserList
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from receiver.domain.models import Badge, Cause, Cycle, Resource, ResourceType, TimelineEntry
from receiver.domain.status import CREATED, SUBMITTED, TERMINAL

logger = logging.getLogger(__name__)

Key = tuple[ResourceType, str]


class TextSource(Protocol):
    """Resource texts by index, kept outside memory (receiver/store/disk/mapped.py)."""

    def text(self, index: int) -> str: ...

    def raw(self, index: int) -> bytes: ...


_LINE_KEY = re.compile(r'\n\{"type":"(brand|campaign|number)","id":"([^"\\\n]*)"')
"""The type and id at the start of each line but the first of a snapshot body (a literal
prefix: the regular expression engine skips to each line without a Python loop)."""
_HEAD = re.compile(r'\{"type":"(brand|campaign|number)","id":("(?:[^"\\]|\\.)*")')
_TYPES = {t.value: t for t in ResourceType}
_PREFIXES = [(f'{{"type":"{t.value}","id":"', t) for t in ResourceType]
_BADGES = {b.value: b for b in Badge}
_CAUSES = {c.value: c for c in Cause}
_CYCLES = {c.value: c for c in Cycle}


class LazyTimeline(UserList[TimelineEntry]):
    """A resource's timeline kept as its registry.json text until first used.

    A TUI start builds every resource for its tables, but draws only the last change of the
    rows on screen and opens one timeline at a time: decoding 200,000 timelines up front was
    most of its start and of its memory. Every list operation decodes first (UserList goes
    through `data`), so the registry appends and sorts as before."""

    def __init__(self, text: str | Iterable[TimelineEntry] = (), key: Key | None = None) -> None:
        # UserList makes new ones from entries (a slice, a copy): those hold the list as is
        self._text: str | None = text if isinstance(text, str) else None
        self._key = key
        self._entries: list[TimelineEntry] = [] if isinstance(text, str) else list(text)

    @property  # type: ignore[override]
    def data(self) -> list[TimelineEntry]:
        if self._text is not None:
            text, self._text = self._text, None
            try:
                self._entries = timeline_entries(json.loads(text))
            except (KeyError, ValueError, TypeError, AttributeError):
                logger.warning("registry.json: the timeline of %s is unreadable", self._key)
        return self._entries

    @data.setter
    def data(self, entries: list[TimelineEntry]) -> None:
        self._text, self._entries = None, entries


def timeline_entries(items: Iterable[dict[str, Any]] | None) -> list[TimelineEntry]:
    """TimelineEntry.from_dict of each item, enum members by dict lookup."""
    return [
        TimelineEntry(
            at=t["at"],
            cause=_CAUSES[t["cause"]],
            badge=_BADGES[t["badge"]],
            detail=t.get("detail", ""),
            ref=t.get("ref"),
        )
        for t in items or ()
    ]


def terminal_in_text(text: str) -> bool:
    """Whether a resource's registry.json text says its cycle is terminal, without decoding
    it: the first `"cycle_terminal":` is the key (the fields before it are strings, whose
    quotes are escaped), and its value follows."""
    at = text.find('"cycle_terminal":')
    return at >= 0 and text.startswith("true", at + 17)


_TIMELINE_KEY = ',"timeline":['
_RANK_KEY = '],"rank":'


def build_from_text(text: str, key: Key) -> tuple[Resource, int | None]:
    """A resource and its stored rank from its registry.json text, the timeline left as text
    (LazyTimeline). ValueError/KeyError/TypeError/AttributeError on malformed text."""
    cut = text.rfind(_TIMELINE_KEY)  # the timeline's entries hold no nested object
    if cut < 0 or not text.endswith("}"):
        item = json.loads(text)
        return build_resource(item), item.get("rank")
    head = json.loads(text[:cut] + "}")
    rest = text[cut + len(_TIMELINE_KEY) - 1 : -1]  # '[…]' or '[…],"rank":N'
    rank = None
    if (at := rest.rfind(_RANK_KEY)) >= 0:
        rank = json.loads(rest[at + len(_RANK_KEY) :])
        rest = rest[: at + 1]
    if not isinstance(head, dict) or not rest.endswith("]"):
        raise ValueError("not a resource")
    res = build_resource(head)
    res.timeline = LazyTimeline(rest, key)
    return res, rank


def build_resource(item: dict[str, Any]) -> Resource:
    """Resource.from_dict(item), about twice as fast (enum members by dict lookup): a TUI start
    builds every resource. KeyError/TypeError/ValueError on malformed data, as from_dict."""
    get = item.get
    timeline = timeline_entries(get("timeline"))
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
        # a Resource, its JSON text, or the index of its text in `source` (left in the file)
        self._items: dict[Key, Resource | str | int] = {}
        self.source: TextSource | None = None
        self._ranks = ranks
        self._unbuilt = 0
        self._built: set[Key] = set()  # keys built (or set) since open
        self._texts_unsettled: set[Key] | None = None  # of the texts read at open, not terminal

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

    def add_mapped(self, keys: list[Key], source: TextSource) -> None:
        """Add resources whose texts stay in `source` (index i holds keys[i]'s text)."""
        items = self._items
        before = len(items)
        items.update(zip(keys, range(len(keys)), strict=True))
        self._unbuilt += len(items) - before
        self.source = source

    def _text_of(self, value: Resource | str | int | None) -> str | None:
        if isinstance(value, str):
            return value
        if type(value) is int:
            return self.source.text(value)  # type: ignore[union-attr]  # set with the ints
        return None

    def text(self, key: Key) -> str | None:
        """The resource's JSON text while it is not built yet."""
        return self._text_of(self._items.get(key))

    def get(self, key: Key) -> Resource | None:
        value = self._items.get(key)
        if isinstance(value, Resource) or value is None:
            return value
        return self._build(key, self._text_of(value))  # type: ignore[arg-type]

    def __getitem__(self, key: Key) -> Resource:
        res = self.get(key)
        if res is None:
            raise KeyError(key)
        return res

    def __setitem__(self, key: Key, res: Resource) -> None:
        if not isinstance(self._items.get(key, res), Resource):
            self._unbuilt -= 1
        self._items[key] = res
        self._built.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._items)

    def maybe_unsettled(self) -> set[Key]:
        """Keys that may be awaiting a callback: texts whose cycle is not terminal (read once,
        by terminal_in_text) and every resource built since open."""
        if self._texts_unsettled is None:
            search = getattr(self.source, "not_terminal", None)
            mapped = search() if search is not None else None
            text = self._text_of
            if mapped is None:
                self._texts_unsettled = {
                    k
                    for k, v in self._items.items()
                    if not isinstance(v, Resource) and not terminal_in_text(text(v))  # type: ignore[arg-type]
                }
            else:  # the source searched its own bytes; texts held in memory are read
                self._texts_unsettled = {
                    k
                    for k, v in self._items.items()
                    if (v in mapped if type(v) is int else isinstance(v, str))
                    and (type(v) is int or not terminal_in_text(v))  # type: ignore[arg-type]
                }
        return self._texts_unsettled | self._built

    def raw_items(self) -> Iterator[tuple[Key, Resource | str]]:
        """(key, the Resource or its still unbuilt JSON text), in creation order; builds
        nothing (a reader that can use the text as it is, e.g. `status --json`)."""
        source = self.source
        for key, value in self._items.items():
            if type(value) is int:
                yield key, source.text(value)  # type: ignore[union-attr]
            else:
                yield key, value  # type: ignore[misc]

    def held_items(self) -> Iterable[tuple[Key, Resource | str | int]]:
        """(key, what is held: a Resource, a text, or an index into `source`)."""
        return self._items.items()

    def values(self) -> Iterable[Resource]:
        """Every resource (building those not built yet), in creation order."""
        if self._unbuilt:
            for key, value in list(self._items.items()):
                if not isinstance(value, Resource):
                    self._build(key, self._text_of(value))  # type: ignore[arg-type]
        return self._items.values()  # type: ignore[return-value]  # all built now

    def _build(self, key: Key, text: str) -> Resource | None:
        self._unbuilt -= 1
        try:
            res, rank = build_from_text(text, key)
        except (KeyError, ValueError, TypeError, AttributeError):
            logger.warning("registry.json: resource %s is unreadable and was left out", key)
            del self._items[key]
            return None
        self._items[key] = res
        self._built.add(key)
        self._ranks[key] = rank_of({"rank": rank}, res)
        return res
