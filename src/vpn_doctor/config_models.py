"""Typed models of the ASA's VPN *configuration* (as opposed to its runtime SA state).

The runtime models in :mod:`vpn_doctor.models` say what the tunnel is doing; these say what the
firewall was told to do. Diagnosis needs both: "phase 2 fails with proxy mismatch" only becomes
a fix when we can quote the crypto ACL line that is wrong.

Same rules as the runtime models: frozen dataclasses, tuples not lists, and every record keeps
``lines``, the exact (secret-masked) device lines it was built from, so findings quote the
device and never our paraphrase. A value the output did not show is ``None`` / ``""`` / ``()``,
never a guessed default: ``show running-config`` hides defaults, and the engine must be able to
tell "not shown" from "configured".

:class:`CryptoConfig` aggregates everything and offers the look-ups the engine needs
(entries for a peer, an ACL by name, the interface a crypto map is bound to, ...).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from vpn_doctor.models import ParseStatus

MASKED_SECRET = "*****"

_K = TypeVar("_K")
_V = TypeVar("_V")


def _group(pairs: Iterable[tuple[_K, _V]]) -> dict[_K, tuple[_V, ...]]:
    """Values by key, each key's values in input order."""
    grouped: dict[_K, list[_V]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return {key: tuple(values) for key, values in grouped.items()}


@dataclass(frozen=True)
class CryptoMapEntry:
    """One sequence of a crypto map (or dynamic map): ``crypto map NAME SEQ ...`` lines merged."""

    map_name: str
    seq: int
    match_address: str = ""  # crypto ACL name
    peers: tuple[str, ...] = ()  # IPs or names, in configured order (AWS: two endpoints)
    # ``set ikev1 transform-set`` and the 8.x ``set transform-set`` both land here.
    ikev1_transform_sets: tuple[str, ...] = ()
    ikev2_ipsec_proposals: tuple[str, ...] = ()
    # "group2", "group14", ...; None = no PFS. A bare ``set pfs`` (8.x, the AWS sample) means
    # the ASA default, group2 in the releases whose output carries a bare ``set pfs``.
    pfs_group: str | None = None
    sa_lifetime_seconds: int | None = None
    sa_lifetime_kilobytes: int | None = None  # None also when "unlimited"
    phase1_mode: str = ""  # "main" | "aggressive" | "" (not shown: main is the default)
    connection_type: str = ""  # "bidirectional" | "originate-only" | "answer-only" | ""
    reverse_route: bool = False
    nat_t_disable: bool = False
    dynamic_map: str = ""  # ``ipsec-isakmp dynamic DYN`` on a static map entry
    trustpoint: str = ""  # ``set trustpoint TP [chain]``: certificate (rsa-sig) authentication
    is_dynamic: bool = False  # parsed from ``crypto dynamic-map``
    lines: tuple[str, ...] = ()

    @property
    def ike_versions(self) -> tuple[int, ...]:
        """IKE versions this entry can negotiate, from the transform sets / proposals set."""
        return ike_versions_of(self.ikev1_transform_sets, self.ikev2_ipsec_proposals)


def ike_versions_of(transform_sets: tuple[str, ...], proposals: tuple[str, ...]) -> tuple[int, ...]:
    """IKE versions a crypto map entry or ipsec profile can negotiate: 1 with a transform set,
    2 with an IKEv2 ipsec-proposal."""
    return tuple(v for v, names in ((1, transform_sets), (2, proposals)) if names)


@dataclass(frozen=True)
class IpsecProfile:
    """``crypto ipsec profile NAME`` with its ``set ...`` lines: the phase 2 policy of a
    route-based tunnel (a VTI's ``tunnel protection ipsec profile NAME``), the counterpart of a
    crypto map entry's ``set`` lines. Same value conventions as :class:`CryptoMapEntry`."""

    name: str
    ikev1_transform_sets: tuple[str, ...] = ()
    ikev2_ipsec_proposals: tuple[str, ...] = ()
    pfs_group: str | None = None  # "group14", ...; None = no PFS
    sa_lifetime_seconds: int | None = None
    sa_lifetime_kilobytes: int | None = None  # None also when "unlimited"
    responder_only: bool = False  # ``set responder-only``
    lines: tuple[str, ...] = ()

    @property
    def ike_versions(self) -> tuple[int, ...]:
        return ike_versions_of(self.ikev1_transform_sets, self.ikev2_ipsec_proposals)


@dataclass(frozen=True)
class TunnelInterface:
    """``interface TunnelN`` from ``show running-config interface``: a VTI (ASA 9.7+).

    ``destination`` is the peer (``tunnel destination``), ``source_interface`` the nameif
    IKE/ESP leave from (``tunnel source interface outside``), ``mode`` the ``tunnel mode``
    words ("ipsec ipv4"), ``protection_profile`` the ``tunnel protection ipsec profile`` name.
    """

    name: str
    nameif: str = ""
    description: str = ""
    destination: str = ""
    source_interface: str = ""
    mode: str = ""
    protection_profile: str = ""
    shutdown: bool = False
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class CryptoMapBinding:
    """``crypto map NAME interface IF``: without it a map is configured but never used."""

    map_name: str
    interface: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class IkePolicy:
    """``crypto ikev1 policy N`` / ``crypto isakmp policy N`` (8.x) / ``crypto ikev2 policy N``.

    IKEv1 attributes are single values and IKEv2 ones are lists; both are stored as tuples so
    the engine compares them one way. IKEv1 ``hash`` is kept in ``integrity``.
    """

    version: int  # 1 or 2
    priority: int
    authentication: str = ""  # IKEv1: pre-share | rsa-sig | ...
    encryption: tuple[str, ...] = ()
    integrity: tuple[str, ...] = ()  # IKEv1 hash / IKEv2 integrity
    groups: tuple[str, ...] = ()  # "2", "14", ... (the number only)
    prf: tuple[str, ...] = ()  # IKEv2 only
    lifetime_seconds: int | None = None  # None = not shown (ASA default 86400)
    legacy: bool = False  # from ``crypto isakmp policy`` (pre-8.4 syntax)
    lines: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        """IKEv1 hash (the first integrity value), "" when not shown."""
        return self.integrity[0] if self.integrity else ""

    @property
    def group(self) -> str:
        """IKEv1 DH group (the first group), "" when not shown."""
        return self.groups[0] if self.groups else ""


@dataclass(frozen=True)
class TransformSet:
    """``crypto ipsec ikev1 transform-set NAME ESP-ENC ESP-HASH`` (8.x: no ``ikev1``)."""

    name: str
    esp_encryption: str = ""
    esp_hash: str = ""
    mode: str = ""  # "tunnel" | "transport" | "" (not shown: tunnel is the default)
    legacy: bool = False
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ikev2IpsecProposal:
    """``crypto ipsec ikev2 ipsec-proposal NAME`` with its ``protocol esp`` lines."""

    name: str
    encryption: tuple[str, ...] = ()
    integrity: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class IkeEnabledInterface:
    """``crypto ikev1|ikev2|isakmp enable IF``: IKE is only answered on these interfaces."""

    interface: str
    version: int  # ``isakmp`` (8.x) counts as 1
    legacy: bool = False
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class TunnelGroup:
    """A tunnel-group with its general- and ipsec-attributes merged.

    Pre-shared keys are never stored: ``ikev1_pre_shared_key`` holds :data:`MASKED_SECRET`
    when a key is configured (even if the device printed it in clear), else "".
    """

    name: str
    type: str = ""  # "ipsec-l2l", "remote-access", ...
    ikev1_pre_shared_key: str = ""
    ikev2_local_authentication: tuple[str, ...] = ()  # "pre-shared-key *****", "certificate TP"
    ikev2_remote_authentication: tuple[str, ...] = ()
    peer_id_validate: str = ""  # "req" | "cert" | "nocheck" | ""
    isakmp_keepalive: str = ""  # raw: "threshold 10 retry 10" | "disable" | ""
    keepalive_threshold: int | None = None
    keepalive_retry: int | None = None
    chain: bool = False
    trust_point: str = ""
    default_group_policy: str = ""
    lines: tuple[str, ...] = ()

    @property
    def has_pre_shared_key(self) -> bool:
        return bool(self.ikev1_pre_shared_key) or any(
            a.startswith("pre-shared-key") for a in self.ikev2_local_authentication
        )


@dataclass(frozen=True)
class AclAddress:
    """One side of an ACE: ``any``/``any4``/``host A``/``A MASK``/``object X``/... ."""

    kind: str  # any | any4 | any6 | host | network | object | object-group | interface | ...
    address: str = ""  # host/network address, object or interface name
    mask: str = ""  # network mask (IPv4 dotted) or IPv6 prefix length

    def __str__(self) -> str:
        if self.kind in ("any", "any4", "any6"):
            return self.kind
        if self.kind == "network":
            return f"{self.address} {self.mask}"
        if self.kind == "network6":
            return f"{self.address}/{self.mask}"
        return f"{self.kind} {self.address}".strip()

    def as_network(self) -> tuple[str, str] | None:
        """(address, mask) when the side is a literal IPv4 address; None for objects."""
        if self.kind in ("any", "any4"):
            return ("0.0.0.0", "0.0.0.0")
        if self.kind == "host" and ":" not in self.address:
            return (self.address, "255.255.255.255")
        if self.kind == "network":
            return (self.address, self.mask)
        return None


@dataclass(frozen=True)
class AccessListEntry:
    """One ACE from ``show running-config access-list`` or ``show access-list``.

    ``expanded`` marks the indented lines ``show access-list`` prints under an object-group
    ACE; they share the parent's ``line`` number and are what the crypto engine really uses.
    """

    acl: str
    action: str  # permit | deny
    protocol: str = ""  # ip, tcp, icmp, "object-group SVC", ...
    source: AclAddress = field(default_factory=lambda: AclAddress("any"))
    destination: AclAddress = field(default_factory=lambda: AclAddress("any"))
    source_port: str = ""  # "eq 443", "range 1000 2000", ""
    destination_port: str = ""
    acl_type: str = "extended"  # extended | standard | webtype
    line: int | None = None  # "line N" when the device printed it
    hitcnt: int | None = None  # only from ``show access-list``
    expanded: bool = False
    inactive: bool = False
    raw: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.raw,) if self.raw else ()


