"""Prometheus text exposition of a fleet run, for node_exporter's textfile collector.

Why a textfile and not an exporter: the check runs from cron or a systemd timer; node_exporter
(``--collector.textfile.directory``) picks the file up on every scrape. The file is written
to a temporary name in the same directory and renamed over the target, so a scrape never sees
half a file (the collector ignores names not ending in ``.prom``).

Metrics (every sample of a family together, after its ``# HELP`` and ``# TYPE``)::

    vpn_doctor_device_reachable{host}                      1 logged in and collected, else 0
    vpn_doctor_device_status{host,status}                  1 (ok|unreachable|auth_failed|...)
    vpn_doctor_device_state{host}                          Nagios state 0-3
    vpn_doctor_tunnel_up{host,peer,name}                   1 phase 1 up and an IPsec SA exists
    vpn_doctor_tunnel_expected{host,peer,name}             1 listed in the inventory, else 0
    vpn_doctor_tunnel_phase1_state{host,peer,state}        1 (state: MM_ACTIVE, READY, none ...)
    vpn_doctor_tunnel_phase2_sas{host,peer}                IPsec SA pairs
    vpn_doctor_tunnel_bytes_total{host,peer,direction}     vpn-sessiondb bytes (tx|rx)
    vpn_doctor_tunnel_finding{host,peer,code,severity}     1 per finding (not TUNNEL_HEALTHY)
    vpn_doctor_last_check_timestamp_seconds                end of the run (Unix time)
    vpn_doctor_check_duration_seconds                      wall time of the run
    vpn_doctor_device_check_duration_seconds{host}         wall time per device

Tunnel metrics exist only for devices that were reached. Label values are escaped as the
exposition format requires (backslash, double quote, newline).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from vpn_doctor.errors import InputError
from vpn_doctor.fleet.check import HostResult
from vpn_doctor.fleet.status import FleetSummary

Labels = dict[str, str]
Sample = tuple[Labels, float]

_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("vpn_doctor_device_reachable", "gauge", "1 if vpn-doctor logged in and collected, else 0."),
    (
        "vpn_doctor_device_status",
        "gauge",
        "1 for the device's check status (ok, unreachable, auth_failed, timeout, error).",
    ),
    (
        "vpn_doctor_device_state",
        "gauge",
        "Nagios state of the device: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
    ),
    ("vpn_doctor_device_check_duration_seconds", "gauge", "Seconds spent checking the device."),
    ("vpn_doctor_tunnel_up", "gauge", "1 if phase 1 is up and an IPsec SA exists, else 0."),
    ("vpn_doctor_tunnel_expected", "gauge", "1 if the tunnel is listed in the inventory."),
    (
        "vpn_doctor_tunnel_phase1_state",
        "gauge",
        "1 for the IKE SA state of the tunnel (none: no IKE SA).",
    ),
    ("vpn_doctor_tunnel_phase2_sas", "gauge", "Number of IPsec SA pairs of the tunnel."),
    (
        "vpn_doctor_tunnel_bytes_total",
        "counter",
        "Bytes through the tunnel as shown by "
        "show vpn-sessiondb (resets when the session restarts).",
    ),
    (
        "vpn_doctor_tunnel_finding",
        "gauge",
        "1 for each finding on the tunnel (code from the vpn-doctor catalogue).",
    ),
    ("vpn_doctor_last_check_timestamp_seconds", "gauge", "Unix time the check finished."),
    ("vpn_doctor_check_duration_seconds", "gauge", "Seconds the whole check took."),
)


def escape_label(value: str) -> str:
    """Label value escaping of the text exposition format."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _format_value(value: float) -> str:
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def _line(name: str, labels: Labels, value: float) -> str:
    if labels:
        inner = ",".join(f'{key}="{escape_label(val)}"' for key, val in labels.items())
        return f"{name}{{{inner}}} {_format_value(value)}"
    return f"{name} {_format_value(value)}"


def _samples(
    results: Sequence[HostResult], summary: FleetSummary, finished: datetime
) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = {name: [] for name, _, _ in _FAMILIES}
    for result in results:
        host = {"host": result.host}
        out["vpn_doctor_device_reachable"].append((host, 1 if result.reachable else 0))
        out["vpn_doctor_device_status"].append(({**host, "status": result.status}, 1))
        out["vpn_doctor_device_state"].append((host, result.nagios))
        out["vpn_doctor_device_check_duration_seconds"].append((host, round(result.duration, 3)))
        for tunnel in result.tunnels:
            peer = {**host, "peer": tunnel.peer}
            named = {**peer, "name": tunnel.name}
            out["vpn_doctor_tunnel_up"].append((named, 1 if tunnel.up else 0))
            out["vpn_doctor_tunnel_expected"].append((named, 1 if tunnel.expected else 0))
            out["vpn_doctor_tunnel_phase1_state"].append(
                ({**peer, "state": tunnel.phase1_state}, 1)
            )
            out["vpn_doctor_tunnel_phase2_sas"].append((peer, tunnel.phase2_sas))
            if tunnel.bytes_tx is not None and tunnel.bytes_rx is not None:
                out["vpn_doctor_tunnel_bytes_total"].append(
                    ({**peer, "direction": "tx"}, tunnel.bytes_tx)
                )
                out["vpn_doctor_tunnel_bytes_total"].append(
                    ({**peer, "direction": "rx"}, tunnel.bytes_rx)
                )
            seen: set[tuple[str, str]] = set()
            for finding in tunnel.problems:
                key = (finding.code, finding.severity)
                if key not in seen:  # one series per code+severity (no duplicate samples)
                    seen.add(key)
                    labels = {**peer, "code": finding.code, "severity": finding.severity}
                    out["vpn_doctor_tunnel_finding"].append((labels, 1))
    out["vpn_doctor_last_check_timestamp_seconds"].append(({}, round(finished.timestamp(), 3)))
    out["vpn_doctor_check_duration_seconds"].append(({}, round(summary.duration, 3)))
    return out


def render_metrics(results: Sequence[HostResult], summary: FleetSummary, finished: datetime) -> str:
    """The whole exposition text (ends with a newline). Empty families are left out."""
    samples = _samples(results, summary, finished)
    lines: list[str] = []
    for name, kind, text in _FAMILIES:
        if not samples[name]:
            continue
        lines.append(f"# HELP {name} {escape_help(text)}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(_line(name, labels, value) for labels, value in _unique(samples[name]))
    return "\n".join(lines) + "\n"


def _unique(samples: Iterable[Sample]) -> list[Sample]:
    """Drop repeated label sets (two tunnels printed under one peer); first one wins."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    kept: list[Sample] = []
    for labels, value in samples:
        key = tuple(sorted(labels.items()))
        if key not in seen:
            seen.add(key)
            kept.append((labels, value))
    return kept


def write_textfile(path: str | Path, text: str) -> Path:
    """Write atomically: a temporary file in the same directory, fsync, then rename."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"--textfile: directory does not exist: {directory}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # node_exporter usually runs as another user
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
