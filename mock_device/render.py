"""Render ASA 9.x crypto show outputs from simple tunnel specs.

Why: hand-writing `show crypto ipsec sa` for 60 (or 5,000) tunnels is error-prone, and the
parsers, the diagnosis engine and the benchmarks all need outputs that are byte-for-byte in
the layout of a real 9.x ASA. The layouts follow the captured outputs in
shared/real-outputs (ntc-templates / genieparser test data from real devices): the 9.x
``IKEv1 SAs:`` / ``IKEv2 SAs:`` sections, the 9.x per-SA ``show crypto ipsec sa`` block
(with TFC and ICMP-error lines), and the indented 9.x ``show vpn-sessiondb detail l2l``.

Tunnel spec (one mapping per peer under a scenario's ``tunnels:`` key; only ``peer`` is
required, everything else has a realistic default derived deterministically from the
peer and its position, so the same spec always renders the same bytes)::

    peer: 203.0.113.9          # shown as IKE Peer / current_peer / sessiondb IP Addr; may be
                               #   a name (ASA `names`); the IKEv2 table always shows peer_ip
    peer_ip: 203.0.113.9       # address behind a name; default: peer if it is an IP, else
                               #   a derived 198.51.100.x. Filters match peer or peer_ip.
    ike: 1                     # 1 or 2
    state: MM_ACTIVE           # IKEv1: MM_ACTIVE, AM_ACTIVE, MM_WAIT_MSG2..6, AG_INIT_EXCH,
                               #   ...; IKEv2: READY, IN-NEG, DELETE. NONE = no IKE SA at all.
                               #   Default MM_ACTIVE (IKEv1) / READY (IKEv2).
    role: initiator            # initiator | responder
    rekey: false
    ipsec: true                # phase 2 SAs exist; only honoured when phase 1 is up
    local_net: 10.1.0.0/24     # CIDR, addr/mask, a host address, or `any`
    remote_net: 10.2.0.0/24
    proxies: [[10.1.0.0/24, 10.2.0.0/24], ...]   # several SA pairs (overrides *_net)
    encaps: 1200               # per SA pair; default derived (> 0 both ways)
    decaps: 1180
    send_errors: 0
    recv_errors: 0
    transform: esp-aes-256 esp-sha-hmac    # IKEv2 default: esp-aes-256 esp-sha-256-hmac
    pfs: 14                    # PFS group, or null for none
    nat_t: false               # UDP/4500, NAT-T-Encaps, IPsecOverNatT
    ike_encryption: AES256     # phase 1 parameters (sessiondb / IKEv2 Encr line)
    ike_hash: SHA1             # IKEv2 default SHA256
    dh_group: 14
    ike_lifetime: 86400
    ipsec_lifetime: 28800      # seconds; kB lifetime is 4608000
    local_addr: 192.0.2.1      # our outside address
    interface: outside
    crypto_map: outside_map
    seq: 10                    # default 10 * position
    acl: outside_cryptomap_10  # default outside_cryptomap_<seq>
    connection: 203.0.113.9    # tunnel-group name (sessiondb Connection); default peer_ip

Not verified on a real device (KNOWLEDGE.md §10): the IKEv2 session status used for IN-NEG
(``UP-IN-NEG``). Everything else is copied from captured outputs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mock_device.motion import Motion, parse_motion
from vpn_doctor.addresses import is_ip

IKEV1_UP = frozenset({"MM_ACTIVE", "AM_ACTIVE"})
IKEV2_UP = frozenset({"READY"})
NO_SA = "NONE"
NO_SESSIONS = "INFO: There are presently no active sessions of the type specified"
NO_IPSEC = "There are no ipsec sas"
_BASE_TIME = _dt.datetime(2025, 11, 22, 10, 0, 0)

_SPEC_KEYS = frozenset(
    {
        "peer",
        "peer_ip",
        "ike",
        "state",
        "role",
        "rekey",
        "ipsec",
        "local_net",
        "remote_net",
        "proxies",
        "encaps",
        "decaps",
        "send_errors",
        "recv_errors",
        "transform",
        "pfs",
        "nat_t",
        "ike_encryption",
        "ike_hash",
        "dh_group",
        "ike_lifetime",
        "ipsec_lifetime",
        "local_addr",
        "interface",
        "crypto_map",
        "seq",
        "acl",
        "connection",
        "motion",
    }
)


@dataclass(frozen=True)
class Net:
    """A proxy identity: network address and dotted mask (what the ASA prints)."""

    addr: str
    mask: str

    @property
    def last(self) -> str:
        net = ipaddress.IPv4Network(f"{self.addr}/{self.mask}", strict=False)
        return str(net.broadcast_address)


@dataclass(frozen=True)
class TunnelSpec:
    """One peer as the renderer sees it, with every default already resolved."""

    peer: str
    peer_ip: str
    ike: int
    state: str
    role: str
    rekey: bool
    ipsec: bool
    proxies: tuple[tuple[Net, Net], ...]
    encaps: int
    decaps: int
    send_errors: int
    recv_errors: int
    transform: str
    pfs: int | None
    nat_t: bool
    ike_encryption: str
    ike_hash: str
    dh_group: int
    ike_lifetime: int
    ipsec_lifetime: int
    local_addr: str
    interface: str
    crypto_map: str
    seq: int
    acl: str
    connection: str
    position: int
    motion: Motion | None = None  # how it changes with time (mock_device/motion.py)
    generation: int = 0  # how many times the SA was rebuilt (new SPIs each time)
    session_age: int | None = None  # seconds the session is up (motion: grows, restarts)

    @property
    def phase1_up(self) -> bool:
        return self.state in (IKEV2_UP if self.ike == 2 else IKEV1_UP)

    @property
    def has_ipsec(self) -> bool:
        return self.phase1_up and self.ipsec and bool(self.proxies)

    def matches(self, address: str) -> bool:
        """Whether a `peer X` / `filter ipaddress X` argument selects this tunnel."""
        return address in (self.peer, self.peer_ip)


def _digest(*parts: object) -> int:
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def parse_net(text: str) -> Net:
    """`10.1.0.0/24`, `10.1.0.0/255.255.255.0`, `10.1.0.5` or `any` -> Net."""
    text = str(text).strip()
    if text.lower() in ("any", "any4"):
        return Net("0.0.0.0", "0.0.0.0")
    if "/" not in text:
        text += "/32"
    try:
        net = ipaddress.IPv4Network(text, strict=False)
    except ValueError as exc:
        raise ValueError(f"bad network {text!r}: {exc}") from None
    return Net(str(net.network_address), str(net.netmask))


def _want(data: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = data.get(key, default)
    if value is None or isinstance(value, kind):
        return value
    if kind is int and isinstance(value, bool):
        raise ValueError(f"{key}: expected an integer, got {value!r}")
    if kind is str and isinstance(value, (int, float)):
        return str(value)
    raise ValueError(f"{key}: expected {kind.__name__}, got {value!r}")


def parse_tunnel_spec(data: Mapping[str, Any], position: int) -> TunnelSpec:
    """Validate one `tunnels:` entry and resolve its defaults. Raises ValueError."""
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a mapping, got {type(data).__name__}")
    unknown = set(data) - _SPEC_KEYS
    if unknown:
        raise ValueError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    peer = _want(data, "peer", str, None)
    if not peer:
        raise ValueError("'peer' is required")
    h = _digest(peer, position)
    ike = _want(data, "ike", int, 1)
    if ike not in (1, 2):
        raise ValueError(f"ike: must be 1 or 2, got {ike!r}")
    state = str(_want(data, "state", str, "MM_ACTIVE" if ike == 1 else "READY")).upper()
    role = str(_want(data, "role", str, "initiator")).lower()
    if role not in ("initiator", "responder"):
        raise ValueError(f"role: must be initiator or responder, got {role!r}")
    peer_ip = _want(data, "peer_ip", str, None) or (
        peer if is_ip(peer) else f"198.51.100.{1 + h % 250}"
    )
    if "proxies" in data:
        raw = data["proxies"]
        if not isinstance(raw, list) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in raw
        ):
            raise ValueError("proxies: expected a list of [local, remote] pairs")
        proxies = tuple((parse_net(a), parse_net(b)) for a, b in raw)
    else:
        local = _want(data, "local_net", str, f"10.{position % 200}.{position // 200}.0/24")
        remote = _want(
            data, "remote_net", str, f"10.{200 + position % 50}.{position // 50 % 250}.0/24"
        )
        proxies = ((parse_net(local), parse_net(remote)),)
    seq = _want(data, "seq", int, 10 * (position + 1))
    transform_default = "esp-aes-256 esp-sha-hmac" if ike == 1 else "esp-aes-256 esp-sha-256-hmac"
    ints = {
        key: _want(data, key, int, default)
        for key, default in (
            ("encaps", 1000 + h % 90000),
            ("decaps", 1000 + (h >> 20) % 90000),
            ("send_errors", 0),
            ("recv_errors", 0),
            ("dh_group", 14),
            ("ike_lifetime", 86400),
            ("ipsec_lifetime", 28800),
        )
    }
    for key, value in ints.items():
        if value is None or value < 0:
            raise ValueError(f"{key}: must be a non-negative integer")
    pfs = _want(data, "pfs", int, None)
    return TunnelSpec(
        peer=peer,
        peer_ip=peer_ip,
        ike=ike,
        state=state,
        role=role,
        rekey=bool(_want(data, "rekey", bool, False)),
        ipsec=bool(_want(data, "ipsec", bool, True)),
        proxies=proxies,
        encaps=ints["encaps"],
        decaps=ints["decaps"],
        send_errors=ints["send_errors"],
        recv_errors=ints["recv_errors"],
        transform=_want(data, "transform", str, transform_default),
        pfs=pfs,
        nat_t=bool(_want(data, "nat_t", bool, False)),
        ike_encryption=_want(data, "ike_encryption", str, "AES256"),
        ike_hash=_want(data, "ike_hash", str, "SHA1" if ike == 1 else "SHA256"),
        dh_group=ints["dh_group"],
        ike_lifetime=ints["ike_lifetime"],
        ipsec_lifetime=ints["ipsec_lifetime"],
        local_addr=_want(data, "local_addr", str, "192.0.2.1"),
        interface=_want(data, "interface", str, "outside"),
        crypto_map=_want(data, "crypto_map", str, "outside_map"),
        seq=seq,
        acl=_want(data, "acl", str, f"outside_cryptomap_{seq}"),
        connection=_want(data, "connection", str, peer_ip),
        position=position,
        motion=parse_motion(data["motion"]) if data.get("motion") is not None else None,
    )


def parse_tunnel_specs(items: Iterable[Mapping[str, Any]]) -> tuple[TunnelSpec, ...]:
    """Validate a whole `tunnels:` list. ValueError messages name the entry index."""
    specs = []
    for i, item in enumerate(items):
        try:
            specs.append(parse_tunnel_spec(item, i))
        except ValueError as exc:
            raise ValueError(f"tunnels[{i}]: {exc}") from None
    return tuple(specs)


def generate_specs(
    count: int, *, ikev2_every: int = 3, seed: str = "bench"
) -> list[dict[str, Any]]:
    """Raw specs for `count` healthy tunnels (benchmarks: 100 / 1,000 / 5,000 tunnels).

    Every `ikev2_every`-th tunnel is IKEv2; peers walk 203.0.113.x, 198.51.100.x, then
    further documentation-style 100.64/10 addresses so any count stays unique.
    """
    specs: list[dict[str, Any]] = []
    for i in range(count):
        block, host = divmod(i, 250)
        peer = (
            f"203.0.113.{host + 1}"
            if block == 0
            else f"198.51.100.{host + 1}"
            if block == 1
            else f"100.{64 + block // 250}.{block % 250}.{host + 1}"
        )
        spec: dict[str, Any] = {
            "peer": peer,
            "ike": 2 if ikev2_every and i % ikev2_every == 2 else 1,
        }
        if _digest(seed, i) % 4 == 0:
            spec["pfs"] = 14
        specs.append(spec)
    return specs


# ---------------------------------------------------------------- show crypto isakmp sa


def _ikev1_section(tunnels: Sequence[TunnelSpec]) -> list[str]:
    v1 = [t for t in tunnels if t.ike == 1 and t.state != NO_SA]
    if not v1:
        return ["There are no IKEv1 SAs"]
    rekey = sum(1 for t in v1 if t.rekey)
    active = len(v1) - rekey
    out = [
        "IKEv1 SAs:",
        "",
        f"   Active SA: {active}",
        f"    Rekey SA: {rekey} (A tunnel will report 1 Active and 1 Rekey SA during rekey)",
        f"Total IKE SA: {len(v1)}",
        "",
    ]
    for n, t in enumerate(v1, 1):
        out.append(f"{n:<3} IKE Peer: {t.peer}")
        out.append(f"    Type    : {'L2L':<14}  Role    : {t.role}")
        out.append(f"    Rekey   : {'yes' if t.rekey else 'no':<14}  State   : {t.state}")
    return out


def _ikev2_encr(t: TunnelSpec) -> str:
    enc = t.ike_encryption.upper()
    if enc.startswith("AES-GCM"):
        return f"AES-GCM, keysize: {enc.rsplit('-', 1)[-1]}"
    if enc.startswith("AES"):
        return f"AES-CBC, keysize: {enc[3:] or '128'}"
    return enc


def _ikev2_hash(t: TunnelSpec) -> str:
    return {"SHA1": "SHA96", "SHA": "SHA96", "MD5": "MD596"}.get(t.ike_hash.upper(), t.ike_hash)


def _spis(t: TunnelSpec, pair: int) -> tuple[int, int]:
    h = (
        _digest("spi", t.peer, t.position, pair)
        if t.generation == 0
        else _digest("spi", t.peer, t.position, pair, t.generation)
    )
    return (h & 0xFFFFFFFF) | 0x10000000, ((h >> 32) & 0xFFFFFFFF) | 0x10000000


def _ikev2_section(tunnels: Sequence[TunnelSpec]) -> list[str]:
    v2 = [t for t in tunnels if t.ike == 2 and t.state != NO_SA]
    if not v2:
        return ["There are no IKEv2 SAs"]
    out = ["IKEv2 SAs:", ""]
    for t in v2:
        h = _digest("v2", t.peer, t.position)
        children = len(t.proxies) if t.has_ipsec else 0
        status = "UP-ACTIVE" if t.phase1_up else f"UP-{t.state}"
        port = 4500 if t.nat_t else 500
        out.append(
            f"Session-id:{1 + h % 60000}, Status:{status}, IKE count:1, CHILD count:{children}"
        )
        out.append("")
        out.append(f"{'Tunnel-id':<9} {'Local':<51} {'Remote':<55} {'Status':<14} Role")
        out.append(
            f"{10000 + h % 9000000:>9} {t.local_addr + '/' + str(port):<51} "
            f"{t.peer_ip + '/' + str(port):<56} {t.state:<8} {t.role.upper()}"
        )
        out.append(
            f"      Encr: {_ikev2_encr(t)}, Hash: {_ikev2_hash(t)}, DH Grp:{t.dh_group}, "
            "Auth sign: PSK, Auth verify: PSK"
        )
        out.append(f"      Life/Active Time: {t.ike_lifetime}/{_active_time(t)} sec")
        if t.has_ipsec:
            for i, (local, remote) in enumerate(t.proxies):
                spi_in, spi_out = _spis(t, i)
                out.append(f"Child sa: local selector  {local.addr}/0 - {local.last}/65535")
                out.append(f"          remote selector {remote.addr}/0 - {remote.last}/65535")
                out.append(f"          ESP spi in/out: 0x{spi_in:08x}/0x{spi_out:08x}")
        out.append("")
    return out[:-1]


def _active_time(t: TunnelSpec) -> int:
    return _digest("age", t.peer, t.position) % max(t.ike_lifetime - 60, 1) + 30


def render_isakmp_sa(tunnels: Sequence[TunnelSpec]) -> str:
    """`show crypto isakmp sa` (9.x): the IKEv1 section, a blank line, the IKEv2 section."""
    return "\n".join([*_ikev1_section(tunnels), "", *_ikev2_section(tunnels)]) + "\n"


def render_ikev1_sa(tunnels: Sequence[TunnelSpec]) -> str:
    """`show crypto ikev1 sa`: the IKEv1 section only."""
    return "\n".join(_ikev1_section(tunnels)) + "\n"


def render_ikev2_sa(tunnels: Sequence[TunnelSpec]) -> str:
    """`show crypto ikev2 sa`: the IKEv2 section only."""
    return "\n".join(_ikev2_section(tunnels)) + "\n"


# ---------------------------------------------------------------- show crypto ipsec sa


def _settings(t: TunnelSpec) -> str:
    parts = ["L2L", "Tunnel"]
    if t.pfs is not None:
        parts.append(f"PFS Group {t.pfs}")
    if t.nat_t:
        parts.append(" NAT-T-Encaps")  # the real output has two spaces before it
    parts.append(f"IKEv{t.ike}")
    return "{" + ", ".join(parts) + ", }"


def _ipsec_block(t: TunnelSpec, pair: int, local: Net, remote: Net) -> list[str]:
    spi_in, spi_out = _spis(t, pair)
    port = 4500 if t.nat_t else 500
    overhead = "82(52)" if t.nat_t else "74(44)"
    conn_id = 4096 * (1 + _digest("conn", t.peer, t.position) % 40000)
    left = max(t.ipsec_lifetime - _digest("left", t.peer, pair) % t.ipsec_lifetime, 1)
    enc, dec = t.encaps, t.decaps
    kb_out = max(4608000 - enc * 1500 // 1024 - 1, 0)
    kb_in = max(4608000 - dec * 1500 // 1024 - 1, 0)
    settings = _settings(t)
    common = [
        "         SA State: active",
        f"         transform: {t.transform} no compression",
        f"         in use settings ={settings}",
        f"         slot: 0, conn_id: {conn_id}, crypto-map: {t.crypto_map}",
    ]
    tail = [
        "         IV size: 16 bytes",
        "         replay detection support: Y",
        "         Anti replay bitmap:",
    ]
    access = f"      access-list {t.acl} extended permit ip {_acl_net(local)} {_acl_net(remote)}"
    return [
        f"    Crypto map tag: {t.crypto_map}, seq num: {t.seq}, local addr: {t.local_addr}",
        "",
        access,
        f"      local ident (addr/mask/prot/port): ({local.addr}/{local.mask}/0/0)",
        f"      remote ident (addr/mask/prot/port): ({remote.addr}/{remote.mask}/0/0)",
        f"      current_peer: {t.peer}",
        "",
        "",
        f"      #pkts encaps: {enc}, #pkts encrypt: {enc}, #pkts digest: {enc}",
        f"      #pkts decaps: {dec}, #pkts decrypt: {dec}, #pkts verify: {dec}",
        "      #pkts compressed: 0, #pkts decompressed: 0",
        f"      #pkts not compressed: {enc}, #pkts comp failed: 0, #pkts decomp failed: 0",
        "      #pre-frag successes: 0, #pre-frag failures: 0, #fragments created: 0",
        "      #PMTUs sent: 0, #PMTUs rcvd: 0, #decapsulated frgs needing reassembly: 0",
        "      #TFC rcvd: 0, #TFC sent: 0",
        "      #Valid ICMP Errors rcvd: 0, #Invalid ICMP Errors rcvd: 0",
        f"      #send errors: {t.send_errors}, #recv errors: {t.recv_errors}",
        "",
        f"      local crypto endpt.: {t.local_addr}/{port}, remote crypto endpt.: {t.peer}/{port}",
        f"      path mtu 1500, ipsec overhead {overhead}, media mtu 1500",
        "      PMTU time remaining (sec): 0, DF policy: copy-df",
        "      ICMP error validation: disabled, TFC packets: disabled",
        f"      current outbound spi: {spi_out:08X}",
        f"      current inbound spi : {spi_in:08X}",
        "",
        "    inbound esp sas:",
        f"      spi: 0x{spi_in:08X} ({spi_in})",
        *common,
        f"         sa timing: remaining key lifetime (kB/sec): ({kb_in}/{left})",
        *tail,
        "          0xFFFFFFFF 0xFFFFFFFF" if dec else "          0x00000000 0x00000001",
        "    outbound esp sas:",
        f"      spi: 0x{spi_out:08X} ({spi_out})",
        *common,
        f"         sa timing: remaining key lifetime (kB/sec): ({kb_out}/{left})",
        *tail,
        "          0x00000000 0x00000001",
    ]


def _acl_net(net: Net) -> str:
    if net.addr == "0.0.0.0" and net.mask == "0.0.0.0":
        return "any4"
    if net.mask == "255.255.255.255":
        return f"host {net.addr}"
    return f"{net.addr} {net.mask}"


def render_ipsec_sa(tunnels: Sequence[TunnelSpec], peer: str | None = None) -> str:
    """`show crypto ipsec sa` (9.x), or `... peer X` when `peer` is given.

    Blocks are grouped under `interface: NAME` in first-seen order; the peer-filtered form
    starts with `peer address: X` instead, as the ASA prints it.
    """
    selected = [t for t in tunnels if t.has_ipsec and (peer is None or t.matches(peer))]
    if not selected:
        return NO_IPSEC + "\n"
    out: list[str] = []
    if peer is not None:
        out.append(f"peer address: {peer}")
        for t in selected:
            for i, (local, remote) in enumerate(t.proxies):
                out.extend(_ipsec_block(t, i, local, remote))
                out.append("")
        return "\n".join(out)
    by_interface: dict[str, list[TunnelSpec]] = {}
    for t in selected:
        by_interface.setdefault(t.interface, []).append(t)
    for interface, group in by_interface.items():
        out.append(f"interface: {interface}")
        for t in group:
            for i, (local, remote) in enumerate(t.proxies):
                out.extend(_ipsec_block(t, i, local, remote))
                out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- show vpn-sessiondb detail l2l

_ESP_ENC = {
    "esp-aes": "AES128",
    "esp-aes-128": "AES128",
    "esp-aes-192": "AES192",
    "esp-aes-256": "AES256",
    "esp-3des": "3DES",
    "esp-des": "DES",
    "esp-aes-gcm": "AES-GCM-128",
    "esp-aes-gcm-256": "AES-GCM-256",
    "esp-gcm-256": "AES-GCM-256",
}
_ESP_HASH = {
    "esp-sha-hmac": "SHA1",
    "esp-md5-hmac": "MD5",
    "esp-sha-256-hmac": "SHA256",
    "esp-sha-384-hmac": "SHA384",
    "esp-sha-512-hmac": "SHA512",
}


def _esp(t: TunnelSpec) -> tuple[str, str]:
    words = t.transform.split()
    enc = next((_ESP_ENC[w] for w in words if w in _ESP_ENC), words[0].upper() if words else "")
    hsh = next((_ESP_HASH[w] for w in words if w in _ESP_HASH), "none")
    return enc, hsh


def _pair(label: str, value: object, label2: str, value2: object, indent: str = "") -> str:
    return f"{indent}{label:<13}: {value!s:<23}{label2:<13}: {value2}"


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    prefix = f"{days}d " if days else ""
    return f"{prefix}{hours}h:{minutes:02d}m:{secs:02d}s"


def session_age(t: TunnelSpec) -> int:
    """The session's Duration for a tunnel that does not move (derived, stable)."""
    return 60 + _digest("session", t.peer, t.position) % (40 * 86400)


