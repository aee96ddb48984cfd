"""ASA spelling of algorithms and addresses, for remediation lines and network arithmetic.

The checks compare normalised names (``aes128``, ``sha1``; see :mod:`vpn_doctor.diagnose.profiles`)
but must *print* what an engineer can paste into the ASA, and each ASA context spells the
same algorithm differently: ``encryption aes`` in an IKEv1 policy, ``esp-aes`` in a
transform set, ``protocol esp encryption aes`` in an IKEv2 proposal. This module holds
those tables and the small address helpers (ACE side -> network, first host, overlap), so
the check modules read as diagnosis logic, not string formatting.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network

from vpn_doctor.config_models import AccessListEntry, AclAddress
from vpn_doctor.models import ProxyId

# normalised name -> keyword in each configuration context
_IKEV1_ENCRYPTION = {"aes128": "aes", "aes192": "aes-192", "aes256": "aes-256", "3des": "3des"}
_IKEV1_HASH = {"sha1": "sha", "md5": "md5"}
_ESP_ENCRYPTION = {
    "aes128": "esp-aes",
    "aes192": "esp-aes-192",
    "aes256": "esp-aes-256",
    "3des": "esp-3des",
    "des": "esp-des",
    "null": "esp-null",
}
_ESP_HASH = {
    "sha1": "esp-sha-hmac",
    "sha256": "esp-sha256-hmac",
    "sha384": "esp-sha384-hmac",
    "sha512": "esp-sha512-hmac",
    "md5": "esp-md5-hmac",
    "null": "esp-none",
}
_IKEV2_ENCRYPTION = {
    "aes128": "aes",
    "aes192": "aes-192",
    "aes256": "aes-256",
    "aes-gcm128": "aes-gcm",
    "aes-gcm192": "aes-gcm-192",
    "aes-gcm256": "aes-gcm-256",
    "3des": "3des",
    "des": "des",
}
_IKEV2_INTEGRITY = {
    "sha1": "sha-1",
    "sha256": "sha-256",
    "sha384": "sha-384",
    "sha512": "sha-512",
    "md5": "md5",
    "null": "null",
}
_IKEV2_POLICY_INTEGRITY = {"sha1": "sha", "sha256": "sha256", "sha384": "sha384", "md5": "md5"}


def ikev1_encryption(name: str) -> str:
    return _IKEV1_ENCRYPTION.get(name, name)


def ikev1_hash(name: str) -> str:
    return _IKEV1_HASH.get(name, name)


def esp_encryption(name: str) -> str:
    return _ESP_ENCRYPTION.get(name, f"esp-{name}")


def esp_hash(name: str) -> str:
    return _ESP_HASH.get(name, f"esp-{name}-hmac")


def ikev2_encryption(name: str) -> str:
    return _IKEV2_ENCRYPTION.get(name, name)


def ikev2_integrity(name: str) -> str:
    return _IKEV2_INTEGRITY.get(name, name)


def ikev2_policy_integrity(name: str) -> str:
    return _IKEV2_POLICY_INTEGRITY.get(name, name)


# ---- addresses ---------------------------------------------------------------------------------

ANY = IPv4Network("0.0.0.0/0")


def side_network(side: AclAddress) -> IPv4Network | None:
    """The IPv4 network of an ACE side (any/any4 -> 0.0.0.0/0); None for objects and IPv6."""
    literal = side.as_network()
    if literal is None:
        return None
    try:
        return IPv4Network(f"{literal[0]}/{literal[1]}", strict=False)
    except ValueError:
        return None


def proxy_network(proxy: ProxyId | None) -> IPv4Network | None:
    """``10.0.0.0/255.255.255.0/0/0`` -> 10.0.0.0/24; None if unreadable."""
    if proxy is None:
        return None
    try:
        return IPv4Network(f"{proxy.address}/{proxy.mask}", strict=False)
    except ValueError:
        return None


def is_any(side: AclAddress) -> bool:
    return side.kind in ("any", "any4")


def first_host(network: IPv4Network, avoid: frozenset[str] = frozenset()) -> str:
    """A usable host of ``network`` for a probe or a packet-tracer: the first address that
    is not the network address and not in ``avoid`` (e.g. the ASA's own interface address)."""
    if network.prefixlen >= 31:
        return str(network.network_address)
    for host in network.hosts():
        if str(host) not in avoid:
            return str(host)
        if int(host) - int(network.network_address) > 16:  # give up: don't walk a /8
            break
    return str(network.network_address + 1)


def overlaps(a: IPv4Network, b: IPv4Network) -> bool:
    """True when both are specific networks (not 0.0.0.0/0) and share addresses."""
    return a != ANY and b != ANY and a.overlaps(b)


def ace_address(network: IPv4Network) -> str:
    """ACE spelling of a network: ``host A``, ``any4`` or ``A MASK``."""
    if network == ANY:
        return "any4"
    if network.prefixlen == 32:
        return f"host {network.network_address}"
    return f"{network.network_address} {network.netmask}"


def is_ipv4(text: str) -> bool:
    try:
        IPv4Address(text)
    except ValueError:
        return False
    return True


def ace_text(
    ace: AccessListEntry,
    *,
    source: str | None = None,
    destination: str | None = None,
    swap: bool = False,
) -> str:
    """The running-config form of an ACE (no ``line N``, hit counts or hashes), optionally
    with new sides or with source and destination (and their ports) swapped."""
    src, dst = str(ace.source), str(ace.destination)
    sport, dport = ace.source_port, ace.destination_port
    if swap:
        src, dst, sport, dport = dst, src, dport, sport
    src = source if source is not None else src
    dst = destination if destination is not None else dst
    words = [
        "access-list",
        ace.acl,
        ace.acl_type,
        ace.action,
        ace.protocol,
        src,
        sport,
        dst,
        dport,
    ]
    return " ".join(w for w in words if w)


def object_name(prefix: str, network: IPv4Network) -> str:
    """A readable network object name for a remediation: ``VPN-LOCAL-10.0.202.0_24``."""
    return f"{prefix}-{network.network_address}_{network.prefixlen}"


def object_lines(name: str, network: IPv4Network) -> tuple[str, ...]:
    """``object network NAME`` with its ``subnet``/``host`` line."""
    if network.prefixlen == 32:
        return (f"object network {name}", f" host {network.network_address}")
    return (f"object network {name}", f" subnet {network.network_address} {network.netmask}")


def ip_network(text: str) -> IPv4Network | None:
    try:
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return None
