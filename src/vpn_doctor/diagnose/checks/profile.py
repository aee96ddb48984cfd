"""Checks of the crypto parameters against the expected-peer profile: phase 1 policy, transform
set / proposal, PFS, lifetimes, NAT-T and the number of tunnels.

Algorithms are judged against two lists of the profile (see :mod:`vpn_doctor.diagnose.profiles`):
what the peer *accepts* and what it *expects*.

* Outside the accepted list: the peer refuses it. Severity then follows what the SA tables
  prove: with an IPsec SA up the parameters evidently negotiate (the profile may be stale), so
  it is a ``TUNNEL_PROFILE_DEVIATION`` warning; without an SA it is the likely reason the
  tunnel does not come up, and gets the specific critical code (``IPSEC_PFS_MISMATCH``,
  ``IPSEC_TRANSFORM_MISMATCH``, ``IKE_PROPOSAL_MISMATCH``).
* Inside the accepted list but not expected (AES-256 / SHA-256 / DH 14 towards AWS, whose
  expected values are its documented minimum): the peer negotiates it, so it is never a
  mismatch and never the reason for an outage: ``TUNNEL_PROFILE_DEVIATION`` with severity
  ``info``, with or without an SA.
* Lifetimes are single expected values: a difference negotiates (the lower value wins) but
  rekeys on different timers, a ``TUNNEL_PROFILE_DEVIATION`` warning.

A profile without ``accepted`` lists accepts exactly what it expects: the checks then behave
as they did before the lists existed.

The phase 2 checks and the phase 1 check read the peer's phase 2 settings through
:class:`~vpn_doctor.diagnose.checks.phase2.Phase2Offer`: a crypto map entry, or for a
route-based tunnel the ipsec profile of the peer's VTI (remediation then in profile syntax).
NAT-T and the tunnel count are crypto map settings and stay crypto-map-only.
"""

from __future__ import annotations

import re

