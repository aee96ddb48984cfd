"""What each side is configured with, and what the path between them does.

Why dataclasses rather than the rendered text: the negotiation model compares the two sides'
settings (policies, transform sets, PFS, crypto ACLs, keys) directly, and the renderers turn
the same objects into `show running-config` text, so the configuration shown and the
behaviour derived can never disagree. One :class:`Endpoint` type serves both sides; the
ASA-only fields (crypto map name, tunnel-group options, SLA monitor) are inert on the peer.

YAML form (a scenario's ``model:`` key; every field optional)::

    model:
      asa: {address: 198.51.100.2, ike: [1], pfs: 14, local_nets: [10.1.1.0/24],
            remote_nets: [10.2.1.0/24], p1: {encryption: aes-256, hash: sha, group: 14}}
      peer: {address: 203.0.113.9}      # or `profile: aws` (then `peer:` only overrides)
      path: {udp500_in: true, udp500_out: true, udp4500: true, esp: true, nat: false,
             reachable: true, peer_nat_in_tunnel: ""}
      traffic: both                     # who originates interesting traffic: asa|peer|both
      faults: [psk_mismatch]            # see mock_device/negotiation/faults.py

Unset peer fields mirror the ASA (same policies, the ASA's networks swapped), so a model
with no faults is a healthy tunnel.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

AWS = "aws"
TRAFFIC = ("both", "asa", "peer")


@dataclass(frozen=True)
class P1Policy:
    """An IKE policy (IKEv1 ``crypto ikev1 policy`` / IKEv2 ``crypto ikev2 policy``).

    Names use the IKEv1 keywords (``aes``, ``aes-256``, ``sha``, ``sha256``); the IKEv2
    renderer translates. Lifetime never breaks IKEv1 (the lower value wins, 713073-76).
    """

    encryption: str = "aes-256"
    hash: str = "sha"
    group: int = 14
    lifetime: int = 86400

    def matches(self, other: P1Policy) -> bool:
        return (self.encryption, self.hash, self.group) == (
            other.encryption,
            other.hash,
            other.group,
        )


@dataclass(frozen=True)
class Endpoint:
    """One side's crypto configuration (ASA or peer).

    ``acl`` is the crypto ACL as (source, destination) pairs from this side's point of view;
    empty means "local_nets x remote_nets" (the usual mirror). ``local_nets`` and
    ``remote_nets`` are the real networks behind each side (where traffic comes from).
    """

    address: str
    ike: tuple[int, ...] = (1,)
    p1: P1Policy = field(default_factory=P1Policy)
    p1_alternatives: tuple[P1Policy, ...] = ()  # further policies accepted as responder
    mode: str = "main"  # main | aggressive (``set ikev1 phase1-mode``)
    transform: str = "esp-aes-256 esp-sha-hmac"
    transform_alternatives: tuple[str, ...] = ()
    pfs: int | None = None
    pfs_alternatives: tuple[int, ...] = ()
    ipsec_lifetime: int = 28800
    local_nets: tuple[str, ...] = ("10.1.1.0/24",)
    remote_nets: tuple[str, ...] = ("10.2.1.0/24",)
    acl: tuple[tuple[str, str], ...] = ()
    psk: str = "Str0ngL2Lkey"
    nat_exemption: bool = True  # identity NAT for local -> remote before any PAT
    peer_id_for_us: str = ""  # the address this side's config names for the other ("" = right)
    initiates: bool = True  # AWS over IKEv1 never initiates
    # ASA-only (inert on the peer):
    interface: str = "outside"
    crypto_map: str = "outside_map"
    seq: int = 10
    acl_name: str = ""
    crypto_map_bound: bool = True
    sla_monitor: bool = False
    keepalive: bool = True
    standby_peer: str = ""  # AWS: the second tunnel endpoint in `set peer A B`
    next_hop: str = "198.51.100.1"

    @property
    def acl_lines(self) -> tuple[tuple[str, str], ...]:
        if self.acl:
            return self.acl
        return tuple((lo, re) for lo in self.local_nets for re in self.remote_nets)

    @property
    def acl_label(self) -> str:
        return self.acl_name or f"{self.interface}_cryptomap_{self.seq}"


@dataclass(frozen=True)
class PathConditions:
    """What the network between the two outside addresses lets through."""

    reachable: bool = True
    udp500_in: bool = True  # peer -> ASA
    udp500_out: bool = True  # ASA -> peer
    udp4500: bool = True
    esp: bool = True
    nat: bool = False  # a NAT device in the path (the ASA is behind it): NAT-T, UDP/4500
    peer_nat_in_tunnel: str = ""  # source the peer translates its hosts to before encrypting

    def ike_ok(self, *, to_peer: bool, nat_t: bool = False) -> bool:
        if not self.reachable:
            return False
        if nat_t:
            return self.udp4500
        return self.udp500_out if to_peer else self.udp500_in


@dataclass(frozen=True)
class ModelSpec:
    """A whole model: both sides, the path, who has traffic, and the faults applied."""

    asa: Endpoint
    peer: Endpoint
    path: PathConditions = field(default_factory=PathConditions)
    traffic: str = "both"
    profile: str = ""
    faults: tuple[str, ...] = ()

    @property
    def is_aws(self) -> bool:
        return self.profile == AWS


def mirror(asa: Endpoint, address: str) -> Endpoint:
    """The peer a correctly configured far side would have: same policies, nets swapped."""
    return replace(
        asa,
        address=address,
        local_nets=asa.remote_nets,
        remote_nets=asa.local_nets,
        acl=tuple((dst, src) for src, dst in asa.acl_lines),
        acl_name="",
        sla_monitor=False,
        standby_peer="",
    )


AWS_VPC = "172.31.0.0/16"


def aws_asa(peer: str = "203.0.113.21", standby: str = "203.0.113.22") -> Endpoint:
    """The ASA side of AWS's sample configuration (S27): one `any4` line, SLA monitor."""
    return Endpoint(
        address="198.51.100.2",
        p1=P1Policy("aes", "sha", 2, 28800),
        transform="esp-aes esp-sha-hmac",
        pfs=2,
        ipsec_lifetime=3600,
        local_nets=("10.1.1.0/24",),
        remote_nets=(AWS_VPC,),
        acl=(("any", AWS_VPC),),
        crypto_map="amzn_vpn_map",
        seq=1,
        acl_name="acl-amzn",
        sla_monitor=True,
        standby_peer=standby,
    )