@dataclass(frozen=True)
class NatRule:
    """A twice-NAT (manual) or object NAT rule; hits only from ``show nat``.

    ``kind`` is "twice" (``nat (a,b) source ...``), "object" (``nat`` under ``object
    network``), or "legacy" (8.2 and older ``nat (inside) 0 access-list X``: NAT exemption).
    """

    kind: str
    real_interface: str = ""
    mapped_interface: str = ""
    section: int | None = None  # show nat: 1 manual, 2 auto, 3 after-auto
    position: int | None = None  # line number in show nat / explicit position in config
    after_auto: bool = False
    object_name: str = ""  # object NAT
    source_type: str = ""  # static | dynamic
    source_real: str = ""
    source_mapped: str = ""
    destination_type: str = ""  # static | ""
    destination_real: str = ""
    destination_mapped: str = ""
    service: str = ""
    no_proxy_arp: bool = False
    route_lookup: bool = False
    unidirectional: bool = False
    inactive: bool = False
    description: str = ""
    nat_id: str = ""  # legacy ``nat (if) ID``; "0" = exemption
    access_list: str = ""  # legacy ``nat (if) 0 access-list ACL``
    translate_hits: int | None = None
    untranslate_hits: int | None = None
    lines: tuple[str, ...] = ()

    @property
    def is_identity(self) -> bool:
        """True for an exemption: source and destination both translate to themselves."""
        if self.kind == "legacy":
            return self.nat_id == "0"
        return (
            self.source_type == "static"
            and self.source_real == self.source_mapped
            and self.destination_type == "static"
            and self.destination_real == self.destination_mapped
        )


