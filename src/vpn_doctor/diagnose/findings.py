"""What a diagnosis concludes: findings per tunnel, and the report for one device.

These frozen dataclasses are the engine's output and the only input of the renderers
(:mod:`vpn_doctor.report.formats`, :mod:`vpn_doctor.report.rich_view`). ``to_contract_dict()``
produces
Contract 2 (``DESIGN.md``) exactly: the keys it promises, in a fixed order, plus documented
extras (``meaning``, ``alternatives``, ``confidence``, ``source``, ``notes``) which Contract 2
allows ("add fields, never rename").

Verdicts: Contract 2 names ``up | degraded | down``. We add ``unknown``: the outputs needed to
decide were missing, failed to parse or were only partly parsed. A parse failure must never
read as "no SA", so such a tunnel is ``unknown`` (exit 3), never ``down``.

Exit code precedence (worst wins), from :func:`exit_code_for_verdicts`::

    down (2)  >  unknown (3)  >  degraded (1)  >  up (0)

A confirmed outage is the most actionable state, so it outranks "could not determine"; an
undetermined tunnel might be down, so it outranks a merely degraded one. A report with no
tunnels at all exits 3: there was nothing to judge, which is not "healthy".
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from vpn_doctor.errors import ExitCode

if TYPE_CHECKING:
    from vpn_doctor.diagnose.timeline import TimelineEvent

Severity = Literal["critical", "warning", "info"]
Verdict = Literal["up", "degraded", "down", "unknown"]

SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")
VERDICTS: tuple[Verdict, ...] = ("up", "degraded", "down", "unknown")

# Contract 3: every code the playbooks must be able to name (DESIGN.md, in that order).
CONTRACT3_CODES: tuple[str, ...] = (
    "IKE_NO_SA",
    "IKE_NO_RESPONSE",
    "IKE_PROPOSAL_MISMATCH",
    "IKE_KEY_EXCHANGE_STALLED",
    "IKE_AUTH_FAILED",
    "IKE_NAT_T_BLOCKED",
    "IKE_AGGRESSIVE_MODE",
    "IKE_VERSION_MISMATCH",
    "IKE_CERT_PEER_ID",
    "IKE_CERT_INVALID",
    "IPSEC_PROXY_MISMATCH",
    "IPSEC_AWS_SINGLE_SA",
    "IPSEC_TRANSFORM_MISMATCH",
    "IPSEC_PFS_MISMATCH",
    "IPSEC_NO_SA",
    "IPSEC_ONE_WAY",
    "IPSEC_NAT_IN_TUNNEL",
    "IPSEC_ERRORS",
    "TUNNEL_RESPONDER_CANNOT_INITIATE",
    "TUNNEL_REDUNDANCY_DEGRADED",
    "TUNNEL_PROFILE_DEVIATION",
    "TUNNEL_OVERLAPPING_SUBNETS",
    "TUNNEL_HEALTHY",
    # Contract 3 additions (2026-12), read from several samples (watch, --samples, check):
    "TUNNEL_FLAPPING",
    "IPSEC_NO_TRAFFIC",
)
# The codes only several samples can show (their mock scenarios move with time).
SAMPLED_CODES: tuple[str, ...] = ("TUNNEL_FLAPPING", "IPSEC_NO_TRAFFIC")

# Added by the engine itself (an extension of Contract 3, documented in INTERFACES.md):
# the outputs needed to follow the tree were missing or not understood.
DIAGNOSIS_INCOMPLETE = "DIAGNOSIS_INCOMPLETE"
# Contract 3 additions (shared/DESIGN.md, 2026-12) the tunnel diagnosis produces.
TUNNEL_CRYPTO_MAP_INCOMPLETE = "TUNNEL_CRYPTO_MAP_INCOMPLETE"
# The route-based counterpart: the peer's VTI names no (defined) ipsec profile, or the profile
# no (defined) transform set / proposal.
TUNNEL_VTI_INCOMPLETE = "TUNNEL_VTI_INCOMPLETE"
ENGINE_CODES: tuple[str, ...] = (
    DIAGNOSIS_INCOMPLETE,
    TUNNEL_CRYPTO_MAP_INCOMPLETE,
    TUNNEL_VTI_INCOMPLETE,
)
# Contract 3 additions (2026-12) about the device rather than a tunnel: they go in the JSON
# report's ``device.findings`` (Contract 2 additions) and never change a tunnel's verdict.
DEVICE_DEBUG_LEFT_ON = "DEVICE_DEBUG_LEFT_ON"
DEVICE_STANDBY_UNIT = "DEVICE_STANDBY_UNIT"
DEVICE_CODES: tuple[str, ...] = (DEVICE_DEBUG_LEFT_ON, DEVICE_STANDBY_UNIT)
ALL_CODES: tuple[str, ...] = CONTRACT3_CODES + ENGINE_CODES + DEVICE_CODES
# An info note: the configuration has a problem that is not the current cause (the tunnel is
# up, or the walk found another cause). Its own code, so a healthy tunnel carries no fault code.
# Not a playbook code (no catalogue entry): vpn_doctor.diagnose.config_evidence makes it.
CONFIG_NOTE = "CONFIG_NOTE"

#: The one verdict precedence, worst first (see the module docstring): exit codes, fleet
#: states and every "worst of" in the project derive from it.
VERDICT_PRECEDENCE: tuple[Verdict, ...] = ("down", "unknown", "degraded", "up")
#: Severities, most severe first (SEVERITIES is in that order): sorting findings and issues.
_SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_VERDICT_EXIT: dict[str, int] = {
    "up": ExitCode.OK,
    "degraded": ExitCode.DEGRADED,
    "down": ExitCode.DOWN,
    "unknown": ExitCode.UNKNOWN,
}


def peer_sort_key(peer: str) -> tuple[int, int, str]:
    """Addresses numerically (10.0.0.2 before 10.0.0.10), IPv4 before IPv6, names last."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return (9, 0, peer)
    return (address.version, int(address), peer)


