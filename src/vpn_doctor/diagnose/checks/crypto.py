"""Checks that decide whether IKE can start at all: is the peer in a crypto map, is the map
bound to the interface facing the peer, is IKE enabled there, is the entry complete, and does a
tunnel-group for the peer exist with something to authenticate with.

These are the ``IKE_NO_SA`` / ``IKE_NO_RESPONSE`` / ``IKE_AUTH_FAILED`` causes that live in
the configuration: the SA tables only show their symptom (no SA, MM_WAIT_MSG2, MSG5/6).
"""

from __future__ import annotations

from vpn_doctor.asa.config_lines import is_ipv4
from vpn_doctor.config_models import CryptoMapBinding, CryptoMapEntry
from vpn_doctor.diagnose.checks.base import (
    CRYPTO_MAP_SOURCES,
    IKEV1_SOURCES,
    IKEV2_SOURCES,
    IPSEC_SOURCES,
    ROUTE_SOURCES,
    TUNNEL_GROUP_SOURCES,
    CheckContext,
    ConfigIssue,
    lines_with,
)
from vpn_doctor.diagnose.checks.phase2 import phase2_offers, vti_identity

_SHOW_MAP = "show running-config crypto map"


def _map_checks(entry: CryptoMapEntry) -> tuple[str, ...]:
    return (f"{_SHOW_MAP} | include {entry.map_name}",)


def check_peer_in_crypto_map(ctx: CheckContext) -> list[ConfigIssue]:
    """No static crypto map entry names the peer: the ASA never proposes phase 2 to it and,
    as responder, finds no policy for it. Silent for a route-based tunnel (a VTI whose
    ``tunnel destination`` is the peer), which needs no crypto map entry."""
    if ctx.entries or ctx.vtis or not ctx.complete(*CRYPTO_MAP_SOURCES):
        return []
    config = ctx.config
    dynamic = [e for e in config.entries_for_peer(ctx.peer) if e.is_dynamic]
    group = ctx.tunnel_group()
    evidence = [*(group.lines[:2] if group else ()), *(b.lines[0] for b in config.bindings)]
    bound = config.bindings[0] if config.bindings else None
    map_name = bound.map_name if bound else "outside_map"
    used = [e.seq for e in config.crypto_maps if e.map_name == map_name and not e.is_dynamic]
    seq = (max(used) + 10) if used else 10
    acl = f"{bound.interface if bound else 'outside'}_cryptomap_{seq}"
    tsets = next((e.ikev1_transform_sets for e in config.crypto_maps if e.ikev1_transform_sets), ())
    remediation = [
        f"crypto map {map_name} {seq} match address {acl}",
        f"crypto map {map_name} {seq} set peer {ctx.peer}",
    ]
    if tsets:
        remediation.append(f"crypto map {map_name} {seq} set ikev1 transform-set {' '.join(tsets)}")
    if bound is None:
        remediation.append(f"crypto map {map_name} interface {ctx.crypto_interface()}")
    meaning = (
        "Without a crypto map entry for the peer the ASA never initiates to it, and as "
        "responder it finds no crypto map policy for the peer's proposal. "
        f"Create the crypto ACL {acl} (local network to the peer's network) first."
    )
    if dynamic:
        meaning += " The peer only appears in a dynamic map: the ASA can answer, never initiate."
        evidence.extend(dynamic[0].lines)
    return [
        ConfigIssue(
            "IKE_NO_SA",
            "critical",
            f"No crypto map entry sets peer {ctx.peer}",
            tuple(evidence),
            (f"{_SHOW_MAP} | include {ctx.peer}", f"show running-config tunnel-group {ctx.peer}"),
            tuple(remediation),
            meaning,
        )
    ]