@dataclass(frozen=True)
class Route:
    """A route from ``show route`` (table form) or ``show route X`` (``Routing entry for``)."""

    code: str  # S, C, L, V, O, ... ("S" for Known via "static")
    network: str
    mask: str
    next_hop: str = ""  # "" for connected
    interface: str = ""
    distance: int | None = None
    metric: int | None = None
    lines: tuple[str, ...] = ()

    def contains(self, address: str) -> bool:
        try:
            net = ipaddress.IPv4Network(f"{self.network}/{self.mask}", strict=False)
            return ipaddress.IPv4Address(address) in net
        except ValueError:
            return False

    @property
    def prefix_length(self) -> int:
        try:
            return ipaddress.IPv4Network(f"0.0.0.0/{self.mask}").prefixlen
        except ValueError:
            return -1


@dataclass(frozen=True)
class SlaMonitor:
    """``sla monitor N`` (echo probe) merged with its ``sla monitor schedule N ...`` line."""

    sla_id: int
    probe_type: str = ""  # "echo"
    protocol: str = ""  # "ipIcmpEcho"
    target: str = ""
    interface: str = ""
    frequency: int | None = None
    timeout: int | None = None
    threshold: int | None = None
    scheduled: bool = False
    schedule_life: str = ""  # "forever" or seconds
    schedule_start: str = ""  # "now", "pending", a time
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupPolicy:
    """A group-policy; only the fields that matter to L2L diagnosis (the vpn-filter)."""

    name: str
    policy_type: str = ""  # internal | external
    vpn_filter: str = ""  # ACL name; "" = not shown; "none" = explicitly none
    vpn_tunnel_protocols: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class PacketTracerPhase:
    """One ``Phase: N`` block of ``packet-tracer ... detailed``."""

    number: int
    type: str  # ACCESS-LIST, ROUTE-LOOKUP, NAT, VPN, ...
    subtype: str = ""  # "encrypt", "ipsec-tunnel-flow", "Resolve Egress Interface", ...
    result: str = ""  # ALLOW | DROP
    config: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()  # "Additional Information:" lines
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class PacketTracerResult:
    """A whole packet-tracer run: its phases and the final verdict."""

    phases: tuple[PacketTracerPhase, ...] = ()
    input_interface: str = ""
    input_status: str = ""
    output_interface: str = ""
    output_status: str = ""
    action: str = ""  # "allow" | "drop" | "" when the output was cut before the verdict
    drop_reason: str = ""  # "(acl-drop) Flow is denied by configured rule"
    drop_code: str = ""  # "acl-drop"
    extra: tuple[str, ...] = ()  # other lines of the final section (Drop-location, times)
    lines: tuple[str, ...] = ()

    @property
    def vpn_phases(self) -> tuple[PacketTracerPhase, ...]:
        return tuple(p for p in self.phases if p.type == "VPN")

    @property
    def encrypts(self) -> bool:
        """True when a VPN encrypt phase allowed the packet (the flow matches a crypto map)."""
        return any(p.subtype.startswith("encrypt") and p.result == "ALLOW" for p in self.vpn_phases)

    @property
    def first_drop(self) -> PacketTracerPhase | None:
        return next((p for p in self.phases if p.result == "DROP"), None)