def default_verdict(severity: str) -> Verdict:
    """The tunnel verdict a finding implies when its playbook leaf does not say."""
    return {"critical": "down", "warning": "degraded"}.get(severity, "up")  # type: ignore[return-value]


def severity_rank(severity: str) -> int:
    """Sort key, most severe first: critical 0, warning 1, info 2, anything else after."""
    return _SEVERITY_RANK.get(severity, len(SEVERITIES))


def verdict_rank(verdict: str) -> int:
    """Sort key, worst first: down 0, unknown 1, degraded 2, up 3 (an unrecognised verdict
    counts as unknown: it was not judged)."""
    return VERDICT_PRECEDENCE.index(verdict) if verdict in VERDICT_PRECEDENCE else 1


def worst_verdict(verdicts: list[str] | tuple[str, ...]) -> Verdict:
    """Worst of several verdicts by the precedence in the module docstring."""
    if not verdicts:
        return "unknown"
    return VERDICT_PRECEDENCE[min(verdict_rank(v) for v in verdicts)]


def verdict_exit_code(verdict: str) -> int:
    """The exit code (and Nagios state) of one verdict: 0 up, 1 degraded, 2 down, 3 unknown."""
    return _VERDICT_EXIT.get(verdict, ExitCode.UNKNOWN)


def exit_code_for_verdicts(verdicts: list[str] | tuple[str, ...]) -> int:
    """0 all up, 1 any degraded, 2 any down, 3 could not determine (or nothing to judge)."""
    return _VERDICT_EXIT[worst_verdict(verdicts)]


@dataclass(frozen=True)
class Finding:
    """One possible root cause, with the device lines that support it.

    ``evidence`` quotes the device verbatim; ``checks`` are read-only commands that confirm
    or rule the cause out; ``remediation`` is what an engineer would change (never applied).
    ``alternatives`` names other codes that fit the same evidence: each of those findings
    carries the check that separates it from this one.
    """

    code: str
    severity: Severity
    title: str
    meaning: str = ""
    evidence: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    remediation: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    confidence: str = "likely"  # "confirmed" | "likely" | "possible"
    source: str = "state"  # "state" | "debug" | "alternative" | "engine"

    def to_contract_dict(self) -> dict[str, Any]:
        """Contract 2 finding: the six promised keys first, then our documented extras."""
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "evidence": list(self.evidence),
            "checks": list(self.checks),
            "remediation": list(self.remediation),
            "meaning": self.meaning,
            "alternatives": list(self.alternatives),
            "confidence": self.confidence,
            "source": self.source,
        }


