"""The metric families of one exporter probe (Contract 5), built with prometheus_client.

One probe is one device: no ``host`` label, Prometheus adds ``instance`` by relabelling (as
with blackbox_exporter). Per tunnel the labels are ``peer``, ``name`` and ``ike_version``; the
SA metrics add ``local_ts``/``remote_ts`` (the proxy identities, as CIDR when they are a plain
subnet) so a tunnel with several SA pairs keeps one series per pair::

    vpn_doctor_probe_success                               1 logged in, collected, diagnosed
    vpn_doctor_probe_duration_seconds                      wall time of the probe
    vpn_doctor_probe_status{status}                        1 (ok|unreachable|auth_failed|...)
    vpn_doctor_device_role{role}                           1 (standalone|active|standby|unknown)
    vpn_doctor_device_info{hostname,version}               1
    vpn_doctor_device_finding{code,severity}               1 per device-level finding
    vpn_doctor_tunnel_up{peer,name,ike_version}            1 phase 1 up and an IPsec SA exists
    vpn_doctor_tunnel_phase1_state{...,state}              1 (MM_ACTIVE, READY, none, ...)
    vpn_doctor_tunnel_phase2_sas{...}                      IPsec SA pairs
    vpn_doctor_tunnel_finding{...,code,severity}           1 per finding (not TUNNEL_HEALTHY)
    vpn_doctor_ipsec_packets_encaps_total{...,local_ts,remote_ts}
    vpn_doctor_ipsec_packets_decaps_total{...,local_ts,remote_ts}
    vpn_doctor_ipsec_errors_total{...,local_ts,remote_ts,direction}   send|recv

Counters come from the device's own counters (they reset when the SA is rebuilt: use
``rate()``/``increase()``, which handle resets). An SA block that was not read completely
gives no counter sample rather than a false zero.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily, Metric

from vpn_doctor.fleet.expectations import HealthReport, TunnelHealth
from vpn_doctor.fleet.prometheus import UniqueCounter, UniqueGauge
from vpn_doctor.models import DeviceState, IpsecSa, ProxyId

TUNNEL_LABELS = ("peer", "name", "ike_version")
SA_LABELS = (*TUNNEL_LABELS, "local_ts", "remote_ts")


@dataclass(frozen=True)
class ProbeOutcome:
    """What one probe produced: the judged tunnels when it succeeded, the status otherwise."""

    status: str  # ok | unreachable | auth_failed | timeout | error
    duration: float
    health: HealthReport | None = None
    state: DeviceState | None = None
    error: str = ""

    @property
    def success(self) -> bool:
        return self.status == "ok" and self.health is not None


def traffic_selector(proxy: ProxyId | None) -> str:
    """``10.1.0.0/255.255.255.0/0/0`` -> ``10.1.0.0/24``; protocol/port kept when set."""
    if proxy is None:
        return ""
    try:
        text = str(ipaddress.ip_network(f"{proxy.address}/{proxy.mask}", strict=False))
    except ValueError:
        text = f"{proxy.address}/{proxy.mask}"
    if proxy.protocol not in ("0", "") or proxy.port not in ("0", ""):
        text += f" proto {proxy.protocol} port {proxy.port}"
    return text


def _tunnel_labels(tunnel: TunnelHealth) -> list[str]:
    name = tunnel.name or str(getattr(tunnel.diagnosis, "name", "") or "")
    version = tunnel.diagnosis.phase1.get("ike_version")
    return [tunnel.peer, name, f"ikev{version}" if version else ""]


def _sas_of(state: DeviceState, peer: str) -> list[IpsecSa]:
    return [
        sa
        for sa in state.ipsec_sas.records
        if (sa.peer == peer or sa.remote_addr.split("/")[0] == peer) and sa.complete
    ]


def probe_families(outcome: ProbeOutcome) -> list[Metric]:
    """Every family of one probe (empty ones are dropped by the registry)."""
    success = GaugeMetricFamily(
        "vpn_doctor_probe_success",
        "1 if the probe logged in, collected and diagnosed the device, else 0.",
        value=1 if outcome.success else 0,
    )
    duration = GaugeMetricFamily(
        "vpn_doctor_probe_duration_seconds",
        "Seconds the probe took.",
        value=round(outcome.duration, 3),
    )
    status = GaugeMetricFamily(
        "vpn_doctor_probe_status",
        "1 for the probe's status (ok, unreachable, auth_failed, timeout, error).",
        labels=["status"],
    )
    status.add_metric([outcome.status], 1)
    families: list[Metric] = [success, duration, status]
    if outcome.success and outcome.health is not None and outcome.state is not None:
        families += _device_families(outcome.health, outcome.state)
    return families


def _device_families(health: HealthReport, state: DeviceState) -> list[Metric]:
    report = health.report
    role = UniqueGauge(
        "vpn_doctor_device_role",
        "1 for the device's failover role (standalone, active, standby; unknown when the "
        "outputs collected do not say).",
        ["role"],
    )
    role.add([str(getattr(report, "role", "") or "unknown")], 1)
    info = UniqueGauge(
        "vpn_doctor_device_info",
        "1, with the device's hostname and version.",
        ["hostname", "version"],
    )
    info.add([report.hostname or state.device.hostname, report.version or state.device.version], 1)
    device_finding = UniqueGauge(
        "vpn_doctor_device_finding",
        "1 for each device-level finding (e.g. DEVICE_DEBUG_LEFT_ON).",
        ["code", "severity"],
    )
    for finding in getattr(report, "findings", ()) or ():
        device_finding.add([finding.code, finding.severity], 1)
    return [role, info, device_finding, *_tunnel_families(health.tunnels, state)]


def _tunnel_families(tunnels: Sequence[TunnelHealth], state: DeviceState) -> list[Metric]:
    up = UniqueGauge(
        "vpn_doctor_tunnel_up", "1 if phase 1 is up and an IPsec SA exists, else 0.", TUNNEL_LABELS
    )
    phase1 = UniqueGauge(
        "vpn_doctor_tunnel_phase1_state",
        "1 for the IKE SA state of the tunnel (none: no IKE SA).",
        [*TUNNEL_LABELS, "state"],
    )
    phase2 = UniqueGauge(
        "vpn_doctor_tunnel_phase2_sas", "Number of IPsec SA pairs of the tunnel.", TUNNEL_LABELS
    )
    finding = UniqueGauge(
        "vpn_doctor_tunnel_finding",
        "1 for each finding on the tunnel (code from the vpn-doctor catalogue).",
        [*TUNNEL_LABELS, "code", "severity"],
    )
    encaps = UniqueCounter(
        "vpn_doctor_ipsec_packets_encaps",
        "Packets encapsulated by the SA pair (device counter; resets when the SA is rebuilt).",
        SA_LABELS,
    )
    decaps = UniqueCounter(
        "vpn_doctor_ipsec_packets_decaps",
        "Packets decapsulated by the SA pair (device counter; resets when the SA is rebuilt).",
        SA_LABELS,
    )
    errors = UniqueCounter(
        "vpn_doctor_ipsec_errors",
        "Send/receive errors of the SA pair (device counters).",
        [*SA_LABELS, "direction"],
    )
    for tunnel in tunnels:
        labels = _tunnel_labels(tunnel)
        up.add(labels, 1 if tunnel.up else 0)
        phase1.add([*labels, tunnel.phase1_state], 1)
        phase2.add(labels, tunnel.phase2_sas)
        for problem in tunnel.problems:
            finding.add([*labels, problem.code, problem.severity], 1)
        sums: dict[tuple[str, str], list[int]] = {}
        for sa in _sas_of(state, tunnel.peer):
            key = (traffic_selector(sa.local_ident), traffic_selector(sa.remote_ident))
            total = sums.setdefault(key, [0, 0, 0, 0])
            total[0] += sa.pkts_encaps
            total[1] += sa.pkts_decaps
            total[2] += sa.send_errors
            total[3] += sa.recv_errors
        for (local_ts, remote_ts), (enc, dec, send, recv) in sums.items():
            sa_labels = [*labels, local_ts, remote_ts]
            encaps.add(sa_labels, enc)
            decaps.add(sa_labels, dec)
            errors.add([*sa_labels, "send"], send)
            errors.add([*sa_labels, "recv"], recv)
    return [up, phase1, phase2, finding, encaps, decaps, errors]
