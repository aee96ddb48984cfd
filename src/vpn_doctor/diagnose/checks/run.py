"""Configuration-aware diagnosis: what in the ASA's configuration breaks (or will break) the
tunnel to one peer, with the exact lines to quote and the exact lines to change.

The SA tables say *that* a tunnel fails (MM_WAIT_MSG2, no IPsec SA, encaps 0); the
configuration says *why*: the map is not bound, the crypto ACL is swapped, PAT catches the
traffic first, PFS is off towards a peer that wants it. These are pure functions over a parsed
:class:`~vpn_doctor.config_models.CryptoConfig` (plus, optionally, the IPsec SAs parsed from
``show crypto ipsec sa`` and an expected-peer :class:`~vpn_doctor.diagnose.profiles.PeerProfile`):
no device access, no engine state, so they are tested with plain config fixtures and the
engine can call them from any node.

Each check is a small function ``check_x(ctx) -> list[ConfigIssue]`` and says nothing when
the output it would need to claim an absence was not collected completely.

    run_config_checks(config, peer, ipsec_sas=(), profile=None, now=None) -> list[ConfigIssue]

returns the issues ordered critical -> warning -> info, and within a severity in the order
of :data:`CHECKS` (which follows the life of a tunnel: can IKE start, does it authenticate,
does phase 2 agree, does traffic flow, will it stay up).

Checks implemented (Contract 3 codes):

==============================  ==========================================================
check                           codes
==============================  ==========================================================
check_peer_in_crypto_map        IKE_NO_SA
check_map_bound                 IKE_NO_SA (unbound, or bound where the peer is not routed)
check_ike_enabled               IKE_NO_SA
check_entry_complete            IKE_NO_SA (no ACL / transform set, undefined names)
check_crypto_acl_exists         IKE_NO_SA
check_tunnel_group              IKE_AUTH_FAILED, IKE_NO_RESPONSE (map/tunnel-group disagree)
check_certificates              IKE_CERT_INVALID (trustpoint certificate expired, not yet
                                valid, missing/pending, or Encryption-only key usage)
check_aggressive_mode           IKE_AGGRESSIVE_MODE
check_ike_version               IKE_VERSION_MISMATCH (profile)
check_phase1_policy             IKE_PROPOSAL_MISMATCH / TUNNEL_PROFILE_DEVIATION (profile)
check_proxy_mirror              IPSEC_PROXY_MISMATCH (swapped lines; SA proxies vs ACL)
check_overlapping_subnets       TUNNEL_OVERLAPPING_SUBNETS
check_transform                 IPSEC_TRANSFORM_MISMATCH / TUNNEL_PROFILE_DEVIATION (profile)
check_pfs                       IPSEC_PFS_MISMATCH / TUNNEL_PROFILE_DEVIATION (profile)
check_aws_single_sa             IPSEC_AWS_SINGLE_SA (profile with single_sa)
check_nat_exemption             IPSEC_ONE_WAY (critical when decaps>0 and encaps==0)
check_connection_type           TUNNEL_RESPONDER_CANNOT_INITIATE (answer-only; VTI:
                                responder-only ipsec profile)
check_keepalive                 TUNNEL_RESPONDER_CANNOT_INITIATE (no sla monitor)
check_ipsec_lifetime            TUNNEL_PROFILE_DEVIATION (profile)
check_nat_t                     TUNNEL_PROFILE_DEVIATION (profile)
check_tunnel_count              TUNNEL_PROFILE_DEVIATION (profile: both tunnels)
check_vti_complete              TUNNEL_VTI_INCOMPLETE (VTI: no / undefined ipsec
                                profile, undefined transform set / proposal)
check_vti_ike_enabled           IKE_NO_SA (IKE not enabled on the VTI's tunnel source)
==============================  ==========================================================

A route-based peer (a VTI whose ``tunnel destination`` is the peer) has no crypto map entry:
check_tunnel_group covers it, and the phase 1 / IKE version / PFS / transform / lifetime /
connection-type checks read its ipsec profile (see :mod:`~vpn_doctor.diagnose.checks.phase2`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.diagnose.checks.base import CheckContext, ConfigIssue
from vpn_doctor.diagnose.checks.certs import check_certificates
from vpn_doctor.diagnose.checks.crypto import (
    check_aggressive_mode,
    check_connection_type,
    check_entry_complete,
    check_ike_enabled,
    check_ike_version,
    check_map_bound,
    check_peer_in_crypto_map,
    check_tunnel_group,
)
from vpn_doctor.diagnose.checks.profile import (
    check_ipsec_lifetime,
    check_nat_t,
    check_pfs,
    check_phase1_policy,
    check_transform,
    check_tunnel_count,
)
from vpn_doctor.diagnose.checks.traffic import (
    check_aws_single_sa,
    check_crypto_acl_exists,
    check_keepalive,
    check_nat_exemption,
    check_overlapping_subnets,
    check_proxy_mirror,
)
from vpn_doctor.diagnose.checks.vti import check_vti_complete, check_vti_ike_enabled
from vpn_doctor.diagnose.findings import severity_rank
from vpn_doctor.diagnose.profiles import PeerProfile
from vpn_doctor.models import IpsecSa

__all__ = ["CHECKS", "CheckContext", "ConfigIssue", "run_config_checks"]

Check = Callable[[CheckContext], list[ConfigIssue]]

CHECKS: tuple[Check, ...] = (
    check_peer_in_crypto_map,
    check_map_bound,
    check_ike_enabled,
    check_vti_ike_enabled,
    check_entry_complete,
    check_vti_complete,
    check_crypto_acl_exists,
    check_tunnel_group,
    check_certificates,
    check_aggressive_mode,
    check_ike_version,
    check_phase1_policy,
    check_proxy_mirror,
    check_overlapping_subnets,
    check_transform,
    check_pfs,
    check_aws_single_sa,
    check_nat_exemption,
    check_connection_type,
    check_keepalive,
    check_ipsec_lifetime,
    check_nat_t,
    check_tunnel_count,
)


def run_config_checks(
    config: CryptoConfig,
    peer: str,
    ipsec_sas: Iterable[IpsecSa] = (),
    profile: PeerProfile | None = None,
    *,
    checks: Iterable[Check] = CHECKS,
    now: datetime | None = None,
) -> list[ConfigIssue]:
    """Every configuration issue for the tunnel to ``peer``, most severe first.

    ``ipsec_sas`` may hold all SAs of the device; only the peer's are used. Passing them lets
    the NAT check say "one-way now" (decaps > 0, encaps == 0) and the profile checks tell a
    deviation on a working tunnel from the reason a tunnel does not come up. ``now`` is the
    reference time for certificate validity (default: ``config.collected_at``, else now).
    """
    ctx = CheckContext(config, peer, tuple(ipsec_sas), profile, now)
    issues: list[ConfigIssue] = []
    seen: set[tuple[str, str]] = set()
    for check in checks:
        for issue in check(ctx):
            key = (issue.code, issue.title)
            if key in seen:
                continue
            seen.add(key)
            issues.append(_named(issue, check))
    return sorted(issues, key=lambda i: severity_rank(i.severity))


def _named(issue: ConfigIssue, check: Check) -> ConfigIssue:
    if issue.check:
        return issue
    return ConfigIssue(
        issue.code,
        issue.severity,
        issue.title,
        tuple(line for line in issue.evidence if line),
        issue.checks,
        issue.remediation,
        issue.meaning,
        getattr(check, "__name__", ""),
    )
