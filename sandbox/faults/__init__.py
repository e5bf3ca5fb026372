"""Misbehaviour on request: the fault catalogue, armed faults, scenario files, the control API.

- `catalogue`: every fault name, its filters and parameters; `FaultSpec`, `parse_flag`.
- `armed`: `Faults`, which decides (by seed) when an armed fault fires, and records it.
- `scenario`: TOML / JSON scenario files.
- `control`: the /_sandbox/ routes and the middleware that applies API faults.
"""

from sandbox.faults.armed import Armed, Faults
from sandbox.faults.catalogue import CATALOGUE, FaultError, FaultSpec, describe, parse_flag
from sandbox.faults.scenario import Scenario, load_scenario

__all__ = [
    "CATALOGUE",
    "Armed",
    "FaultError",
    "FaultSpec",
    "Faults",
    "Scenario",
    "describe",
    "load_scenario",
    "parse_flag",
]