def aws_peer(address: str, asa: Endpoint) -> Endpoint:
    """AWS's end (S26): 0.0.0.0/0 selectors, several accepted proposals, no IKEv1 initiation."""
    groups = (2, 14)
    encs = ("aes", "aes-256")
    hashes = ("sha", "sha256")
    return Endpoint(
        address=address,
        p1=P1Policy("aes", "sha", 2, 28800),
        p1_alternatives=tuple(
            P1Policy(e, h, g, 28800) for e in encs for h in hashes for g in groups
        ),
        transform="esp-aes esp-sha-hmac",
        transform_alternatives=("esp-aes-256 esp-sha-hmac", "esp-aes esp-sha-256-hmac",
                                "esp-aes-256 esp-sha-256-hmac"),
        pfs=2,
        pfs_alternatives=(5, 14),
        ipsec_lifetime=3600,
        local_nets=asa.remote_nets,
        remote_nets=asa.local_nets,
        acl=(("any", "any"),),
        psk=asa.psk,
        initiates=False,
    )  # fmt: skip


# ---------------------------------------------------------------- parsing the YAML form

_P1_FIELDS = {f.name for f in dataclasses.fields(P1Policy)}
_ENDPOINT_FIELDS = {f.name: f for f in dataclasses.fields(Endpoint)}
_PATH_FIELDS = {f.name for f in dataclasses.fields(PathConditions)}
_TOP = {"asa", "peer", "profile", "path", "traffic", "faults"}


