"""Expected versus actual: what the inventory says must be up, against one device's diagnosis.

The engine diagnoses whatever tunnels the device shows; a scheduled check must also notice
what the device does *not* show, and judge findings by the service they affect. Rules, per
host (all findings use Contract 3 codes, plus one documented extension):

* **Missing tunnel**: an expected peer with no IKE SA is diagnosed on its own
  (``diagnose(state, peer)``), which yields ``IKE_NO_SA`` (critical) with the device's
  "There are no IKEv1 SAs" lines, or ``unknown`` when the outputs could not be parsed.
* **Missing proxy pair** (``IPSEC_NO_SA``): phase 1 is up but an expected
  ``[local, remote]`` pair has no IPsec SA. Critical when the tunnel has no IPsec SA at all
  (the engine already says so); a *warning* when other pairs are up, because the ASA only
  builds an SA when traffic for that pair flows, so an idle pair looks the same.
* **One-way SA** (``IPSEC_ONE_WAY``, warning): any SA pair of the tunnel with encaps > 0 and
  decaps == 0 or the reverse, even when the tunnel's totals look two-way.
* **Expiring without rekey** (``SA_EXPIRING_NO_REKEY``, warning, our extension): an IPsec
  SA that carried traffic, or an active IKE SA, with at most ``rekey_threshold`` seconds
  (default 60) left and no successor (a second inbound SPI, another SA for the same proxy
  pair, or a second IKE SA for the peer). The ASA starts rekeying well before expiry, so
  this means the rekey is late or failing; one run can still catch a normal rekey window,
  hence a warning.
* **Redundancy** (``TUNNEL_REDUNDANCY_DEGRADED``): tunnels sharing ``redundancy_group``
  (e.g. the two AWS tunnels of one VPN). If at least one member is up, each down member
  gets a *warning* ``TUNNEL_REDUNDANCY_DEGRADED`` first and its own critical findings are
  downgraded to warnings (the service still works; the alert must not page as an outage).
  If every member is down, each keeps its criticals and gets a critical
  ``TUNNEL_REDUNDANCY_DEGRADED`` as well.
* **Unexpected tunnels** (on the device, not in the inventory): reported with all findings
  capped to ``info``; they never change the host's status. Without ``tunnels`` in the
  inventory every tunnel found is treated as expected.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from vpn_doctor.asa.states import is_phase1_up
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.diagnose.findings import (
    DiagnosisReport,
    Finding,
    Severity,
    TunnelDiagnosis,
    Verdict,
    severity_rank,
    worst_verdict,
)
from vpn_doctor.diagnose.peer_index import PeerIndex
from vpn_doctor.diagnose.profiles import load_profile
from vpn_doctor.diagnose.timeline import Timeline
from vpn_doctor.fleet.defaults import DEFAULT_REKEY_THRESHOLD as DEFAULT_REKEY_THRESHOLD
from vpn_doctor.fleet.inventory import ExpectedTunnel, Network
from vpn_doctor.models import DeviceState, IkeSa, IpsecSa, ProxyId, VpnSession

HEALTHY = "TUNNEL_HEALTHY"
SA_EXPIRING = "SA_EXPIRING_NO_REKEY"  # extension of Contract 3 (health check only)
HEALTH_CODES: tuple[str, ...] = (SA_EXPIRING,)


@dataclass(frozen=True)
class TunnelHealth:
    """One tunnel as the scheduled check judges it (the engine's diagnosis plus our rules)."""

    peer: str
    name: str
    expected: bool
    up: bool  # phase 1 active and at least one IPsec SA: traffic can pass
    diagnosis: TunnelDiagnosis  # verdict/findings here are the *adjusted* ones
    redundancy_group: str | None = None
    bytes_tx: int | None = None  # from vpn-sessiondb; None when no session is shown
    bytes_rx: int | None = None

    @property
    def verdict(self) -> Verdict:
        return self.diagnosis.verdict

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.diagnosis.findings

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Findings worth reporting (everything but the 'healthy' conclusion)."""
        return tuple(f for f in self.findings if f.code != HEALTHY)

    @property
    def worst(self) -> Finding | None:
        """The most severe problem; the first one among equals (the engine's order)."""
        problems = self.problems
        return min(problems, key=lambda f: severity_rank(f.severity)) if problems else None

    @property
    def phase1_state(self) -> str:
        return str(self.diagnosis.phase1.get("state") or "none")

    @property
    def phase2_sas(self) -> int:
        return int(self.diagnosis.phase2.get("sa_count") or 0)


# ---- small helpers ---------------------------------------------------------------------------


def _net(address: str, mask: str) -> Network | None:
    try:
        return ipaddress.ip_network(f"{address}/{mask}", strict=False)
    except ValueError:
        return None


def _proxy_net(proxy: ProxyId | None) -> Network | None:
    return _net(proxy.address, proxy.mask) if proxy is not None else None


def _session_net(text: str) -> Network | None:
    parts = text.split("/")
    return _net(parts[0], parts[1]) if len(parts) >= 2 else None


def _finding(code: str, severity: Severity, title: str, **extra: Any) -> Finding:
    """A finding made by these rules (``source="health"``, Contract 2 allows the extra value)."""
    return Finding(code=code, severity=severity, title=title, source="health", **extra)


def _is_up(diagnosis: TunnelDiagnosis) -> bool:
    phase2 = diagnosis.phase2
    sas = int(phase2.get("sa_count") or 0) + int(phase2.get("session_sa_pairs") or 0)
    return diagnosis.phase1.get("status") == "up" and sas > 0


def _verdict_from(findings: Iterable[Finding], engine: Verdict) -> Verdict:
    severities = {f.severity for f in findings if f.code != HEALTHY}
    if "critical" in severities:
        return "down"
    if engine == "unknown":
        return "unknown"
    return "degraded" if "warning" in severities else "up"


def _with_findings(
    diagnosis: TunnelDiagnosis, findings: list[Finding], *, keep_engine_verdict: bool = True
) -> TunnelDiagnosis:
    """Replace the findings; drop TUNNEL_HEALTHY once a problem exists; recompute the verdict."""
    if any(f.code != HEALTHY for f in findings):
        findings = [f for f in findings if f.code != HEALTHY]
    verdict = _verdict_from(findings, diagnosis.verdict)
    if keep_engine_verdict:
        verdict = worst_verdict([verdict, diagnosis.verdict])
    return replace(diagnosis, findings=tuple(findings), verdict=verdict)


# ---- per-tunnel rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Records:
    ike: tuple[IkeSa, ...]
    ipsec: tuple[IpsecSa, ...]
    sessions: tuple[VpnSession, ...]


def _records(index: PeerIndex, names: set[str]) -> _Records:
    ike, ipsec, sessions = index.records(*sorted(names))
    return _Records(ike=tuple(ike), ipsec=tuple(ipsec), sessions=tuple(sessions))


def _proxy_findings(
    expected: ExpectedTunnel, rec: _Records, has_engine_no_sa: bool
) -> list[Finding]:
    if not expected.proxies:
        return []
    present: set[tuple[Network | None, Network | None]] = {
        (_proxy_net(sa.local_ident), _proxy_net(sa.remote_ident)) for sa in rec.ipsec
    }
    present |= {
        (_session_net(sub.local_addr), _session_net(sub.remote_addr))
        for session in rec.sessions
        for sub in session.ipsec
    }
    missing = [(lo, re) for lo, re in expected.proxies if (lo, re) not in present]
    if not missing:
        return []
    any_sa = bool(rec.ipsec) or any(s.ipsec for s in rec.sessions)
    if not any_sa and has_engine_no_sa:
        return []  # the engine's own IPSEC_NO_SA (critical) already explains it
    shown = sorted(f"{lo} <-> {re}" for lo, re in present if lo and re)
    return [
        _finding(
            "IPSEC_NO_SA",
            "warning" if any_sa else "critical",
            f"{len(missing)} expected proxy pair(s) without an IPsec SA",
            meaning=(
                "Phase 1 is up but no SA exists for these proxies. The ASA builds an SA only "
                "when traffic for the pair flows, so an idle pair looks the same; if traffic "
                "is expected, the crypto ACLs of the two sides probably do not mirror."
            ),
            evidence=tuple(f"expected {lo} <-> {re}: no IPsec SA" for lo, re in missing)
            + tuple(f"present: {pair}" for pair in shown),
            checks=(
                f"show crypto ipsec sa peer {expected.peer}",
                "show running-config crypto map",
                "show running-config access-list",
                f"packet-tracer input inside icmp {missing[0][0].network_address} 8 0 "
                f"{missing[0][1].network_address} detailed",
            ),
        )
    ]


def _one_way_findings(expected: ExpectedTunnel, rec: _Records) -> list[Finding]:
    findings: list[Finding] = []
    for sa in rec.ipsec:
        if not sa.complete:
            continue
        if (sa.pkts_encaps > 0) == (sa.pkts_decaps > 0):
            continue
        direction = "nothing comes back" if sa.pkts_encaps else "nothing is sent"
        findings.append(
            _finding(
                "IPSEC_ONE_WAY",
                "warning",
                f"One-way IPsec SA {sa.local_ident} <-> {sa.remote_ident}: {direction}",
                evidence=tuple(
                    line for line in sa.lines if "#pkts encaps" in line or "#pkts decaps" in line
                ),
                checks=(f"show crypto ipsec sa peer {expected.peer}", "show nat detail"),
                remediation=(
                    "encaps without decaps: check the far side's routing, NAT exemption and ACL",
                    "decaps without encaps: check this side's NAT exemption and routing",
                ),
            )
        )
    return findings


def _expiry_findings(expected: ExpectedTunnel, rec: _Records, threshold: int) -> list[Finding]:
    findings: list[Finding] = []
    pairs: dict[tuple[str, str], int] = {}
    for sa in rec.ipsec:
        key = (str(sa.local_ident), str(sa.remote_ident))
        pairs[key] = pairs.get(key, 0) + 1
    for sa in rec.ipsec:
        left = sa.lifetime_seconds_remaining
        successor = (
            pairs[(str(sa.local_ident), str(sa.remote_ident))] > 1 or len(sa.inbound_spis) > 1
        )
        traffic = sa.pkts_encaps + sa.pkts_decaps > 0
        if left is None or left > threshold or successor or not traffic:
            continue
        findings.append(
            _finding(
                SA_EXPIRING,
                "warning",
                f"IPsec SA {sa.local_ident} <-> {sa.remote_ident} expires in {left} s "
                "and no rekeyed SA exists",
                evidence=tuple(line for line in sa.lines if "remaining key lifetime" in line)[:2],
                checks=(f"show crypto ipsec sa peer {expected.peer}", "show logging | include 713"),
                remediation=("check phase 2 rekey: lifetimes and PFS on both sides",),
            )
        )
    active = [sa for sa in rec.ike if is_phase1_up(sa.state)]
    if len(rec.ike) == 1 and active and not active[0].rekey:
        left = active[0].lifetime_remaining
        if left is not None and left <= threshold:
            findings.append(
                _finding(
                    SA_EXPIRING,
                    "warning",
                    f"IKE SA expires in {left} s and no rekeyed IKE SA exists",
                    evidence=tuple(active[0].lines[:3]),
                    checks=(f"show crypto isakmp sa detail | begin {expected.peer}",),
                    remediation=("check phase 1 rekey: lifetimes and reachability of the peer",),
                )
            )
    return findings


def _ensure_no_sa(diagnosis: TunnelDiagnosis, expected: ExpectedTunnel) -> list[Finding]:
    """A configured tunnel with no IKE SA must read as critical unless the data was unusable."""
    findings = list(diagnosis.findings)
    if diagnosis.phase1.get("status") == "up" or diagnosis.verdict == "unknown":
        return findings
    if any(f.severity == "critical" for f in findings):
        return findings
    return [
        _finding(
            "IKE_NO_SA",
            "critical",
            f"Expected tunnel to {expected.peer} is not up (no active IKE SA)",
            evidence=(f"{expected.peer}: phase 1 {diagnosis.phase1.get('state') or 'none'}",),
            checks=(
                f"show crypto isakmp sa | include {expected.peer}",
                "show running-config crypto map",
            ),
        ),
        *findings,
    ]


# ---- the whole device -------------------------------------------------------------------------


def _bytes(rec: _Records) -> tuple[int | None, int | None]:
    if not rec.sessions:
        return None, None
    return sum(s.bytes_tx for s in rec.sessions), sum(s.bytes_rx for s in rec.sessions)


def _expected_health(
    state: DeviceState,
    index: PeerIndex,
    expected: ExpectedTunnel,
    found: TunnelDiagnosis | None,
    threshold: int,
) -> TunnelHealth:
    profile = load_profile(expected.profile) if expected.profile else None
    peer = found.peer if found is not None else expected.peer
    diagnosis = found
    if found is None or profile is not None:
        diagnosis = diagnose(state, peer, profile=profile).tunnels[0]
    assert diagnosis is not None
    names = {expected.peer, peer} | ({expected.name} if expected.name else set())
    rec = _records(index, names)
    findings = _ensure_no_sa(diagnosis, expected)
    codes = {f.code for f in findings}
    if diagnosis.phase1.get("status") == "up":
        findings += _proxy_findings(expected, rec, "IPSEC_NO_SA" in codes)
        if "IPSEC_ONE_WAY" not in codes:
            findings += _one_way_findings(expected, rec)
        findings += _expiry_findings(expected, rec, threshold)
    tx, rx = _bytes(rec)
    return TunnelHealth(
        peer=expected.peer,
        name=expected.name,
        expected=True,
        up=_is_up(diagnosis),
        diagnosis=_with_findings(diagnosis, findings),
        redundancy_group=expected.redundancy_group,
        bytes_tx=tx,
        bytes_rx=rx,
    )


def _unexpected(index: PeerIndex, diagnosis: TunnelDiagnosis) -> TunnelHealth:
    capped = tuple(replace(f, severity="info") for f in diagnosis.findings)
    tx, rx = _bytes(_records(index, {diagnosis.peer}))
    return TunnelHealth(
        peer=diagnosis.peer,
        name="",
        expected=False,
        up=_is_up(diagnosis),
        diagnosis=replace(diagnosis, findings=capped),
        bytes_tx=tx,
        bytes_rx=rx,
    )


def _redundancy(tunnels: list[TunnelHealth]) -> list[TunnelHealth]:
    groups: dict[str, list[int]] = {}
    for index, tunnel in enumerate(tunnels):
        if tunnel.expected and tunnel.redundancy_group:
            groups.setdefault(tunnel.redundancy_group, []).append(index)
    result = list(tunnels)
    for group, members in groups.items():
        up = [i for i in members if tunnels[i].up and tunnels[i].verdict != "down"]
        working = [tunnels[i] for i in up]
        for index in members:
            tunnel = tunnels[index]
            if index in up:
                continue
            own = [f for f in tunnel.findings if f.code != "TUNNEL_REDUNDANCY_DEGRADED"]
            partners = [tunnels[i] for i in members if i != index]
            evidence = tuple(
                f"{t.peer}: phase 1 {t.phase1_state}, {t.phase2_sas} IPsec SA(s)"
                for t in (tunnel, *partners)
            )
            if working:
                finding = _finding(
                    "TUNNEL_REDUNDANCY_DEGRADED",
                    "warning",
                    f"Redundancy group {group}: {tunnel.peer} is down, "
                    f"{', '.join(t.peer for t in working)} still carries the traffic",
                    evidence=evidence,
                    remediation=(f"restore {tunnel.peer}: see the findings that follow",),
                )
                own = [
                    finding,
                    *(
                        replace(f, severity="warning") if f.severity == "critical" else f
                        for f in own
                    ),
                ]
                diagnosis = _with_findings(tunnel.diagnosis, own, keep_engine_verdict=False)
            else:
                finding = _finding(
                    "TUNNEL_REDUNDANCY_DEGRADED",
                    "critical",
                    f"Redundancy group {group}: every tunnel is down",
                    evidence=evidence,
                )
                diagnosis = _with_findings(tunnel.diagnosis, [*own, finding])
            result[index] = replace(tunnel, diagnosis=diagnosis)
    return result


@dataclass(frozen=True)
class HealthReport:
    """The engine's report for the device (hostname, version, notes) and the judged tunnels:
    expected ones first, in inventory order, then unexpected ones."""

    report: DiagnosisReport
    tunnels: tuple[TunnelHealth, ...]

    @property
    def expected(self) -> tuple[TunnelHealth, ...]:
        return tuple(t for t in self.tunnels if t.expected)


def evaluate(
    state: DeviceState,
    expected: tuple[ExpectedTunnel, ...] | None,
    *,
    rekey_threshold: int = DEFAULT_REKEY_THRESHOLD,
    timelines: Mapping[str, Timeline] | None = None,
) -> HealthReport:
    """Diagnose ``state`` and judge it against the expected tunnels (None: all found).

    ``timelines`` are what the previous run's state file adds (flapping, traffic since then).
    """
    report = diagnose(state, timelines=timelines)
    if report.role == "standby":  # its tunnels live on the active unit: skipped, not down
        return HealthReport(report=report, tunnels=())
    index = PeerIndex(state)  # one per evaluation: linear on hubs, private to this thread
    by_peer = {tunnel.peer: tunnel for tunnel in report.tunnels}
    wanted = expected if expected is not None else tuple(ExpectedTunnel(peer=p) for p in by_peer)
    tunnels: list[TunnelHealth] = []
    claimed: set[str] = set()
    for item in wanted:
        found = by_peer.get(item.peer) or (by_peer.get(item.name) if item.name else None)
        if found is not None:
            claimed.add(found.peer)
        tunnels.append(_expected_health(state, index, item, found, rekey_threshold))
    tunnels = _redundancy(tunnels)
    tunnels += [_unexpected(index, t) for t in report.tunnels if t.peer not in claimed]
    return HealthReport(report=report, tunnels=tuple(tunnels))