def check_map_bound(ctx: CheckContext) -> list[ConfigIssue]:
    """The peer's crypto map must be bound to the interface the peer is routed out of."""
    if not ctx.complete(*CRYPTO_MAP_SOURCES):
        return []
    issues: list[ConfigIssue] = []
    route = ctx.config.route_for(ctx.peer) if ctx.complete(*ROUTE_SOURCES, whole=False) else None
    for entry in ctx.entries:
        bound = [b for b in ctx.config.bindings if b.map_name == entry.map_name]
        target = route.interface if route and route.interface else "outside"
        others = [b for b in ctx.config.bindings if b.map_name != entry.map_name]
        in_bound_map = any(
            e.map_name in {b.map_name for b in others} for e in ctx.entries if e is not entry
        )
        if not bound and others and not in_bound_map:
            issues.append(_typo_issue(ctx, entry, others[0].map_name, others))
        elif not bound:
            issues.append(
                ConfigIssue(
                    "IKE_NO_SA",
                    "critical",
                    f"Crypto map {entry.map_name} is not applied to any interface",
                    (*entry.lines, *(route.lines if route else ())),
                    (*_map_checks(entry), f"show route {ctx.peer}"),
                    (f"crypto map {entry.map_name} interface {target}",),
                    "A crypto map that is not bound to an interface is never used: no traffic "
                    "is encrypted and IKE from the peer is dropped ('No crypto map bound to "
                    "interface').",
                )
            )
        elif route and route.interface and all(b.interface != route.interface for b in bound):
            issues.append(
                ConfigIssue(
                    "IKE_NO_SA",
                    "critical",
                    f"Crypto map {entry.map_name} is bound to "
                    f"{', '.join(b.interface for b in bound)} but {ctx.peer} is routed out of "
                    f"{route.interface}",
                    (*(b.lines[0] for b in bound), *route.lines),
                    (f"show route {ctx.peer}", *_map_checks(entry)),
                    (f"crypto map {entry.map_name} interface {route.interface}",),
                    "Traffic and IKE for the peer leave through an interface without this crypto "
                    "map, so they are never matched against it. Either bind the map there or fix "
                    "the route to the peer.",
                )
            )
    return issues


def _typo_issue(
    ctx: CheckContext, entry: CryptoMapEntry, bound_name: str, bound: list[CryptoMapBinding]
) -> ConfigIssue:
    """The peer's entry sits in a map that is bound nowhere while another map is bound (most
    often a typo in the map name): the bound map has no entry for the peer."""
    renamed = tuple(
        line.replace(f"crypto map {entry.map_name} ", f"crypto map {bound_name} ", 1)
        for line in entry.lines
    )
    return ConfigIssue(
        "TUNNEL_CRYPTO_MAP_INCOMPLETE",
        "critical",
        f"The entry for {ctx.peer} is in crypto map {entry.map_name}, which is bound to no "
        f"interface; the bound map {bound_name} has no entry for it (map name typo?)",
        (*entry.lines, *(b.lines[0] for b in bound)),
        (*_map_checks(entry), f"{_SHOW_MAP} | include {bound_name}"),
        (*renamed, *(f"no {line}" for line in entry.lines)),
        "An interface carries one crypto map; entries typed under another name are never "
        f"used. {bound_name} is bound, {entry.map_name} is not: re-enter the entry under the "
        "bound name (then remove the stray one).",
    )


def check_ike_enabled(ctx: CheckContext) -> list[ConfigIssue]:
    """``crypto ikev1|ikev2 enable <if>`` on the crypto map interface, per IKE version used."""
    issues: list[ConfigIssue] = []
    config = ctx.config
    for entry in ctx.entries:
        interface = config.interface_for_map(entry.map_name)
        if not interface:
            continue  # check_map_bound reports it
        for version in entry.ike_versions:
            sources = IKEV1_SOURCES if version == 1 else IKEV2_SOURCES
            if not ctx.complete(*sources) or config.ike_enabled_on(interface, version):
                continue
            legacy = version == 1 and (
                any(p.legacy for p in config.ike_policies)
                or any(i.legacy for i in config.ike_interfaces)
            )
            keyword = "isakmp" if legacy else f"ikev{version}"
            setting = "transform-set" if version == 1 else "ipsec-proposal"
            issues.append(
                ConfigIssue(
                    "IKE_NO_SA",
                    "critical",
                    f"IKEv{version} is not enabled on {interface}, where {entry.map_name} is bound",
                    (
                        *lines_with(entry.lines, setting),
                        *(b.lines[0] for b in config.bindings if b.map_name == entry.map_name),
                        *(i.lines[0] for i in config.ike_interfaces),
                    ),
                    (f"show running-config crypto ikev{version}",),
                    (f"crypto {keyword} enable {interface}",),
                    f"The ASA neither answers nor sends IKEv{version} on an interface where it "
                    "is not enabled, so no phase 1 can form.",
                )
            )
    return issues


def define_esp(name: str, *, ikev1: bool) -> tuple[str, ...]:
    """Lines defining a missing transform set (``ikev1``) or IKEv2 ipsec-proposal ``name``
    (AES / SHA-1: a placeholder to adapt to the peer)."""
    if ikev1:
        return (f"crypto ipsec ikev1 transform-set {name} esp-aes esp-sha-hmac",)
    return (
        f"crypto ipsec ikev2 ipsec-proposal {name}",
        " protocol esp encryption aes",
        " protocol esp integrity sha-1",
    )