@dataclass(frozen=True)
class PathStep:
    """One decision (or the final conclusion) on the walk through the playbook tree.

    ``text`` is the human-readable step; ``answer`` is True/False for a decision, None for
    the leaf or for a step that could not be decided. ``shown`` is False for quiet steps
    (a "no" in a chain of state checks) that the rich tree shows but the JSON path omits.
    """

    node: str
    text: str
    answer: bool | None = None
    shown: bool = True


@dataclass(frozen=True)
class TunnelDiagnosis:
    """The diagnosis of one tunnel (one peer)."""

    peer: str
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    steps: tuple[PathStep, ...] = ()
    phase1: dict[str, Any] = field(default_factory=dict)
    phase2: dict[str, Any] = field(default_factory=dict)
    # Contract 2 (2026-12) ``name``: tunnel-group and crypto map name/sequence, or the VTI.
    name: str = ""
    # Configuration names (crypto_map, seq, acl, tunnel_group, interface, vti): what a
    # remediation block needs to be paste-able (vpn_doctor.diagnose.naming).
    names: dict[str, str] = field(default_factory=dict)
    # Contract 2 (2026-12) ``timeline``: what changed between samples (empty: one sample).
    timeline: tuple[TimelineEvent, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        """Contract 2 ``path``: the shown steps of the walk, in order."""
        return tuple(step.text for step in self.steps if step.shown)

    @property
    def root_cause(self) -> Finding | None:
        """``findings[0]``: the most likely root cause."""
        return self.findings[0] if self.findings else None

    def to_contract_dict(self) -> dict[str, Any]:
        return {
            "peer": self.peer,
            "verdict": self.verdict,
            "phase1": dict(self.phase1),
            "phase2": dict(self.phase2),
            "path": list(self.path),
            "findings": [finding.to_contract_dict() for finding in self.findings],
            "name": self.name,
            "timeline": [event.to_contract_dict() for event in self.timeline],
            "names": dict(self.names),
        }


@dataclass(frozen=True)
class DiagnosisReport:
    """Everything concluded about one device: Contract 2 in memory."""

    hostname: str = ""
    version: str = ""
    tunnels: tuple[TunnelDiagnosis, ...] = ()
    notes: tuple[str, ...] = ()  # device-level remarks (e.g. nothing found, parse problems)
    source: str = ""  # Contract 2 (2026-12): "live" | "snapshot" | "log" ("" not known)
    # Contract 2 additions (2026-12); the CLI fills them from what it collected.
    tool_version: str = ""
    collected_at: str = ""  # ISO 8601, UTC
    host: str = ""  # what the user typed (HOST, or the snapshot / log path)
    role: str = "standalone"  # standalone | active | standby
    context: str | None = None  # multi-context name
    device_findings: tuple[Finding, ...] = ()  # e.g. DEVICE_DEBUG_LEFT_ON
    partial: bool = False  # built from a collection that stopped early (a drop, a signal)

    def to_contract_dict(self) -> dict[str, Any]:
        """Contract 2: ``schema``, ``device``, ``tunnels`` (sorted by peer), then extras."""
        return {
            "schema": 1,
            "device": {
                "hostname": self.hostname,
                "version": self.version,
                "host": self.host,
                "role": self.role,
                "context": self.context,
                "findings": [f.to_contract_dict() for f in self.device_findings],
            },
            "tunnels": [tunnel.to_contract_dict() for tunnel in self.tunnels],
            "notes": list(self.notes),
            "source": self.source,
            "partial": self.partial,
            "tool_version": self.tool_version,
            "collected_at": self.collected_at or None,
        }

    @property
    def verdict(self) -> Verdict:
        """Worst tunnel verdict; ``unknown`` when there are no tunnels."""
        return worst_verdict([tunnel.verdict for tunnel in self.tunnels])

    def exit_code(self) -> int:
        """Process exit code for this report (see the module docstring for precedence).

        The standby unit of a failover pair is OK-but-skipped (0): nothing is wrong with it.
        """
        if self.role == "standby" and not self.tunnels:
            return 0
        return exit_code_for_verdicts([tunnel.verdict for tunnel in self.tunnels])