@dataclass(frozen=True)
class CaCertificate:
    """One block of ``show crypto ca certificates``: a CA certificate or the ASA's own
    (identity) certificate, with the trustpoints it belongs to.

    ``start_date`` / ``end_date`` keep the device's text (``14:00:00 UTC Jan 1 2024``);
    ``valid_from`` / ``valid_until`` are the same instants as timezone-aware datetimes (None
    when the text could not be read). A zone other than UTC/GMT is read as UTC and flagged by
    ``zone_is_utc`` so a check can allow for the offset.
    """

    role: str  # "CA Certificate" | "Certificate" (identity) | another header ("RA ... Certificate")
    status: str = ""  # "Available" | "Pending"
    serial: str = ""
    usage: str = ""  # "General Purpose" | "Signature" | "Encryption"
    public_key_type: str = ""
    signature_algorithm: str = ""
    issuer: tuple[str, ...] = ()  # ("cn=Example Root CA", "o=Example")
    subject: tuple[str, ...] = ()
    start_date: str = ""
    end_date: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    zone_is_utc: bool = True
    storage: str = ""
    trustpoints: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def is_ca(self) -> bool:
        return self.role == "CA Certificate"

    @property
    def is_identity(self) -> bool:
        """The ASA's own certificate (what it signs IKE authentication with)."""
        return self.role == "Certificate"

    @property
    def subject_cn(self) -> str:
        return next((part[3:] for part in self.subject if part.lower().startswith("cn=")), "")


