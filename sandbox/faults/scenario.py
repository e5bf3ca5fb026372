"""Scenario files: a seed and a list of faults to arm, in TOML or JSON, checked strictly.

    # bad-day.toml
    description = "what this scenario shows"   # optional, free text
    seed = 7                                   # optional: the fault RNG's seed

    [[faults]]
    name = "drop-callback"                     # a name from `tendlc sandbox --list-faults`
    kind = "brand"                             # filters and parameters as that fault takes
    status = "registered"

The JSON form is the same object: {"seed": 7, "faults": [{"name": "drop-callback", ...}]}.
A `.json` file is read as JSON, anything else as TOML.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.faults.catalogue import FaultError, FaultSpec, spec_from_mapping

TOP_LEVEL = ("description", "seed", "faults")


@dataclass(frozen=True, slots=True)
class Scenario:
    """What a scenario file asks for."""

    faults: tuple[FaultSpec, ...]
    seed: int | None = None
    description: str = ""


def scenario_from_mapping(data: Any, where: str = "scenario") -> Scenario:
    """A Scenario from parsed TOML/JSON (or a control-API body); FaultError says what is wrong."""
    if not isinstance(data, Mapping):
        raise FaultError(
            f"{where}: must be a table/object with `faults`, got {type(data).__name__}"
        )
    unknown = [k for k in data if k not in TOP_LEVEL]
    if unknown:
        raise FaultError(
            f"{where}: unknown key {unknown[0]!r}; a scenario has {', '.join(TOP_LEVEL)}"
        )
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise FaultError(f"{where}: seed must be a whole number, got {seed!r}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise FaultError(f"{where}: description must be text, got {description!r}")
    entries = data.get("faults", [])
    if not isinstance(entries, list):
        raise FaultError(f"{where}: faults must be a list ([[faults]] tables in TOML)")
    faults = tuple(
        spec_from_mapping(entry, where=f"{where}: faults[{i}]") for i, entry in enumerate(entries)
    )
    return Scenario(faults, seed, description)


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; FaultError (with the file name) when it cannot be used."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FaultError(f"cannot read scenario {where}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FaultError(f"scenario {where} is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise FaultError(f"scenario {where} is not valid JSON: {exc}") from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise FaultError(
                f"scenario {where} is not valid TOML: {exc} (name it .json for JSON)"
            ) from None
    return scenario_from_mapping(data, where=where)
