"""Everything the playbook predicates may look at for one tunnel (one peer).

The engine groups the parsed device state by peer and hands each tunnel a
:class:`TunnelContext`: its IKE SAs, IPsec SAs, vpn-sessiondb sessions, the debug/syslog
evidence attributed to it, raw config outputs when collected, an optional expected-peer
profile, and a small view of the other tunnels (for redundancy checks).

Honesty about missing data lives here: :meth:`TunnelContext.require` raises
:class:`Undetermined` when a predicate needs to claim that something is *absent* but the
command that would show it was not collected or not understood. The engine turns that into
an ``unknown`` verdict, so a failed parse can never read as "no SA".

Predicates call :meth:`TunnelContext.cite` with the device lines that decided their answer;
those lines become the evidence of the finding at the end of the walk.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from vpn_doctor.asa.states import PHASE1_UP, is_phase1_up
from vpn_doctor.config_models import CryptoConfig, CryptoMapEntry
from vpn_doctor.diagnose.checks.base import ConfigIssue
from vpn_doctor.diagnose.timeline import TrafficWindow
from vpn_doctor.models import IkeSa, IpsecSa, ParseStatus, ProxyId, VpnSession

#: Kept for importers; the list itself is data (vpn_doctor.asa.states, vocabulary.yaml).
ACTIVE_IKE_STATES = PHASE1_UP

# Which command each data source comes from (for "could not determine" messages).
SOURCE_COMMANDS = {
    "ike": "show crypto isakmp sa",
    "ipsec": "show crypto ipsec sa",
    "sessions": "show vpn-sessiondb detail l2l",
}


class Undetermined(Exception):  # a signal for the engine, not an error for the user
    """A predicate could not answer: the output it needs is missing, failed or partial."""

    def __init__(self, source: str, command: str, status: str, detail: str = "") -> None:
        self.source = source
        self.command = command
        self.status = status
        self.detail = detail
        super().__init__(f"{command}: {status}{': ' + detail if detail else ''}")


@dataclass(frozen=True)
class Evidence:
    """A debug/syslog line recognised by :mod:`vpn_doctor.diagnose.messages`, in our own shape.

    The engine adapts ``debuglog.DebugEvidence`` into this so predicates do not depend on
    the catalogue's internals. ``implies`` is a finding code or None; ``strength`` is
    ``decisive`` (may override the state-based guess) or ``supporting`` (confirms it).
    """

    pattern_id: str
    line: str
    title: str = ""
    meaning: str = ""
    implies: str | None = None
    phase: str = ""
    strength: str = "supporting"
    confidence: str = ""
    peer: str | None = None


@dataclass(frozen=True)
class SourceStatus:
    """How far we can trust one data source (a parsed command output)."""

    command: str
    status: ParseStatus
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return self.status in (ParseStatus.OK, ParseStatus.EMPTY)


@dataclass(frozen=True)
class PeerSummary:
    """What another tunnel looks like, for pair/redundancy predicates."""

    peer: str
    phase1_up: bool
    phase2_up: bool
    lines: tuple[str, ...] = ()  # its state lines and the debug/syslog lines naming it


@dataclass(frozen=True)
class TunnelContext:
    """Per-tunnel view handed to every predicate (see the module docstring)."""

    peer: str
    ike_sas: tuple[IkeSa, ...] = ()
    ipsec_sas: tuple[IpsecSa, ...] = ()
    sessions: tuple[VpnSession, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    debug_lines: tuple[str, ...] = ()
    raw: dict[str, str] = field(default_factory=dict)  # command -> output, as collected
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    crypto: CryptoConfig | None = None  # parsed configuration, when any was collected
    map_entries: tuple[CryptoMapEntry, ...] = ()  # crypto map entries naming this peer
    profile: Any = None  # vpn_doctor.diagnose.predicates.PeerProfile | None (kept loose: no cycle)
    aws_hints: tuple[str, ...] = ()  # why we think the peer is AWS (device lines)
    others: tuple[PeerSummary, ...] = ()
    pairs: tuple[str, ...] = ()  # redundant partners: both should be up (AWS VTI pair)
    failover: tuple[str, ...] = ()  # alternates on the same crypto map entry (one up at a time)
    # What vpn_doctor.diagnose.checks.run found in the configuration for this peer (engine-computed
    # once per tunnel; predicates ask about it, conclude merges it into the findings).
    config_issues: tuple[ConfigIssue, ...] = ()
    # packet-tracer facts for this peer's traffic (vpn_doctor.diagnose.packet_tracer), when it was
    # run.
    trace_facts: tuple[str, ...] = ()
    trace_command: str = ""
    # What several samples showed (watch, diagnose --samples, check between runs); None for
    # a single sample, and the predicates then read the counters since the SA's birth.
    window: TrafficWindow | None = None
    citations: list[str] = field(default_factory=list, compare=False, repr=False)

    # ---- honesty about data -------------------------------------------------------------
    def require(self, source: str, detail: str = "") -> None:
        """Raise :class:`Undetermined` unless ``source`` can be trusted to be complete."""
        status = self.sources.get(source)
        if status is None:
            raise Undetermined(source, SOURCE_COMMANDS.get(source, source), "missing", detail)
        if not status.usable:
            raise Undetermined(source, status.command, status.status.value, detail)

    def cite(self, *lines: str) -> None:
        """Record device lines that decided a predicate; they become finding evidence."""
        for line in lines:
            text = line.rstrip()
            if text and text not in self.citations:
                self.citations.append(text)

    def empty_marker(self, source: str) -> tuple[str, ...]:
        """The device's own "nothing here" line for a source, e.g. 'There are no ipsec sas'.

        Quoted as evidence when a finding rests on absence. Falls back to the first line of
        the output when no "There are no" line is present (e.g. an IKEv1-only section).
        """
        status = self.sources.get(source)
        if status is None:
            return ()
        lines = [line.strip() for line in self.raw.get(status.command, "").splitlines()]
        lines = [line for line in lines if line]
        marked = tuple(line for line in lines if line.lower().startswith("there are no"))
        return marked or tuple(lines[:1])

    def config_text(self, prefix: str) -> str | None:
        """Raw output of the first collected command starting with ``prefix`` (or None)."""
        wanted = _canonical(prefix)
        for command, text in self.raw.items():
            if _canonical(command).startswith(wanted):
                return text
        return None

    # ---- convenient views ---------------------------------------------------------------
    @property
    def primary_ike(self) -> IkeSa | None:
        """The IKE SA that represents the tunnel: an active, non-rekey one if there is one."""
        if not self.ike_sas:
            return None
        for sa in self.ike_sas:
            if is_phase1_up(sa.state) and not sa.rekey:
                return sa
        for sa in self.ike_sas:
            if is_phase1_up(sa.state):
                return sa
        return self.ike_sas[0]

    @property
    def phase1_up(self) -> bool:
        if not self.ike_sas and self.session_ike_version is not None:
            return True  # sessiondb lists established phase 1 SAs only
        return any(is_phase1_up(sa.state) for sa in self.ike_sas)

    @property
    def session_ike_version(self) -> int | None:
        """IKE version of the phase 1 part of this peer's vpn-sessiondb session (None: none).

        sessiondb lists established SAs only, so an IKE part there means phase 1 is up even
        when `show crypto isakmp sa` is missing or was cut."""
        for session in self.sessions:
            if session.ike:
                return 2 if "IKEV2" in session.protocol.upper() else 1
        return None

    def session_lines(self, *keys: str) -> list[str]:
        """Lines of this peer's sessions containing one of ``keys``."""
        return [ln for s in self.sessions for ln in s.lines if any(k in ln for k in keys)]

    @property
    def encaps(self) -> int:
        return sum(sa.pkts_encaps for sa in self.ipsec_sas)

    @property
    def decaps(self) -> int:
        return sum(sa.pkts_decaps for sa in self.ipsec_sas)

    def facts(self) -> dict[str, str]:
        """Values for ``{placeholders}`` in playbook step texts and checks."""
        ike = self.primary_ike
        ipsec = self.ipsec_sas[0] if self.ipsec_sas else None
        return {
            "peer": self.peer,
            "ike_state": ike.state if ike else "none",
            "ike_role": (ike.role or "unknown") if ike else "none",
            "ike_version": f"IKEv{ike.ike_version}" if ike else "none",
            "ike_states": ", ".join(sa.state for sa in self.ike_sas) or "none",
            "ike_count": str(len(self.ike_sas)),
            "ipsec_count": str(len(self.ipsec_sas)),
            "session_ipsec_count": str(sum(len(s.ipsec) for s in self.sessions)),
            "encaps": str(self.encaps),
            "decaps": str(self.decaps),
            "send_errors": str(sum(sa.send_errors for sa in self.ipsec_sas)),
            "recv_errors": str(sum(sa.recv_errors for sa in self.ipsec_sas)),
            "local_proxy": str(ipsec.local_ident) if ipsec and ipsec.local_ident else "?",
            "remote_proxy": str(ipsec.remote_ident) if ipsec and ipsec.remote_ident else "?",
            "pfs_group": (ipsec.pfs_group or "none") if ipsec else "?",
            "transform": (ipsec.transform or "?") if ipsec else "?",
            "pair": ", ".join(self.pairs) or "none",
            "failover": ", ".join(self.failover) or "none",
            "failover_pair": f" (set peer ... {' '.join(self.failover)})" if self.failover else "",
            **self._window_facts(),
        }

    def _window_facts(self) -> dict[str, str]:
        window = self.window
        if window is None or not window.comparable:
            since_birth = f"since the SA was created: encaps {self.encaps}, decaps {self.decaps}"
        else:
            since_birth = (
                f"over the last {window.seconds:.0f}s (same SPIs): encaps +{window.encaps_delta}, "
                f"decaps +{window.decaps_delta}"
            )
        if window is None:
            return (
                {"traffic": since_birth}
                | dict.fromkeys(
                    (
                        "window_seconds",
                        "watched_seconds",
                        "encaps_delta",
                        "decaps_delta",
                        "teardowns",
                        "rebuilds",
                    ),
                    "?",
                )
                | {"teardown_reasons": "none"}
            )
        return {
            "traffic": since_birth,
            "window_seconds": f"{window.seconds:.0f}",
            "watched_seconds": f"{window.watched:.0f}",
            "encaps_delta": str(window.encaps_delta),
            "decaps_delta": str(window.decaps_delta),
            "teardowns": str(window.teardowns),
            "rebuilds": str(window.rebuilds),
            "teardown_reasons": ", ".join(window.teardown_reasons) or "none logged",
        }


def _canonical(command: str) -> str:
    """Lower-case, single-spaced, with `show run` spelled out as `show running-config`."""
    text = " ".join(command.split()).lower()
    if text.startswith("show run ") or text == "show run":
        text = "show running-config" + text[len("show run") :]
    return text


FACT_NAMES: frozenset[str] = frozenset(TunnelContext(peer="").facts())


def proxy_network(proxy: ProxyId | None) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A proxy identity as a network, or None when it is not an address/mask pair."""
    if proxy is None:
        return None
    try:
        return ipaddress.ip_network(f"{proxy.address}/{proxy.mask}", strict=False)
    except ValueError:
        return None


def is_any_proxy(proxy: ProxyId | None) -> bool:
    """0.0.0.0/0.0.0.0: what AWS proposes by default (its tunnel options' Network CIDRs)."""
    net = proxy_network(proxy)
    return net is not None and net.prefixlen == 0
