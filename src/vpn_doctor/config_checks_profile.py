"""Checks of the crypto parameters against the expected-peer profile: phase 1 policy, transform
set / proposal, PFS, lifetimes, NAT-T and the number of tunnels.

Severity follows what the SA tables prove: if an IPsec SA with the peer is up, the parameters
evidently negotiate, so a difference is a ``TUNNEL_PROFILE_DEVIATION`` (warning: it may break
at rekey, AWS warns about lifetimes). Without an SA the same difference is the likely reason
the tunnel does not come up, and gets the specific critical code (``IPSEC_PFS_MISMATCH``,
``IPSEC_TRANSFORM_MISMATCH``, ``IKE_PROPOSAL_MISMATCH``).
"""

from __future__ import annotations

import re

from vpn_doctor import asa_syntax as asa
from vpn_doctor.config_checks_base import (
    IKEV1_SOURCES,
    IKEV2_SOURCES,
    IPSEC_SOURCES,
    TUNNEL_GROUP_SOURCES,
    CheckContext,
    ConfigIssue,
    lines_with,
)
from vpn_doctor.config_models import CryptoMapEntry, IkePolicy, TransformSet
from vpn_doctor.findings import Severity
from vpn_doctor.profiles import (
    PeerProfile,
    normalise_encryption,
    normalise_group,
    normalise_hash,
)

ASA_IPSEC_LIFETIME_DEFAULT = 28800
ASA_IKE_LIFETIME_DEFAULT = 86400
_GLOBAL_LIFETIME = re.compile(r"^crypto ipsec security-association lifetime seconds (\d+)")


def _grade(ctx: CheckContext, code: str) -> tuple[str, Severity]:
    """(code, severity): a deviation when an SA with the peer is up, else the failure code."""
    if ctx.sas():
        return "TUNNEL_PROFILE_DEVIATION", "warning"
    return code, "critical"


def _sa_lines(ctx: CheckContext, *needles: str) -> tuple[str, ...]:
    return tuple(line.strip() for sa in ctx.sas() for line in lines_with(sa.lines, *needles))


def _map_cmd(entry: CryptoMapEntry) -> tuple[str, ...]:
    return (f"show running-config crypto map | include {entry.map_name} {entry.seq}",)


def _profile(ctx: CheckContext) -> PeerProfile | None:
    return ctx.profile if ctx.entries else None


# ---- phase 2 ------------------------------------------------------------------------------------


def check_pfs(ctx: CheckContext) -> list[ConfigIssue]:
    """PFS on one side only fails quick mode (713068 'No Proposal chosen (14)', QM FSM error)."""
    profile = _profile(ctx)
    if profile is None or profile.phase2.wants_pfs is None:
        return []
    allowed = profile.phase2.pfs_group
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        prefix = f"crypto map {entry.map_name} {entry.seq}"
        group = normalise_group(entry.pfs_group) if entry.pfs_group else ""
        pfs_line = next(iter(lines_with(entry.lines, " set pfs")), "")
        if profile.phase2.wants_pfs and group not in allowed:
            title = (
                f"{prefix} sets no PFS" if not group else f"{prefix} uses PFS group {group}"
            ) + f"; the {profile.name} peer expects PFS group {'/'.join(allowed)}"
            fix: tuple[str, ...] = (f"{prefix} set pfs group{allowed[0]}",)
        elif not profile.phase2.wants_pfs and group:
            title = f"{prefix} sets PFS group {group}; the {profile.name} peer uses no PFS"
            fix = (f"no {pfs_line}",) if pfs_line else ()
        else:
            continue
        code, severity = _grade(ctx, "IPSEC_PFS_MISMATCH")
        evidence = (pfs_line,) if pfs_line else lines_with(entry.lines, " set peer ", "transform")
        issues.append(
            ConfigIssue(
                code,
                severity,
                title,
                (*evidence, *_sa_lines(ctx, "in use settings")),
                (*_map_cmd(entry), f"show crypto ipsec sa peer {ctx.peer} | include settings"),
                fix,
                "Both sides must agree on PFS and its group; with PFS on one side only, phase 1 "
                "completes and every quick mode fails (the same MM_WAIT_MSG5/6-like flapping "
                "is often mistaken for a pre-shared key mismatch).",
            )
        )
    return issues


