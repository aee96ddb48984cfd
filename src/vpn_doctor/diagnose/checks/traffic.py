"""Checks on *which traffic* the tunnel carries: the crypto ACL against the negotiated proxies
and the routes (mirror, swapped, overlapping), the NAT exemption that keeps protected traffic
untranslated, AWS's one-SA rule, and the keepalive a non-initiating peer needs.

Object-group ACEs are analysed through their ``show access-list`` expansion when it was
collected; ACE sides that stay objects are skipped rather than guessed.
"""

from __future__ import annotations

from ipaddress import IPv4Network

from vpn_doctor.asa.config_lines import (
    ANY,
    ace_address,
    ace_text,
    first_host,
    is_any,
    object_lines,
    object_name,
    overlaps,
    proxy_network,
    side_network,
)
from vpn_doctor.config_models import AccessListEntry, AclAddress, CryptoMapEntry, NatRule
from vpn_doctor.diagnose.checks.base import (
    GROUP_POLICY_SOURCES,
    NAT_SOURCES,
    ROUTE_SOURCES,
    SLA_SOURCES,
    CheckContext,
    ConfigIssue,
    counter_lines,
    permits,
)

Pair = tuple[AccessListEntry, IPv4Network, IPv4Network]


def _aces(ctx: CheckContext, entry: CryptoMapEntry) -> tuple[AccessListEntry, ...]:
    return permits(ctx.config.acl(entry.match_address)) if entry.match_address else ()


def _pairs(ctx: CheckContext, entry: CryptoMapEntry) -> list[Pair]:
    """(ACE, source network, destination network) for every ACE with literal sides, using the
    object-group expansion from ``show access-list`` where the configured ACE names objects."""
    expanded = [a for a in permits(ctx.config.acl_hits(entry.match_address)) if a.expanded]
    pairs: list[Pair] = []
    for ace in _aces(ctx, entry):
        src, dst = side_network(ace.source), side_network(ace.destination)
        if src is not None and dst is not None:
            pairs.append((ace, src, dst))
            continue
        for child in expanded:
            if child.line is not None and child.line == ace.line:
                csrc, cdst = side_network(child.source), side_network(child.destination)
                if csrc is not None and cdst is not None:
                    pairs.append((child, csrc, cdst))
    return pairs


def _remote_networks(ctx: CheckContext, entry: CryptoMapEntry) -> list[IPv4Network]:
    nets = [dst for _, _, dst in _pairs(ctx, entry) if dst != ANY]
    if not nets:
        nets = [n for sa in ctx.sas() if (n := proxy_network(sa.remote_ident)) and n != ANY]
    return list(dict.fromkeys(nets))


def _side(ctx: CheckContext, network: IPv4Network, crypto_if: str) -> str:
    """'local' / 'remote' by the route to the network's first host; '' when unknown."""
    if network == ANY or not ctx.complete(*ROUTE_SOURCES, whole=False):
        return ""
    route = ctx.config.route_for(str(network.network_address))
    if route is None or not route.interface:
        return ""
    return "remote" if route.interface == crypto_if else "local"


def _swapped(ctx: CheckContext, src: IPv4Network, dst: IPv4Network, crypto_if: str) -> bool:
    """Source routed towards the peer and destination routed inside (and the two distinct:
    overlapping sides are the overlap problem, not a swap)."""
    return (
        not overlaps(src, dst)
        and _side(ctx, src, crypto_if) == "remote"
        and _side(ctx, dst, crypto_if) == "local"
    )


def _route_lines(ctx: CheckContext, *networks: IPv4Network) -> tuple[str, ...]:
    lines: list[str] = []
    for net in networks:
        route = ctx.config.route_for(str(net.network_address))
        if route is not None:
            lines.extend(route.lines)
    return tuple(lines)


def _inside_interface(ctx: CheckContext, network: IPv4Network | None, crypto_if: str) -> str:
    """The interface the local network sits behind: its route, else a NAT rule towards the
    crypto interface, else ``inside``."""
    if network is not None and network != ANY:
        route = ctx.config.route_for(str(network.network_address))
        if route is not None and route.interface and route.interface != crypto_if:
            return route.interface
    for rule in ctx.config.nat_rules:
        if rule.mapped_interface == crypto_if and rule.real_interface not in ("", crypto_if):
            return rule.real_interface
    return "inside"


# ---- proxies: mirror images, swapped, overlapping -----------------------------------------------


def _swap_fix(ace: AccessListEntry) -> tuple[str, ...]:
    return (ace_text(ace, swap=True), f"no {ace_text(ace)}")


