"""What the configuration calls a tunnel: crypto map name and sequence, crypto ACL,
tunnel-group, interface, or the VTI whose ``tunnel destination`` is the peer.

Why: an engineer in an outage thinks in configuration names ("outside_map 50", "the Globex
tunnel-group"), not only in peer addresses, and a remediation block is only paste-able when
it carries those names. Computed once per tunnel from the parsed configuration; empty when
the configuration was not collected (the report then shows the peer alone).
"""

from __future__ import annotations

from dataclasses import dataclass

from vpn_doctor.config_models import CryptoConfig, CryptoMapEntry


@dataclass(frozen=True)
class TunnelNames:
    """Configuration names of one tunnel ("" when unknown)."""

    crypto_map: str = ""
    seq: str = ""
    acl: str = ""
    tunnel_group: str = ""
    interface: str = ""
    vti: str = ""
    transform_set: str = ""  # IKEv1 transform set or IKEv2 ipsec-proposal of the entry
    ike_version: int = 0  # 1 or 2 from the crypto map entry / VTI profile; 0 unknown

    def label(self, peer: str = "") -> str:
        """One short line: ``outside_map 50 / tg globex`` or ``Tunnel1``; the tunnel-group
        is left out when it is named after the peer address (the usual L2L case)."""
        parts = []
        if self.crypto_map:
            parts.append(f"{self.crypto_map} {self.seq}".strip())
        elif self.vti:
            parts.append(self.vti)
        if self.tunnel_group and (self.tunnel_group != peer or not parts):
            parts.append(f"tg {self.tunnel_group}")
        return " / ".join(parts)

    def as_dict(self) -> dict[str, str]:
        """The names that are known, for placeholders and the JSON ``names`` extra."""
        values = {
            "crypto_map": self.crypto_map,
            "seq": self.seq,
            "acl": self.acl,
            "tunnel_group": self.tunnel_group,
            "interface": self.interface,
            "vti": self.vti,
            "transform_set": self.transform_set,
        }
        return {key: value for key, value in values.items() if value}


def _entry(entries: tuple[CryptoMapEntry, ...], peer: str) -> CryptoMapEntry | None:
    """The static entry whose first peer is ``peer``, else any static entry naming it."""
    static = [e for e in entries if not e.is_dynamic]
    return next((e for e in static if e.peers[:1] == (peer,)), static[0] if static else None)


def _vti(crypto: CryptoConfig | None, peer: str) -> str:
    """The tunnel interface whose ``tunnel destination`` is ``peer`` (parse/config/interfaces)."""
    return next((vti.name for vti in crypto.vtis_for_peer(peer)), "") if crypto else ""


def tunnel_names(
    peer: str,
    crypto: CryptoConfig | None,
    entries: tuple[CryptoMapEntry, ...],
) -> TunnelNames:
    """The names the configuration gives ``peer``'s tunnel (see the module docstring)."""
    entry = _entry(entries, peer)
    group = crypto.tunnel_group(peer) if crypto else None
    vti = "" if entry else _vti(crypto, peer)
    versions = entry.ike_versions if entry else ()
    interface = (crypto.interface_for_map(entry.map_name) if crypto and entry else None) or ""
    return TunnelNames(
        crypto_map=entry.map_name if entry else "",
        seq=str(entry.seq) if entry else "",
        acl=entry.match_address if entry else "",
        tunnel_group=group.name if group else "",
        interface=interface,
        vti=vti,
        transform_set=next(iter((*entry.ikev1_transform_sets, *entry.ikev2_ipsec_proposals)), "")
        if entry
        else "",
        ike_version=versions[0] if len(versions) == 1 else 0,
    )
