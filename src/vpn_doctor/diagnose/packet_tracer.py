"""packet-tracer: build the command that simulates the tunnel's traffic, and read the answer.

packet-tracer is the one read-only command that answers "what does this firewall do to a
packet from the local network to the peer's network right now": is it NATed first, does it
match a crypto map (a ``Type: VPN`` / ``Subtype: encrypt`` phase), is it dropped and why. It
also makes the ASA start the tunnel (it is the debug ``--trigger``), so it is built from the
configuration rather than typed by hand: first host of each side of the peer's crypto ACL,
entering on the interface the local network sits behind.

:func:`interpret_packet_tracer` turns a parsed run into plain facts that quote the device
lines, for finding evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network

from vpn_doctor.asa.config_lines import ANY, first_host, side_network
from vpn_doctor.config_models import CryptoConfig, PacketTracerPhase, PacketTracerResult

DEFAULT_INSIDE = "inside"


@dataclass(frozen=True)
class TraceFlow:
    """The simulated flow: ``packet-tracer input <interface> icmp <source> 8 0 <destination>``."""

    interface: str
    source: str
    destination: str

    @property
    def command(self) -> str:
        return (
            f"packet-tracer input {self.interface} icmp {self.source} 8 0 "
            f"{self.destination} detailed"
        )


def _own_addresses(config: CryptoConfig) -> frozenset[str]:
    """The ASA's own interface addresses (``L`` routes): never a useful simulated host."""
    return frozenset(r.network for r in config.routes if r.code.split()[0] == "L")


def _local_network(config: CryptoConfig, crypto_if: str) -> IPv4Network | None:
    """For an ``any`` source: the first directly connected network not facing the peer."""
    for route in config.routes:
        if route.code.split()[0] == "C" and route.interface and route.interface != crypto_if:
            try:
                return IPv4Network(f"{route.network}/{route.mask}", strict=False)
            except ValueError:
                continue
    return None


def _inside_interface(config: CryptoConfig, host: str, crypto_if: str) -> str:
    route = config.route_for(host)
    if route is not None and route.interface and route.interface != crypto_if:
        return route.interface
    for rule in config.nat_rules:
        if rule.mapped_interface == crypto_if and rule.real_interface not in ("", crypto_if):
            return rule.real_interface
    return DEFAULT_INSIDE


def trace_flow(config: CryptoConfig, peer: str) -> TraceFlow | None:
    """The flow to simulate for ``peer``, or None when the crypto ACL gives no literal pair
    (no entry for the peer, ACL not collected, object groups without expansion)."""
    entries = [e for e in config.entries_for_peer(peer) if not e.is_dynamic and e.match_address]
    own = _own_addresses(config)
    for entry in entries:
        crypto_if = config.interface_for_map(entry.map_name) or "outside"
        aces = [a for a in config.acl_hits(entry.match_address) if a.expanded]
        aces = [*config.acl(entry.match_address), *aces]
        for ace in aces:
            if ace.action != "permit" or ace.inactive or ace.protocol not in ("ip", "icmp"):
                continue
            src, dst = side_network(ace.source), side_network(ace.destination)
            if src == ANY:
                src = _local_network(config, crypto_if)
            if src is None or dst is None or dst == ANY:
                continue
            source = first_host(src, own)
            return TraceFlow(
                _inside_interface(config, source, crypto_if), source, first_host(dst, own)
            )
    return None


def build_packet_tracer_command(config: CryptoConfig, peer: str) -> str | None:
    """``packet-tracer input <inside-if> icmp <local-host> 8 0 <remote-host> detailed`` for the
    peer's first crypto ACL line, or None when it cannot be built from the configuration."""
    flow = trace_flow(config, peer)
    return flow.command if flow else None


# ---- reading the result -----------------------------------------------------------------------


def _quote(phase: PacketTracerPhase) -> str:
    subtype = f" Subtype: {phase.subtype}" if phase.subtype else ""
    return f"Phase {phase.number}: Type: {phase.type}{subtype} Result: {phase.result}"


def _is_identity_nat(line: str) -> bool:
    """``nat (a,b) source static X X destination static Y Y ...``: translated to itself."""
    words = line.split()
    try:
        s = words.index("source")
        d = words.index("destination")
    except ValueError:
        return False
    return (
        words[s + 1 : s + 2] == ["static"]
        and words[s + 2 : s + 3] == words[s + 3 : s + 4]
        and words[d + 1 : d + 2] == ["static"]
        and words[d + 2 : d + 3] == words[d + 3 : d + 4]
    )


def _nat_facts(phase: PacketTracerPhase) -> list[str]:
    rule = next((c for c in phase.config if c.startswith("nat ")), "")
    translate = next((e for e in phase.extra if "translate" in e.lower()), "")
    if not rule:
        return [f"{_quote(phase)}: {translate}" if translate else _quote(phase)]
    if _is_identity_nat(rule):
        return [f"NAT exemption applies (identity NAT, phase {phase.number}): {rule}"]
    return [
        f"Translated before encryption (phase {phase.number}): {rule}"
        + (f" ({translate})" if translate else "")
        + "; the crypto ACL is matched against the translated address"
    ]


def interpret_packet_tracer(result: PacketTracerResult) -> list[str]:
    """Verdict facts of one run, each quoting the device: does the flow match a crypto map,
    is it NATed first, is it dropped and why. Ordered as the packet travels, verdict last."""
    facts: list[str] = []
    for phase in result.phases:
        if phase.type == "ROUTE-LOOKUP":
            hop = next((e for e in phase.extra if "egress ifc" in e), "")
            if hop:
                facts.append(f"Route lookup (phase {phase.number}): {' '.join(hop.split())}")
        elif phase.type in ("NAT", "UN-NAT") and phase.result == "ALLOW":
            facts.extend(_nat_facts(phase))
        elif phase.type == "VPN" and phase.subtype.startswith("encrypt"):
            if phase.result == "ALLOW":
                facts.append(f"Matches a crypto map: {_quote(phase)}")
            else:
                facts.append(
                    f"Matches a crypto map but the tunnel is not built: {_quote(phase)} "
                    "(a first run while IKE is still negotiating can drop; run it again)"
                )
    drop = result.first_drop
    if result.phases and not result.vpn_phases:
        if drop is None:
            facts.append(
                "No VPN phase: the flow leaves unencrypted and matches no crypto map (crypto "
                "ACL, NAT before encryption, route out of another interface, or map not bound)"
            )
        else:
            facts.append("Dropped before any VPN phase: the crypto map was never consulted")
    if drop is not None and drop.type != "VPN":
        config = f" ({drop.config[0]})" if drop.config else ""
        facts.append(f"Dropped at phase {drop.number} {drop.type}{config}: {_quote(drop)}")
    if result.action == "drop":
        reason = f" Drop-reason: {result.drop_reason}" if result.drop_reason else ""
        facts.append(f"Action: drop.{reason}")
    elif result.action == "allow":
        out = f" output-interface: {result.output_interface}" if result.output_interface else ""
        facts.append(f"Action: allow.{out}")
    else:
        facts.append("The output ends before the final Action: the verdict is unknown")
    return facts