def check_crypto_acl_exists(ctx: CheckContext) -> list[ConfigIssue]:
    """``match address`` naming an ACL that does not exist encrypts nothing."""
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        name = entry.match_address
        if not name or ctx.config.acl(name) or not ctx.acl_complete(name):
            continue
        issues.append(
            ConfigIssue(
                "IKE_NO_SA",
                "critical",
                f"Crypto ACL {name} of {entry.map_name} {entry.seq} does not exist",
                tuple(line for line in entry.lines if "match address" in line),
                (f"show running-config access-list {name}",),
                (
                    f"access-list {name} extended permit ip "
                    "<local network> <mask> <remote network> <mask>",
                ),
                "No traffic matches an empty crypto ACL, so the ASA never starts the tunnel and "
                "rejects the peer's phase 2 proposals.",
            )
        )
    return issues


def check_proxy_mirror(ctx: CheckContext) -> list[ConfigIssue]:
    """Crypto ACL lines against the routes and the negotiated IPsec SA proxies.

    A line whose source is routed out of the crypto interface and whose destination is routed
    inside has source and destination swapped: the ASA proposes (and accepts) the reverse of
    what the peer does, which the peer rejects with 713061 / "Invalid ID info".
    """
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        crypto_if = ctx.crypto_interface(entry)
        pairs = _pairs(ctx, entry)
        swapped: list[Pair] = [
            (ace, src, dst) for ace, src, dst in pairs if _swapped(ctx, src, dst, crypto_if)
        ]
        if swapped:
            evidence = [ace.raw for ace, _, _ in swapped]
            for _, src, dst in swapped:
                evidence.extend(_route_lines(ctx, src, dst))
            issues.append(
                ConfigIssue(
                    "IPSEC_PROXY_MISMATCH",
                    "critical",
                    f"Crypto ACL {entry.match_address} has source and destination swapped",
                    tuple(dict.fromkeys(evidence)),
                    (
                        f"show running-config access-list {entry.match_address}",
                        f"show route {swapped[0][1].network_address}",
                        f"show crypto ipsec sa peer {ctx.peer}",
                    ),
                    tuple(line for ace, _, _ in swapped for line in _swap_fix(ace)),
                    "The source of a crypto ACL line must be the local network (routed inside) "
                    "and the destination the peer's network (routed out of "
                    f"{crypto_if}). Swapped lines never mirror the peer's ACL: phase 1 comes up "
                    "and phase 2 is rejected ('no matching crypto map entry', QM FSM error).",
                )
            )
        issues.extend(_sa_proxy_issues(ctx, entry, pairs))
    return issues


def _sa_proxy_issues(
    ctx: CheckContext, entry: CryptoMapEntry, pairs: list[Pair]
) -> list[ConfigIssue]:
    """IPsec SAs whose proxies no ACE covers (reversed: swapped; otherwise stale)."""
    issues: list[ConfigIssue] = []
    if not pairs:
        return issues
    for sa in ctx.sas():
        local, remote = proxy_network(sa.local_ident), proxy_network(sa.remote_ident)
        if local is None or remote is None:
            continue
        if any(local.subnet_of(s) and remote.subnet_of(d) for _, s, d in pairs):
            continue
        reversed_ = [p for p in pairs if p[1] == remote and p[2] == local]
        ident = tuple(line.strip() for line in sa.lines if "ident (addr/mask/prot/port)" in line)
        issues.append(
            ConfigIssue(
                "IPSEC_PROXY_MISMATCH",
                "critical" if reversed_ else "warning",
                f"IPsec SA proxies {local} <-> {remote} are "
                + ("the reverse of" if reversed_ else "not covered by")
                + f" crypto ACL {entry.match_address}",
                (*ident, *(p[0].raw for p in (reversed_ or pairs))),
                (
                    f"show crypto ipsec sa peer {ctx.peer}",
                    f"show access-list {entry.match_address}",
                ),
                tuple(line for p in reversed_ for line in _swap_fix(p[0]))
                or (
                    f"access-list {entry.match_address} extended permit ip "
                    f"{ace_address(local)} {ace_address(remote)}",
                ),
                "Both crypto ACLs must be mirror images: local network here is the remote "
                "network on the peer. An SA the ACL does not cover will not rekey.",
            )
        )
    return issues