def _tset_ok(tset: TransformSet, profile: PeerProfile) -> bool:
    enc_ok = not profile.phase2.encryption or (
        normalise_encryption(tset.esp_encryption) in profile.phase2.encryption
    )
    hash_ok = (
        not profile.phase2.integrity or normalise_hash(tset.esp_hash) in profile.phase2.integrity
    )
    return enc_ok and hash_ok


def check_transform(ctx: CheckContext) -> list[ConfigIssue]:
    """At least one transform set / IKEv2 proposal of the entry must be acceptable to the peer."""
    profile = _profile(ctx)
    if profile is None or not ctx.complete(*IPSEC_SOURCES):
        return []
    if not (profile.phase2.encryption or profile.phase2.integrity):
        return []
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        issue = _transform_issue(ctx, entry, profile)
        if issue is not None:
            issues.append(issue)
    return issues


def _transform_issue(
    ctx: CheckContext, entry: CryptoMapEntry, profile: PeerProfile
) -> ConfigIssue | None:
    config = ctx.config
    prefix = f"crypto map {entry.map_name} {entry.seq}"
    enc = profile.phase2.encryption[0] if profile.phase2.encryption else "aes128"
    integ = profile.phase2.integrity[0] if profile.phase2.integrity else "sha1"
    if entry.ikev1_transform_sets:
        tsets = [t for n in entry.ikev1_transform_sets if (t := config.transform_set(n))]
        if not tsets or any(_tset_ok(t, profile) for t in tsets):
            return None
        legacy = any(t.legacy for t in tsets)
        good = next((t for t in config.transform_sets if _tset_ok(t, profile)), None)
        name = good.name if good else f"{profile.name.upper()}-{enc.upper()}-{integ.upper()}"
        fix: list[str] = []
        if good is None:
            kind = "crypto ipsec transform-set" if legacy else "crypto ipsec ikev1 transform-set"
            fix.append(f"{kind} {name} {asa.esp_encryption(enc)} {asa.esp_hash(integ)}")
        fix.append(f"{prefix} set {'' if legacy else 'ikev1 '}transform-set {name}")
        evidence = (*lines_with(entry.lines, "transform-set"), *(t.lines[0] for t in tsets))
        offered = ", ".join(f"{t.esp_encryption} {t.esp_hash}" for t in tsets)
    elif entry.ikev2_ipsec_proposals:
        props = [p for n in entry.ikev2_ipsec_proposals if (p := config.ipsec_proposal(n))]
        if not props or any(
            set(map(normalise_encryption, p.encryption)) & set(profile.phase2.encryption)
            and (
                not p.integrity
                or set(map(normalise_hash, p.integrity)) & set(profile.phase2.integrity)
            )
            for p in props
        ):
            return None
        name = f"{profile.name.upper()}-{enc.upper()}-{integ.upper()}"
        fix = [
            f"crypto ipsec ikev2 ipsec-proposal {name}",
            f" protocol esp encryption {asa.ikev2_encryption(enc)}",
            f" protocol esp integrity {asa.ikev2_integrity(integ)}",
            f"{prefix} set ikev2 ipsec-proposal {name}",
        ]
        evidence = (
            *lines_with(entry.lines, "ipsec-proposal"),
            *(line for p in props for line in p.lines),
        )
        offered = "; ".join(f"{' '.join(p.encryption)} / {' '.join(p.integrity)}" for p in props)
    else:
        return None
    code, severity = _grade(ctx, "IPSEC_TRANSFORM_MISMATCH")
    return ConfigIssue(
        code,
        severity,
        f"{prefix} offers {offered}; the {profile.name} peer expects "
        f"{'/'.join(profile.phase2.encryption)} with {'/'.join(profile.phase2.integrity)}",
        evidence,
        (*_map_cmd(entry), "show running-config crypto ipsec"),
        tuple(fix),
        "Quick mode needs one ESP encryption and integrity pair both sides accept; otherwise "
        "'All IPSec SA proposals found unacceptable' and no IPsec SA.",
    )


