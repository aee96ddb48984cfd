"""Typed models of what the ASA told us.

These are the only shapes that cross from parsing into the engine and reports. Every record
keeps ``lines``: the exact device lines it was built from, because a finding's evidence must
quote the device, not our paraphrase of it.

A parse never silently returns "nothing": :class:`ParseResult` says whether the output was
recognised (``ok``), explicitly empty (``empty``, e.g. "There are no IKEv1 SAs"), only partly
understood (``partial``), not understood at all (``failed``), or not collected (``missing``).
The engine must treat ``failed``/``missing`` as "could not determine", never as "no SA".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # config_models imports this module; the annotation needs no import
    from vpn_doctor.config_models import CryptoConfig

T = TypeVar("T")


class ParseStatus(str, Enum):
    OK = "ok"
    EMPTY = "empty"
    PARTIAL = "partial"
    FAILED = "failed"
    MISSING = "missing"


@dataclass(frozen=True)
class ParseResult(Generic[T]):
    """Records parsed from one command's output, with an honest status."""

    command: str
    status: ParseStatus
    records: tuple[T, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """True when the records can be trusted to be complete (including 'none present')."""
        return self.status in (ParseStatus.OK, ParseStatus.EMPTY)


@dataclass(frozen=True)
class IkeSa:
    """One IKE (phase 1) SA from `show crypto isakmp sa` / `ikev1 sa` / `ikev2 sa`."""

    peer: str  # remote address or name exactly as printed
    ike_version: int  # 1 or 2
    state: str  # MM_ACTIVE, MM_WAIT_MSG2, AM_ACTIVE, OAK_MM_NO_STATE, READY, ...
    role: str = ""  # "initiator" | "responder" | "" when not printed
    sa_type: str = ""  # "L2L" | "user" | ""
    rekey: bool = False
    index: int | None = None  # the leading number / tunnel-id
    local: str = ""  # IKEv2: local address[/port]
    remote_port: int | None = None  # IKEv2 remote port (4500 => NAT-T)
    encryption: str = ""
    hash: str = ""
    dh_group: str = ""
    auth: str = ""
    lifetime: int | None = None  # seconds configured
    lifetime_remaining: int | None = None
    child_sas: int | None = None  # IKEv2 "Child sa" count if shown
    lines: tuple[str, ...] = ()
    # Added by parsing (optional): IKEv2 child SAs as printed under the tunnel.
    child_selectors: tuple[tuple[str, str], ...] = ()  # (local selector, remote selector)
    child_spis: tuple[str, ...] = ()  # "0x527873a4/0xe6376de9" (ESP spi in/out)
    complete: bool = True  # False: the block was cut or partly unreadable; do not trust zeros
    # A remote-access / EzVPN SA (`Type : user`), not a site-to-site tunnel: list it apart,
    # never walk it as L2L.
    remote_access: bool = False


@dataclass(frozen=True)
class ProxyId:
    """One side of an IPsec proxy identity: address/mask/protocol/port."""

    address: str
    mask: str
    protocol: str = "0"
    port: str = "0"

    def __str__(self) -> str:
        return f"{self.address}/{self.mask}/{self.protocol}/{self.port}"


@dataclass(frozen=True)
class IpsecSa:
    """One IPsec (phase 2) SA pair block from `show crypto ipsec sa`."""

    interface: str
    crypto_map: str
    seq: int | None
    peer: str  # current_peer
    local_addr: str = ""  # local crypto endpt.
    remote_addr: str = ""  # remote crypto endpt.
    local_ident: ProxyId | None = None
    remote_ident: ProxyId | None = None
    pkts_encaps: int = 0
    pkts_encrypt: int = 0
    pkts_digest: int = 0
    pkts_decaps: int = 0
    pkts_decrypt: int = 0
    pkts_verify: int = 0
    send_errors: int = 0
    recv_errors: int = 0
    pmtu: int | None = None
    nat_t: bool = False  # "NAT-T" in use settings or UDP/4500 encapsulation
    pfs_group: str = ""  # "2", "14", ... from "in use settings"; "" means no PFS seen
    ike_version: int | None = None  # from in use settings (IKEv1/IKEv2)
    inbound_spis: tuple[str, ...] = ()
    outbound_spis: tuple[str, ...] = ()
    transform: str = ""  # e.g. "esp-aes-256 esp-sha-hmac no compression"
    lifetime_kb_remaining: int | None = None
    lifetime_seconds_remaining: int | None = None
    lines: tuple[str, ...] = ()
    # Added by parsing (all optional): the rest of what the block prints.
    local_port: int | None = None  # from "local crypto endpt.: A/4500" (4500 => NAT-T)
    remote_port: int | None = None
    access_list: str = ""  # the "access-list ..." line of the block, as printed
    dynamic_peer: str = ""  # "dynamic allocated peer ip" (remote access)
    pkts_compressed: int = 0
    pkts_decompressed: int = 0
    pkts_not_compressed: int = 0
    pkts_comp_failed: int = 0
    pkts_decomp_failed: int = 0
    pre_frag_successes: int = 0
    pre_frag_failures: int = 0
    fragments_created: int = 0
    pmtus_sent: int = 0
    pmtus_rcvd: int = 0
    decap_frags_needing_reassembly: int = 0
    tfc_rcvd: int = 0
    tfc_sent: int = 0
    valid_icmp_errors_rcvd: int = 0
    invalid_icmp_errors_rcvd: int = 0
    complete: bool = True  # False: the block was cut or partly unreadable; do not trust zeros
    username: str = ""  # "current_peer: X, username: U" (remote access / EzVPN)
    # A remote-access or EzVPN SA ("RA" in use settings, a username, an address assigned to
    # the peer, the EzVPN client map `_vpnc_cm`), not a site-to-site tunnel: list it apart.
    remote_access: bool = False


@dataclass(frozen=True)
class IkeSubsession:
    """The IKE / IKEv1 / IKEv2 part of an L2L session in `show vpn-sessiondb detail l2l`."""

    session_id: str = ""
    udp_src_port: int | None = None
    udp_dst_port: int | None = None
    mode: str = ""  # "Main" / "Aggressive" (IKEv1)
    auth_mode: str = ""  # "preSharedKeys", "rsaCertificate", ...
    encryption: str = ""
    hashing: str = ""
    dh_group: str = ""
    rekey_interval: int | None = None
    rekey_left: int | None = None
    lines: tuple[str, ...] = ()
    # Added by parsing (optional):
    ike_version: int | None = None  # 1 for "IKEv1:" and the pre-8.4 "IKE:", 2 for "IKEv2:"
    peer_auth_mode: str = ""  # IKEv2 "Rem Auth Mode" (auth_mode is then "Loc Auth Mode")
    prf: str = ""  # IKEv2 PRF
    complete: bool = True  # False: the block was cut or partly unreadable; do not trust zeros


@dataclass(frozen=True)
class IpsecSubsession:
    """The IPsec part of an L2L session: one per negotiated proxy pair (SA pair)."""

    session_id: str = ""
    local_addr: str = ""  # "10.0.0.0/255.255.255.0/0/0"
    remote_addr: str = ""
    encryption: str = ""
    hashing: str = ""
    encapsulation: str = ""  # "Tunnel" / "Tunnel  NAT-T"
    pfs_group: str = ""
    rekey_interval: int | None = None
    rekey_left: int | None = None
    bytes_tx: int = 0
    bytes_rx: int = 0
    pkts_tx: int = 0
    pkts_rx: int = 0
    lines: tuple[str, ...] = ()
    # Added by parsing (optional):
    nat_t: bool = False  # "IPsecOverNatT:" sub-session (or NAT-T in Encapsulation)
    complete: bool = True  # False: the block was cut or partly unreadable; do not trust zeros


@dataclass(frozen=True)
class VpnSession:
    """One L2L connection from `show vpn-sessiondb detail l2l`."""

    connection: str  # tunnel-group / peer as printed after "Connection"
    index: int | None = None
    ip_addr: str = ""
    protocol: str = ""
    encryption: str = ""
    hashing: str = ""
    bytes_tx: int = 0
    bytes_rx: int = 0
    login_time: str = ""
    duration: str = ""
    ike: tuple[IkeSubsession, ...] = ()
    ipsec: tuple[IpsecSubsession, ...] = ()
    lines: tuple[str, ...] = ()
    # Added by parsing (optional):
    complete: bool = True  # False: the session or a sub-session was cut or partly unreadable


@dataclass(frozen=True)
class DeviceInfo:
    hostname: str = ""
    version: str = ""
    model: str = ""
    context: str = ""  # multi-context: the security context the outputs came from


@dataclass(frozen=True)
class RawSample:
    """One poll of one peer as collected: the outputs of the few filtered commands.

    Samples ride along with the snapshot (``samples.yaml`` in a snapshot directory) so a
    watch or ``diagnose --samples`` can be replayed offline exactly as it was judged live.
    """

    peer: str
    at: float  # seconds since the first sample
    taken_at: str  # ISO 8601, UTC
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TimedLine:
    """A debug line and when it arrived: seconds since the first sample of the same watch.

    ``watch --debug`` places its debug lines on the samples' time axis (the live view, the
    jsonl stream, the report's timeline); ``debug_times.yaml`` keeps them on ``--save`` so
    an offline replay puts them in the same place. The text is also in ``debug_lines``
    (``debug.log``), which stays the evidence the engine matches.
    """

    at: float
    line: str


@dataclass(frozen=True)
class Snapshot:
    """Raw outputs as collected: command text -> output, plus debug lines and metadata.

    This is Contract 1 in memory. ``outputs`` keys are the canonical command strings (see
    :mod:`vpn_doctor.asa.commands`); a command absent from ``outputs`` was not collected.
    """

    outputs: dict[str, str] = field(default_factory=dict)
    debug_lines: tuple[str, ...] = ()
    device: DeviceInfo = field(default_factory=DeviceInfo)
    peer: str | None = None
    collected_at: str = ""
    source: str = ""  # "live:host", "snapshot:DIR", "log:FILE"
    samples: tuple[RawSample, ...] = ()  # several polls over time (watch, --samples)
    debug_times: tuple[TimedLine, ...] = ()  # when each debug line of a watch arrived


@dataclass(frozen=True)
class DeviceState:
    """Everything parsed from one snapshot: what the engine diagnoses."""

    device: DeviceInfo
    ike_sas: ParseResult[IkeSa]
    ipsec_sas: ParseResult[IpsecSa]
    sessions: ParseResult[VpnSession]
    debug_lines: tuple[str, ...] = ()
    raw: dict[str, str] = field(default_factory=dict)
    collected_at: str = ""  # the snapshot's (ISO 8601): reference time for certificate dates
    # The running-config sections, parsed by the parse stage (None: none was collected).
    config: CryptoConfig | None = None
    # `show debug` read at login (vpn_doctor.parse.debug_state): the crypto debug/condition
    # lines it listed (empty: none, or not collected) and the commands that undo them.
    debug_left_on: tuple[str, ...] = ()
    debug_undo: tuple[str, ...] = ()
    samples: tuple[TunnelSample, ...] = ()  # several polls over time, oldest first
    debug_times: tuple[TimedLine, ...] = ()  # the watch's debug lines on the samples' clock
    # Failover role (vpn_doctor.parse.failover): standalone | active | standby, the lines that
    # said so, and the active unit's addresses when this is the standby.
    role: str = "standalone"
    role_evidence: tuple[str, ...] = ()
    active_unit: tuple[str, ...] = ()


@dataclass(frozen=True)
class TunnelSample:
    """One poll of one peer (``watch``, ``diagnose --samples``): phase 1 and phase 2 then.

    ``ike`` and ``ipsec`` hold only this peer's records; their status is the status of the
    output they came from, so a cut output is never read as "the SA is gone".
    """

    peer: str
    at: float  # seconds since the first sample
    taken_at: str  # ISO 8601, UTC
    ike: ParseResult[IkeSa]
    ipsec: ParseResult[IpsecSa]