def check_overlapping_subnets(ctx: CheckContext) -> list[ConfigIssue]:
    """The same addresses on both sides: replies are routed locally and never encrypted."""
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        crypto_if = ctx.crypto_interface(entry)
        connected = [
            r
            for r in ctx.config.routes
            if r.code.startswith("C") and r.interface and r.interface != crypto_if
        ]
        for ace, src, dst in _pairs(ctx, entry):
            if _swapped(ctx, src, dst, crypto_if):
                continue  # check_proxy_mirror reports it
            clash_routes = [r for r in connected if overlaps(dst, _route_net(r.network, r.mask))]
            if not overlaps(src, dst) and not clash_routes:
                continue
            local = src if src != ANY else _route_net(clash_routes[0].network, clash_routes[0].mask)
            inside = _inside_interface(ctx, local, crypto_if)
            real, mapped, remote = (
                object_name("VPN-LOCAL", local),
                object_name("VPN-LOCAL", local) + "-MAPPED",
                object_name("VPN-REMOTE", dst),
            )
            issues.append(
                ConfigIssue(
                    "TUNNEL_OVERLAPPING_SUBNETS",
                    "critical",
                    f"Crypto ACL {entry.match_address} protects {dst}, which overlaps the local "
                    f"network {local}",
                    (ace.raw, *(line for r in clash_routes for line in r.lines)),
                    (f"show route {dst.network_address}", "show nat detail"),
                    (
                        *object_lines(real, local),
                        f"object network {mapped}",
                        f" subnet <unused network> {local.netmask}",
                        *object_lines(remote, dst),
                        f"nat ({inside},{crypto_if}) 1 source static {real} {mapped} "
                        f"destination static {remote} {remote} no-proxy-arp route-lookup",
                        f"access-list {entry.match_address} extended permit ip "
                        f"<unused network> {local.netmask} {ace_address(dst)}",
                        f"no {ace_text(ace)}",
                    ),
                    "Hosts cannot reach a remote network that uses their own addresses: the ASA "
                    "routes the replies locally. Translate one side to an unused network (twice "
                    "NAT) and put the translated network in both crypto ACLs.",
                )
            )
    return issues


def _route_net(network: str, mask: str) -> IPv4Network:
    try:
        return IPv4Network(f"{network}/{mask}", strict=False)
    except ValueError:
        return ANY


# ---- NAT exemption ------------------------------------------------------------------------------


def _rules(ctx: CheckContext) -> tuple[NatRule, ...]:
    return ctx.config.nat_rules or ctx.config.nat_hits


def _towards(rule: NatRule, crypto_if: str) -> bool:
    return rule.mapped_interface in (crypto_if, "any") or (
        rule.kind == "legacy" and rule.real_interface != crypto_if
    )


def _nat_side(side: AclAddress, prefix: str) -> tuple[str, tuple[str, ...]]:
    """(name used in the nat line, object lines to create first) for one ACE side: ``any``,
    the ACE's own object / object-group, or a new network object for a literal address."""
    if is_any(side):
        return "any", ()
    net = side_network(side)
    if side.kind in ("object", "object-group") or net is None:
        return side.address, ()
    name = object_name(prefix, net)
    return name, object_lines(name, net)


def _exemption_lines(ctx: CheckContext, entry: CryptoMapEntry, crypto_if: str) -> tuple[str, ...]:
    """Identity NAT for every crypto ACL line (8.2 syntax: the ``nat 0`` exemption ACL)."""
    legacy = [r for r in _rules(ctx) if r.kind == "legacy"]
    lines: list[str] = []
    if legacy:
        acl = next((r.access_list for r in legacy if r.access_list), "inside_nat0_outbound")
        inside = next((r.real_interface for r in legacy if r.real_interface), "inside")
        for ace in _aces(ctx, entry):
            lines.append(f"access-list {acl} extended permit ip {ace.source} {ace.destination}")
        lines.append(f"nat ({inside}) 0 access-list {acl}")
        return tuple(dict.fromkeys(lines))
    created: set[str] = set()
    for ace in _aces(ctx, entry):
        inside = _inside_interface(ctx, side_network(ace.source), crypto_if)
        local, local_obj = _nat_side(ace.source, "VPN-LOCAL")
        remote, remote_obj = _nat_side(ace.destination, "VPN-REMOTE")
        for name, block in ((local, local_obj), (remote, remote_obj)):
            if block and name not in created:
                created.add(name)
                lines.extend(block)
        nat = (
            f"nat ({inside},{crypto_if}) 1 source static {local} {local} "
            f"destination static {remote} {remote} no-proxy-arp route-lookup"
        )
        if nat not in lines:
            lines.append(nat)
    return tuple(lines)