def _session(t: TunnelSpec) -> list[str]:
    h = _digest("session", t.peer, t.position)
    index = 1 + h % 60000
    up_seconds = t.session_age if t.session_age is not None else session_age(t)
    login = _BASE_TIME - _dt.timedelta(seconds=up_seconds)
    login_text = f"{login:%H:%M:%S} UTC {login:%a %b} {login.day} {login.year}"
    ike = f"IKEv{t.ike}"
    esp_name = "IPsecOverNatT" if t.nat_t else "IPsec"
    pairs = len(t.proxies) if t.has_ipsec else 0
    enc, hsh = _esp(t)
    pkts_tx = t.encaps * pairs
    pkts_rx = t.decaps * pairs
    bytes_tx, bytes_rx = pkts_tx * 96, pkts_rx * 88
    protocol = f"{ike} {esp_name}" if pairs else ike
    ike_enc = f"{ike}: (1){t.ike_encryption}"
    ike_hash = f"{ike}: (1){t.ike_hash}"
    out = [
        f"Connection   : {t.connection}",
        _pair("Index", index, "IP Addr", t.peer),
        f"Protocol     : {protocol}",
        f"Encryption   : {ike_enc}" + (f"  {esp_name}: ({pairs}){enc}" if pairs else ""),
        f"Hashing      : {ike_hash}" + (f"  {esp_name}: ({pairs}){hsh}" if pairs else ""),
        _pair("Bytes Tx", bytes_tx, "Bytes Rx", bytes_rx),
        f"Login Time   : {login_text}",
        f"Duration     : {_duration(up_seconds)}",
        "",
        f"{ike} Tunnels: 1",
        f"{esp_name} Tunnels: {pairs}",
        "",
        f"{ike}:",
        f"  Tunnel ID    : {index}.1",
    ]  # fmt: skip
    port = 4500 if t.nat_t else 500
    out.append(_pair("UDP Src Port", port, "UDP Dst Port", port, "  "))
    left = max(t.ike_lifetime - _active_time(t), 1)
    if t.ike == 1:
        mode = "Aggressive" if t.state.startswith("AM") else "Main"
        out.append(_pair("IKE Neg Mode", mode, "Auth Mode", "preSharedKeys", "  "))
        out.append(_pair("Encryption", t.ike_encryption, "Hashing", t.ike_hash, "  "))
        out.append(
            _pair(
                "Rekey Int (T)",
                f"{t.ike_lifetime} Seconds",
                "Rekey Left(T)",
                f"{left} Seconds",
                "  ",
            )
        )
        out.append(f"  D/H Group    : {t.dh_group}")
    else:
        out.append("  Rem Auth Mode: preSharedKeys")
        out.append("  Loc Auth Mode: preSharedKeys")
        out.append(_pair("Encryption", t.ike_encryption, "Hashing", t.ike_hash, "  "))
        out.append(
            _pair(
                "Rekey Int (T)",
                f"{t.ike_lifetime} Seconds",
                "Rekey Left(T)",
                f"{left} Seconds",
                "  ",
            )
        )
        out.append(_pair("PRF", t.ike_hash, "D/H Group", t.dh_group, "  "))
    out.append("  Filter Name  :")
    for i in range(pairs):
        local, remote = t.proxies[i]
        ipsec_left = max(t.ipsec_lifetime - _digest("left", t.peer, i) % t.ipsec_lifetime, 1)
        kb_left = max(4608000 - t.encaps * 1500 // 1024 - 1, 0)
        encap = (
            _pair("Encapsulation", "Tunnel", "PFS Group", t.pfs, "  ")
            if t.pfs
            else "  Encapsulation: Tunnel"
        )
        out.extend(
            [
                "",
                f"{esp_name}:",
                f"  Tunnel ID    : {index}.{2 + i}",
                f"  Local Addr   : {local.addr}/{local.mask}/0/0",
                f"  Remote Addr  : {remote.addr}/{remote.mask}/0/0",
                _pair("Encryption", enc, "Hashing", hsh, "  "),
                encap,
                _pair(
                    "Rekey Int (T)",
                    f"{t.ipsec_lifetime} Seconds",
                    "Rekey Left(T)",
                    f"{ipsec_left} Seconds",
                    "  ",
                ),
                _pair(
                    "Rekey Int (D)", "4608000 K-Bytes", "Rekey Left(D)", f"{kb_left} K-Bytes", "  "
                ),
                _pair("Idle Time Out", "30 Minutes", "Idle TO Left", "29 Minutes", "  "),
                _pair("Bytes Tx", t.encaps * 96, "Bytes Rx", t.decaps * 88, "  "),
                _pair("Pkts Tx", t.encaps, "Pkts Rx", t.decaps, "  "),
            ]
        )
    return out


def render_sessiondb_l2l(tunnels: Sequence[TunnelSpec], address: str | None = None) -> str:
    """`show vpn-sessiondb detail l2l [filter ipaddress X]` (9.x indented layout)."""
    selected = [t for t in tunnels if t.phase1_up and (address is None or t.matches(address))]
    if not selected:
        return NO_SESSIONS + "\n"
    out = ["Session Type: LAN-to-LAN Detailed", ""]
    for t in selected:
        out.extend(_session(t))
        out.append("")
    return "\n".join(out)
