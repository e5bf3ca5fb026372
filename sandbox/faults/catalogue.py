"""The sandbox's fault catalogue and `FaultSpec`: what may be asked for, checked strictly.

A fault is asked for by name with optional filters and parameters, from a `--fault` flag
(`name` or `name:key=value,key=value`), a scenario file entry or a `POST /_sandbox/faults`
body. Unknown names, keys or values are a `FaultError` that says what is allowed, never
ignored.
"""

from __future__ import annotations

import fnmatch
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("brand", "campaign", "number_linking", "number_unlinking")
CALLBACK_WORDS = ("created", "registered", "rejected", "success", "failed", "terminal")
METHODS = ("GET", "POST", "DELETE")
ALWAYS = "always"


class FaultError(ValueError):
    """A fault or scenario that cannot be armed; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Param:
    kind: type  # int, float, bool or str
    default: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalogue entry: which group of hooks it belongs to and what it accepts."""

    group: str  # callback / lifecycle / outcome / api
    summary: str
    params: Mapping[str, Param] = field(default_factory=dict)
    kinds: tuple[str, ...] = KINDS  # the lifecycle kinds it can apply to
    default_kind: str | None = None


_CALLBACK_FILTERS = ("kind", "status", "id")
_LIFECYCLE_FILTERS = ("kind", "id", "alias")
_API_FILTERS = ("method", "path")
FILTERS = {
    "callback": _CALLBACK_FILTERS,
    "lifecycle": _LIFECYCLE_FILTERS,
    "outcome": _LIFECYCLE_FILTERS,
    "api": _API_FILTERS,
}
COMMON = ("name", "count", "skip", "probability")