def _p1(data: Any, where: str) -> P1Policy:
    if not isinstance(data, Mapping) or set(data) - _P1_FIELDS:
        raise ValueError(f"{where}: expected a mapping with keys {sorted(_P1_FIELDS)}")
    return P1Policy(
        encryption=str(data.get("encryption", "aes-256")),
        hash=str(data.get("hash", "sha")),
        group=int(data.get("group", 14)),
        lifetime=int(data.get("lifetime", 86400)),
    )


def _endpoint_changes(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a mapping")
    unknown = set(map(str, data)) - set(_ENDPOINT_FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "p1":
            out[key] = _p1(value, f"{where}.p1")
        elif key == "p1_alternatives":
            out[key] = tuple(_p1(v, f"{where}.p1_alternatives") for v in _seq(value, where))
        elif key in ("ike", "pfs_alternatives"):
            out[key] = tuple(int(v) for v in _seq(value, f"{where}.{key}"))
        elif key in ("local_nets", "remote_nets", "transform_alternatives"):
            out[key] = tuple(str(v) for v in _seq(value, f"{where}.{key}"))
        elif key == "acl":
            pairs = _seq(value, f"{where}.acl")
            if not all(isinstance(p, Sequence) and len(p) == 2 for p in pairs):
                raise ValueError(f"{where}.acl: expected [source, destination] pairs")
            out[key] = tuple((str(a), str(b)) for a, b in pairs)
        elif key == "pfs":
            out[key] = None if value is None else int(value)
        elif key in ("ipsec_lifetime", "seq"):
            out[key] = int(value)
        elif isinstance(_ENDPOINT_FIELDS[key].default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{where}.{key}: expected true/false")
            out[key] = value
        else:
            out[key] = str(value)
    for net in (*out.get("local_nets", ()), *out.get("remote_nets", ())):
        ipaddress.IPv4Network(net, strict=False)  # ValueError names the bad network
    return out


def _seq(value: Any, where: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{where}: expected a list")
    return list(value)


def parse_model(data: Mapping[str, Any]) -> ModelSpec:
    """Validate a ``model:`` mapping and build the spec (faults not yet applied).

    Raises ValueError with the offending key named.
    """
    if not isinstance(data, Mapping):
        raise ValueError("model: expected a mapping")
    unknown = set(map(str, data)) - _TOP
    if unknown:
        raise ValueError(f"model: unknown key(s) {sorted(unknown)} (allowed: {sorted(_TOP)})")
    profile = str(data.get("profile") or "")
    if profile not in ("", AWS):
        raise ValueError(f"model.profile: unknown profile {profile!r} (known: aws)")
    asa_changes = _endpoint_changes(data.get("asa"), "model.asa")
    peer_changes = _endpoint_changes(data.get("peer"), "model.peer")
    peer_address = str(peer_changes.pop("address", "203.0.113.9"))
    if profile == AWS:
        a, b, c, d = peer_address.split(".")
        base = aws_asa(peer_address, f"{a}.{b}.{c}.{(int(d) + 1) % 255}")
        asa = replace(base, **asa_changes)
        peer = replace(aws_peer(peer_address, asa), **peer_changes)
    else:
        asa = replace(Endpoint(address="198.51.100.2"), **asa_changes)
        peer = replace(mirror(asa, peer_address), **peer_changes)
    path_raw = data.get("path") or {}
    if not isinstance(path_raw, Mapping) or set(map(str, path_raw)) - _PATH_FIELDS:
        raise ValueError(f"model.path: expected a mapping with keys {sorted(_PATH_FIELDS)}")
    path = replace(PathConditions(), **{str(k): v for k, v in path_raw.items()})
    traffic = str(data.get("traffic", "both"))
    if traffic not in TRAFFIC:
        raise ValueError(f"model.traffic: expected one of {TRAFFIC}, got {traffic!r}")
    faults = tuple(str(f) for f in _seq(data.get("faults") or [], "model.faults"))
    return ModelSpec(asa=asa, peer=peer, path=path, traffic=traffic, profile=profile,
                     faults=faults)  # fmt: skip
