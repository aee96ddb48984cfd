"""What every configuration check shares: the issue record, the per-peer context, and the
"was this output collected completely?" questions.

A check may only claim that something is *absent* (no tunnel-group, no NAT exemption, no
binding) when the command that would show it was collected and fully parsed; otherwise it
stays silent. That honesty rule lives here once, in :meth:`CheckContext.complete`, instead of
being re-implemented (or forgotten) in each check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

from vpn_doctor.config_models import (
    AccessListEntry,
    CryptoConfig,
    CryptoMapEntry,
    TunnelGroup,
    TunnelInterface,
)
from vpn_doctor.diagnose.findings import Finding, Severity
from vpn_doctor.diagnose.profiles import PeerProfile
from vpn_doctor.models import IpsecSa, ParseStatus


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in the configuration, in the shape of a Contract 2 finding.

    ``evidence`` quotes device lines verbatim; ``checks`` are read-only commands that confirm
    it; ``remediation`` holds the exact ASA configuration lines to change (never applied by
    the tool). ``meaning`` explains why it matters; ``check`` names the function that found it.
    """

    code: str
    severity: Severity
    title: str
    evidence: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    remediation: tuple[str, ...] = ()
    meaning: str = ""
    check: str = ""

    def to_finding(self, confidence: str = "likely") -> Finding:
        """The same issue as an engine :class:`~vpn_doctor.diagnose.findings.Finding`."""
        return Finding(
            code=self.code,
            severity=self.severity,
            title=self.title,
            meaning=self.meaning,
            evidence=self.evidence,
            checks=self.checks,
            remediation=self.remediation,
            confidence=confidence,
            source="config",
        )


# Which outputs carry which part of the configuration (normalised command prefixes).
_CRYPTO_ALL = ("show running-config crypto", "show running-config all crypto")
CRYPTO_MAP_SOURCES = (
    "show running-config crypto map",
    "show running-config all crypto map",
)
IKEV1_SOURCES = ("show running-config crypto ikev1", "show running-config crypto isakmp")
IKEV2_SOURCES = ("show running-config crypto ikev2",)
IPSEC_SOURCES = ("show running-config crypto ipsec",)
TUNNEL_GROUP_SOURCES = ("show running-config tunnel-group",)
NAT_SOURCES = ("show running-config nat", "show nat")
ROUTE_SOURCES = ("show route",)
SLA_SOURCES = ("show running-config sla monitor",)
GROUP_POLICY_SOURCES = ("show running-config group-policy",)
CERTIFICATE_SOURCES = ("show crypto ca certificates",)
INTERFACE_SOURCES = ("show running-config interface",)

_COMPLETE = (ParseStatus.OK, ParseStatus.EMPTY)


@dataclass(frozen=True)
class CheckContext:
    """The configuration seen from one peer: its crypto map entries, its IPsec SAs and the
    expected-peer profile (if any).

    ``now`` is the clock for time-dependent checks (certificate validity); None means the
    configuration's ``collected_at`` when known, else the current time (tests inject it).
    """

    config: CryptoConfig
    peer: str
    ipsec_sas: tuple[IpsecSa, ...] = ()
    profile: PeerProfile | None = None
    now: datetime | None = None

    def reference_time(self) -> datetime:
        """The instant certificate validity is judged at (timezone-aware, UTC)."""
        if self.now is not None:
            return self.now if self.now.tzinfo else self.now.replace(tzinfo=timezone.utc)
        if self.config.collected_at:
            try:
                when = datetime.fromisoformat(self.config.collected_at.replace("Z", "+00:00"))
            except ValueError:
                when = None
            if when is not None:
                return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
        return datetime.now(timezone.utc)

    @cached_property
    def entries(self) -> tuple[CryptoMapEntry, ...]:
        """Static crypto map entries naming the peer (dynamic maps cannot initiate). Cached
        on the instance (about 24 look-ups per tunnel; a hub has thousands of tunnels)."""
        return tuple(e for e in self.config.entries_for_peer(self.peer) if not e.is_dynamic)

    @property
    def vtis(self) -> tuple[TunnelInterface, ...]:
        """Tunnel interfaces (VTIs) whose ``tunnel destination`` is the peer."""
        return self.config.vtis_for_peer(self.peer)

    def complete(self, *prefixes: str, whole: bool = True) -> bool:
        """True when an output covering ``prefixes`` was collected and fully parsed.

        ``show running-config crypto`` covers every ``crypto ...`` sub-command. With
        ``whole=True`` the exact command (no argument such as an ACL name) is required,
        because ``show running-config tunnel-group 1.2.3.4`` says nothing about other peers.
        """
        for command, status in self.config.status.items():
            if status not in _COMPLETE:
                continue
            covers_crypto = any(p.startswith(_CRYPTO_ALL) for p in prefixes)
            if covers_crypto and command in _CRYPTO_ALL:
                return True
            for prefix in prefixes:
                if command == prefix or (not whole and command.startswith(prefix + " ")):
                    return True
        return False

    def acl_complete(self, name: str) -> bool:
        """The crypto ACL ``name`` was collected completely (all ACLs, or that one by name)."""
        return self.complete("show running-config access-list", "show access-list") or any(
            status in _COMPLETE and command.split()[-1] == name
            for command, status in self.config.status.items()
            if command.startswith(("show running-config access-list ", "show access-list "))
        )

    def crypto_interface(self, entry: CryptoMapEntry | None = None) -> str:
        """The interface facing the peer: the map binding, else the route to the peer, else
        ``outside``."""
        for candidate in (entry, *self.entries):
            if candidate is None:
                continue
            bound = self.config.interface_for_map(candidate.map_name)
            if bound:
                return bound
        route = self.config.route_for(self.peer)
        return route.interface if route and route.interface else "outside"

    def tunnel_group(self, name: str | None = None) -> TunnelGroup | None:
        return self.config.tunnel_group(name or self.peer)

    def sas(self) -> tuple[IpsecSa, ...]:
        return tuple(sa for sa in self.ipsec_sas if sa.peer == self.peer)


def permits(aces: tuple[AccessListEntry, ...]) -> tuple[AccessListEntry, ...]:
    """Active permit ACEs: what the crypto engine turns into proxy pairs."""
    return tuple(a for a in aces if a.action == "permit" and not a.inactive)


def lines_with(lines: tuple[str, ...], *needles: str) -> tuple[str, ...]:
    """The lines containing any of ``needles`` (evidence picked from a record's lines)."""
    return tuple(line for line in lines if any(n in line for n in needles))


def counter_lines(sa: IpsecSa) -> tuple[str, ...]:
    """The ``#pkts encaps`` / ``#pkts decaps`` lines of an IPsec SA block, stripped."""
    return tuple(line.strip() for line in lines_with(sa.lines, "#pkts encaps", "#pkts decaps"))