CATALOGUE: dict[str, Entry] = {
    # --- callbacks: what happens to one matching callback delivery ---
    "drop-callback": Entry("callback", "the callback is never sent (state still moves)"),
    "duplicate-callback": Entry(
        "callback",
        "the callback is delivered, then `copies` more times; same_nonce=true replays the "
        "exact signed request, else each copy is signed afresh",
        {"copies": Param(int, 1, minimum=1), "same_nonce": Param(bool, False)},
    ),
    "delay-callback": Entry(
        "callback",
        "the callback waits `seconds` before its first attempt (later callbacks overtake it)",
        {"seconds": Param(float, 5.0, minimum=0)},
    ),
    "wrong-path-callback": Entry(
        "callback",
        "the callback goes to `path` on the same host (signed for that URL), then is retried",
        {"path": Param(str, "/wrong-path/")},
    ),
    "exhaust-retries": Entry(
        "callback",
        "every attempt fails before reaching the handler (as if it were down): the retry "
        "schedule runs out and the callback is given up",
    ),
    # --- lifecycle: how one matching request moves ---
    "reorder-callbacks": Entry(
        "lifecycle", "the terminal callback is sent before `created` (the stale one comes last)"
    ),
    "callback-before-answer": Entry(
        "lifecycle",
        "the API answer waits until the `created` (until=created) or the terminal "
        "(until=terminal) callback was attempted: the callback beats the answer",
        {"until": Param(str, "created", choices=("created", "terminal"))},
    ),
    "stuck-processing": Entry(
        "lifecycle",
        "the request stays PROCESSING after `created` until this fault is removed",
        default_kind="brand",
    ),
    "expire-campaign": Entry(
        "lifecycle",
        "once ACTIVE, the campaign turns EXPIRED `after` seconds later (no callback says so)",
        {"after": Param(float, 5.0, minimum=0)},
        kinds=("campaign",),
        default_kind="campaign",
    ),
    # --- outcomes by rule (the alias/description/number-suffix knobs still apply otherwise) ---
    "reject": Entry(
        "outcome",
        "the brand or campaign is rejected (FAILED), whatever its alias or description say",
        kinds=("brand", "campaign"),
    ),
    "fail-link": Entry(
        "outcome",
        "linking the number fails",
        kinds=("number_linking",),
        default_kind="number_linking",
    ),
    "fail-unlink": Entry(
        "outcome",
        "unlinking the number fails (it stays linked)",
        kinds=("number_unlinking",),
        default_kind="number_unlinking",
    ),
    "succeed": Entry("outcome", "the request succeeds even where an outcome knob would fail it"),
    # --- API answers ---
    "api-error": Entry(
        "api",
        "the API answers HTTP `status`; applied=true carries the request out first (the "
        "answer is lost, the change is not)",
        {"status": Param(int, 500, choices=(500, 502, 503, 504)), "applied": Param(bool, False)},
    ),
    "rate-limit": Entry(
        "api",
        "the API answers 429 Too Many Requests with Retry-After: `retry_after`",
        {"retry_after": Param(int, 5, minimum=0)},
    ),
    "slow-answer": Entry(
        "api", "the answer comes `seconds` late", {"seconds": Param(float, 3.0, minimum=0)}
    ),
    "timeout": Entry(
        "api",
        "no answer at all: the connection is held until the client gives up (at most "
        "`seconds`), then closed; applied=true carries the request out anyway",
        {"seconds": Param(float, 120.0, minimum=0), "applied": Param(bool, False)},
    ),
}


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One armed-to-be fault: its catalogue name, filters, parameters and how often it fires.

    `count` None means every match; `skip` lets that many matches pass first; `probability`
    fires on a match with that chance, drawn from the sandbox's seeded fault RNG.
    """

    name: str
    count: int | None = 1
    skip: int = 0
    probability: float = 1.0
    kind: str | None = None
    status: str | None = None
    id: str | None = None
    alias: str | None = None
    method: str | None = None
    path: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def entry(self) -> Entry:
        return CATALOGUE[self.name]

    @property
    def group(self) -> str:
        return self.entry.group

    def param(self, key: str) -> Any:
        return self.params.get(key, self.entry.params[key].default)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "count": ALWAYS if self.count is None else self.count,
        }
        if self.skip:
            data["skip"] = self.skip
        if self.probability != 1.0:
            data["probability"] = self.probability
        for key in ("kind", "status", "id", "alias", "method", "path"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        data.update({k: self.param(k) for k in self.entry.params})
        return data

    # --- matching --------------------------------------------------------------------------

    def matches_kind(self, kind: str) -> bool:
        return (self.kind or self.entry.default_kind or kind) == kind and kind in self.entry.kinds

    def matches_callback(self, kind: str, word: str, rid: str) -> bool:
        if not self.matches_kind(kind):
            return False
        if self.status == "terminal" and word == "created":
            return False
        if self.status not in (None, "terminal") and self.status != word:
            return False
        return _glob(self.id, rid)

    def matches_request(self, kind: str, rid: str, alias: str) -> bool:
        return self.matches_kind(kind) and _glob(self.id, rid) and _glob(self.alias, alias)

    def matches_api(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return _glob(self.path, path.strip("/"))


def _glob(pattern: str | None, value: str) -> bool:
    return pattern is None or fnmatch.fnmatchcase(value.lower(), pattern.lower())


# --- building specs --------------------------------------------------------------------------


def spec_from_mapping(data: Mapping[str, Any], where: str = "fault") -> FaultSpec:
    """A FaultSpec from a scenario entry or a control-API body; FaultError says what is wrong."""
    if not isinstance(data, Mapping):
        raise FaultError(
            f"{where}: must be a table/object with a `name`, got {type(data).__name__}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise FaultError(f"{where}: needs a `name`, one of: {', '.join(CATALOGUE)}")
    entry = CATALOGUE.get(name)
    if entry is None:
        raise FaultError(
            f"{where}: unknown fault {name!r}; known faults: {', '.join(CATALOGUE)} "
            "(`tendlc sandbox --list-faults` describes each)"
        )
    where = f"{where} {name}"
    allowed = (*COMMON, *FILTERS[entry.group], *entry.params)
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise FaultError(
            f"{where}: unknown key {unknown[0]!r}; {name} takes: {', '.join(allowed[1:])}"
        )
    filters = {k: _filter(where, entry, k, data[k]) for k in FILTERS[entry.group] if k in data}
    params = {k: _value(where, k, p, data[k]) for k, p in entry.params.items() if k in data}
    return FaultSpec(
        name=name,
        count=_count(where, data.get("count", 1)),
        skip=_int(where, "skip", data.get("skip", 0), minimum=0),
        probability=_probability(where, data.get("probability", 1.0)),
        params=params,
        **filters,
    )


def parse_flag(text: str) -> FaultSpec:
    """`--fault name` or `--fault name:key=value,key=value` (values as in a scenario file)."""
    name, _, rest = text.strip().partition(":")
    data: dict[str, Any] = {"name": name.strip()}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise FaultError(f"--fault {text!r}: expected key=value after the name, got {part!r}")
        data[key.strip()] = _scalar(value.strip())
    return spec_from_mapping(data, where="--fault")


def _scalar(text: str) -> Any:
    """A flag value: true/false, an integer, a number, else the text itself."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _filter(where: str, entry: Entry, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise FaultError(f"{where}: {key} must be a non-empty string, got {value!r}")
    if key == "kind":
        if value not in entry.kinds:
            raise FaultError(
                f"{where}: kind must be one of {', '.join(entry.kinds)}; got {value!r}"
            )
    elif key == "status" and value not in CALLBACK_WORDS:
        raise FaultError(
            f"{where}: status must be one of {', '.join(CALLBACK_WORDS)}; got {value!r}"
        )
    elif key == "method":
        value = value.upper()
        if value not in METHODS:
            raise FaultError(f"{where}: method must be one of {', '.join(METHODS)}; got {value!r}")
    return value


