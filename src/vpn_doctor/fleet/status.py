"""The fleet run as data: summary counts, the Nagios status line and the JSON document.

Kept apart from :mod:`vpn_doctor.fleet.check` (which runs the checks) and from the renderers
(rich, Prometheus) so each output is built from the same frozen numbers.

The status line follows the Nagios plugin convention, one line, perfdata after ``|``::

    VPN CRITICAL - 2 of 23 devices critical: fw003 203.0.113.9 IKE_NO_RESPONSE; fw007
    unreachable | devices=23 unreachable=1 tunnels=61 tunnels_down=3 critical=2 warning=1 ...

Problems are listed worst first (critical, unknown, warning), at most ``MAX_ITEMS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vpn_doctor.diagnose.findings import verdict_exit_code
from vpn_doctor.fleet.check import (
    CRITICAL,
    OK,
    STATE_NAMES,
    UNKNOWN,
    WARNING,
    HostResult,
    state_rank,
    worst_state,
)
from vpn_doctor.fleet.expectations import TunnelHealth

SCHEMA = 1
MAX_ITEMS = 8
_STATUS_WORDS = {
    "unreachable": "unreachable",
    "auth_failed": "login failed",
    "timeout": "timed out",
    "error": "not checked",
    "stopped": "not checked: stopped",
}


@dataclass(frozen=True)
class FleetSummary:
    devices: int
    reachable: int
    unreachable: int  # every status other than ok (unreachable, auth, timeout, error)
    tunnels: int  # expected tunnels on reachable devices
    tunnels_up: int
    tunnels_down: int
    ok: int
    warning: int
    critical: int
    unknown: int
    skipped: int
    duration: float
    state: int  # Nagios 0-3

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state_name,
            "exit_code": self.state,
            "devices": self.devices,
            "reachable": self.reachable,
            "unreachable": self.unreachable,
            "tunnels": self.tunnels,
            "tunnels_up": self.tunnels_up,
            "tunnels_down": self.tunnels_down,
            "devices_ok": self.ok,
            "devices_warning": self.warning,
            "devices_critical": self.critical,
            "devices_unknown": self.unknown,
            "skipped": self.skipped,
            "duration_seconds": round(self.duration, 3),
        }


def summarize(results: Sequence[HostResult], duration: float, skipped: int = 0) -> FleetSummary:
    states = [r.nagios for r in results]
    expected = [t for r in results for t in r.expected]
    up = sum(1 for t in expected if t.up)
    return FleetSummary(
        devices=len(results),
        reachable=sum(1 for r in results if r.reachable),
        unreachable=sum(1 for r in results if not r.reachable),
        tunnels=len(expected),
        tunnels_up=up,
        tunnels_down=len(expected) - up,
        ok=states.count(OK),
        warning=states.count(WARNING),
        critical=states.count(CRITICAL),
        unknown=states.count(UNKNOWN),
        skipped=skipped,
        duration=duration,
        state=worst_state(states),
    )


def _tunnel_item(result: HostResult, tunnel: TunnelHealth) -> str:
    worst = tunnel.worst
    code = worst.code if worst else tunnel.verdict
    return f"{result.host} {tunnel.peer} {code}"


def problems(results: Sequence[HostResult]) -> list[tuple[int, str]]:
    """(state, 'host peer CODE' / 'host unreachable') for everything not OK, worst first."""
    items: list[tuple[int, str]] = []
    for result in results:
        if not result.reachable:
            items.append((result.nagios, f"{result.host} {_STATUS_WORDS[result.status]}"))
            continue
        if result.standby:
            continue  # OK, skipped: listed by status_line's standby note
        if result.nagios == UNKNOWN and not result.expected:
            items.append((UNKNOWN, f"{result.host} no tunnel found"))
        for tunnel in result.expected:
            state = verdict_exit_code(tunnel.verdict)  # the Nagios state of that verdict
            if state != OK:
                items.append((state, _tunnel_item(result, tunnel)))
    return sorted(items, key=lambda item: state_rank(item[0]))  # stable: inventory order


def status_line(results: Sequence[HostResult], summary: FleetSummary) -> str:
    """One line, Nagios style (module docstring)."""
    perf = (
        f"devices={summary.devices} unreachable={summary.unreachable} "
        f"tunnels={summary.tunnels} tunnels_up={summary.tunnels_up} "
        f"tunnels_down={summary.tunnels_down} critical={summary.critical} "
        f"warning={summary.warning} unknown={summary.unknown} "
        f"duration={summary.duration:.3f}s"
    )
    head = f"VPN {summary.state_name}"
    standby = [r.host for r in results if r.standby]
    skipped = f", standby skipped: {' '.join(standby[:MAX_ITEMS])}" if standby else ""
    if summary.state == OK:
        return (
            f"{head} - {summary.devices} devices, {summary.tunnels_up} of {summary.tunnels} "
            f"tunnels up{skipped} | {perf}"
        )
    counts = [
        f"{count} {word}"
        for count, word in (
            (summary.critical, "critical"),
            (summary.unknown, "unknown"),
            (summary.warning, "warning"),
        )
        if count
    ]
    if counts:
        counts[0] = counts[0].replace(" ", f" of {summary.devices} devices ", 1)
    items = [text for _, text in problems(results)]
    shown = "; ".join(items[:MAX_ITEMS])
    if len(items) > MAX_ITEMS:
        shown += f"; and {len(items) - MAX_ITEMS} more"
    return f"{head} - {', '.join(counts)}: {shown}{skipped} | {perf}"


def _tunnel_dict(tunnel: TunnelHealth) -> dict[str, Any]:
    data = tunnel.diagnosis.to_contract_dict()
    data["peer"] = tunnel.peer
    data.update(
        {
            "name": tunnel.name,
            "expected": tunnel.expected,
            "up": tunnel.up,
            "redundancy_group": tunnel.redundancy_group,
            "bytes_tx": tunnel.bytes_tx,
            "bytes_rx": tunnel.bytes_rx,
        }
    )
    return data


def device_dict(result: HostResult) -> dict[str, Any]:
    """Contract 2 for one device, plus host, status, error and the Nagios state."""
    if result.health is not None:
        data = result.health.report.to_contract_dict()
        data["tunnels"] = [_tunnel_dict(t) for t in result.tunnels]
    else:
        data = {
            "schema": SCHEMA,
            "device": {"hostname": "", "version": "", "findings": []},
            "tunnels": [],
            "notes": [],
            "source": "",
        }
    data["source"] = f"live:{result.address}:{result.port}"
    data.update(
        {
            "host": result.host,
            "address": result.address,
            "port": result.port,
            "status": result.status,
            "standby_skipped": result.standby,
            "context": result.context,
            "error": result.error or None,
            "exit_code": result.exit_code,
            "state": STATE_NAMES[result.nagios],
            "duration_seconds": round(result.duration, 3),
        }
    )
    return data


def fleet_document(
    results: Sequence[HostResult], summary: FleetSummary, checked_at: datetime
) -> dict[str, Any]:
    """The `--format json` document: {schema, checked_at, summary, devices: [...]}."""
    summary_dict = summary.to_dict()
    summary_dict["text"] = status_line(results, summary)
    return {
        "schema": SCHEMA,
        "checked_at": checked_at.replace(microsecond=0).isoformat(),
        "summary": summary_dict,
        "devices": [device_dict(r) for r in results],
    }