def check_entry_complete(ctx: CheckContext) -> list[ConfigIssue]:
    """An entry needs a crypto ACL and a transform set / proposal that exist (752010/752011)."""
    issues: list[ConfigIssue] = []
    config = ctx.config
    for entry in ctx.entries:
        prefix = f"crypto map {entry.map_name} {entry.seq}"
        problems: list[str] = []
        remediation: list[str] = []
        if not entry.match_address:
            problems.append("no match address")
            remediation.append(f"{prefix} match address {entry.map_name}_{entry.seq}_acl")
        if not entry.ike_versions:
            problems.append("no transform set or IKEv2 proposal")
            name = config.transform_sets[0].name if config.transform_sets else "ESP-AES-SHA"
            if not config.transform_sets:
                remediation.append(f"crypto ipsec ikev1 transform-set {name} esp-aes esp-sha-hmac")
            remediation.append(f"{prefix} set ikev1 transform-set {name}")
        elif ctx.complete(*IPSEC_SOURCES):
            missing = [n for n in entry.ikev1_transform_sets if config.transform_set(n) is None]
            missing += [n for n in entry.ikev2_ipsec_proposals if config.ipsec_proposal(n) is None]
            for name in missing:
                problems.append(f"{name} is not defined")
                remediation.extend(define_esp(name, ikev1=name in entry.ikev1_transform_sets))
        if not problems:
            continue
        issues.append(
            ConfigIssue(
                "TUNNEL_CRYPTO_MAP_INCOMPLETE",
                "critical",
                f"Crypto map entry {entry.map_name} {entry.seq} is incomplete: "
                + "; ".join(problems),
                entry.lines,
                (*_map_checks(entry), "show running-config crypto ipsec"),
                tuple(remediation),
                "The ASA skips an incomplete crypto map entry ('IKEv1 Doesn't have a transform "
                "set specified', 752011 / 752010): the tunnel cannot start.",
            )
        )
    return issues


def _psk_lines(peer: str) -> tuple[str, ...]:
    return (
        f"tunnel-group {peer} type ipsec-l2l",
        f"tunnel-group {peer} ipsec-attributes",
        " ikev1 pre-shared-key <the key agreed with the peer>",
    )


def check_tunnel_group(ctx: CheckContext) -> list[ConfigIssue]:
    """The crypto map peer and the tunnel-group name must agree.

    A missing tunnel-group makes the ASA fall back to DefaultL2LGroup, which has no pre-shared
    key: phase 1 reaches MM_WAIT_MSG5/6 and fails ("Can't find a valid tunnel group"), the
    ``IKE_AUTH_FAILED`` picture. When an L2L tunnel-group exists for an address that no crypto
    map names, the two probably disagree by a typo; if the crypto map address is the wrong one
    the ASA sends IKE to a host that never answers (``IKE_NO_RESPONSE``, MM_WAIT_MSG2).
    A route-based peer (a VTI's ``tunnel destination``) needs its tunnel-group the same way.
    """
    if not (ctx.entries or ctx.vtis) or not ctx.complete(*TUNNEL_GROUP_SOURCES):
        return []
    config = ctx.config
    group = ctx.tunnel_group()
    if ctx.entries:
        kind = "crypto map"
        map_lines = tuple(line for e in ctx.entries for line in lines_with(e.lines, " set peer "))
        shown = f"{_SHOW_MAP} | include set peer"
    else:
        kind = "VTI"
        map_lines = tuple(line for v in ctx.vtis for line in vti_identity(v))
        shown = f"show running-config interface {ctx.vtis[0].name}"
    checks = (f"show running-config tunnel-group {ctx.peer}", shown)
    if group is None:
        mapped = {p for e in config.crypto_maps for p in e.peers}
        mapped |= {t.destination for t in config.tunnel_interfaces}  # route-based peers
        orphans = [
            g
            for g in config.tunnel_groups
            if g.type == "ipsec-l2l" and is_ipv4(g.name) and g.name not in mapped
        ]
        if orphans and ctx.entries:
            orphan = orphans[0]
            entry = ctx.entries[0]
            others = " ".join(p if p != ctx.peer else orphan.name for p in entry.peers)
            return [
                ConfigIssue(
                    "IKE_NO_RESPONSE",
                    "critical",
                    f"Crypto map peer {ctx.peer} has no tunnel-group, but tunnel-group "
                    f"{orphan.name} is in no crypto map",
                    (*map_lines, *orphan.lines[:1]),
                    (*checks, f"show crypto isakmp sa | include {ctx.peer}"),
                    (f"crypto map {entry.map_name} {entry.seq} set peer {others}",),
                    "The crypto map and the tunnel-group name different addresses. If the "
                    f"crypto map is wrong, the ASA sends IKE to {ctx.peer}, which never answers "
                    "(MM_WAIT_MSG2); if the tunnel-group is wrong, phase 1 finds no pre-shared "
                    f"key (MM_WAIT_MSG5/6). The remediation assumes {orphan.name} is the real "
                    f"peer; otherwise create tunnel-group {ctx.peer} instead.",
                )
            ]
        return [
            ConfigIssue(
                "IKE_AUTH_FAILED",
                "critical",
                f"No tunnel-group for {kind} peer {ctx.peer}",
                map_lines,
                checks,
                _psk_lines(ctx.peer),
                "Without a tunnel-group named by the peer address, the ASA uses DefaultL2LGroup, "
                "which has no pre-shared key: phase 1 fails at MM_WAIT_MSG5/6 ('Can't find a "
                "valid tunnel group').",
            )
        ]
    if group.type and group.type != "ipsec-l2l":
        return [
            ConfigIssue(
                "IKE_AUTH_FAILED",
                "critical",
                f"Tunnel-group {ctx.peer} is type {group.type}, not ipsec-l2l",
                group.lines[:1],
                checks,
                (f"clear configure tunnel-group {ctx.peer}", *_psk_lines(ctx.peer)),
                "A site-to-site peer needs an ipsec-l2l tunnel-group.",
            )
        ]
    has_cert = bool(group.trust_point) or any(
        a.startswith("certificate") for a in group.ikev2_local_authentication
    )
    if not group.has_pre_shared_key and not has_cert and group.lines:
        return [
            ConfigIssue(
                "IKE_AUTH_FAILED",
                "critical",
                f"Tunnel-group {ctx.peer} has no pre-shared key or certificate",
                group.lines,
                checks,
                _psk_lines(ctx.peer)[1:],
                "Phase 1 cannot authenticate without a key or a trustpoint: it stops at "
                "MM_WAIT_MSG5/6.",
            )
        ]
    return []


