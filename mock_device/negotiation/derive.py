"""Glue: a model (spec + faults) -> everything a Scenario needs.

Why one entry point: mock_device/scenario.py calls :func:`derive` for a YAML ``model:`` key,
and bench/accuracy.py calls :func:`derive_spec` for generated specs; both get the same
outputs, so a bench result can be reproduced as a scenario file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mock_device.negotiation.config import ModelSpec, parse_model
from mock_device.negotiation.faults import FAULTS, apply_faults, expected_code
from mock_device.negotiation.model import Outcome, negotiate
from mock_device.negotiation.render_config import config_outputs
from mock_device.negotiation.render_state import events, tunnel_spec


@dataclass(frozen=True)
class Derived:
    """What the mock shows for one model, plus what the tool is expected to conclude."""

    spec: ModelSpec  # with the faults applied
    outcome: Outcome
    commands: Mapping[str, str]
    tunnels: tuple[Mapping[str, Any], ...]
    debug_lines: tuple[str, ...]
    logging_lines: tuple[str, ...]
    expected: tuple[str, ...] = field(default=())  # one code per fault (TUNNEL_HEALTHY: none)

    @property
    def verdict(self) -> str:
        if not self.spec.faults:
            return "up"
        blocking = any(FAULTS[f].blocks for f in self.spec.faults)
        return "down" if blocking or not self.outcome.pairs else "degraded"

    def expect(self) -> dict[str, Any]:
        """The scenario ``expect:`` block (the mock ignores it; tests and the bench read it)."""
        data: dict[str, Any] = {
            "peer": self.spec.peer.address,
            "verdict": self.verdict,
            "role": self.outcome.role,
            "faults": list(self.spec.faults),
            "first_finding": self.expected[0],  # with two faults: the one that blocks
        }
        if len(self.expected) > 1:
            data["findings_include"] = list(self.expected)
        return data

    def scenario_parts(self) -> dict[str, Any]:
        """`commands`, `tunnels`, `debug`, `logging_buffer` and `expect` for a Scenario."""
        parts: dict[str, Any] = {
            "commands": dict(self.commands),
            "tunnels": [dict(t) for t in self.tunnels],
            "logging_buffer": list(self.logging_lines),
            "expect": self.expect(),
        }
        if self.debug_lines:
            parts["debug"] = {"peer": self.spec.peer.address, "interval_ms": 50,
                              "repeat": True, "lines": list(self.debug_lines)}  # fmt: skip
        return parts


def derive_spec(spec: ModelSpec) -> Derived:
    """Apply the faults, negotiate, render. Pure: the same spec gives the same bytes."""
    applied = apply_faults(spec)
    outcome = negotiate(applied)
    log = events(applied, outcome)
    ordered = sorted(applied.faults, key=lambda f: not FAULTS[f].blocks)  # root cause first
    expected = tuple(expected_code(f, outcome.role) for f in ordered) or (
        expected_code(None, outcome.role),
    )
    return Derived(
        spec=applied,
        outcome=outcome,
        commands=config_outputs(applied, outcome.encaps, outcome.decaps),
        tunnels=tuple(tunnel_spec(applied, outcome)),
        debug_lines=tuple(log.stream),
        logging_lines=tuple(log.both),
        expected=tuple(dict.fromkeys(expected)),
    )


def derive(data: Mapping[str, Any]) -> Derived:
    """Derive from a scenario's ``model:`` mapping. Raises ValueError naming the bad key."""
    return derive_spec(parse_model(data))


def with_faults(spec: ModelSpec, *faults: str) -> ModelSpec:
    """The spec with ``faults`` appended (convenience for tests and the bench)."""
    return replace(spec, faults=(*spec.faults, *faults))


def merge_model(data: Mapping[str, Any]) -> dict[str, Any]:
    """A scenario mapping with its ``model:`` replaced by the derived parts.

    Explicit ``commands:`` entries win over derived ones (canned outputs stay authoritative);
    explicit ``tunnels``/``debug``/``logging_buffer``/``expect`` replace the derived ones.
    """
    merged = dict(data)
    model = merged.pop("model")
    parts = derive(model).scenario_parts()
    parts["commands"].update(dict(merged.get("commands") or {}))
    for key, value in parts.items():
        if key == "commands" or merged.get(key) is None:
            merged[key] = value
    return merged