@dataclass(frozen=True)
class CryptoConfig:
    """Everything parsed from the configuration outputs of one device.

    ``status`` says, per command, whether its output was parsed (``ok``/``empty``), partly
    (``partial``), not at all (``failed``); a command absent from ``status`` was not collected,
    and the engine must then say "could not check", not "not configured".
    """

    crypto_maps: tuple[CryptoMapEntry, ...] = ()
    bindings: tuple[CryptoMapBinding, ...] = ()
    ike_policies: tuple[IkePolicy, ...] = ()
    ike_interfaces: tuple[IkeEnabledInterface, ...] = ()
    transform_sets: tuple[TransformSet, ...] = ()
    ipsec_proposals: tuple[Ikev2IpsecProposal, ...] = ()
    ipsec_profiles: tuple[IpsecProfile, ...] = ()  # crypto ipsec profile (VTI phase 2)
    tunnel_interfaces: tuple[TunnelInterface, ...] = ()  # show running-config interface
    tunnel_groups: tuple[TunnelGroup, ...] = ()
    access_lists: tuple[AccessListEntry, ...] = ()  # show running-config access-list
    access_list_hits: tuple[AccessListEntry, ...] = ()  # show access-list (hitcnt, expanded)
    nat_rules: tuple[NatRule, ...] = ()  # show running-config nat
    nat_hits: tuple[NatRule, ...] = ()  # show nat
    routes: tuple[Route, ...] = ()
    sla_monitors: tuple[SlaMonitor, ...] = ()
    group_policies: tuple[GroupPolicy, ...] = ()
    packet_traces: dict[str, PacketTracerResult] = field(default_factory=dict)
    ca_certificates: tuple[CaCertificate, ...] = ()  # show crypto ca certificates
    # When the outputs were collected (ISO 8601, the snapshot's ``collected_at``; "" unknown):
    # the reference time for certificate validity.
    collected_at: str = ""
    other_crypto_lines: tuple[str, ...] = ()  # global crypto lines we keep but do not model
    # `show running-config names`: name -> address (`name 203.0.113.9 BRANCH-LYON`). With
    # `names` on, the SA tables, sessiondb and crypto map may print the name for the address.
    names: dict[str, str] = field(default_factory=dict)
    status: dict[str, ParseStatus] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    # Look-ups by peer / ACL / tunnel-group name: indexes built on first use, per object (a
    # hub has thousands of entries and every tunnel asks; scanning made diagnosis quadratic).
    # cached_property stores in the instance's __dict__, so the frozen dataclass, its equality
    # and ``replace`` are unaffected; two threads racing build the same value.

    @cached_property
    def _entries_by_peer(self) -> dict[str, tuple[CryptoMapEntry, ...]]:
        return _group((p, e) for e in self.crypto_maps for p in dict.fromkeys(e.peers))

    @cached_property
    def _vtis_by_peer(self) -> dict[str, tuple[TunnelInterface, ...]]:
        return _group((t.destination, t) for t in self.tunnel_interfaces if t.destination)

    @cached_property
    def _ipsec_profiles(self) -> dict[str, IpsecProfile]:
        first: dict[str, IpsecProfile] = {}
        for profile in self.ipsec_profiles:
            first.setdefault(profile.name, profile)
        return first

    @cached_property
    def _acls(self) -> dict[str, tuple[AccessListEntry, ...]]:
        return _group((a.acl, a) for a in self.access_lists)

    @cached_property
    def _acl_hits(self) -> dict[str, tuple[AccessListEntry, ...]]:
        return _group((a.acl, a) for a in self.access_list_hits)

    @cached_property
    def _tunnel_groups(self) -> dict[str, TunnelGroup]:
        first: dict[str, TunnelGroup] = {}
        for group in self.tunnel_groups:
            first.setdefault(group.name, group)
        return first

    def entries_for_peer(self, peer: str) -> tuple[CryptoMapEntry, ...]:
        """Crypto map entries listing ``peer`` (any position: AWS lists two endpoints)."""
        return self._entries_by_peer.get(peer, ())

    def vtis_for_peer(self, peer: str) -> tuple[TunnelInterface, ...]:
        """Tunnel interfaces whose ``tunnel destination`` is ``peer`` (route-based tunnels)."""
        return self._vtis_by_peer.get(peer, ())

    def ipsec_profile(self, name: str) -> IpsecProfile | None:
        return self._ipsec_profiles.get(name)

    def acl(self, name: str) -> tuple[AccessListEntry, ...]:
        """The ACEs of ``name`` as configured (running-config), else the unexpanded
        ``show access-list`` lines; () when the ACL was not collected or does not exist."""
        configured = self._acls.get(name, ())
        if configured:
            return configured
        return tuple(a for a in self._acl_hits.get(name, ()) if not a.expanded)

    def acl_hits(self, name: str) -> tuple[AccessListEntry, ...]:
        """``show access-list`` lines of ``name`` including object-group expansions."""
        return self._acl_hits.get(name, ())

    def tunnel_group(self, name: str) -> TunnelGroup | None:
        return self._tunnel_groups.get(name)

    def interface_for_map(self, map_name: str) -> str | None:
        return next((b.interface for b in self.bindings if b.map_name == map_name), None)

    def transform_set(self, name: str) -> TransformSet | None:
        return next((t for t in self.transform_sets if t.name == name), None)

    def ipsec_proposal(self, name: str) -> Ikev2IpsecProposal | None:
        return next((p for p in self.ipsec_proposals if p.name == name), None)

    def group_policy(self, name: str) -> GroupPolicy | None:
        return next((g for g in self.group_policies if g.name == name), None)

    def ike_enabled_on(self, interface: str, version: int) -> bool:
        return any(i.interface == interface and i.version == version for i in self.ike_interfaces)

    def route_for(self, address: str) -> Route | None:
        """Longest-prefix match among the collected routes (None if none covers it)."""
        matches = [r for r in self.routes if r.contains(address)]
        if not matches:
            return None
        return max(matches, key=lambda r: r.prefix_length)

    def certificates(self, trustpoint: str) -> tuple[CaCertificate, ...]:
        """The certificates associated with ``trustpoint`` (CA and identity)."""
        return tuple(c for c in self.ca_certificates if trustpoint in c.trustpoints)

    def sla_monitor_to(self, target: str) -> SlaMonitor | None:
        return next((s for s in self.sla_monitors if s.target == target), None)