def check_aggressive_mode(ctx: CheckContext) -> list[ConfigIssue]:
    """Aggressive mode exposes the PSK hash and is refused by main-mode-only peers (AWS)."""
    issues: list[ConfigIssue] = []
    profile = ctx.profile
    for entry in ctx.entries:
        if entry.phase1_mode != "aggressive":
            continue
        line = next(iter(lines_with(entry.lines, "phase1-mode")), "")
        main_only = profile.name if profile is not None and profile.mode == "main" else ""
        issues.append(
            ConfigIssue(
                "IKE_AGGRESSIVE_MODE",
                "critical" if main_only else "warning",
                f"Crypto map entry {entry.map_name} {entry.seq} uses IKEv1 aggressive mode",
                (line,) if line else entry.lines,
                (*_map_checks(entry), f"show crypto isakmp sa | include {ctx.peer}"),
                (f"no {line}",) if line else (),
                (f"The {main_only} peer accepts main mode only; " if main_only else "")
                + "aggressive mode sends the identity in clear and exposes the pre-shared key "
                "hash; both sides must agree on the mode (AG_/AM_ states otherwise).",
            )
        )
    return issues


def check_ike_version(ctx: CheckContext) -> list[ConfigIssue]:
    """The entry's (or the VTI's ipsec profile's) IKE versions, from its transform sets /
    proposals, vs the profile's."""
    profile = ctx.profile
    if profile is None or not profile.ike_versions:
        return []
    issues: list[ConfigIssue] = []
    for offer in phase2_offers(ctx):
        versions = offer.ike_versions
        if not versions or set(versions) & set(profile.ike_versions):
            continue
        wanted = profile.ike_versions[0]
        remediation = (
            offer.set_lines("set ikev1 transform-set ESP-AES-SHA")
            if wanted == 1
            else offer.set_lines("set ikev2 ipsec-proposal AES-SHA")
        )
        issues.append(
            ConfigIssue(
                "IKE_VERSION_MISMATCH",
                "critical",
                f"{offer.short} offers IKEv{'/'.join(map(str, versions))}; "
                f"the {profile.name} peer expects IKEv{'/'.join(map(str, profile.ike_versions))}",
                (*offer.identity, *lines_with(offer.lines, "transform-set", "ipsec-proposal")),
                _map_checks(offer.entry) if offer.entry else offer.show,
                remediation,
                "The two sides never share an IKE version, so no phase 1 can form.",
            )
        )
    return issues


def check_connection_type(ctx: CheckContext) -> list[ConfigIssue]:
    """``set connection-type answer-only`` (a VTI's ipsec profile: ``set responder-only``)
    towards a peer that never initiates: nobody does."""
    profile = ctx.profile
    if profile is None or profile.far_side_initiates is not False:
        return []
    return [
        ConfigIssue(
            "TUNNEL_RESPONDER_CANNOT_INITIATE",
            "critical",
            f"{o.short} is {'responder' if o.header else 'answer'}-only, and the {profile.name} "
            "peer never initiates",
            (*o.identity, *lines_with(o.lines, "connection-type", "responder-only")),
            _map_checks(o.entry) if o.entry else o.show,
            o.responder_fix(),
            "Neither side will start the tunnel.",
        )
        for o in phase2_offers(ctx)
        if o.responder_only
    ]