def _value(where: str, key: str, param: Param, value: Any) -> Any:
    if param.kind is bool:
        if not isinstance(value, bool):
            raise FaultError(f"{where}: {key} must be true or false, got {value!r}")
        return value
    if param.kind is int:
        value = _int(where, key, value, minimum=param.minimum)
    elif param.kind is float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise FaultError(f"{where}: {key} must be a number of seconds, got {value!r}")
        if param.minimum is not None and value < param.minimum:
            raise FaultError(f"{where}: {key} must be {param.minimum:g} or more, got {value!r}")
        value = float(value)
    elif not isinstance(value, str) or not value:
        raise FaultError(f"{where}: {key} must be a non-empty string, got {value!r}")
    elif key == "path" and not value.startswith("/"):
        raise FaultError(f"{where}: path must start with '/', got {value!r}")
    if param.choices and value not in param.choices:
        allowed = ", ".join(str(c) for c in param.choices)
        raise FaultError(f"{where}: {key} must be one of {allowed}; got {value!r}")
    return value


def _int(where: str, key: str, value: Any, minimum: float | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultError(f"{where}: {key} must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise FaultError(f"{where}: {key} must be {minimum:g} or more, got {value!r}")
    return value


def _count(where: str, value: Any) -> int | None:
    if value == ALWAYS:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FaultError(f'{where}: count must be 1 or more, or "always"; got {value!r}')
    return value


def _probability(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise FaultError(
            f"{where}: probability must be a number above 0 and at most 1, got {value!r}"
        )
    return float(value)


def describe() -> str:
    """The catalogue as text: each fault, what it does, its filters and parameters."""
    lines = ["Faults (common keys: count=N|always, skip=N, probability=0..1):"]
    for name, entry in CATALOGUE.items():
        keys = list(FILTERS[entry.group]) + [
            f"{k}={p.default if p.kind is not bool else str(p.default).lower()}"
            for k, p in entry.params.items()
        ]
        pad = " " * 26
        lines.append(
            textwrap.fill(entry.summary, 98, initial_indent=f"  {name:<24}", subsequent_indent=pad)
        )
        lines.append(
            textwrap.fill(
                ", ".join(keys), 98, initial_indent=pad + "keys: ", subsequent_indent=pad + "      "
            )
        )
    return "\n".join(lines)
