"""Consistency of a route-based tunnel: the VTI whose ``tunnel destination`` is the peer must
name an ipsec profile that exists, and that profile a transform set / IKEv2 ipsec-proposal
that exists; IKE must be enabled on the VTI's ``tunnel source interface``.

These are the VTI counterparts of ``check_entry_complete`` and ``check_ike_enabled`` (which
read crypto map entries). An incomplete VTI is ``TUNNEL_VTI_INCOMPLETE``, the route-based
sibling of ``TUNNEL_CRYPTO_MAP_INCOMPLETE``: the peer's phase 2 policy is missing, so no IPsec
SA can form. As everywhere, an absence is only claimed when the output that would show it was
collected and parsed completely.
"""

from __future__ import annotations

from vpn_doctor.config_models import CryptoConfig, IpsecProfile, TunnelInterface
from vpn_doctor.diagnose.checks.base import (
    IKEV1_SOURCES,
    IKEV2_SOURCES,
    INTERFACE_SOURCES,
    IPSEC_SOURCES,
    CheckContext,
    ConfigIssue,
)
from vpn_doctor.diagnose.checks.crypto import define_esp
from vpn_doctor.diagnose.checks.phase2 import vti_identity

_INCOMPLETE_MEANING = (
    "Phase 2 for a VTI is whatever its ipsec profile offers; a name that points nowhere "
    "offers nothing. Define what is missing, or point the VTI (or the profile) at the name "
    "that is defined (a near-identical defined name is usually a typo)."
)


def _profile_lines(config: CryptoConfig, name: str) -> tuple[str, ...]:
    """A placeholder profile using an existing proposal / transform set when there is one."""
    if config.ipsec_proposals:
        setting = f" set ikev2 ipsec-proposal {config.ipsec_proposals[0].name}"
    elif config.transform_sets:
        setting = f" set ikev1 transform-set {config.transform_sets[0].name}"
    else:
        return (
            *define_esp("ESP-AES-SHA", ikev1=True),
            f"crypto ipsec profile {name}",
            " set ikev1 transform-set ESP-AES-SHA",
        )
    return (f"crypto ipsec profile {name}", setting)


def _profile_problems(
    ctx: CheckContext, profile: IpsecProfile
) -> tuple[list[str], list[str], tuple[str, ...]]:
    """(problems, remediation, evidence) of an existing ``profile``."""
    config = ctx.config
    header = f"crypto ipsec profile {profile.name}"
    if not profile.ike_versions:
        name = config.transform_sets[0].name if config.transform_sets else "ESP-AES-SHA"
        fix = [] if config.transform_sets else list(define_esp(name, ikev1=True))
        return (
            [f"ipsec profile {profile.name} sets no transform set or IKEv2 proposal"],
            [*fix, header, f" set ikev1 transform-set {name}"],
            profile.lines,
        )
    missing = [(n, True) for n in profile.ikev1_transform_sets if config.transform_set(n) is None]
    missing += [
        (n, False) for n in profile.ikev2_ipsec_proposals if config.ipsec_proposal(n) is None
    ]
    problems = [f"{name} (ipsec profile {profile.name}) is not defined" for name, _ in missing]
    fix = [line for name, ikev1 in missing for line in define_esp(name, ikev1=ikev1)]
    return problems, fix, profile.lines


def _vti_issue(ctx: CheckContext, vti: TunnelInterface) -> ConfigIssue | None:
    config = ctx.config
    problems: list[str] = []
    remediation: list[str] = []
    evidence: tuple[str, ...] = ()
    name = vti.protection_profile
    if not name:
        if not ctx.complete(*INTERFACE_SOURCES, whole=False):
            return None
        problems.append("no 'tunnel protection ipsec profile'")
        profile_name = config.ipsec_profiles[0].name if config.ipsec_profiles else "VTI-PROFILE"
        if not config.ipsec_profiles and ctx.complete(*IPSEC_SOURCES):
            remediation.extend(_profile_lines(config, profile_name))
        remediation.extend(
            (f"interface {vti.name}", f" tunnel protection ipsec profile {profile_name}")
        )
    elif not ctx.complete(*IPSEC_SOURCES):
        return None
    elif (profile := config.ipsec_profile(name)) is None:
        problems.append(f"ipsec profile {name} is not defined")
        remediation.extend(_profile_lines(config, name))
    else:
        problems, remediation, evidence = _profile_problems(ctx, profile)
    if not problems:
        return None
    return ConfigIssue(
        "TUNNEL_VTI_INCOMPLETE",
        "critical",
        f"VTI {vti.name} to {ctx.peer} is incomplete: " + "; ".join(problems),
        (*vti_identity(vti), *evidence),
        (f"show running-config interface {vti.name}", "show running-config crypto ipsec"),
        tuple(remediation),
        _INCOMPLETE_MEANING,
    )


def check_vti_complete(ctx: CheckContext) -> list[ConfigIssue]:
    """Each VTI to the peer names an ipsec profile that exists and that offers something."""
    return [issue for vti in ctx.vtis if (issue := _vti_issue(ctx, vti)) is not None]


def check_vti_ike_enabled(ctx: CheckContext) -> list[ConfigIssue]:
    """``crypto ikev1|ikev2 enable <if>`` on the VTI's ``tunnel source interface``, for the IKE
    version(s) its ipsec profile uses."""
    config = ctx.config
    issues: list[ConfigIssue] = []
    for vti in ctx.vtis:
        profile = config.ipsec_profile(vti.protection_profile)
        if profile is None or not vti.source_interface:
            continue
        for version in profile.ike_versions:
            sources = IKEV1_SOURCES if version == 1 else IKEV2_SOURCES
            if not ctx.complete(*sources) or config.ike_enabled_on(vti.source_interface, version):
                continue
            issues.append(
                ConfigIssue(
                    "IKE_NO_SA",
                    "critical",
                    f"IKEv{version} is not enabled on {vti.source_interface}, the tunnel source "
                    f"of {vti.name}",
                    (
                        *vti_identity(vti),
                        *(line for line in vti.lines if "tunnel source" in line),
                        *(i.lines[0] for i in config.ike_interfaces),
                    ),
                    (f"show running-config crypto ikev{version}",),
                    (f"crypto ikev{version} enable {vti.source_interface}",),
                    f"The ASA neither answers nor sends IKEv{version} on an interface where it "
                    "is not enabled, so no phase 1 can form.",
                )
            )
    return issues
