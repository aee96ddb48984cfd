"""Peer addresses as the ASA prints them, normalised so outputs can be joined per tunnel.

`show crypto isakmp sa` prints `203.0.113.9`, IKEv2 tables `203.0.113.9/500`, and a peer
may also be printed by name; every module that groups by peer must agree on one key.
"""

from __future__ import annotations

import ipaddress


def is_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address (no port, no mask)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def normalise_peer(peer: str) -> str:
    """'203.0.113.9/500' -> '203.0.113.9' (canonical form); names are kept as printed."""
    text = peer.strip()
    head = text.split("/")[0]
    try:
        return str(ipaddress.ip_address(head))
    except ValueError:
        return text