from vpn_doctor.asa import config_lines as asa
from vpn_doctor.config_models import CryptoMapEntry, IkePolicy, Ikev2IpsecProposal, TransformSet
from vpn_doctor.diagnose.checks.base import (
    IKEV1_SOURCES,
    IKEV2_SOURCES,
    IPSEC_SOURCES,
    TUNNEL_GROUP_SOURCES,
    CheckContext,
    ConfigIssue,
    lines_with,
)
from vpn_doctor.diagnose.checks.phase2 import Phase2Offer, phase2_offers
from vpn_doctor.diagnose.findings import Severity
from vpn_doctor.diagnose.profiles import (
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
    """The profile, for checks of crypto map settings (NAT-T, the two-tunnel set peer)."""
    return ctx.profile if ctx.entries else None


def _offer_profile(ctx: CheckContext) -> PeerProfile | None:
    """The profile, for checks that also apply to a VTI's ipsec profile (the offers are
    built only when there is a profile to compare them with: hubs run without one)."""
    return ctx.profile if ctx.profile is not None and phase2_offers(ctx) else None


def _aead(encryption: str) -> bool:
    """AES-GCM / GMAC carry their own integrity: the integrity list does not apply."""
    return encryption.startswith(("aes-gcm", "aes-gmac"))


def _listed(values: tuple[str, ...], *, groups: bool = False) -> str:
    """'aes128/aes256', or for DH groups '2/5/14-24' (runs of three or more collapsed)."""
    if not groups or not all(v.isdigit() for v in values):
        return "/".join(values)
    numbers = sorted({int(v) for v in values})
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return "/".join(
        f"{run[0]}-{run[-1]}" if len(run) > 2 else "/".join(map(str, run)) for run in runs
    )


def _also_accepted(accepted: tuple[str, ...], expected: tuple[str, ...], **kw: bool) -> str:
    """' (accepts ...)' when the peer accepts more than it expects, else ''."""
    if set(accepted) <= set(expected):
        return ""
    return f" (accepts {_listed(accepted, **kw)})"


def _lifetime_meaning(what: str, actual: int, wanted: int) -> str:
    """Why a lifetime difference is a deviation (warning), never a mismatch."""
    lower = "ours" if actual < wanted else "the peer's"
    return (
        f"Different {what} lifetimes do not stop negotiation: the lower value ({lower}, "
        f"{min(actual, wanted)} s) is used. But the two sides then rekey on different timers; "
        "AWS rekeys on its own configured lifetimes and warns that lifetimes different from "
        "the negotiated ones 'may interrupt tunnel connectivity'."
    )


_ACCEPTED_NOT_EXPECTED = (
    "The peer negotiates these values (the profile's accepted list), so they cannot be why the "
    "tunnel fails; they differ only from the values the profile expects (for AWS its "
    "documented minimum). Nothing to change unless the peer's own options were narrowed."
)


# ---- phase 2 ------------------------------------------------------------------------------------


def check_pfs(ctx: CheckContext) -> list[ConfigIssue]:
    """PFS on one side only fails quick mode (713068 'No Proposal chosen (14)', QM FSM error)."""
    profile = _offer_profile(ctx)
    if profile is None or profile.phase2.wants_pfs is None:
        return []
    expected = profile.phase2.pfs_group
    accepted = profile.phase2.accepted("pfs_group")
    issues: list[ConfigIssue] = []
    for offer in phase2_offers(ctx):
        prefix = offer.name
        group = normalise_group(offer.pfs_group) if offer.pfs_group else ""
        ours = group or "none"
        pfs_line = next(iter(lines_with(offer.lines, " set pfs")), "")
        evidence = (
            (*offer.identity, pfs_line)
            if pfs_line
            else (*offer.identity, *lines_with(offer.lines, " set peer ", "transform"))
        )
        checks = (*offer.show, f"show crypto ipsec sa peer {ctx.peer} | include settings")
        if ours in expected:
            continue
        if ours in accepted:
            issues.append(
                ConfigIssue(
                    "TUNNEL_PROFILE_DEVIATION",
                    "info",
                    (f"{prefix} sets no PFS" if not group else f"{prefix} uses PFS group {group}")
                    + f", which the {profile.name} peer accepts (expected: "
                    + ("no PFS" if expected == ("none",) else f"PFS group {_listed(expected)}")
                    + ")",
                    (*evidence, *_sa_lines(ctx, "in use settings")),
                    checks,
                    (),
                    _ACCEPTED_NOT_EXPECTED,
                )
            )
            continue
        also = _also_accepted(accepted, expected, groups=True)
        if profile.phase2.wants_pfs:
            title = (
                f"{prefix} sets no PFS" if not group else f"{prefix} uses PFS group {group}"
            ) + f"; the {profile.name} peer expects PFS group {'/'.join(expected)}{also}"
            fix: tuple[str, ...] = offer.set_lines(f"set pfs group{expected[0]}")
        else:
            title = f"{prefix} sets PFS group {group}; the {profile.name} peer uses no PFS{also}"
            fix = offer.unset_lines(pfs_line) if pfs_line else ()
        code, severity = _grade(ctx, "IPSEC_PFS_MISMATCH")
        issues.append(
            ConfigIssue(
                code,
                severity,
                title,
                (*evidence, *_sa_lines(ctx, "in use settings")),
                checks,
                fix,
                "Both sides must agree on PFS and its group; with PFS on one side only, phase 1 "
                "completes and every quick mode fails (the same MM_WAIT_MSG5/6-like flapping "
                "is often mistaken for a pre-shared key mismatch).",
            )
        )
    return issues


def _esp_fits(
    encryptions: set[str], integrities: set[str], profile: PeerProfile, *, accepted: bool
) -> bool:
    """One ESP offer (its encryptions and integrities, normalised) against the peer's accepted
    (``accepted=True``) or expected lists; empty lists are not checked, and an AEAD cipher
    (GCM / GMAC) needs no integrity."""
    p2 = profile.phase2
    enc_allowed = p2.accepted("encryption") if accepted else p2.encryption
    int_allowed = p2.accepted("integrity") if accepted else p2.integrity
    usable = encryptions & set(enc_allowed) if enc_allowed else encryptions
    if enc_allowed and not usable:
        return False
    if not int_allowed or (usable and all(_aead(e) for e in usable)):
        return True
    return not integrities or bool(integrities & set(int_allowed))


def _tset_ok(tset: TransformSet, profile: PeerProfile, *, accepted: bool = True) -> bool:
    return _esp_fits(
        {normalise_encryption(tset.esp_encryption)},
        {normalise_hash(tset.esp_hash)},  # no hash ('') is not an accepted integrity
        profile,
        accepted=accepted,
    )


def _proposal_ok(
    proposal: Ikev2IpsecProposal, profile: PeerProfile, *, accepted: bool = True
) -> bool:
    return _esp_fits(
        set(map(normalise_encryption, proposal.encryption)),
        set(map(normalise_hash, proposal.integrity)),
        profile,
        accepted=accepted,
    )


def check_transform(ctx: CheckContext) -> list[ConfigIssue]:
    """At least one transform set / IKEv2 proposal of the entry must be acceptable to the peer."""
    profile = _offer_profile(ctx)
    if profile is None or not ctx.complete(*IPSEC_SOURCES):
        return []
    if not (profile.phase2.encryption or profile.phase2.integrity):
        return []
    issues: list[ConfigIssue] = []
    for offer in phase2_offers(ctx):
        issue = _transform_issue(ctx, offer, profile)
        if issue is not None:
            issues.append(issue)
    return issues


def _transform_issue(
    ctx: CheckContext, entry: Phase2Offer, profile: PeerProfile
) -> ConfigIssue | None:
    config = ctx.config
    p2 = profile.phase2
    enc = p2.encryption[0] if p2.encryption else "aes128"
    integ = p2.integrity[0] if p2.integrity else "sha1"
    if entry.ikev1_transform_sets:
        tsets = [t for n in entry.ikev1_transform_sets if (t := config.transform_set(n))]
        if not tsets or any(_tset_ok(t, profile, accepted=False) for t in tsets):
            return None
        evidence = (
            *entry.identity,
            *lines_with(entry.lines, "transform-set"),
            *(t.lines[0] for t in tsets),
        )
        offered = ", ".join(f"{t.esp_encryption} {t.esp_hash}" for t in tsets)
        if any(_tset_ok(t, profile) for t in tsets):
            return _transform_accepted(ctx, entry, profile, evidence, offered)
        legacy = any(t.legacy for t in tsets)
        good = next(
            (t for t in config.transform_sets if _tset_ok(t, profile, accepted=False)), None
        )
        name = good.name if good else f"{profile.name.upper()}-{enc.upper()}-{integ.upper()}"
        fix: list[str] = []
        if good is None:
            kind = "crypto ipsec transform-set" if legacy else "crypto ipsec ikev1 transform-set"
            fix.append(f"{kind} {name} {asa.esp_encryption(enc)} {asa.esp_hash(integ)}")
        fix.extend(entry.set_lines(f"set {'' if legacy else 'ikev1 '}transform-set {name}"))
    elif entry.ikev2_ipsec_proposals:
        props = [p for n in entry.ikev2_ipsec_proposals if (p := config.ipsec_proposal(n))]
        if not props or any(_proposal_ok(p, profile, accepted=False) for p in props):
            return None
        evidence = (
            *entry.identity,
            *lines_with(entry.lines, "ipsec-proposal"),
            *(line for p in props for line in p.lines),
        )
        offered = "; ".join(f"{' '.join(p.encryption)} / {' '.join(p.integrity)}" for p in props)
        if any(_proposal_ok(p, profile) for p in props):
            return _transform_accepted(ctx, entry, profile, evidence, offered)
        name = f"{profile.name.upper()}-{enc.upper()}-{integ.upper()}"
        fix = [
            f"crypto ipsec ikev2 ipsec-proposal {name}",
            f" protocol esp encryption {asa.ikev2_encryption(enc)}",
            f" protocol esp integrity {asa.ikev2_integrity(integ)}",
            *entry.set_lines(f"set ikev2 ipsec-proposal {name}"),
        ]
    else:
        return None
    code, severity = _grade(ctx, "IPSEC_TRANSFORM_MISMATCH")
    also = _also_accepted(
        (*p2.accepted("encryption"), *p2.accepted("integrity")), (*p2.encryption, *p2.integrity)
    )
    if also:
        also = (
            f" (accepts {_listed(p2.accepted('encryption'))} with "
            f"{_listed(p2.accepted('integrity'))})"
        )
    return ConfigIssue(
        code,
        severity,
        f"{entry.name} offers {offered}; the {profile.name} peer expects "
        f"{'/'.join(p2.encryption)} with {'/'.join(p2.integrity)}{also}",
        evidence,
        entry.show_with("show running-config crypto ipsec"),
        tuple(fix),
        "Quick mode needs one ESP encryption and integrity pair both sides accept; otherwise "
        "'All IPSec SA proposals found unacceptable' and no IPsec SA.",
    )


def _transform_accepted(
    ctx: CheckContext,
    entry: Phase2Offer,
    profile: PeerProfile,
    evidence: tuple[str, ...],
    offered: str,
) -> ConfigIssue:
    """The entry's ESP offer is accepted by the peer but is not the expected one (info)."""
    p2 = profile.phase2
    return ConfigIssue(
        "TUNNEL_PROFILE_DEVIATION",
        "info",
        f"{entry.name} offers {offered}, which the {profile.name} "
        f"peer accepts (expected: {'/'.join(p2.encryption)} with {'/'.join(p2.integrity)})",
        evidence,
        entry.show_with("show running-config crypto ipsec"),
        (),
        _ACCEPTED_NOT_EXPECTED,
    )


def check_ipsec_lifetime(ctx: CheckContext) -> list[ConfigIssue]:
    """IPsec SA lifetime vs the profile (AWS: 3600 s); AWS rekeys on its own timer."""
    profile = _offer_profile(ctx)
    wanted = profile.phase2.lifetime_seconds if profile else None
    if profile is None or wanted is None:
        return []
    global_line = next(
        (line for line in ctx.config.other_crypto_lines if _GLOBAL_LIFETIME.match(line)), ""
    )
    issues: list[ConfigIssue] = []
    for entry in phase2_offers(ctx):
        line = next(iter(lines_with(entry.lines, "security-association lifetime")), "")
        evidence: tuple[str, ...]
        if entry.sa_lifetime_seconds is not None:
            actual, evidence = entry.sa_lifetime_seconds, (*entry.identity, line)
        elif global_line:
            match = _GLOBAL_LIFETIME.match(global_line)
            actual = int(match[1]) if match else 0
            evidence = (*entry.identity, global_line)
        elif ctx.complete(*IPSEC_SOURCES):
            actual, evidence = ASA_IPSEC_LIFETIME_DEFAULT, (*entry.identity, *entry.lines)
        else:
            continue
        if actual == wanted:
            continue
        issues.append(
            ConfigIssue(
                "TUNNEL_PROFILE_DEVIATION",
                "warning",
                f"IPsec SA lifetime of {entry.short} is {actual} s; the "
                f"{profile.name} peer uses {wanted} s",
                (*evidence, *_sa_lines(ctx, "remaining key lifetime")),
                entry.show_with("show running-config crypto ipsec"),
                entry.set_lines(f"set security-association lifetime seconds {wanted}"),
                _lifetime_meaning("IPsec", actual, wanted),
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


def _policy_ok(policy: IkePolicy, profile: PeerProfile, *, accepted: bool = True) -> bool:
    """The policy offers something the peer accepts (``accepted=True``) or expects."""
    p1 = profile.phase1
    enc_allowed = p1.accepted("encryption") if accepted else p1.encryption
    hash_allowed = p1.accepted("hash") if accepted else p1.hash
    dh_allowed = p1.accepted("dh_group") if accepted else p1.dh_group
    enc = {normalise_encryption(v) for v in policy.encryption}
    integ = {normalise_hash(v) for v in policy.integrity}
    groups = {normalise_group(v) for v in policy.groups}
    usable = enc & set(enc_allowed) if enc_allowed else enc
    aead_only = bool(usable) and all(_aead(e) for e in usable)  # IKEv2 GCM: 'integrity null'
    return (
        (not enc_allowed or bool(usable))
        and (not hash_allowed or aead_only or bool(integ & set(hash_allowed)))
        and (not dh_allowed or bool(groups & set(dh_allowed)))
    )


def _policy_text(policy: IkePolicy) -> str:
    return ", ".join(
        part
        for part in (
            "/".join(policy.encryption),
            "/".join(policy.integrity),
            f"DH group {'/'.join(policy.groups)}" if policy.groups else "",
        )
        if part
    )


def _p1_wanted(profile: PeerProfile, *, accepted: bool) -> str:
    p1 = profile.phase1
    enc = p1.accepted("encryption") if accepted else p1.encryption
    hashes = p1.accepted("hash") if accepted else p1.hash
    groups = p1.accepted("dh_group") if accepted else p1.dh_group
    return f"{_listed(enc)}, {_listed(hashes)}, DH group {_listed(groups, groups=True)}"


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
    profile = _offer_profile(ctx)
    if profile is None:
        return []
    versions = sorted({v for e in phase2_offers(ctx) for v in e.ike_versions})
    issues: list[ConfigIssue] = []
    for version in versions:
        sources = IKEV1_SOURCES if version == 1 else IKEV2_SOURCES
        if not ctx.complete(*sources):
            continue
        policies = [p for p in ctx.config.ike_policies if p.version == version]
        good = [p for p in policies if _policy_ok(p, profile)]
        if not good:
            code, severity = _grade(ctx, "IKE_PROPOSAL_MISMATCH")
            expected = _p1_wanted(profile, accepted=False)
            accepted = _p1_wanted(profile, accepted=True)
            also = f"; it accepts {accepted}" if accepted != expected else ""
            issues.append(
                ConfigIssue(
                    code,
                    severity,
                    f"No IKEv{version} policy matches the {profile.name} peer ({expected}{also})",
                    tuple(line for p in policies for line in p.lines),
                    (f"show running-config crypto ikev{version}",),
                    _new_policy(version, policies, profile),
                    "Phase 1 needs one policy (encryption, hash, DH group) both sides accept; "
                    "otherwise MM_NO_STATE / NO_PROPOSAL_CHOSEN.",
                )
            )
            continue
        best = [p for p in good if _policy_ok(p, profile, accepted=False)]
        if not best:
            issues.append(
                ConfigIssue(
                    "TUNNEL_PROFILE_DEVIATION",
                    "info",
                    f"IKEv{version} policy {good[0].priority} ({_policy_text(good[0])}) is "
                    f"accepted by the {profile.name} peer but is not its expected "
                    f"{_p1_wanted(profile, accepted=False)}",
                    good[0].lines,
                    (f"show running-config crypto ikev{version}",),
                    (),
                    _ACCEPTED_NOT_EXPECTED,
                )
            )
        wanted = profile.phase1.lifetime
        chosen = (best or good)[0]
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
                    _lifetime_meaning("IKE", actual, wanted),
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