def check_nat_exemption(ctx: CheckContext) -> list[ConfigIssue]:
    """Protected traffic must be exempt from NAT towards the crypto interface.

    When a dynamic PAT translates the local hosts before the crypto ACL is checked, their
    packets no longer match it and leave in clear: the peer's traffic arrives (decaps) and
    the replies never go back (encaps 0), ``IPSEC_ONE_WAY`` on this side.
    """
    if not ctx.complete(*NAT_SOURCES):
        return []
    issues: list[ConfigIssue] = []
    one_way = [sa for sa in ctx.sas() if sa.pkts_decaps > 0 and sa.pkts_encaps == 0]
    for entry in ctx.entries:
        crypto_if = ctx.crypto_interface(entry)
        rules = [r for r in _rules(ctx) if _towards(r, crypto_if) and not r.inactive]
        identity = [r for r in rules if r.is_identity]
        translating = [r for r in rules if not r.is_identity]
        if not translating and not (identity and one_way):
            continue  # nothing translates this traffic: no exemption needed
        reason = ""
        if not identity:
            reason = "no NAT exemption (identity NAT)"
        elif all(r.after_auto or r.section == 3 for r in identity) and any(
            r.kind == "object" or r.section == 2 for r in translating
        ):
            reason = "the NAT exemption is after-auto, behind an object NAT that translates first"
        elif (
            one_way
            and all((r.translate_hits or 0) == 0 for r in identity if r.translate_hits is not None)
            and any(r.translate_hits is not None for r in identity)
        ):
            reason = "the NAT exemption is never hit while return traffic is not encrypted"
        if not reason:
            continue
        evidence = [
            *(line for r in translating[:3] for line in r.lines),
            *(line for r in identity for line in r.lines),
            *(ace.raw for ace in _aces(ctx, entry)),
            *(line for sa in one_way for line in counter_lines(sa)),
        ]
        issues.append(
            ConfigIssue(
                "IPSEC_ONE_WAY",
                "critical" if one_way else "warning",
                f"Traffic for {entry.match_address} is translated before encryption: {reason}",
                tuple(dict.fromkeys(evidence)),
                ("show nat detail", f"show crypto ipsec sa peer {ctx.peer}", "show xlate"),
                _exemption_lines(ctx, entry, crypto_if),
                "Identity NAT (source and destination translated to themselves) must match "
                "protected traffic before any dynamic PAT; otherwise the source is translated, "
                "the crypto ACL no longer matches and replies leave unencrypted (decaps grow, "
                "encaps stay 0). Confirm with packet-tracer: the NAT phase must show the "
                "identity rule.",
            )
        )
    return issues


# ---- AWS: one SA per tunnel ---------------------------------------------------------------------


def _supernet(nets: list[IPv4Network]) -> IPv4Network:
    """The smallest network containing all of ``nets``."""
    net = nets[0]
    while not all(n.subnet_of(net) for n in nets) and net.prefixlen > 0:
        net = net.supernet()
    return net


def check_aws_single_sa(ctx: CheckContext) -> list[ConfigIssue]:
    """A single-SA peer (AWS) with a multi-line crypto ACL: one SA per line, and AWS allows
    one pair per tunnel; its 0.0.0.0/0 proposals match no line. Fix: one ``any4`` line to the
    VPC, and narrow what may pass with a vpn-filter."""
    profile = ctx.profile
    if profile is None or not profile.single_sa:
        return []
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        aces = _aces(ctx, entry)
        pairs = _pairs(ctx, entry)
        if len(aces) <= 1 and len(pairs) <= 1:
            continue
        remote = [d for _, _, d in pairs if d != ANY]
        if not remote:
            continue
        vpc = _supernet(list(dict.fromkeys(remote)))
        acl = entry.match_address
        remediation = [f"access-list {acl} extended permit ip any4 {ace_address(vpc)}"]
        remediation += [f"no {ace_text(a)}" for a in aces]
        remediation += _vpn_filter_lines(ctx, entry, pairs, vpc, profile.name)
        evidence = [a.raw for a in aces] + [a.raw for a, _, _ in pairs if a.expanded]
        sas = ctx.sas()
        issues.append(
            ConfigIssue(
                "IPSEC_AWS_SINGLE_SA",
                "critical",
                f"Crypto ACL {acl} has {max(len(aces), len(pairs))} lines; the {profile.name} "
                "peer allows one SA pair per tunnel",
                tuple(dict.fromkeys(evidence)),
                (
                    f"show access-list {acl}",
                    f"show vpn-sessiondb detail l2l filter name {ctx.peer}",
                    f"show crypto ipsec sa peer {ctx.peer}",
                ),
                tuple(remediation),
                "A policy-based ASA builds one SA per crypto ACL line; AWS accepts one SA pair "
                f"per tunnel and proposes 0.0.0.0/0, which matches no specific line ({len(sas)} "
                "IPsec SA(s) seen for this peer). Use a single 'any4' line to the VPC "
                f"({vpc}) and restrict the allowed hosts with a vpn-filter (its ACL names the "
                "remote network as source).",
            )
        )
    return issues