def check_ipsec_lifetime(ctx: CheckContext) -> list[ConfigIssue]:
    """IPsec SA lifetime vs the profile (AWS: 3600 s); AWS rekeys on its own timer."""
    profile = _profile(ctx)
    wanted = profile.phase2.lifetime_seconds if profile else None
    if profile is None or wanted is None:
        return []
    global_line = next(
        (line for line in ctx.config.other_crypto_lines if _GLOBAL_LIFETIME.match(line)), ""
    )
    issues: list[ConfigIssue] = []
    for entry in ctx.entries:
        line = next(iter(lines_with(entry.lines, "security-association lifetime")), "")
        evidence: tuple[str, ...]
        if entry.sa_lifetime_seconds is not None:
            actual, evidence = entry.sa_lifetime_seconds, (line,)
        elif global_line:
            match = _GLOBAL_LIFETIME.match(global_line)
            actual, evidence = int(match[1]) if match else 0, (global_line,)
        elif ctx.complete(*IPSEC_SOURCES):
            actual, evidence = ASA_IPSEC_LIFETIME_DEFAULT, entry.lines
        else:
            continue
        if actual == wanted:
            continue
        issues.append(
            ConfigIssue(
                "TUNNEL_PROFILE_DEVIATION",
                "warning",
                f"IPsec SA lifetime of {entry.map_name} {entry.seq} is {actual} s; the "
                f"{profile.name} peer uses {wanted} s",
                (*evidence, *_sa_lines(ctx, "remaining key lifetime")),
                (*_map_cmd(entry), "show running-config crypto ipsec"),
                (
                    f"crypto map {entry.map_name} {entry.seq} set security-association "
                    f"lifetime seconds {wanted}",
                ),
                "Different lifetimes still negotiate (the lower wins), but rekeys then happen "
                "on different timers; AWS warns this 'may interrupt tunnel connectivity'.",
            )
        )
    return issues


def check_nat_t(ctx: CheckContext) -> list[ConfigIssue]:
    """``set nat-t-disable`` towards a peer that relies on NAT-T (UDP 4500)."""
    profile = _profile(ctx)
    if profile is None or not profile.nat_t:
        return []
    return [
        ConfigIssue(
            "TUNNEL_PROFILE_DEVIATION",
            "warning",
            f"{e.map_name} {e.seq} disables NAT-T; the {profile.name} peer uses it when a NAT "
            "is in the path",
            lines_with(e.lines, "nat-t-disable"),
            _map_cmd(e),
            (f"no crypto map {e.map_name} {e.seq} set nat-t-disable",),
            "Behind a NAT, ESP without UDP 4500 encapsulation does not pass.",
        )
        for e in ctx.entries
        if e.nat_t_disable
    ]


# ---- phase 1 ------------------------------------------------------------------------------------


def _policy_ok(policy: IkePolicy, profile: PeerProfile) -> bool:
    p1 = profile.phase1
    enc = {normalise_encryption(v) for v in policy.encryption}
    integ = {normalise_hash(v) for v in policy.integrity}
    groups = {normalise_group(v) for v in policy.groups}
    return (
        (not p1.encryption or bool(enc & set(p1.encryption)))
        and (not p1.hash or bool(integ & set(p1.hash)))
        and (not p1.dh_group or bool(groups & set(p1.dh_group)))
    )


def _new_policy(version: int, policies: list[IkePolicy], profile: PeerProfile) -> tuple[str, ...]:
    p1 = profile.phase1
    used = {p.priority for p in policies}
    priority = next((n for n in (10, 5, 1, 20, 30) if n not in used), max(used, default=0) + 10)
    enc = p1.encryption[0] if p1.encryption else "aes128"
    integ = p1.hash[0] if p1.hash else "sha1"
    group = p1.dh_group[0] if p1.dh_group else "14"
    lifetime = (f" lifetime {p1.lifetime}",) if p1.lifetime else ()
    if version == 2:
        return (
            f"crypto ikev2 policy {priority}",
            f" encryption {asa.ikev2_encryption(enc)}",
            f" integrity {asa.ikev2_policy_integrity(integ)}",
            f" group {group}",
            f" prf {asa.ikev2_policy_integrity(integ)}",
            *(f" lifetime seconds {p1.lifetime}" for _ in lifetime),
        )
    keyword = "isakmp" if any(p.legacy for p in policies) else "ikev1"
    return (
        f"crypto {keyword} policy {priority}",
        " authentication pre-share",
        f" encryption {asa.ikev1_encryption(enc)}",
        f" hash {asa.ikev1_hash(integ)}",
        f" group {group}",
        *lifetime,
    )


