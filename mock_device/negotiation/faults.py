"""The catalogue of injectable faults, each a pure change to a :class:`ModelSpec`.

Why faults are config edits and not canned symptoms: the model then derives the symptoms,
so two faults combine the way they would on a real pair of devices (a PSK mismatch hides a
transform-set mismatch; a missing SLA monitor stays visible in the configuration whatever
else is broken). Each fault names the Contract 3 code the tool should put first, per role
the ASA ends up in (``initiator``, ``responder`` or ``none`` when no negotiation reaches it):
the same fault reads differently from each side (UDP/500 blocked is IKE_NO_RESPONSE for an
initiator but plain IKE_NO_SA for a would-be responder that never hears a packet).

``ambiguous`` marks the (fault, situation) pairs that the ASA's own outputs cannot tell apart
from another fault; the accuracy bench does not draw them (see bench/accuracy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from mock_device.negotiation.config import AWS, ModelSpec, P1Policy

Apply = Callable[[ModelSpec], ModelSpec]


@dataclass(frozen=True)
class Fault:
    """One injectable fault.

    ``codes`` maps the ASA's derived role to the expected first finding ("*" = any role).
    ``blocks``: the tunnel never carries traffic. ``config_visible``: the fault shows in the
    ASA's own configuration, so it stays diagnosable when another fault blocks negotiation.
    ``profiles``: "" (generic peer) and/or "aws". ``ike``: the IKE versions it applies to.
    """

    name: str
    description: str
    apply: Apply
    codes: tuple[tuple[str, str], ...]
    blocks: bool = True
    config_visible: bool = False
    profiles: tuple[str, ...] = ("",)
    ike: tuple[int, ...] = (1, 2)
    ambiguous_as_initiator: bool = False

    def ambiguous(self, spec: ModelSpec, role: str) -> bool:
        """True when the ASA's outputs cannot tell this fault from another one.

        As quick mode initiator the ASA only hears "No proposal chosen (14)": whether the
        peer objected to the transform set or to PFS is invisible, so a one-sided PFS on
        the peer, or a transform mismatch while we propose PFS, cannot be told apart
        (an AWS peer is the exception: its profile says what it wants).
        """
        if not self.ambiguous_as_initiator or role != "initiator" or spec.is_aws:
            return False
        return self.name != "transform_mismatch" or spec.asa.pfs is not None

    def code_for(self, role: str) -> str:
        table = dict(self.codes)
        return table.get(role, table.get("*", ""))


def _asa(spec: ModelSpec, **changes: object) -> ModelSpec:
    return replace(spec, asa=replace(spec.asa, **changes))  # type: ignore[arg-type]


def _peer(spec: ModelSpec, **changes: object) -> ModelSpec:
    return replace(spec, peer=replace(spec.peer, **changes))  # type: ignore[arg-type]


def _path(spec: ModelSpec, **changes: object) -> ModelSpec:
    return replace(spec, path=replace(spec.path, **changes))  # type: ignore[arg-type]


def _p1_mismatch(spec: ModelSpec) -> ModelSpec:
    if spec.is_aws:  # AWS refuses 3DES/MD5 (S26: "No Proposal Match Found by AWS")
        return _asa(spec, p1=replace(spec.asa.p1, encryption="3des", hash="md5"))
    other = 2 if spec.asa.p1.group != 2 else 14
    return _peer(spec, p1=replace(spec.peer.p1, group=other), p1_alternatives=())


def _transform_mismatch(spec: ModelSpec) -> ModelSpec:
    other = (
        "esp-3des esp-md5-hmac"
        if spec.peer.transform != "esp-3des esp-md5-hmac"
        else "esp-aes-256 esp-sha-hmac"
    )
    if spec.is_aws:
        return _asa(spec, transform="esp-3des esp-md5-hmac")
    return _peer(spec, transform=other, transform_alternatives=())


def _pfs_asa_only(spec: ModelSpec) -> ModelSpec:
    if spec.is_aws:  # AWS requires PFS: the one-sided case is the ASA without `set pfs`
        return _asa(spec, pfs=None)
    return _peer(_asa(spec, pfs=spec.asa.pfs or 14), pfs=None, pfs_alternatives=())


def _pfs_peer_only(spec: ModelSpec) -> ModelSpec:
    return _peer(_asa(spec, pfs=None), pfs=14, pfs_alternatives=())


def _proxy_not_mirror(spec: ModelSpec) -> ModelSpec:
    """The peer's crypto ACL names a /16 where the ASA's names the /24 (not mirror images)."""
    lines = tuple((_widen(src), dst) for src, dst in spec.peer.acl_lines)
    return _peer(spec, acl=lines)


def _widen(net: str) -> str:
    parts = net.split("/")[0].split(".")
    return f"{parts[0]}.{parts[1]}.0.0/16"


def _acl_swapped(spec: ModelSpec) -> ModelSpec:
    return _asa(spec, acl=tuple((dst, src) for src, dst in spec.asa.acl_lines))


def _aws_multi(spec: ModelSpec) -> ModelSpec:
    nets = (*spec.asa.local_nets, "10.1.2.0/24")
    vpc = spec.asa.remote_nets[0]
    return _asa(spec, local_nets=nets, acl=tuple((n, vpc) for n in nets))


def _aws_deviation(spec: ModelSpec) -> ModelSpec:
    return _asa(spec, p1=P1Policy("aes-256", "sha", 2, 86400), ipsec_lifetime=28800)


def _overlap(spec: ModelSpec) -> ModelSpec:
    nets = spec.asa.local_nets
    spec = _asa(spec, remote_nets=nets, acl=tuple((n, n) for n in nets))
    return _peer(spec, local_nets=nets, remote_nets=nets, acl=tuple((n, n) for n in nets))


_FAULTS: tuple[Fault, ...] = (
    Fault("psk_mismatch", "The pre-shared keys differ.",
          lambda s: _peer(s, psk="Wr0ng-key"), (("*", "IKE_AUTH_FAILED"),),
          profiles=("", AWS)),
    Fault("phase1_proposal_mismatch", "No common IKE policy (DH group; 3DES/MD5 for AWS).",
          _p1_mismatch, (("*", "IKE_PROPOSAL_MISMATCH"),), profiles=("", AWS)),
    Fault("transform_mismatch", "The transform sets / IPsec proposals differ.",
          _transform_mismatch, (("*", "IPSEC_TRANSFORM_MISMATCH"),), ike=(1,),
          profiles=("", AWS), ambiguous_as_initiator=True),
    Fault("pfs_one_side", "PFS set on the ASA only (AWS: missing on the ASA).",
          _pfs_asa_only, (("*", "IPSEC_PFS_MISMATCH"),), ike=(1,), profiles=("", AWS)),
    Fault("pfs_peer_only", "PFS set on the peer only.",
          _pfs_peer_only, (("*", "IPSEC_PFS_MISMATCH"),), ike=(1,),
          ambiguous_as_initiator=True),
    Fault("proxy_acl_not_mirror", "The crypto ACLs are not mirror images (/16 vs /24).",
          _proxy_not_mirror, (("*", "IPSEC_PROXY_MISMATCH"),), ike=(1,)),
    Fault("acl_swapped", "The ASA's crypto ACL has source and destination swapped.",
          _acl_swapped, (("responder", "IPSEC_PROXY_MISMATCH"), ("*", "IKE_NO_SA")),
          ike=(1,), config_visible=True),
    Fault("peer_unreachable", "The peer's address does not answer at all.",
          lambda s: _path(s, reachable=False),
          (("initiator", "IKE_NO_RESPONSE"), ("*", "IKE_NO_SA")), profiles=("", AWS)),
    Fault("udp500_blocked", "A firewall in the path drops UDP/500 both ways.",
          lambda s: _path(s, udp500_in=False, udp500_out=False),
          (("initiator", "IKE_NO_RESPONSE"), ("*", "IKE_NO_SA")), profiles=("", AWS)),
    Fault("return_path_blocked", "UDP/500 from the ASA to the peer is dropped (one way).",
          lambda s: _path(s, udp500_out=False),
          (("initiator", "IKE_NO_RESPONSE"), ("responder", "IKE_KEY_EXCHANGE_STALLED"),
           ("*", "IKE_NO_SA")), ike=(1,)),
    Fault("udp4500_blocked_with_nat", "The ASA is behind NAT and UDP/4500 is blocked.",
          lambda s: _path(s, nat=True, udp4500=False), (("*", "IKE_NAT_T_BLOCKED"),),
          ike=(1,), profiles=("", AWS)),
    Fault("peer_wrong_asa_address", "The peer's crypto map/tunnel-group name a wrong ASA IP.",
          lambda s: _peer(s, peer_id_for_us="198.51.100.99"),
          (("initiator", "IKE_KEY_EXCHANGE_STALLED"), ("*", "IKE_NO_SA")), ike=(1,)),
    Fault("nat_in_tunnel", "The peer NATs its hosts before encryption (402116).",
          lambda s: _path(s, peer_nat_in_tunnel="192.168.60.0/24"),
          (("*", "IPSEC_NAT_IN_TUNNEL"),), blocks=False, profiles=("", AWS)),
    Fault("one_way_traffic", "The ASA lacks the NAT exemption: its traffic is PATed.",
          lambda s: _asa(s, nat_exemption=False),
          (("responder", "IPSEC_ONE_WAY"), ("*", "IKE_NO_SA")), blocks=False,
          config_visible=True),
    Fault("peer_no_return", "The peer lacks its NAT exemption/route: nothing comes back.",
          lambda s: _peer(s, nat_exemption=False),
          (("initiator", "IPSEC_ONE_WAY"), ("*", "IKE_NO_SA")), blocks=False),
    # blocks=False holds for generic peers only (both ends in aggressive mode: AM_ACTIVE, the
    # tunnel works). AWS refuses aggressive mode at the first message (AG_INIT_EXCH), before
    # NAT-T or the PSK are reached, so for AWS it blocks; a single static flag cannot say
    # both, so bench/accuracy.py measures blocking per tunnel from the model (_blocks) and
    # derive's verdict is "down" anyway when no SA pair is established.
    Fault("aggressive_mode", "Aggressive mode configured (both ends; AWS refuses it).",
          lambda s: _asa(s, mode="aggressive") if s.is_aws
          else _peer(_asa(s, mode="aggressive"), mode="aggressive"),
          (("*", "IKE_AGGRESSIVE_MODE"),), blocks=False, ike=(1,), config_visible=True,
          profiles=("", AWS)),
    Fault("ike_version_mismatch", "The ASA runs IKEv1 only, the peer IKEv2 only.",
          lambda s: replace(_peer(_asa(s, ike=(1,)), ike=(2,), initiates=True),
                            traffic="both"),
          (("*", "IKE_VERSION_MISMATCH"),), ike=(1,)),
    Fault("crypto_map_not_bound", "The crypto map is not applied to the outside interface.",
          lambda s: _asa(s, crypto_map_bound=False), (("*", "IKE_NO_SA"),),
          config_visible=True, profiles=("", AWS)),
    Fault("overlapping_subnets", "The same subnet sits behind both ends.",
          _overlap, (("*", "TUNNEL_OVERLAPPING_SUBNETS"),), blocks=False, config_visible=True),
    Fault("aws_multiple_acl_lines", "AWS peer, crypto ACL with two lines (AWS wants one SA).",
          _aws_multi, (("*", "IPSEC_AWS_SINGLE_SA"),), blocks=False, config_visible=True,
          profiles=(AWS,), ike=(1,)),
    Fault("missing_keepalive_for_aws", "AWS peer, no SLA monitor: AWS cannot bring it up.",
          lambda s: replace(_asa(s, sla_monitor=False), traffic="peer"),
          (("*", "TUNNEL_RESPONDER_CANNOT_INITIATE"),), config_visible=True,
          profiles=(AWS,), ike=(1,)),
    Fault("aws_profile_deviation", "AWS peer, AES256 and 86400/28800 s lifetimes configured.",
          _aws_deviation, (("*", "TUNNEL_PROFILE_DEVIATION"),), blocks=False,
          config_visible=True, profiles=(AWS,), ike=(1,)),
)  # fmt: skip

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}
HEALTHY_CODE = "TUNNEL_HEALTHY"


def apply_faults(spec: ModelSpec) -> ModelSpec:
    """Apply ``spec.faults`` in order. Unknown names raise ValueError (listing the known)."""
    for name in spec.faults:
        fault = FAULTS.get(name)
        if fault is None:
            raise ValueError(f"unknown fault {name!r} (known: {', '.join(sorted(FAULTS))})")
        spec = fault.apply(spec)
    return spec


def expected_code(fault: str | None, role: str) -> str:
    """The finding code the tool should name first for ``fault`` seen from ``role``."""
    if not fault:
        return HEALTHY_CODE
    return FAULTS[fault].code_for(role)