def _vpn_filter_lines(
    ctx: CheckContext,
    entry: CryptoMapEntry,
    pairs: list[Pair],
    vpc: IPv4Network,
    profile_name: str,
) -> list[str]:
    group = ctx.tunnel_group()
    gp_name = group.default_group_policy if group and group.default_group_policy else ""
    if gp_name in ("", "DfltGrpPolicy"):
        gp_name = f"{profile_name.upper()}-VPN-FILTER"
    policy = ctx.config.group_policy(gp_name)
    filter_acl = policy.vpn_filter if policy and policy.vpn_filter not in ("", "none") else ""
    filter_acl = filter_acl or "vpn-filter-acl"
    lines = list(
        dict.fromkeys(
            f"access-list {filter_acl} extended permit ip {ace_address(vpc)} {ace_address(src)}"
            for _, src, _ in pairs
            if src != ANY
        )
    )
    if policy is None or not ctx.complete(*GROUP_POLICY_SOURCES):
        lines.append(f"group-policy {gp_name} internal")
    lines += [f"group-policy {gp_name} attributes", f" vpn-filter value {filter_acl}"]
    for peer in entry.peers:
        tg = ctx.tunnel_group(peer)
        if tg is None or tg.default_group_policy != gp_name:
            lines += [f"tunnel-group {peer} general-attributes", f" default-group-policy {gp_name}"]
    return lines


# ---- keepalive for peers that never initiate ----------------------------------------------------


def check_keepalive(ctx: CheckContext) -> list[ConfigIssue]:
    """A peer that cannot initiate (AWS) lets the tunnel die when idle, and cannot bring it back:
    an ``sla monitor`` echo into the protected network keeps it up from this side."""
    profile = ctx.profile
    if profile is None or profile.far_side_initiates is not False:
        return []
    if not ctx.complete(*SLA_SOURCES) or not ctx.entries:
        return []
    entry = ctx.entries[0]
    remote = _remote_networks(ctx, entry)
    if not remote:
        return []
    slas = ctx.config.sla_monitors
    probe = next((s for s in slas if any(_contains(n, s.target) for n in remote)), None)
    crypto_if = ctx.crypto_interface(entry)
    if probe is not None and probe.scheduled and probe.schedule_life == "forever":
        return []
    if probe is not None:
        title = f"SLA monitor {probe.sla_id} towards {probe.target} is not scheduled to run forever"
        remediation: tuple[str, ...] = (
            f"sla monitor schedule {probe.sla_id} life forever start-time now",
        )
        evidence = probe.lines
    else:
        used = {s.sla_id for s in slas}
        sla_id = 10 if 10 not in used else max(used) + 1
        target = first_host(remote[0])
        title = f"No sla monitor keepalive into {remote[0]} for a peer that never initiates"
        remediation = (
            f"sla monitor {sla_id}",
            f" type echo protocol ipIcmpEcho {target} interface {crypto_if}",
            " frequency 5",
            f"sla monitor schedule {sla_id} life forever start-time now",
        )
        evidence = tuple(line for s in slas for line in s.lines) or tuple(
            a.raw for a in _aces(ctx, entry)
        )
    any_source = any(is_any(a.source) for a in _aces(ctx, entry))
    return [
        ConfigIssue(
            "TUNNEL_RESPONDER_CANNOT_INITIATE",
            "warning",
            title,
            evidence,
            ("show running-config sla monitor", "show sla monitor operational-state"),
            remediation,
            f"The {profile.name} peer does not initiate: after an idle period the tunnel goes "
            "down and stays down until traffic from this side starts it. The probe target "
            "must be a host in the protected network that answers ping"
            + (
                "."
                if any_source
                else "; the probe is sourced from the "
                f"{crypto_if} address, so the crypto ACL source must cover it (any4)."
            ),
        )
    ]


def _contains(network: IPv4Network, address: str) -> bool:
    try:
        return IPv4Network(f"{address}/32").subnet_of(network)
    except ValueError:
        return False
