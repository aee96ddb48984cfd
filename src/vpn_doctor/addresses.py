"""Peer addresses as the ASA prints them, normalised so outputs can be joined per tunnel.

`show crypto isakmp sa` prints `203.0.113.9`, IKEv2 tables `203.0.113.9/500`, and a peer
may also be printed by name; every module that groups by peer must agree on one key.

Both functions are memoised: a hub firewall prints each of its thousands of peers in several
outputs and the engine and the fleet checks ask about the same strings again and again, while
``ipaddress`` parsing costs microseconds each. The caches are bounded (a long-running exporter
sees an open-ended stream of addresses) and ``lru_cache`` is safe to call from the fleet's
worker threads (at worst two threads compute the same pure result).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

# Larger than the peers of the biggest hub we measure (20,000 tunnels, each printed with and
# without a port); an entry is two short strings.
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def is_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address (no port, no mask)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_peer(peer: str) -> str:
    """'203.0.113.9/500' -> '203.0.113.9' (canonical form); names are kept as printed."""
    text = peer.strip()
    head = text.split("/")[0]
    try:
        return str(ipaddress.ip_address(head))
    except ValueError:
        return text
