"""Prometheus exposition of a fleet run, for node_exporter's textfile collector.

Why a textfile and not an exporter: the check runs from cron or a systemd timer; node_exporter
(``--collector.textfile.directory``) picks the file up on every scrape. The exposition is
produced by prometheus_client (escaping, HELP/TYPE order, counter suffixes are its job, not
ours) and written with its ``write_to_textfile``: a temporary name in the same directory
renamed over the target, so a scrape never sees half a file. The multi-target exporter
(``vpn-doctor exporter``) builds its per-probe families in :mod:`vpn_doctor.fleet.probe_metrics`.

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
    vpn_doctor_last_check_timestamp_seconds{shard}         end of the run (Unix time)
    vpn_doctor_check_duration_seconds{shard}               wall time of the run

``shard`` ("I/N") only with ``check --shard``.
    vpn_doctor_device_check_duration_seconds{host}         wall time per device

Tunnel metrics exist only for devices that were reached.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from vpn_doctor.errors import InputError
from vpn_doctor.fleet.check import HostResult
from vpn_doctor.fleet.status import FleetSummary


class _Families(Collector):
    """A fixed list of metric families, collected once (one registry per run or probe)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = [family for family in families if family.samples]

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)


def registry_of(families: Iterable[Metric]) -> CollectorRegistry:
    """A fresh registry holding ``families`` (empty families are left out)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return registry


class UniqueGauge(GaugeMetricFamily):
    """A gauge that keeps the first sample of a label set (two tunnels under one peer would
    otherwise be a duplicate series, which Prometheus rejects for the whole scrape)."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, documentation, labels=list(labels))
        self._seen: set[tuple[str, ...]] = set()

    def add(self, values: Sequence[str], value: float) -> None:
        key = tuple(values)
        if key not in self._seen:
            self._seen.add(key)
            self.add_metric(list(values), value)


class UniqueCounter(CounterMetricFamily):
    """A counter that keeps the first sample of a label set (see UniqueGauge)."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, documentation, labels=list(labels))
        self._seen: set[tuple[str, ...]] = set()

    def add(self, values: Sequence[str], value: float) -> None:
        key = tuple(values)
        if key not in self._seen:
            self._seen.add(key)
            self.add_metric(list(values), value)


def _families(
    results: Sequence[HostResult], summary: FleetSummary, finished: datetime, shard: str | None
) -> list[Metric]:
    reachable = UniqueGauge(
        "vpn_doctor_device_reachable", "1 if vpn-doctor logged in and collected, else 0.", ["host"]
    )
    status = UniqueGauge(
        "vpn_doctor_device_status",
        "1 for the device's check status (ok, unreachable, auth_failed, timeout, error).",
        ["host", "status"],
    )
    state = UniqueGauge(
        "vpn_doctor_device_state",
        "Nagios state of the device: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        ["host"],
    )
    duration = UniqueGauge(
        "vpn_doctor_device_check_duration_seconds", "Seconds spent checking the device.", ["host"]
    )
    up = UniqueGauge(
        "vpn_doctor_tunnel_up",
        "1 if phase 1 is up and an IPsec SA exists, else 0.",
        ["host", "peer", "name"],
    )
    expected = UniqueGauge(
        "vpn_doctor_tunnel_expected",
        "1 if the tunnel is listed in the inventory.",
        ["host", "peer", "name"],
    )
    phase1 = UniqueGauge(
        "vpn_doctor_tunnel_phase1_state",
        "1 for the IKE SA state of the tunnel (none: no IKE SA).",
        ["host", "peer", "state"],
    )
    phase2 = UniqueGauge(
        "vpn_doctor_tunnel_phase2_sas", "Number of IPsec SA pairs of the tunnel.", ["host", "peer"]
    )
    traffic = UniqueCounter(
        "vpn_doctor_tunnel_bytes",
        "Bytes through the tunnel as shown by show vpn-sessiondb (resets when the session "
        "restarts).",
        ["host", "peer", "direction"],
    )
    finding = UniqueGauge(
        "vpn_doctor_tunnel_finding",
        "1 for each finding on the tunnel (code from the vpn-doctor catalogue).",
        ["host", "peer", "code", "severity"],
    )
    for result in results:
        host = result.host
        reachable.add([host], 1 if result.reachable else 0)
        status.add([host, result.status], 1)
        state.add([host], result.nagios)
        duration.add([host], round(result.duration, 3))
        for tunnel in result.tunnels:
            up.add([host, tunnel.peer, tunnel.name], 1 if tunnel.up else 0)
            expected.add([host, tunnel.peer, tunnel.name], 1 if tunnel.expected else 0)
            phase1.add([host, tunnel.peer, tunnel.phase1_state], 1)
            phase2.add([host, tunnel.peer], tunnel.phase2_sas)
            if tunnel.bytes_tx is not None and tunnel.bytes_rx is not None:
                traffic.add([host, tunnel.peer, "tx"], tunnel.bytes_tx)
                traffic.add([host, tunnel.peer, "rx"], tunnel.bytes_rx)
            for problem in tunnel.problems:
                finding.add([host, tunnel.peer, problem.code, problem.severity], 1)
    run_labels = ["shard"] if shard else []
    last = GaugeMetricFamily(
        "vpn_doctor_last_check_timestamp_seconds",
        "Unix time the check finished.",
        labels=run_labels,
    )
    last.add_metric([shard] if shard else [], round(finished.timestamp(), 3))
    total = GaugeMetricFamily(
        "vpn_doctor_check_duration_seconds", "Seconds the whole check took.", labels=run_labels
    )
    total.add_metric([shard] if shard else [], round(summary.duration, 3))
    return [
        reachable,
        status,
        state,
        duration,
        up,
        expected,
        phase1,
        phase2,
        traffic,
        finding,
        last,
        total,
    ]


def fleet_registry(
    results: Sequence[HostResult],
    summary: FleetSummary,
    finished: datetime,
    *,
    shard: str | None = None,
) -> CollectorRegistry:
    """The run's metrics in a registry of their own (write it, or render it). ``shard``
    ("I/N") labels the run-level metrics so several shards never collide."""
    return registry_of(_families(results, summary, finished, shard))


def render_metrics(results: Sequence[HostResult], summary: FleetSummary, finished: datetime) -> str:
    """The whole exposition text (ends with a newline). Empty families are left out."""
    return generate_latest(fleet_registry(results, summary, finished)).decode("utf-8")


def write_textfile(path: str | Path, registry: CollectorRegistry) -> Path:
    """Write atomically (prometheus_client's write_to_textfile: same directory, rename)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"--textfile: directory does not exist: {directory}")
    write_to_textfile(str(target), registry)
    os.chmod(target, 0o644)  # node_exporter usually runs as another user
    return target