def check_phase1_policy(ctx: CheckContext) -> list[ConfigIssue]:
    """An IKE policy acceptable to the peer must exist, with the peer's lifetime."""
    profile = _profile(ctx)
    if profile is None:
        return []
    versions = sorted({v for e in ctx.entries for v in e.ike_versions})
    issues: list[ConfigIssue] = []
    for version in versions:
        sources = IKEV1_SOURCES if version == 1 else IKEV2_SOURCES
        if not ctx.complete(*sources):
            continue
        policies = [p for p in ctx.config.ike_policies if p.version == version]
        good = [p for p in policies if _policy_ok(p, profile)]
        if not good:
            code, severity = _grade(ctx, "IKE_PROPOSAL_MISMATCH")
            p1 = profile.phase1
            issues.append(
                ConfigIssue(
                    code,
                    severity,
                    f"No IKEv{version} policy matches the {profile.name} peer "
                    f"({'/'.join(p1.encryption)}, {'/'.join(p1.hash)}, DH group "
                    f"{'/'.join(p1.dh_group)})",
                    tuple(line for p in policies for line in p.lines),
                    (f"show running-config crypto ikev{version}",),
                    _new_policy(version, policies, profile),
                    "Phase 1 needs one policy (encryption, hash, DH group) both sides accept; "
                    "otherwise MM_NO_STATE / NO_PROPOSAL_CHOSEN.",
                )
            )
            continue
        wanted = profile.phase1.lifetime
        chosen = good[0]
        actual = chosen.lifetime_seconds or ASA_IKE_LIFETIME_DEFAULT
        if wanted is not None and actual != wanted:
            keyword = "isakmp" if chosen.legacy else f"ikev{version}"
            value = f"seconds {wanted}" if version == 2 else str(wanted)
            issues.append(
                ConfigIssue(
                    "TUNNEL_PROFILE_DEVIATION",
                    "warning",
                    f"IKEv{version} policy {chosen.priority} lifetime is {actual} s; the "
                    f"{profile.name} peer uses {wanted} s",
                    lines_with(chosen.lines, "lifetime") or chosen.lines[:1],
                    (f"show running-config crypto ikev{version}",),
                    (f"crypto {keyword} policy {chosen.priority}", f" lifetime {value}"),
                    "Mismatched IKE lifetimes negotiate to the lower value but make the two "
                    "sides rekey at different times.",
                )
            )
    return issues


# ---- tunnels per connection ---------------------------------------------------------------------


def check_tunnel_count(ctx: CheckContext) -> list[ConfigIssue]:
    """A peer providing two tunnels per connection (AWS) should have both configured: the
    second endpoint in ``set peer`` (one up at a time) and its tunnel-group."""
    profile = _profile(ctx)
    if profile is None or not profile.tunnels_per_connection or profile.tunnels_per_connection < 2:
        return []
    wanted = profile.tunnels_per_connection
    entry = ctx.entries[0]
    acl = entry.match_address
    peers = list(entry.peers)
    for other in ctx.config.crypto_maps:
        if other is not entry and acl and other.match_address == acl:
            peers += [p for p in other.peers if p not in peers]
    prefix = f"crypto map {entry.map_name} {entry.seq}"
    if len(peers) < wanted:
        return [
            ConfigIssue(
                "TUNNEL_PROFILE_DEVIATION",
                "warning",
                f"Only {len(peers)} of the {profile.name} connection's {wanted} tunnels is "
                "configured",
                lines_with(entry.lines, " set peer "),
                (*_map_cmd(entry), "show running-config tunnel-group"),
                (
                    f"{prefix} set peer {' '.join(peers)} <tunnel 2 outside IP>",
                    "tunnel-group <tunnel 2 outside IP> type ipsec-l2l",
                    "tunnel-group <tunnel 2 outside IP> ipsec-attributes",
                    " ikev1 pre-shared-key <tunnel 2 key from the peer's configuration>",
                ),
                f"The {profile.name} peer provides {wanted} tunnels so one survives its "
                "maintenance; with one configured, that maintenance is an outage.",
            )
        ]
    if not ctx.complete(*TUNNEL_GROUP_SOURCES):
        return []
    return [
        ConfigIssue(
            "TUNNEL_PROFILE_DEVIATION",
            "warning",
            f"Tunnel endpoint {peer} has no tunnel-group",
            lines_with(entry.lines, " set peer "),
            (f"show running-config tunnel-group {peer}",),
            (
                f"tunnel-group {peer} type ipsec-l2l",
                f"tunnel-group {peer} ipsec-attributes",
                " ikev1 pre-shared-key <the key for this tunnel>",
            ),
            "Failing over to this endpoint fails phase 1 authentication.",
        )
        for peer in peers
        if peer != ctx.peer and ctx.tunnel_group(peer) is None
    ]
