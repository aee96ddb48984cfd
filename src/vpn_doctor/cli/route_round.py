"""Which routes to read: ``show route NET MASK`` for the networks the crypto ACLs name.

Why never the full ``show route``: on a big firewall (an Internet edge with a full BGP view, or
thousands of OSPF routes) the table is hundreds of thousands of lines, slow to print over SSH
and useless but for a few entries. The diagnosis asks where the tunnels' networks are routed
(swapped or overlapping crypto ACLs, the crypto interface), so it asks the device for exactly
those: the remote (destination) networks of each crypto ACL line, and the local (source) ones,
which the swapped-ACL check needs to tell "inside" from "outside". The ASA answers each with a
``Routing entry for`` block (or ``% Network not in table``), which
:func:`vpn_doctor.parse.config.route_tracer.parse_routes` reads.
"""

from __future__ import annotations

from vpn_doctor.asa.commands import SHOW_ROUTE, SHOW_RUN_ACCESS_LIST, SHOW_RUN_CRYPTO_MAP
from vpn_doctor.asa.config_lines import ANY, side_network
from vpn_doctor.models import Snapshot

# The firewall's own addresses (one `L` route per interface, a short output): packet-tracer
# must not simulate a packet from the ASA itself.
LOCAL_ROUTES = f"{SHOW_ROUTE} | include ^L"

# A crypto map with more networks than this is a big hub: past it, the lookups cost more round
# trips than they are worth for the checks (the first ones still answer the common cases).
MAX_ROUTE_LOOKUPS = 64


def route_commands(snapshot: Snapshot, peer: str | None = None) -> tuple[str, ...]:
    """``show route NET MASK`` for each distinct network of the crypto ACLs (of ``peer``'s
    crypto map entries when given), remote networks first; () when no ACL was read."""
    from vpn_doctor.parse.config.acl_nat import parse_running_access_lists
    from vpn_doctor.parse.config.crypto import parse_crypto_map

    entries = [
        e
        for e in parse_crypto_map(snapshot.outputs.get(SHOW_RUN_CRYPTO_MAP, "")).records
        if not e.is_dynamic and (peer is None or peer in e.peers)
    ]
    names = {e.match_address for e in entries if e.match_address}
    aces = [
        ace
        for command, text in sorted(snapshot.outputs.items())
        if command.startswith(SHOW_RUN_ACCESS_LIST)
        for ace in parse_running_access_lists(text, command).records
        if ace.acl in names and ace.action == "permit"
    ]
    remote = [side_network(ace.destination) for ace in aces]
    local = [side_network(ace.source) for ace in aces]
    networks = [n for n in (*remote, *local) if n is not None and n != ANY]
    unique = list(dict.fromkeys(networks))[:MAX_ROUTE_LOOKUPS]
    return tuple(f"{SHOW_ROUTE} {n.network_address} {n.netmask}" for n in unique)
